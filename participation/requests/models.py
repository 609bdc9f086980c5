"""Access-to-information requests and complaints: the laws that set their clocks, the cases, their messages,
attachments and appeals.

Laws are data (`Law`, with its refusal reasons and appeal steps), loaded by a migration and edited by
administrators; a body names its law (`BodyLaw`), inherited down the body tree. A `Case` is a request or a
complaint: its moves are `CASE_WORKFLOW` (workflow.py), its due dates come from deadlines.py, and what the public
sees of it passes through redaction.py.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from portal.bodies.auth import get_bodies_with_any_role
from portal.bodies.models import Role
from portal.i18n import TranslatedField


class DayUnit(models.TextChoices):
    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


class Law(ClusterableModel):
    """A statute (or the default rule where there is none) that sets how a body must answer, and how fast."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access to information")
        COMPLAINT = "complaint", _("Complaints about a service")

    code = models.SlugField(_("code"), max_length=50, unique=True, help_text=_("For example ma-31-13."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ACCESS)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166-1 code of the country whose working days and holidays count; empty for the default."),
    )
    applies_by_default = models.BooleanField(
        _("applies by default"),
        default=False,
        help_text=_("Applies to the bodies of its country (or, without a country, to any body) that name no law."),
    )
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    day_unit = models.CharField(_("days counted"), max_length=10, choices=DayUnit.choices, default=DayUnit.WORKING)
    count_from_next_day = models.BooleanField(
        _("counted from the day after receipt"), default=True, help_text=_("Otherwise the day of receipt counts.")
    )
    response_days = models.PositiveSmallIntegerField(_("time to answer"))
    acknowledge_days = models.PositiveSmallIntegerField(
        _("time to acknowledge"), null=True, blank=True, help_text=_("Empty when the law sets none.")
    )
    extension_days = models.PositiveSmallIntegerField(
        _("extension"), default=0, help_text=_("Added once, with a reason; 0 when the law allows none.")
    )
    urgent_days = models.PositiveSmallIntegerField(
        _("time to answer an urgent request"),
        null=True,
        blank=True,
        help_text=_("When life, safety or freedom depends on the answer; empty when the law sets none."),
    )
    identity_required = models.BooleanField(_("identity document required"), default=False)
    silence_is_refusal = models.BooleanField(
        _("silence counts as refusal"), default=False, help_text=_("No answer by the due date may be appealed.")
    )
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    name = TranslatedField("name")
    description = TranslatedField("description")

    class Meta:
        verbose_name = _("law")
        verbose_name_plural = _("laws")
        ordering = ["code"]

    def __str__(self):
        return self.name


class RefusalReason(models.Model):
    """One of the grounds a law allows for refusing (national defence, privacy, deliberations in progress…)."""

    law = ParentalKey(Law, on_delete=models.CASCADE, related_name="refusal_reasons", verbose_name=_("law"))
    code = models.SlugField(_("code"), max_length=50)
    label_ar = models.CharField(_("label (Arabic)"), max_length=255)
    label_fr = models.CharField(_("label (French)"), max_length=255, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=255, blank=True)
    article = models.CharField(_("article"), max_length=50, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)

    label = TranslatedField("label")

    class Meta:
        verbose_name = _("refusal reason")
        verbose_name_plural = _("refusal reasons")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["law", "code"], name="refusalreason_unique_code")]

    def __str__(self):
        return self.label


class AppealStep(models.Model):
    """A rung of the appeal ladder: to whom, how long the citizen has to appeal, how long the answer may take."""

    law = ParentalKey(Law, on_delete=models.CASCADE, related_name="appeal_steps", verbose_name=_("law"))
    code = models.SlugField(_("code"), max_length=50)
    name_ar = models.CharField(_("addressed to (Arabic)"), max_length=255)
    name_fr = models.CharField(_("addressed to (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("addressed to (English)"), max_length=255, blank=True)
    file_within_days = models.PositiveSmallIntegerField(_("time to appeal"))
    answer_within_days = models.PositiveSmallIntegerField(_("time to decide"))
    day_unit = models.CharField(_("days counted"), max_length=10, choices=DayUnit.choices, default=DayUnit.CALENDAR)
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)

    name = TranslatedField("name")

    class Meta:
        verbose_name = _("appeal step")
        verbose_name_plural = _("appeal steps")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["law", "code"], name="appealstep_unique_code")]

    def __str__(self):
        return self.name


