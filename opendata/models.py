"""The catalogue: datasets published by public bodies, their resources and every uploaded version.

Field names follow DCAT; the CKAN API (opendata.ckan) maps them to CKAN's names: a body is an
organisation, a theme is a group, a dataset is a package.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from portal.bodies.auth import has_role
from portal.bodies.models import PublicBody, Role
from portal.i18n import TranslatedField
from portal.workflow import Move, Workflow


class Licence(models.Model):
    """A licence from the list a dataset chooses from; its `slug` is CKAN's `license_id`."""

    # CKAN's licence identifiers have dots ("cc-by-4.0"), which a SlugField refuses.
    slug = models.CharField(
        _("identifier"),
        max_length=100,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9._-]*$",
                _("Use lower-case letters, digits, dots, hyphens and underscores, e.g. cc-by-4.0."),
            )
        ],
    )
    title_ar = models.CharField(_("title (Arabic)"), max_length=255)
    title_fr = models.CharField(_("title (French)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary_ar = models.TextField(_("in plain words (Arabic)"), blank=True)
    summary_fr = models.TextField(_("in plain words (French)"), blank=True)
    summary_en = models.TextField(_("in plain words (English)"), blank=True)
    url = models.URLField(_("licence text"), blank=True)
    is_open = models.BooleanField(_("open licence"), help_text=_("Conforms to the Open Definition."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    title = TranslatedField("title")
    summary = TranslatedField("summary")

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")

    def __str__(self):
        return self.title


class Theme(models.Model):
    """A DCAT theme from the EU data-theme vocabulary (CKAN's groups)."""

    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("e.g. ECON, GOVE, TRAN."))
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    name = TranslatedField("name")

    class Meta:
        ordering = ["code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name

    @property
    def uri(self) -> str:
        return f"http://publications.europa.eu/resource/authority/data-theme/{self.code}"


class TaggedDataset(TaggedItemBase):
    content_object = models.ForeignKey("Dataset", on_delete=models.CASCADE, related_name="tagged_items")


class DatasetQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Dataset.Status.PUBLISHED)


class Dataset(models.Model):
    """A dataset of one public body: its metadata in ar/fr/en and its resources."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Frequency(models.TextChoices):
        # Codes of the EU frequency vocabulary, used as is in DCAT.
        CONTINUOUS = "UPDATE_CONT", _("Continuously updated")
        DAILY = "DAILY", _("Daily")
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")
        QUARTERLY = "QUARTERLY", _("Quarterly")
        ANNUAL = "ANNUAL", _("Annual")
        IRREGULAR = "IRREG", _("Irregular")
        NEVER = "NEVER", _("Never updated")
        UNKNOWN = "UNKNOWN", _("Unknown")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.SlugField(
        _("identifier"), max_length=100, unique=True, help_text=_("Used in web addresses and in the CKAN API.")
    )
    body = models.ForeignKey(
        PublicBody, on_delete=models.PROTECT, related_name="datasets", verbose_name=_("public body")
    )
    title_ar = models.CharField(_("title (Arabic)"), max_length=255, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    notes_ar = models.TextField(_("description (Arabic)"), blank=True)
    notes_fr = models.TextField(_("description (French)"), blank=True)
    notes_en = models.TextField(_("description (English)"), blank=True)
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="datasets", verbose_name=_("licence"))
    themes = models.ManyToManyField(Theme, blank=True, related_name="datasets", verbose_name=_("themes"))
    tags = TaggableManager(_("keywords"), through=TaggedDataset, blank=True)
    frequency = models.CharField(
        _("update frequency"), max_length=20, choices=Frequency.choices, default=Frequency.UNKNOWN
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    spatial = models.CharField(
        _("area covered"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty when the data covers the whole territory of the body."),
    )
    version = models.CharField(_("version"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True, help_text=_("Defaults to the body's email."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    title = TranslatedField("title")
    notes = TranslatedField("notes")

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-modified_at"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        indexes = [
            # The catalogue's default order (catalogue.KEYSET_ORDER) among published datasets: a page's ids, a deep
            # page's offset and a cursor's next page are read from this index, in order, without a sort.
            models.Index(fields=["status", "-modified_at", "-id"], name="dataset_status_modified_idx"),
        ]

    def __str__(self):
        return self.title or self.name

    def get_absolute_url(self):
        return reverse("opendata:dataset", args=[self.name])

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    # Status moves (DATASET_WORKFLOW below): a publisher of the dataset's body makes them.

    def publish(self, by=None, note: str = "") -> None:
        now = timezone.now()
        published_at = self.published_at or now
        DATASET_WORKFLOW.move(self, "publish", by=by, note=note, published_at=published_at, modified_at=now)

    def withdraw(self, by=None, note: str = "") -> None:
        DATASET_WORKFLOW.move(self, "withdraw", by=by, note=note, modified_at=timezone.now())

    def unpublish(self, by=None, note: str = "") -> None:
        DATASET_WORKFLOW.move(self, "unpublish", by=by, note=note, modified_at=timezone.now())

    def set_status(self, status: str, by=None, note: str = "") -> None:
        """Make the move that leads to `status`, if the dataset is not there already."""
        if status != self.status:
            getattr(self, DATASET_MOVES[status])(by=by, note=note)

    @property
    def title_language(self) -> str:
        return Dataset.title.language_of(self)

    @property
    def notes_language(self) -> str:
        return Dataset.notes.language_of(self)

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def translations(self, field: str) -> dict[str, str]:
        """`{language: value}` for the languages that have one (CKAN's `*_translated`)."""
        return {code: value for code, _name in settings.LANGUAGES if (value := getattr(self, f"{field}_{code}"))}


def resource_upload_path(version: "ResourceVersion", filename: str) -> str:
    return f"opendata/{version.resource.uuid.hex}/{PurePath(filename).name}"


def publishes(user, dataset: Dataset) -> bool:
    """A publisher of the dataset's body, or of a body above it, publishes and withdraws it."""
    return has_role(user, Role.PUBLISHER, dataset.body)


_Status = Dataset.Status
DATASET_WORKFLOW = Workflow(
    Move(
        "publish",
        sources={_Status.DRAFT, _Status.WITHDRAWN},
        target=_Status.PUBLISHED,
        action="opendata.publish",
        allowed=publishes,
    ),
    Move(
        "withdraw",
        sources={_Status.PUBLISHED},
        target=_Status.WITHDRAWN,
        action="opendata.withdraw",
        allowed=publishes,
    ),
    Move(
        "unpublish",
        sources={_Status.PUBLISHED, _Status.WITHDRAWN},
        target=_Status.DRAFT,
        action="opendata.unpublish",
        allowed=publishes,
    ),
)
# The move that leads to each status.
DATASET_MOVES = {_Status.PUBLISHED: "publish", _Status.WITHDRAWN: "withdraw", _Status.DRAFT: "unpublish"}


class Resource(models.Model):
    """A file or link of a dataset. Uploaded files keep every version; the latest is the current one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources", verbose_name=_("dataset"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    url = models.URLField(
        _("link"), max_length=2000, blank=True, help_text=_("For data published elsewhere; leave empty to upload.")
    )
    format = models.CharField(_("format"), max_length=20, blank=True, help_text=_("e.g. CSV, XLSX, JSON, PDF."))
    declared_schema = models.JSONField(
        _("declared Table Schema"),
        null=True,
        blank=True,
        help_text=_("A Frictionless Table Schema; when empty, the schema is inferred from the file."),
    )
    current_version = models.ForeignKey(
        "ResourceVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("current version"),
    )
    # The version whose rows the DataStore holds, and their fields: [{"id", "type", "column"}].
    datastore_version = models.ForeignKey(
        "ResourceVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    datastore_fields = models.JSONField(default=list, blank=True, editable=False)
    datastore_rows = models.PositiveBigIntegerField(default=0, editable=False)
    download_count = models.PositiveBigIntegerField(_("downloads"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    name = TranslatedField("name")
    description = TranslatedField("description")

    class Meta:
        ordering = ["dataset", "position", "pk"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [
            # The format filter (`res_format:CSV`, `?format=CSV`) and the format facet's counts, read from the
            # index alone.
            models.Index(fields=["format", "dataset"], name="resource_format_dataset_idx"),
        ]

    def __str__(self):
        return self.name or self.format or str(self.uuid)

    def get_absolute_url(self):
        return reverse("opendata:resource", args=[self.dataset.name, self.uuid])

    def save(self, *args, **kwargs):
        self.format = self.format.strip().upper()
        super().save(*args, **kwargs)
        self.dataset_changed()

    def touch(self) -> None:
        """Say that the resource changed (a new file, rows loaded): its dates and its dataset's move on."""
        Resource.objects.filter(pk=self.pk).update(modified_at=timezone.now())
        self.dataset_changed()

    def dataset_changed(self) -> None:
        # What changes a resource changes its dataset for the APIs' readers: CKAN's metadata_modified, DCAT's
        # dct:modified, which incremental harvesters ask for (fq=metadata_modified:[… TO *]).
        Dataset.objects.filter(pk=self.dataset_id).update(modified_at=timezone.now())

    @property
    def is_upload(self) -> bool:
        return not self.url

    @property
    def datastore_active(self) -> bool:
        return self.datastore_version_id is not None

    @property
    def name_language(self) -> str:
        return Resource.name.language_of(self)


class ResourceVersion(models.Model):
    """One uploaded file of a resource, with what validation and the DataStore load found in it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        VALIDATING = "validating", _("Validating")
        LOADING = "loading", _("Loading into the DataStore")
        LOADED = "loaded", _("Loaded")
        STORED = "stored", _("Stored (not tabular)")
        INVALID = "invalid", _("Invalid")
        FAILED = "failed", _("Failed")

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="versions", verbose_name=_("resource")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=resource_upload_path, max_length=500)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    mimetype = models.CharField(_("media type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # What the file turned out to be: {"encoding", "delimiter", "decimal", "sheet"}.
    dialect = models.JSONField(default=dict, blank=True)
    table_schema = models.JSONField(null=True, blank=True)
    validation_report = models.JSONField(null=True, blank=True)
    rows_loaded = models.PositiveBigIntegerField(_("rows loaded"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["resource", "-number"]
        verbose_name = _("resource version")
        verbose_name_plural = _("resource versions")
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="resourceversion_unique_number")]

    def __str__(self):
        return f"{self.resource} · v{self.number}"

    def get_absolute_url(self):
        return reverse("downloads:version", args=[self.resource.uuid, self.number])

    def column_titles(self, language: str) -> dict[str, str]:
        """The schema's title of each column in `language`: a field's `title` is text, or an object of texts by
        language ({"ar": "المبلغ", "fr": "Montant"}); columns without one are left out."""
        titles = {}
        for descriptor in (self.table_schema or {}).get("fields", []):
            title = descriptor.get("title")
            if isinstance(title, dict):
                title = title.get(language) or next((text for text in title.values() if text), "")
            if isinstance(title, str) and title.strip() and descriptor.get("name"):
                titles[descriptor["name"]] = title.strip()
        return titles


_Version = ResourceVersion.Status
_RUNNING = {_Version.PENDING, _Version.VALIDATING, _Version.LOADING}
# A version's way through ingestion (opendata.ingest), one move per status it can reach, named after it. The
# worker makes them; retrying a failed one puts it back in the queue.
VERSION_WORKFLOW = Workflow(
    Move(_Version.VALIDATING, sources={_Version.PENDING}, target=_Version.VALIDATING),
    Move(_Version.STORED, sources={_Version.PENDING}, target=_Version.STORED),
    Move(_Version.LOADING, sources={_Version.VALIDATING}, target=_Version.LOADING),
    Move(_Version.LOADED, sources={_Version.LOADING}, target=_Version.LOADED),
    Move(_Version.INVALID, sources=_RUNNING, target=_Version.INVALID),
    Move(_Version.FAILED, sources=_RUNNING, target=_Version.FAILED),
    Move(_Version.PENDING, sources={_Version.FAILED}, target=_Version.PENDING),
)


class ProblemReport(models.Model):
    """A visitor's report of a problem with a dataset; staff of its body see it, the public does not."""

    class Kind(models.TextChoices):
        WRONG_DATA = "wrong_data", _("The data look wrong")
        BROKEN_FILE = "broken_file", _("A file or link does not work")
        PERSONAL_DATA = "personal_data", _("The data expose personal information")
        OUTDATED = "outdated", _("The data are out of date")
        OTHER = "other", _("Something else")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="problem_reports")
    kind = models.CharField(_("problem"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("what you noticed"), max_length=2000)
    email = models.EmailField(_("your email (optional)"), blank=True, help_text=_("Only staff see it, to answer you."))
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")

    def __str__(self):
        return f"{self.dataset} · {self.get_kind_display()}"
