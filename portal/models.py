from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelsearch import index


class StatusEvent(models.Model):
    """One move of a record with a status (portal.workflow): from what, to what, by whom, when and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class ImportMapping(models.Model):
    """A public body's mapping of its own exports onto one of the portal's imports (portal.importing.ColumnMapping).

    Saved by staff from an import screen, so that the next file of the same export reads without retyping it.
    """

    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.CASCADE, related_name="import_mappings", verbose_name=_("public body")
    )
    kind = models.CharField(_("import"), max_length=50, help_text=_("Which import: decisions, spending…"))
    mapping = models.JSONField(_("mapping"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [models.UniqueConstraint(fields=["body", "kind"], name="importmapping_unique_body_kind")]

    def __str__(self):
        return f"{self.body} · {self.kind}"


class SearchEntry(index.Indexed, models.Model):
    """One public record in one language, as the search finds, filters and shows it.

    Kept by the search app from the records' own models (search.sources): an entry exists only while its
    record is public, so a search never needs to ask the record again. One table, so that a single query
    ranks decisions, pages and datasets together and counts facets across them.
    """

    kind = models.CharField(_("kind"), max_length=20)  # a source's kind: "decision", "dataset"… (search.sources)
    # Not "object_id": modelsearch's rebuild annotates its own.
    record_id = models.CharField(_("record"), max_length=64)
    language = models.CharField(_("language"), max_length=10)
    title = models.TextField(_("title"))
    summary = models.TextField(_("summary"), blank=True)
    text = models.TextField(_("text"), blank=True)
    url = models.CharField(_("address"), max_length=500)
    body = models.ForeignKey(
        "bodies.PublicBody",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("public body"),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    format = models.CharField(_("format"), max_length=20, blank=True)
    # The words as searches compare them (portal.analysis): the same folding on both sides, on every backend.
    # When the record first became public: saved searches announce what is new since they last wrote.
    created_at = models.DateTimeField(_("in the search since"), auto_now_add=True, db_index=True)
    title_terms = models.TextField(editable=False)
    terms = models.TextField(editable=False)

    search_auto_update = False  # search.indexing writes the index itself, in bulk where it can
    search_fields = [
        index.SearchField("title_terms", boost=4),
        index.SearchField("terms"),
        index.AutocompleteField("title_terms"),
        index.FilterField("kind"),
        index.FilterField("language"),
        index.FilterField("body"),
        index.FilterField("year"),
        index.FilterField("date"),
        index.FilterField("created_at"),  # the search feed and saved searches: what is new
        index.FilterField("topic"),
        index.FilterField("format"),
        index.FilterField("id"),  # the tie-breaker of a sort by date
    ]

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id", "language"], name="search_entry_unique_record"),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def get_indexed_objects(cls):
        """The entries for modelsearch's index (`manage.py update_index`): none where it holds no entries."""
        return super().get_indexed_objects() if cls.in_model_search_index() else cls.objects.none()

    @staticmethod
    def in_model_search_index(backend=None) -> bool:
        """Whether modelsearch's index of `backend` (of any backend by default) holds the entries.

        Not PostgreSQL's database backend: there searches read the entries' own vectors (migration portal 0005,
        portal.searching.PostgresEngine), and a copy in modelsearch's table would be written for nobody.
        search.indexing keeps no entry there; SQLite's FTS5 table and Elasticsearch/OpenSearch are searched."""
        from modelsearch.backends import get_search_backends

        from portal.searching import reads_own_vectors

        backends = [backend] if backend is not None else get_search_backends()
        return any(not reads_own_vectors(each) for each in backends)


class Provenance(models.Model):
    """Where a record came from when a harvest brought it: the source, the remote identifier and page.

    Written by the harvesters, read by every module's public page and API (the CKAN `extras`, DCAT's
    `dct:source` and `adms:identifier`), so that a module shows where its record came from without knowing
    the harvesters.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    source_name = models.CharField(_("source"), max_length=255)
    source_url = models.URLField(_("source address"), max_length=1000, blank=True)
    remote_id = models.CharField(_("remote identifier"), max_length=500)
    remote_url = models.URLField(_("remote page"), max_length=1000, blank=True)
    harvested_at = models.DateTimeField(_("harvested at"))

    class Meta:
        verbose_name = _("provenance")
        verbose_name_plural = _("provenances")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="provenance_unique_record"),
        ]

    def __str__(self):
        return f"{self.source_name} · {self.remote_id}"


def provenance_of(record: models.Model) -> Provenance | None:
    """The provenance of `record` when a harvest brought it, else None."""
    return Provenance.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
    ).first()
