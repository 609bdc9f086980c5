"""Who may see and change an association's membership."""

from django.db.models import QuerySet

from .models import Membership, Organisation


def can_manage_organisation(organisation: Organisation, user) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(organisation=organisation, user=user, role=Membership.Role.ADMIN).exists()
    )


def get_read_organisation_queryset(user) -> QuerySet[Organisation]:
    """Approved associations for everyone; members also see their own while pending."""
    approved = Organisation.objects.approved()
    if not user.is_authenticated:
        return approved
    return (approved | Organisation.objects.filter(memberships__user=user)).distinct()
