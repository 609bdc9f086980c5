import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.bodies.auth import has_role
from portal.bodies.models import Role
from portal.workflow import Move, Workflow


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
        return status in ORGANISATION_WORKFLOW.targets(self.status)

    def approve(self, by, reason: str = "") -> None:
        self._decide("approve", by, reason)

    def reject(self, by, reason: str) -> None:
        self._decide("reject", by, reason)

    def suspend(self, by, reason: str) -> None:
        self._decide("suspend", by, reason)

    def _decide(self, move: str, by, reason: str) -> None:
        ORGANISATION_WORKFLOW.move(
            self, move, by=by, note=reason, status_reason=reason, decided_at=timezone.now(), decided_by=by
        )


def moderates(user, organisation: Organisation) -> bool:
    """Moderators of the body an association is registered with (or of a body above it) decide on it."""
    return has_role(user, Role.MODERATOR, organisation.body)


_Status = Organisation.Status
ORGANISATION_WORKFLOW = Workflow(
    Move(
        "approve",
        sources={_Status.PENDING, _Status.REJECTED, _Status.SUSPENDED},
        target=_Status.APPROVED,
        action="accounts.organisation.approve",
        allowed=moderates,
    ),
    Move(
        "reject",
        sources={_Status.PENDING},
        target=_Status.REJECTED,
        action="accounts.organisation.reject",
        allowed=moderates,
    ),
    Move(
        "suspend",
        sources={_Status.APPROVED},
        target=_Status.SUSPENDED,
        action="accounts.organisation.suspend",
        allowed=moderates,
    ),
)


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


class Verification(models.Model):
    """A person whose identity the council has checked: the one thing that lets an account support a proposal
    (and, with residency, vote in a budgeting cycle).

    Only a keyed hash of the identity number is kept (identity.identity_hash), never the number: enough to refuse
    a second account of the same person, useless to anyone who reads the table without the key.
    """

    class Method(models.TextChoices):
        COUNTER = "counter", _("Identity document checked by staff")
        CENSUS = "census", _("Matched in the residents' census")
        CODE = "code", _("One-time code")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification", verbose_name=_("user")
    )
    identity_hash = models.CharField(_("identity hash"), max_length=64, unique=True, editable=False)
    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.PROTECT, related_name="+", verbose_name=_("place of residence")
    )
    district = models.ForeignKey(
        "bodies.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district of residence"),
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)
    # From the census (or the document at the counter): a budgeting cycle may set a minimum age.
    born_on = models.DateField(_("date of birth"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity verification")
        verbose_name_plural = _("identity verifications")

    def __str__(self):
        return f"{self.user} · {self.body}"


def is_verified(user) -> bool:
    """Whether `user` is a person whose identity the council has checked."""
    if not user.is_authenticated or not user.is_active:
        return False
    try:
        return user.verification is not None
    except Verification.DoesNotExist:
        return False


class IdentityConflict(models.Model):
    """A second account presented an identity already verified on another: staff look into it."""

    identity_hash = models.CharField(_("identity hash"), max_length=64, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("account refused")
    )
    existing_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("account already verified"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity conflict")
        verbose_name_plural = _("identity conflicts")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} · {self.existing_user}"


class Notification(models.Model):
    """A message shown to a person on the site (their notifications page), besides the email that carries it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    subject = models.CharField(_("subject"), max_length=255)
    text = models.TextField(_("text"), blank=True)
    url = models.CharField(_("address"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.subject


class CensusImport(models.Model):
    """One upload of a body's census (the residents' list of the year): who sent which file, and what it did.

    A refused file is kept here too (`applied` false, `refusal` says why): the history shows every attempt.
    Row errors name the line and the reason, never the identity number.
    """

    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.CASCADE, related_name="+", verbose_name=_("public body")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    applied = models.BooleanField(_("applied"), default=False)
    refusal = models.TextField(_("reason for refusal"), blank=True)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    # [{"line": 12, "message": "…"}], in the language of the person who uploaded.
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("census import")
        verbose_name_plural = _("census imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.body} · {self.file_name}"


class CensusEntry(models.Model):
    """A resident listed in a body's census: the keyed hash of their identity number (identity.identity_hash,
    never the number), their district and date of birth when the census gives them."""

    body = models.ForeignKey(
        "bodies.PublicBody", on_delete=models.CASCADE, related_name="+", verbose_name=_("public body")
    )
    identity_hash = models.CharField(_("identity hash"), max_length=64, editable=False)
    district = models.ForeignKey(
        "bodies.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    born_on = models.DateField(_("date of birth"), null=True, blank=True)
    census_import = models.ForeignKey(
        # RESTRICT: an import that still holds entries is kept, unless its body (and so its entries) goes.
        CensusImport,
        on_delete=models.RESTRICT,
        related_name="entries",
        verbose_name=_("census import"),
    )

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        constraints = [
            models.UniqueConstraint(fields=["body", "identity_hash"], name="censusentry_unique_identity_per_body")
        ]

    def __str__(self):
        return f"{self.body} · {self.identity_hash[:8]}"


class OneTimeCode(models.Model):
    """A code sent by SMS to prove that a person holds a phone: only its hash is kept, with its expiry and the
    attempts made. The phone is kept (E.164) as long as the code lives, to resend; `phone_hash` counts sends
    per phone without reading the numbers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    purpose = models.CharField(_("purpose"), max_length=40)
    phone_hash = models.CharField(_("phone hash"), max_length=64, db_index=True, editable=False)
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]

    def __str__(self):
        return f"{self.user} · {self.purpose}"
