import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape
from treebeard.mp_tree import MP_Node

from portal.i18n import TranslatedField


class PublicBody(MP_Node):
    """A wilaya or region, a province, a commune, or one of their departments and services.

    Bodies form a tree; staff roles granted on a body reach every body below it.
    """

    class Kind(models.TextChoices):
        REGION = "region", _("Region or wilaya")
        PROVINCE = "province", _("Province, prefecture or daïra")
        COMMUNE = "commune", _("Commune")
        DEPARTMENT = "department", _("Department or service")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("Used in web addresses."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    country = models.CharField(_("country"), max_length=2, default="DZ", help_text=_("ISO 3166-1 code, e.g. DZ, MA."))
    official_code = models.CharField(
        _("official code"), max_length=50, blank=True, help_text=_("The national statistics or administrative code.")
    )
    email = models.EmailField(_("public email"), blank=True)
    phone = models.CharField(_("public phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    name = TranslatedField("name")
    description = TranslatedField("description")

    class Meta:
        verbose_name = _("public body")
        verbose_name_plural = _("public bodies")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("bodies:detail", args=[self.slug])

    @property
    def name_language(self) -> str:
        return PublicBody.name.language_of(self)

    def get_self_and_ancestors(self):
        """Return this body and every body above it, as one query."""
        paths = [self.path[0:pos] for pos in range(self.steplen, len(self.path) + 1, self.steplen)]
        return PublicBody.objects.filter(path__in=paths)


class District(models.Model):
    """A territory of a body (a neighbourhood, a quarter, a douar) with its GeoJSON boundary."""

    body = models.ForeignKey(
        PublicBody, on_delete=models.CASCADE, related_name="districts", verbose_name=_("public body")
    )
    slug = models.SlugField(_("slug"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    boundary = models.JSONField(
        _("boundary"), help_text=_("A GeoJSON Polygon or MultiPolygon geometry, in WGS 84 longitude/latitude.")
    )

    name = TranslatedField("name")

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            # Districts are addressed as /bodies/<body>/#<slug>.
            models.UniqueConstraint(fields=["body", "slug"], name="district_unique_slug_per_body"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        validate_boundary(self.boundary)


def district_containing(districts, longitude: float, latitude: float) -> "District | None":
    """The first of `districts` whose boundary covers the point (longitude, latitude), or None."""
    point = Point(longitude, latitude)
    return next((district for district in districts if shape(district.boundary).covers(point)), None)


def validate_boundary(geometry) -> None:
    """Raise ValidationError unless `geometry` is a valid GeoJSON (Multi)Polygon in WGS 84."""
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError({"boundary": _("The boundary must be a GeoJSON Polygon or MultiPolygon.")})
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ValidationError(
            {"boundary": _("The boundary is not valid GeoJSON: %(error)s") % {"error": exc}}
        ) from None
    if polygon.is_empty or not polygon.is_valid:
        raise ValidationError({"boundary": _("The boundary is empty or crosses itself.")})
    min_x, min_y, max_x, max_y = polygon.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise ValidationError({"boundary": _("The boundary must be in longitude and latitude (WGS 84).")})


class Role(models.TextChoices):
    EDITOR = "editor", _("Editor")
    PUBLISHER = "publisher", _("Publisher")
    INFORMATION_OFFICER = "information_officer", _("Information officer")
    BUDGET_MANAGER = "budget_manager", _("Budget manager")
    POLLING_OFFICER = "polling_officer", _("Polling officer")
    MODERATOR = "moderator", _("Moderator")
    ADMINISTRATOR = "administrator", _("Administrator")


class RoleGrantQuerySet(models.QuerySet):
    def covering(self, body: PublicBody):
        """Grants on `body` or on any body above it."""
        return self.filter(body__in=body.get_self_and_ancestors())


class RoleGrant(models.Model):
    """A staff member holds `role` for `body` and every body below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("user")
    )
    body = models.ForeignKey(
        PublicBody, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("public body")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "body", "role"], name="rolegrant_unique")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.body}"
