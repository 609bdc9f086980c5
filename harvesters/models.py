"""Harvest sources, their jobs, the objects they track and the failures they report.

The three stages of ckanext-harvest, as our own design: a job *gathers* the remote identifiers of a source,
*fetches* each object, and *imports* it through the target module's own import function. Each object keeps its
remote identifier, the hash of the content last imported and its state, so that a second run with nothing
changed writes nothing, and a run cut half-way is taken up by the next one without redoing what was imported.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    """The module a source feeds; each is written through that module's own import function."""

    DATASETS = "datasets", _("Datasets")
    DECISIONS = "decisions", _("Council decisions")
    PAYMENTS = "payments", _("Payments")
    SUBSIDIES = "subsidies", _("Subsidies")
    BUDGET = "budget", _("Budget lines")
    CONTRACTS = "contracts", _("Public contracts")
    DISTRICTS = "districts", _("Districts (maps)")


class HarvestSource(models.Model):
    """A remote system or file the portal harvests for one public body, on a schedule or on demand."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("Names the source in commands."))
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    upload = models.FileField(_("uploaded file"), upload_to="harvest/uploads/%Y/%m/", max_length=500, blank=True)
    folder = models.CharField(
        _("watched folder"),
        max_length=500,
        blank=True,
        help_text=_("A folder below the portal's harvest folder; each file in it is harvested."),
    )
    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.PROTECT, related_name="harvest_sources", verbose_name=_("public body")
    )
    target = models.CharField(_("feeds"), max_length=20, choices=Target.choices)
    options = models.JSONField(
        _("options"), default=dict, blank=True, help_text=_("What the kind of source asks for (organisation, query…).")
    )
    mapping = models.JSONField(_("field mapping"), default=dict, blank=True)
    schedule = models.CharField(
        _("schedule"), max_length=100, blank=True, help_text=_("In cron syntax, e.g. “0 3 * * *”. Empty: on demand.")
    )
    publish = models.BooleanField(
        _("publish at once"), default=True, help_text=_("Otherwise harvested records wait as drafts for review.")
    )
    withdraw_after = models.PositiveSmallIntegerField(
        _("withdraw after"),
        default=3,
        help_text=_("Runs that must miss a record before it is withdrawn (never deleted)."),
    )
    error_threshold = models.PositiveIntegerField(
        _("error threshold"), default=0, help_text=_("The owner is emailed when a job fails or has more errors.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive sources are not run on schedule."))
    # One job per source at a time: the running job holds this lease and renews it while alive, so that a worker
    # that died lets the next run take over once it expires (harvesters.runner).
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    lock_token = models.CharField(max_length=32, blank=True, editable=False)  # whose lease it is
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        ordering = ["name"]

    def __str__(self):
        return self.name


class HarvestJob(models.Model):
    """One run of a source, with its live counts."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("By hand")
        COMMAND = "command", _("Command")

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("source"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(_("started by"), max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    gathered = models.PositiveIntegerField(_("gathered"), default=0)
    fetched = models.PositiveIntegerField(_("fetched"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    # Objects that are whole files (a CSV of payments) count their rows too, as the module's import reported them.
    warnings = models.PositiveIntegerField(_("imported with warnings"), default=0)
    rows_created = models.PositiveIntegerField(_("rows created"), default=0)
    rows_updated = models.PositiveIntegerField(_("rows updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    message = models.TextField(_("message"), blank=True, help_text=_("Why the job failed, in plain words."))

    class Meta:
        verbose_name = _("harvest job")
        verbose_name_plural = _("harvest jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source", "status"])]

    def __str__(self):
        return f"{self.source} · {self.created_at:%Y-%m-%d %H:%M}"


class HarvestObject(models.Model):
    """A remote object a source has seen: its identity there, what we made of it here, and its state."""

    class State(models.TextChoices):
        CURRENT = "current", _("Current")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="harvested_objects")
    remote_id = models.CharField(_("remote identifier"), max_length=500)
    guid = models.CharField(
        _("global identifier"),
        max_length=1000,
        help_text=_("The object's address across sources, to notice two sources harvesting it into one body."),
    )
    remote_url = models.URLField(_("remote page"), max_length=1000, blank=True)
    remote_modified = models.CharField(_("remote change marker"), max_length=100, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.CURRENT)
    missed_runs = models.PositiveSmallIntegerField(_("runs that missed it"), default=0)
    content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True)
    last_job = models.ForeignKey(HarvestJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("harvested object")
        verbose_name_plural = _("harvested objects")
        constraints = [models.UniqueConstraint(fields=["source", "remote_id"], name="harvestobject_unique_remote")]
        indexes = [models.Index(fields=["guid"]), models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.remote_id


class HarvestError(models.Model):
    """A failure of a job: the object (when there is one), the stage, and the reason in plain words."""

    class Stage(models.TextChoices):
        GATHER = "gather", _("Gather")
        FETCH = "fetch", _("Fetch")
        IMPORT = "import", _("Import")
        WITHDRAW = "withdraw", _("Withdraw")

    job = models.ForeignKey(HarvestJob, on_delete=models.CASCADE, related_name="errors")
    object = models.ForeignKey(HarvestObject, on_delete=models.SET_NULL, null=True, blank=True, related_name="errors")
    remote_id = models.CharField(_("remote identifier"), max_length=500, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    message = models.TextField(_("reason"))
    # A warning: the object was imported, without a value that could not be read (a date that is not a date).
    is_warning = models.BooleanField(_("warning"), default=False)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("harvest error")
        verbose_name_plural = _("harvest errors")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.stage}: {self.message[:80]}"
