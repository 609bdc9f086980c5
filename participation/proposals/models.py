"""Citizen and association proposals: the participatory spaces that receive them, the proposals themselves,
their supports, followers, comments, reports, official answers, edits and the moderators' log.

A proposal's moves are PROPOSAL_WORKFLOW (workflow.py); what happens on each is in services.py. Counts shown on
lists (`supports_count`, `comments_count`) are kept on the proposal in the same transaction as the row they
count, so that a list of 50,000 proposals never counts millions of supports.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.i18n import TranslatedField


class SpaceQuerySet(models.QuerySet):
    def open_on(self, day):
        return self.filter(opens_on__lte=day).filter(models.Q(closes_on__isnull=True) | models.Q(closes_on__gte=day))


class Space(models.Model):
    """Where a body receives proposals: its categories, districts, support threshold, answer time, dates, rules."""

    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.PROTECT, related_name="proposal_spaces", verbose_name=_("public body")
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("Used in web addresses."))
    title_ar = models.CharField(_("title (Arabic)"), max_length=255)
    title_fr = models.CharField(_("title (French)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    rules_ar = models.TextField(_("rules (Arabic)"), blank=True)
    rules_fr = models.TextField(_("rules (French)"), blank=True)
    rules_en = models.TextField(_("rules (English)"), blank=True)
    districts = models.ManyToManyField(
        "bodies.District",
        blank=True,
        related_name="proposal_spaces",
        verbose_name=_("districts"),
        help_text=_("The districts proposals may concern; empty for all the body's districts."),
    )
    support_threshold = models.PositiveIntegerField(
        _("support threshold"), default=100, help_text=_("Supports after which the council must answer.")
    )
    answer_days = models.PositiveSmallIntegerField(
        _("time to answer"), default=60, help_text=_("Days the council has to answer once the threshold is reached.")
    )
    opens_on = models.DateField(_("open from"), default=timezone.localdate)
    closes_on = models.DateField(
        _("open until"), null=True, blank=True, help_text=_("Proposals and supports are accepted until this day.")
    )
    currency = models.CharField(_("currency"), max_length=3, default="DZD", help_text=_("ISO 4217, e.g. DZD, MAD."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    title = TranslatedField("title")
    rules = TranslatedField("rules")

    objects = SpaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("participatory space")
        verbose_name_plural = _("participatory spaces")
        ordering = ["-opens_on", "slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:space", args=[self.slug])

    def is_open(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day and (self.closes_on is None or day <= self.closes_on)


class Category(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="categories", verbose_name=_("space"))
    slug = models.SlugField(_("slug"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    name = TranslatedField("name")

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["slug"]
        constraints = [models.UniqueConstraint(fields=["space", "slug"], name="proposal_category_unique_slug")]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("proposal status", "Draft")
    PUBLISHED = "published", pgettext_lazy("proposal status", "Gathering support")
    MODERATION = "moderation", pgettext_lazy("proposal status", "Hidden pending review")
    WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn by its author")
    THRESHOLD_REACHED = "threshold", pgettext_lazy("proposal status", "Awaiting the council's answer")
    EVALUATING = "evaluating", pgettext_lazy("proposal status", "Under study")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("proposal status", "Rejected")
    NOT_COMPETENT = "not_competent", pgettext_lazy("proposal status", "Not within the council's powers")
    ALREADY_PLANNED = "planned", pgettext_lazy("proposal status", "Already planned")
    MERGED = "merged", pgettext_lazy("proposal status", "Merged into another proposal")
    CONVERTED = "converted", pgettext_lazy("proposal status", "Became a budgeting project")


# What the public sees: everything but drafts and proposals hidden for review.
PUBLIC_STATUSES = [status for status in Status.values if status not in (Status.DRAFT, Status.MODERATION)]
# While a proposal may gather supports and comments.
OPEN_STATUSES = [Status.PUBLISHED, Status.THRESHOLD_REACHED, Status.EVALUATING]


class ProposalQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=PUBLIC_STATUSES)

    def overdue(self, day=None):
        """Proposals past the threshold whose official answer is late."""
        day = day or timezone.localdate()
        return self.filter(status__in=[Status.THRESHOLD_REACHED, Status.EVALUATING], answer_due__lt=day)


class Proposal(models.Model):
    """What a resident or an association asks the council to do, in the language it was written in."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("space"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("description"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    district = models.ForeignKey(
        "bodies.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("district"),
    )
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    estimated_cost = models.DecimalField(_("estimated cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("author")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("on behalf of"),
    )
    pseudonym = models.CharField(
        _("pseudonym"), max_length=100, blank=True, help_text=_("Shown instead of the author's name when given.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    supports_count = models.PositiveIntegerField(_("supports"), default=0, editable=False)
    comments_count = models.PositiveIntegerField(_("comments"), default=0, editable=False)
    reports_count = models.PositiveIntegerField(_("open reports"), default=0, editable=False)
    hidden_from = models.CharField(
        _("status before it was hidden"), max_length=20, choices=Status.choices, blank=True, editable=False
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("merged into")
    )
    answer_due = models.DateField(_("answer due"), null=True, blank=True)
    threshold_reached_at = models.DateTimeField(_("threshold reached at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-published_at", "-pk"]
        indexes = [
            # The list's orders, each among the public statuses of one space.
            models.Index(fields=["space", "status", "-published_at"], name="proposal_space_recent"),
            models.Index(fields=["space", "status", "-supports_count"], name="proposal_space_supported"),
            models.Index(fields=["status", "-published_at"], name="proposal_recent"),
            models.Index(fields=["status", "answer_due"], name="proposal_answer_due"),
            # The list's three orders and the map's (forms.SORTS), read in index order across every space, and
            # the map's visible area (bench/proposals.py: 50,000 proposals).
            models.Index(fields=["-published_at", "-id"], name="proposal_order_recent"),
            models.Index(fields=["-supports_count", "-published_at", "-id"], name="proposal_order_supported"),
            models.Index(fields=["-comments_count", "-published_at", "-id"], name="proposal_order_commented"),
            models.Index(fields=["longitude", "latitude"], name="proposal_position"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"P-{self.pk:05d}"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_open(self) -> bool:
        """Whether supports and comments are accepted now."""
        return self.status in OPEN_STATUSES and self.space.is_open()

    @property
    def point(self) -> dict | None:
        if self.longitude is None or self.latitude is None:
            return None
        return {"type": "Point", "coordinates": [self.longitude, self.latitude]}

    def signature(self) -> str:
        """Who the public sees as the author: the association, the pseudonym, or the person's name."""
        if self.organisation_id:
            return self.organisation.name
        return self.pseudonym or self.author.get_full_name() or _("A resident")


class Attachment(models.Model):
    """A photo or a document of a proposal. Photos are re-encoded on upload, which drops their location tags."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("proposal")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="proposals/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Edit(models.Model):
    """An author's change to a published proposal, kept so that anyone can see what changed (as a diff)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="edits", verbose_name=_("proposal"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    supports_at_edit = models.PositiveIntegerField(_("supports at the time"))
    old_title = models.CharField(_("previous title"), max_length=200)
    new_title = models.CharField(_("new title"), max_length=200)
    old_text = models.TextField(_("previous description"))
    new_text = models.TextField(_("new description"))

    class Meta:
        verbose_name = _("edit")
        verbose_name_plural = _("edits")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.proposal} · {self.at:%Y-%m-%d}"


class Support(models.Model):
    """One person's (or one association's) support: at most one each per proposal, enforced by the database."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="supports", verbose_name=_("proposal")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_supports", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposal_supports",
        verbose_name=_("on behalf of"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], condition=models.Q(organisation=None), name="support_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["proposal", "organisation"],
                condition=models.Q(organisation__isnull=False),
                name="support_one_per_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.proposal_id} · {self.organisation or self.user_id}"


class Follow(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follows", verbose_name=_("proposal"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_follows", verbose_name=_("person")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="follow_unique")]

    def __str__(self):
        return f"{self.proposal_id} · {self.user_id}"


class Comment(models.Model):
    """A message in a proposal's discussion, in reply to another or not, in the language it was written in."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="comments", verbose_name=_("proposal")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies", verbose_name=_("in reply to")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposal_comments", verbose_name=_("author")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=100, blank=True)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    reports_count = models.PositiveIntegerField(_("open reports"), default=0, editable=False)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(_("why it was hidden"), blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["proposal", "created_at"], name="comment_proposal_time")]

    def __str__(self):
        return self.text[:60]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def signature(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        return self.pseudonym or self.author.get_full_name() or _("A resident")


class Reason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Insulting, hateful or threatening")
    PERSONAL_DATA = "personal_data", _("Reveals someone's personal data")
    OFF_TOPIC = "off_topic", _("Off topic")
    DUPLICATE = "duplicate", _("Duplicate of another proposal")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """A user's report of a proposal or a comment, until a moderator resolves it."""

    class Outcome(models.TextChoices):
        HIDDEN = "hidden", _("Content hidden")
        DISMISSED = "dismissed", _("Report dismissed")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="reports", verbose_name=_("proposal")
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports", verbose_name=_("comment")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("reported by")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proposal__isnull=False, comment=None)
                | models.Q(proposal=None, comment__isnull=False),
                name="report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "proposal"], condition=models.Q(comment=None), name="report_once_per_proposal"
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=models.Q(proposal=None), name="report_once_per_comment"
            ),
        ]

    def __str__(self):
        return self.get_reason_display()


class Answer(models.Model):
    """The council's official answer to a proposal, signed by the staff member who gave it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers", verbose_name=_("proposal"))
    status = models.CharField(_("outcome"), max_length=20, choices=Status.choices)
    text = models.TextField(_("answer"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("official answer")
        verbose_name_plural = _("official answers")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.proposal} · {self.get_status_display()}"


class ModerationEntry(models.Model):
    """A moderator's act, kept per body: the public reads the counts, staff read the entries."""

    class Action(models.TextChoices):
        HIDE_PROPOSAL = "hide_proposal", _("Proposal hidden")
        RESTORE_PROPOSAL = "restore_proposal", _("Proposal restored")
        HIDE_COMMENT = "hide_comment", _("Comment hidden")
        RESTORE_COMMENT = "restore_comment", _("Comment restored")
        DISMISS = "dismiss", _("Reports dismissed")
        MERGE = "merge", _("Proposal merged into another")

    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.CASCADE, related_name="+", verbose_name=_("public body")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    reason = models.TextField(_("reason"), blank=True)
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="moderation_entries", verbose_name=_("proposal")
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("comment")
    )
    # The author whose content was acted on: repeat offenders are counted from here.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("moderator")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("moderation entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return self.get_action_display()
