"""Participatory budgeting: cycles and their budgets, the projects on the ballot, the ballots, the results and
the works that follow.

Two tables keep the ballot secret. `VoterRecord` says who voted (by the keyed hash of their identity, whatever
the channel: online or paper) and `Ballot` says what was chosen, with no link to the voter, no time and a random
key; the one thing they share is the transaction that writes them. A voter finds their ballot again by the
receipt code only they were shown (`Ballot.receipt_digest` is its SHA-256).

Rules (ballot rule, counting rule, budgets, projects' costs) are locked once voting opens: `save()` refuses to
change them, whichever screen or script tries.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.i18n import TranslatedField


class Phase(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("budgeting phase", "In preparation")
    INFORMATION = "information", pgettext_lazy("budgeting phase", "Information")
    SUBMISSION = "submission", pgettext_lazy("budgeting phase", "Submission of projects")
    REVIEW = "review", pgettext_lazy("budgeting phase", "Technical review")
    COSTS = "costs", pgettext_lazy("budgeting phase", "Publication of costs")
    VOTING = "voting", pgettext_lazy("budgeting phase", "Voting")
    BALLOT_REVIEW = "ballot_review", pgettext_lazy("budgeting phase", "Ballot review")
    RESULTS = "results", pgettext_lazy("budgeting phase", "Results")
    IMPLEMENTATION = "implementation", pgettext_lazy("budgeting phase", "Implementation")


PHASE_ORDER = list(Phase.values)
# The date field at which each phase begins; the scheduler (services.advance_phases) moves cycles through them.
PHASE_STARTS = {
    Phase.INFORMATION: "information_at",
    Phase.SUBMISSION: "submission_at",
    Phase.REVIEW: "review_at",
    Phase.COSTS: "costs_at",
    Phase.VOTING: "voting_opens_at",
    Phase.BALLOT_REVIEW: "voting_closes_at",
}
# From voting on, what voters chose under must not change.
LOCKED_PHASES = PHASE_ORDER[PHASE_ORDER.index(Phase.VOTING) :]


def phase_index(phase: str) -> int:
    return PHASE_ORDER.index(phase)


class BallotRule(models.TextChoices):
    APPROVAL = "approval", _("Approval: choose up to a number of projects")
    KNAPSACK = "knapsack", _("Knapsack: choose projects up to the budget")
    CHOOSE_ONE = "choose_one", _("Choose one project")
    CUMULATIVE = "cumulative", _("Cumulative: share points among projects")


class CountingRule(models.TextChoices):
    GREEDY = "greedy", _("Greedy: most votes first, skipping what no longer fits")
    GREEDY_NO_SKIP = "greedy-no-skip", _("Greedy without skipping: stop at the first project that does not fit")
    GREEDY_THRESHOLD = "greedy-threshold", _("Greedy among projects above a share of the voters")
    MES_ADD1 = "mes-add1", _("Method of Equal Shares, completed by raising the budget")
    PHRAGMEN = "phragmen", _("Sequential Phragmén")


class CycleQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(phase=Phase.DRAFT)


class RulesLocked(ValidationError):
    """A rule, a budget or a cost was to change after voting opened."""


class Cycle(models.Model):
    """A commune's budgeting round: its money, its calendar of phases and the rules it declared beforehand."""

    RULE_FIELDS = (
        "ballot_rule",
        "max_projects",
        "min_spend_share",
        "points",
        "max_points_per_project",
        "counting_rule",
        "threshold",
        "min_age",
        "currency",
        "voting_opens_at",
        "voting_closes_at",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.PROTECT, related_name="budgeting_cycles", verbose_name=_("public body")
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("Used in web addresses."))
    title_ar = models.CharField(_("title (Arabic)"), max_length=255)
    title_fr = models.CharField(_("title (French)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="DZD", help_text=_("ISO 4217, e.g. DZD, MAD."))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.DRAFT)

    information_at = models.DateTimeField(_("information from"), null=True, blank=True)
    submission_at = models.DateTimeField(_("submission of projects from"), null=True, blank=True)
    review_at = models.DateTimeField(_("technical review from"), null=True, blank=True)
    costs_at = models.DateTimeField(_("publication of costs from"), null=True, blank=True)
    voting_opens_at = models.DateTimeField(_("voting opens"))
    voting_closes_at = models.DateTimeField(_("voting closes"))

    ballot_rule = models.CharField(
        _("ballot rule"), max_length=20, choices=BallotRule.choices, default=BallotRule.APPROVAL
    )
    max_projects = models.PositiveSmallIntegerField(
        _("most projects per ballot"), null=True, blank=True, help_text=_("Approval ballots; empty for no limit.")
    )
    min_spend_share = models.DecimalField(
        _("least share of the budget to spend"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Knapsack ballots: e.g. 0.50 for at least half of the budget; empty for none."),
    )
    points = models.PositiveSmallIntegerField(
        _("points per voter"), null=True, blank=True, help_text=_("Cumulative ballots.")
    )
    max_points_per_project = models.PositiveSmallIntegerField(
        _("most points on one project"), null=True, blank=True, help_text=_("Cumulative ballots; empty for no limit.")
    )
    counting_rule = models.CharField(
        _("counting rule"), max_length=20, choices=CountingRule.choices, default=CountingRule.MES_ADD1
    )
    threshold = models.DecimalField(
        _("least share of voters"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Greedy with threshold: projects approved by fewer voters than this share are not funded."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, help_text=_("Voters' least age on the day they vote; empty for none.")
    )
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    title = TranslatedField("title")
    description = TranslatedField("description")

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("budgeting cycle")
        verbose_name_plural = _("budgeting cycles")
        ordering = ["-voting_opens_at", "slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("budgeting:cycle", args=[self.slug])

    @property
    def rules_locked(self) -> bool:
        return self.phase in LOCKED_PHASES

    def is_voting_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.phase == Phase.VOTING and self.voting_opens_at <= at < self.voting_closes_at

    def reached(self, phase: str) -> bool:
        """Whether the cycle is at `phase` or past it."""
        return phase_index(self.phase) >= phase_index(phase)

    def clean(self):
        errors = {}
        if self.voting_opens_at and self.voting_closes_at and self.voting_closes_at <= self.voting_opens_at:
            errors["voting_closes_at"] = _("Voting must close after it opens.")
        if self.ballot_rule == BallotRule.CUMULATIVE and not self.points:
            errors["points"] = _("A cumulative ballot needs the number of points each voter shares.")
        if self.ballot_rule == BallotRule.CUMULATIVE and self.counting_rule in (
            CountingRule.MES_ADD1,
            CountingRule.PHRAGMEN,
        ):
            errors["counting_rule"] = _("The Method of Equal Shares and Phragmén count approval ballots only.")
        if self.counting_rule == CountingRule.GREEDY_THRESHOLD and not self.threshold:
            errors["threshold"] = _("Greedy with threshold needs the least share of voters.")
        for name in ("min_spend_share", "threshold"):
            value = getattr(self, name)
            if value is not None and not (0 < value <= 1):
                errors[name] = _("A share is between 0 and 1, e.g. 0.25.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values("phase", *self.RULE_FIELDS).first()
            if stored and stored["phase"] in LOCKED_PHASES:
                changed = [name for name in self.RULE_FIELDS if stored[name] != getattr(self, name)]
                if changed:
                    raise RulesLocked(
                        _("The rules of a cycle cannot change once voting has opened (%(fields)s).")
                        % {"fields": ", ".join(str(self._meta.get_field(name).verbose_name) for name in changed)}
                    )
        super().save(*args, **kwargs)


class BudgetGroup(models.Model):
    """Budgets among which a voter picks a set number (say two of five themes)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="groups", verbose_name=_("cycle"))
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    max_budgets = models.PositiveSmallIntegerField(_("budgets a voter may vote in"), default=1)

    name = TranslatedField("name")

    class Meta:
        verbose_name = _("group of budgets")
        verbose_name_plural = _("groups of budgets")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        phase = Cycle.objects.filter(pk=self.cycle_id).values_list("phase", flat=True).first()
        if phase in LOCKED_PHASES:
            stored = type(self).objects.filter(pk=self.pk).values_list("max_budgets", flat=True).first()
            if stored != self.max_budgets:  # a new group (None stored) or a new limit
                raise RulesLocked(_("Budgets cannot change once voting has opened."))
        super().save(*args, **kwargs)


class Budget(models.Model):
    """Money of a cycle: a district's (voted on by its residents) or city-wide (by every resident)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("cycle"))
    slug = models.SlugField(_("slug"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    district = models.ForeignKey(
        "bodies.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budgets",
        verbose_name=_("district"),
        help_text=_("Empty for a city-wide budget."),
    )
    group = models.ForeignKey(
        BudgetGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budgets",
        verbose_name=_("group"),
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)

    name = TranslatedField("name")

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = [models.F("district").asc(nulls_last=True), "slug"]
        constraints = [models.UniqueConstraint(fields=["cycle", "slug"], name="budget_unique_slug_per_cycle")]

    def __str__(self):
        return self.name

    @property
    def is_city_wide(self) -> bool:
        return self.district_id is None

    def save(self, *args, **kwargs):
        cycle = Cycle.objects.filter(pk=self.cycle_id).values_list("phase", flat=True).first()
        if cycle in LOCKED_PHASES:
            # The slug too: pending paper ballots, drafts and ballots sent by the API name their budgets by it.
            fields = ("slug", "amount", "district_id", "group_id")
            stored = type(self).objects.filter(pk=self.pk).values(*fields).first()
            if stored != {name: getattr(self, name) for name in fields}:
                raise RulesLocked(_("Budgets cannot change once voting has opened."))
        super().save(*args, **kwargs)


class ProjectStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("budgeting project", "Awaiting review")
    FEASIBLE = "feasible", pgettext_lazy("budgeting project", "On the ballot")
    SET_ASIDE = "set_aside", pgettext_lazy("budgeting project", "Set aside")
    WITHDRAWN = "withdrawn", pgettext_lazy("budgeting project", "Withdrawn")
    SELECTED = "selected", pgettext_lazy("budgeting project", "Funded")
    NOT_SELECTED = "not_selected", pgettext_lazy("budgeting project", "Not funded")


class Stage(models.TextChoices):
    """Where a funded project's works stand."""

    NOT_STARTED = "not_started", pgettext_lazy("works", "Not started")
    DESIGN = "design", pgettext_lazy("works", "Design")
    PROCUREMENT = "procurement", pgettext_lazy("works", "Procurement")
    WORKS = "works", pgettext_lazy("works", "Works under way")
    COMPLETED = "completed", pgettext_lazy("works", "Completed")
    SUSPENDED = "suspended", pgettext_lazy("works", "Suspended")
    CANCELLED = "cancelled", pgettext_lazy("works", "Cancelled")


class ProjectQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(status=ProjectStatus.WITHDRAWN).filter(cycle__in=Cycle.objects.public())

    def on_ballot(self):
        return self.filter(status__in=[ProjectStatus.FEASIBLE, ProjectStatus.SELECTED, ProjectStatus.NOT_SELECTED])


class Project(models.Model):
    """A project of a cycle: proposed by a resident or staff, reviewed, voted on and, if funded, built."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="projects", verbose_name=_("cycle"))
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="projects", verbose_name=_("budget"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    district = models.ForeignKey(
        "bodies.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budgeting_projects",
        verbose_name=_("district"),
    )
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    estimated_cost = models.DecimalField(
        _("cost estimated by the proposer"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    cost = models.DecimalField(
        _("cost"), max_digits=16, decimal_places=2, null=True, blank=True, help_text=_("As assessed by the review.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budgeting_projects",
        verbose_name=_("proposed by"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budgeting_projects",
        verbose_name=_("on behalf of"),
    )
    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budgeting_project",
        verbose_name=_("from the proposal"),
    )
    external_id = models.CharField(
        _("identifier in its source"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("The project's id in the Pabulib file it was imported from."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.SUBMITTED
    )
    review_note = models.TextField(
        _("review"), blank=True, help_text=_("Published: the reasons when a project is set aside.")
    )
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True, editable=False)
    stage = models.CharField(_("works"), max_length=20, choices=Stage.choices, default=Stage.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    payments = models.ManyToManyField(
        "spending.Payment", blank=True, related_name="budgeting_projects", verbose_name=_("payments")
    )
    decisions = models.ManyToManyField(
        "cms.DecisionPage", blank=True, related_name="budgeting_projects", verbose_name=_("council decisions")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("budgeting project")
        verbose_name_plural = _("budgeting projects")
        ordering = ["pk"]
        indexes = [models.Index(fields=["cycle", "status"], name="budgeting_project_status")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("budgeting:project", args=[self.cycle.slug, self.pk])

    @property
    def reference(self) -> str:
        return f"B-{self.pk:05d}"

    @property
    def point(self) -> dict | None:
        if self.longitude is None or self.latitude is None:
            return None
        return {"type": "Point", "coordinates": [self.longitude, self.latitude]}

    def signature(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        if self.author_id:
            return self.author.get_full_name() or str(_("A resident"))
        return self.cycle.body.name

    def save(self, *args, **kwargs):
        phase = Cycle.objects.filter(pk=self.cycle_id).values_list("phase", flat=True).first()
        if phase in LOCKED_PHASES:
            stored = type(self).objects.filter(pk=self.pk).values("cost", "budget_id").first()
            if stored is None and self.pk is None:
                raise RulesLocked(_("Projects cannot be added once voting has opened."))
            if stored is not None and stored != {"cost": self.cost, "budget_id": self.budget_id}:
                raise RulesLocked(_("A project's cost and budget cannot change once voting has opened."))
        super().save(*args, **kwargs)


class Follow(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follows", verbose_name=_("project"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="budgeting_follow_once")]

    def __str__(self):
        return f"{self.user} · {self.project}"


class Milestone(models.Model):
    """A step of a funded project's works, as the public follows it: when, what, how far, with a photo."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project"))
    date = models.DateField(_("date"), default=timezone.localdate)
    stage = models.CharField(_("works"), max_length=20, choices=Stage.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("what happened"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    photo = models.FileField(_("photo"), upload_to="budgeting/%Y/%m/", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.project} · {self.date}"


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper, at a polling station")


class VoterRecord(models.Model):
    """That a person voted in a cycle, by whichever channel: the register, kept apart from the ballots.

    One row per identity per cycle (the keyed hash of the identity number, as verifications store it), so an
    online ballot and a paper ballot of the same person cannot both count, even when they arrive at once.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="voters", verbose_name=_("cycle"))
    identity_hash = models.CharField(_("identity hash"), max_length=64, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    station = models.CharField(_("polling station"), max_length=100, blank=True)
    voted_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("register of voters")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "identity_hash"], name="budgeting_one_vote_per_identity"),
            models.UniqueConstraint(
                fields=["cycle", "user"], condition=models.Q(user__isnull=False), name="budgeting_one_vote_per_account"
            ),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.get_channel_display()}"


class Ballot(models.Model):
    """What one voter chose in one budget: no voter, no time, a random key (see the module's docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="ballots")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="ballots")
    receipt_digest = models.CharField(max_length=64, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["receipt_digest", "budget"], name="budgeting_one_ballot_per_receipt")
        ]

    def __str__(self):
        return f"{self.budget} · {self.voter_id}"

    @property
    def voter_id(self) -> str:
        """How the ballot is named in the published .pb file: the first characters of its receipt's digest."""
        return self.receipt_digest[:16]


class BallotChoice(models.Model):
    # A random key, like its ballot's: a sequence would keep the order in which ballots were cast.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "project"], name="budgeting_choice_once")]

    def __str__(self):
        return f"{self.project_id} × {self.points}"


class BallotDraft(models.Model):
    """A ballot being filled in, kept for its voter until they confirm (then deleted with the confirmation).

    `choices` maps a budget's slug to {project id: points}.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choices = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "user"], name="budgeting_one_draft_per_voter")]

    def __str__(self):
        return f"{self.cycle} · {self.user}"


class PaperBallot(models.Model):
    """A paper ballot from a polling station, entered by one officer and counted once a second one checks it.

    Until it is checked, it holds the voter's identity hash (in the register already) and the choices; once
    counted, the choices become a `Ballot` and are cleared here, so the two never sit together again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a second officer's check")
        COUNTED = "counted", _("Checked and counted")
        REJECTED = "rejected", _("Rejected by the checking officer")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="paper_ballots", verbose_name=_("cycle"))
    station = models.CharField(_("polling station"), max_length=100)
    identity_hash = models.CharField(max_length=64, blank=True, editable=False)
    receipt_digest = models.CharField(max_length=64, blank=True, editable=False)
    choices = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        verbose_name = _("paper ballot")
        verbose_name_plural = _("paper ballots")
        ordering = ["-entered_at"]

    def __str__(self):
        return f"{self.station} · {self.pk}"


class Result(models.Model):
    """The outcome of one budget under the cycle's counting rule, with its explanation and its ballots' file."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="results", verbose_name=_("cycle"))
    budget = models.OneToOneField(Budget, on_delete=models.CASCADE, related_name="result", verbose_name=_("budget"))
    rule = models.CharField(_("counting rule"), max_length=20, choices=CountingRule.choices)
    selected = models.ManyToManyField(Project, related_name="+", verbose_name=_("funded projects"))
    money_used = models.DecimalField(_("money used"), max_digits=16, decimal_places=2)
    ballots = models.PositiveIntegerField(_("ballots counted"))
    rounds = models.JSONField(_("explanation"), default=list)
    pb_file = models.FileField(_("ballots (.pb)"), upload_to="budgeting/results/")
    pb_sha256 = models.CharField(_("SHA-256 of the ballots' file"), max_length=64)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = [models.F("budget__district").asc(nulls_last=True), "budget__slug"]

    def __str__(self):
        return f"{self.budget} · {self.get_rule_display()}"
