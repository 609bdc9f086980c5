import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# Wagtail documents (cms) point at users too; the type checker follows cms without checking it.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person with an account: a citizen, a member of an association, or council staff.

    People log in with their email address; there is no separate user name.
    """

    username = None  # type: ignore[assignment]  # people log in with their email address
    email = models.EmailField(_("email address"), unique=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # by email, not by user name

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email


class OrganisationQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Organisation.Status.APPROVED)


class Organisation(models.Model):
    """An association or civil-society organisation; it acts on the portal once staff approve it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    # Allowed transitions: status → statuses reachable from it.
    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: {Status.SUSPENDED},
        Status.REJECTED: {Status.APPROVED},
        Status.SUSPENDED: {Status.APPROVED},
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    description = models.TextField(_("description"), blank=True)
    registration_number = models.CharField(
        _("registration number"), max_length=100, help_text=_("The number of the association's legal registration.")
    )
    body = models.ForeignKey(
        "bodies.PublicBody",
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("registered with"),
        help_text=_("The wilaya, province or commune where the association is registered."),
    )
    email = models.EmailField(_("public email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    members: "models.ManyToManyField[User, Membership]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("accounts:organisation", args=[self.slug])

    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def can_become(self, status: "Organisation.Status") -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    def approve(self, by, reason: str = "") -> None:
        self._set_status(self.Status.APPROVED, by, reason, "accounts.organisation.approve")

    def reject(self, by, reason: str) -> None:
        self._set_status(self.Status.REJECTED, by, reason, "accounts.organisation.reject")

    def suspend(self, by, reason: str) -> None:
        self._set_status(self.Status.SUSPENDED, by, reason, "accounts.organisation.suspend")

    def _set_status(self, status, by, reason, action) -> None:
        with transaction.atomic():
            locked = Organisation.objects.select_for_update().get(pk=self.pk)
            if not locked.can_become(status):
                raise ValueError(f"An association cannot go from {locked.status} to {status}.")
            locked.status, locked.status_reason = status, reason
            locked.decided_at, locked.decided_by = timezone.now(), by
            locked.save(update_fields=["status", "status_reason", "decided_at", "decided_by"])
            log(instance=locked, action=action, user=by, data={"reason": reason})
        self.refresh_from_db()


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ADMIN = "admin", _("Manager")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("association")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} · {self.organisation}"