class BodyLaw(models.Model):
    """The law a body (and every body below it that names none) answers under, for requests or complaints."""

    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.CASCADE, related_name="laws", verbose_name=_("public body")
    )
    law = models.ForeignKey(Law, on_delete=models.PROTECT, related_name="bodies", verbose_name=_("law"))
    kind = models.CharField(_("kind"), max_length=20, choices=Law.Kind.choices, editable=False)

    class Meta:
        verbose_name = _("law of a body")
        verbose_name_plural = _("laws of bodies")
        constraints = [models.UniqueConstraint(fields=["body", "kind"], name="bodylaw_unique_kind")]

    def __str__(self):
        return f"{self.body} · {self.law}"

    def save(self, *args, **kwargs):
        self.kind = self.law.kind
        super().save(*args, **kwargs)


class HolidayDate(models.Model):
    """The announced date of a holiday whose date the `holidays` library only estimates (the Islamic ones).

    Confirming it recalculates every open deadline it moves (deadlines.confirm_holiday).
    """

    country = models.CharField(_("country"), max_length=2)
    name = models.CharField(_("holiday"), max_length=255, help_text=_("As the holidays library names it."))
    estimated_on = models.DateField(_("estimated date"))
    announced_on = models.DateField(_("announced date"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("announced holiday")
        verbose_name_plural = _("announced holidays")
        ordering = ["country", "estimated_on"]
        constraints = [
            models.UniqueConstraint(fields=["country", "name", "estimated_on"], name="holidaydate_unique"),
        ]

    def __str__(self):
        return f"{self.country} · {self.name} · {self.announced_on}"


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("request status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("request status", "Submitted")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("request status", "Acknowledged")
    AWAITING_CLARIFICATION = "awaiting_clarification", pgettext_lazy("request status", "Awaiting clarification")
    EXTENDED = "extended", pgettext_lazy("request status", "Extended")
    ANSWERED = "answered", pgettext_lazy("request status", "Answered")
    PARTIALLY_ANSWERED = "partially_answered", pgettext_lazy("request status", "Partially answered")
    REFUSED = "refused", pgettext_lazy("request status", "Refused")
    NOT_HELD = "not_held", pgettext_lazy("request status", "Information not held")
    TRANSFERRED = "transferred", pgettext_lazy("request status", "Transferred")
    WITHDRAWN = "withdrawn", pgettext_lazy("request status", "Withdrawn")
    UNDER_APPEAL = "under_appeal", pgettext_lazy("request status", "Under appeal")
    APPEAL_DECIDED = "appeal_decided", pgettext_lazy("request status", "Appeal decided")
    CLOSED = "closed", pgettext_lazy("request status", "Closed")


# The body still owes an answer: the clock runs (or is paused, awaiting clarification).
OPEN_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.AWAITING_CLARIFICATION, Status.EXTENDED)
# Statuses whose clock runs: a case in one of them past its due date is overdue.
RUNNING_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.EXTENDED)
ANSWERED_STATUSES = (Status.ANSWERED, Status.PARTIALLY_ANSWERED)
DECIDED_STATUSES = (*ANSWERED_STATUSES, Status.REFUSED, Status.NOT_HELD)


def officer_bodies(user):
    """The bodies whose cases `user` answers: where they are information officer (or administrator), and every
    body below (none for a visitor)."""
    return get_bodies_with_any_role(user, [Role.INFORMATION_OFFICER])


class CaseQuerySet(models.QuerySet):
    def public(self):
        """Cases anyone may read: filed, not kept private by the requester, not withdrawn."""
        return self.filter(is_public=True).exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])

    def visible_to(self, user):
        """What `user` may read: the public cases, their own, and those of bodies where they answer."""
        visible = models.Q(is_public=True) & ~models.Q(status__in=[Status.DRAFT, Status.WITHDRAWN])
        if user.is_authenticated:
            visible |= models.Q(requester=user)
            visible |= models.Q(body__in=officer_bodies(user)) & ~models.Q(status=Status.DRAFT)
        return self.filter(visible)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        """Cases whose clock runs past their due date (overdue is derived, never stored)."""
        today = today or timezone.localdate()
        return self.filter(status__in=RUNNING_STATUSES, due_on__lt=today)


