from urllib.parse import quote

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument, Document
from wagtail.search import index


class CouncilDocument(AbstractDocument):
    """A document (signed deliberation, minutes, annex) with its text extracted for search.

    The checksum is Wagtail's `file_hash` (SHA-1 of the content) with `file_size`; the upload form
    (cms.documents.CouncilDocumentForm) refuses what must not be published.
    """

    extracted_text = models.TextField(_("extracted text"), blank=True, editable=False)
    extraction_error = models.CharField(_("extraction error"), max_length=255, blank=True, editable=False)
    # A PDF can carry JavaScript and other actions that a browser's viewer may run: such a file, or one not yet
    # checked (None), is served as a download rather than shown in the portal's pages.
    has_actions = models.BooleanField(_("holds scripts or actions"), null=True, editable=False)

    admin_form_fields = Document.admin_form_fields
    search_fields = [*AbstractDocument.search_fields, index.SearchField("extracted_text")]

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    # The name of the file as stored, to tell on save whether the file was replaced.
    _stored_file_name: str | None = None

    @classmethod
    def from_db(cls, db, field_names, values):
        document = super().from_db(db, field_names, values)
        # The column's value, before the descriptor wraps it (absent when the field is deferred).
        document._stored_file_name = document.__dict__.get("file")
        return document

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "file" in fields:
            self._stored_file_name = self.file.name

    def clean(self):
        # Wagtail checks the file's extension here. When the form refused the uploaded file, a new document
        # has no file at all: checking its empty name would add "File extension “” is not allowed".
        if self.file:
            super().clean()

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        file_changed = (update_fields is None or "file" in update_fields) and self.has_new_file()
        if file_changed:
            self.has_actions = None
        if file_changed and (self.file_size is None or not self.file_hash):
            # Wagtail's forms set these; documents made in code (demo, imports) get them here.
            self._set_document_file_metadata()
        # cms.signals reads it on post_save: a new or replaced file needs its text extracted.
        self.file_changed = file_changed
        super().save(*args, **kwargs)
        self._stored_file_name = self.file.name

    def has_new_file(self) -> bool:
        """Return whether the file is new or replaced since the document was loaded (not saved yet)."""
        if self._state.adding:
            return True
        if "file" not in self.__dict__:
            # Deferred and never assigned: the stored file.
            return False
        return not self.file._committed or self.file.name != self._stored_file_name

    @property
    def content_disposition(self):
        disposition = super().content_disposition
        if disposition == "inline" and self.has_actions is not False:
            return f"attachment; filename={quote(self.filename)}; filename*=UTF-8''{quote(self.filename)}"
        return disposition

    def store_extracted_text(self, text: str, error: str = "", has_actions: bool | None = None) -> bool:
        """Store the text extracted from the current file (or why there is none) and reindex the document.

        Return False, storing nothing, when the file was replaced meanwhile: the extraction enqueued for
        the new file stores its own text. Only these two columns are written, so nothing is enqueued again.
        """
        updated = CouncilDocument.objects.filter(pk=self.pk, file=self.file.name).update(
            extracted_text=text, extraction_error=error, has_actions=has_actions
        )
        if not updated:
            return False
        self.extracted_text, self.extraction_error, self.has_actions = text, error, has_actions
        # update() sends no post_save, which is what reindexes a saved document.
        index.insert_or_update_object(self)
        return True
