from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


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