class Case(models.Model):
    """A request for information, or a complaint about a service, addressed to one public body."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Information request")
        COMPLAINT = "complaint", _("Complaint")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("tracking number"), max_length=30, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REQUEST)
    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.PROTECT, related_name="cases", verbose_name=_("public body")
    )
    law = models.ForeignKey(Law, on_delete=models.PROTECT, related_name="cases", verbose_name=_("law"))
    subject = models.CharField(_("subject"), max_length=255)
    # What the public reads of the subject: without the requester's identity (redaction.py).
    public_subject = models.CharField(_("published subject"), max_length=255, blank=True)
    text = models.TextField(_("request"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("The answer is needed to protect someone's life, safety or freedom.")
    )
    urgent_reason = models.TextField(_("why it is urgent"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Published in the archive, without the requester's identity.")
    )

    # The requester: never shown publicly unless `show_name`; the rest never.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("requester"),
    )
    requester_name = models.CharField(_("name"), max_length=255)
    requester_email = models.EmailField(_("email"))
    requester_address = models.TextField(_("postal address"), blank=True)
    # Fernet token (redaction.encrypt_identity); readable only through the officer's screen.
    identity_number = models.TextField(_("identity card number"), blank=True, editable=False)
    show_name = models.BooleanField(_("show my name publicly"), default=False)
    # Words the officers hid from every published text of the case, one per line (services.hide_words).
    hidden_words = models.TextField(_("words hidden from the public"), blank=True, editable=False)

    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    acknowledge_by = models.DateField(_("to acknowledge by"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    decided_on = models.DateField(_("answered on"), null=True, blank=True)
    refusal_reason = models.ForeignKey(
        RefusalReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("refusal reason"),
    )
    transferred_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("transferred to")
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("information request or complaint")
        verbose_name_plural = _("information requests and complaints")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["body", "status", "due_on"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self):
        return f"{self.reference} · {self.subject}"

    def get_absolute_url(self):
        return reverse("information_requests:detail", args=[self.reference])

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in RUNNING_STATUSES and self.due_on is not None and self.due_on < today

    @property
    def public_requester(self) -> str:
        """How the public names the requester: their name if they chose it, never anything else."""
        return self.requester_name if self.show_name else ""


class Message(models.Model):
    """What the requester and the officer write on a case; internal notes stay with the body's staff."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request")
        REPLY = "reply", _("Reply from the requester")
        OFFICER = "officer", _("Message from the body")
        ANSWER = "answer", _("Answer")
        NOTE = "note", _("Internal note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"))
    # What the public reads: the text without the requester's identity and what the officer marked.
    public_text = models.TextField(_("published text"), blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.case.reference} · {self.get_kind_display()}"

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.NOTE


def attachment_path(attachment: "Attachment", filename: str) -> str:
    return f"information-requests/{attachment.message.case.uuid}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A file joined to a message; the public only ever gets its redacted copy."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    redacted_file = models.FileField(_("redacted copy"), upload_to=attachment_path, max_length=500, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.name

    @property
    def is_published(self) -> bool:
        return bool(self.redacted_file)


class DeadlineChange(models.Model):
    """A due date moved by something other than a move: a holiday's announced date, a resumed clock."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadline_changes", verbose_name=_("case"))
    previous_due_on = models.DateField(_("was due on"))
    due_on = models.DateField(_("now due on"))
    reason = models.CharField(_("reason"), max_length=255)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline change")
        verbose_name_plural = _("deadline changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case.reference}: {self.previous_due_on} → {self.due_on}"


class ClockPause(models.Model):
    """The clock stopped while the body awaited the requester's clarification (`resumed_on` empty: still)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("case"))
    paused_on = models.DateField(_("paused on"))
    resumed_on = models.DateField(_("resumed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["paused_on", "pk"]

    def __str__(self):
        return f"{self.case.reference}: {self.paused_on} → {self.resumed_on or '…'}"


class Appeal(models.Model):
    """A step up the appeal ladder against a refusal, a partial answer or silence."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Appeal upheld: the information must be given")
        PARTLY_UPHELD = "partly_upheld", _("Appeal partly upheld")
        DISMISSED = "dismissed", _("Appeal dismissed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("case"))
    step = models.ForeignKey(AppealStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("step"))
    text = models.TextField(_("grounds"))
    public_text = models.TextField(_("published grounds"), blank=True)
    filed_on = models.DateField(_("filed on"))
    due_on = models.DateField(_("to decide by"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["filed_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="appeal_unique_step")]

    def __str__(self):
        return f"{self.case.reference} · {self.step}"
