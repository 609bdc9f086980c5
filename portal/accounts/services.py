from django.db import transaction
from django.utils.text import slugify

from .models import Membership, Organisation, User


def unique_organisation_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:80] or "association"
    slug, counter = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        counter += 1
        slug = f"{base}-{counter}"
    return slug


@transaction.atomic
def register_organisation(organisation: Organisation, founder: User) -> Organisation:
    """Save a new association awaiting approval, with `founder` as its manager."""
    organisation.slug = unique_organisation_slug(organisation.name)
    organisation.status = Organisation.Status.PENDING
    organisation.save()
    Membership.objects.create(organisation=organisation, user=founder, role=Membership.Role.ADMIN)
    return organisation


def add_member(organisation: Organisation, email: str) -> bool:
    """Add the account with `email` as a member; return whether one was added.

    The caller shows the same message either way so that managers cannot probe for accounts.
    """
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return False
    _membership, created = Membership.objects.get_or_create(organisation=organisation, user=user)
    return created
