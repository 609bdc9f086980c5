from django.db import transaction
from django.utils.text import slugify
from rest_framework.authtoken.models import Token

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


@transaction.atomic
def regenerate_api_token(user: User) -> Token:
    """Give `user` a new key for the REST API (`Authorization: Token <key>`), replacing the one they had, which
    stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
