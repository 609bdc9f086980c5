"""Which proposals each staff member works on: those of the bodies where they moderate, answer or manage the
budget (and the bodies below them). The admin screens ask here, never inline."""

from django.db.models import QuerySet

from portal.bodies.auth import get_bodies_with_any_role, get_bodies_with_role
from portal.bodies.models import PublicBody, Role

from .models import Comment, Proposal, Space, Status

# The roles that see a body's proposals in the admin (administrators hold every role of their bodies).
STAFF_ROLES = (Role.MODERATOR, Role.PUBLISHER, Role.BUDGET_MANAGER)


def staff_bodies(user) -> QuerySet[PublicBody]:
    return get_bodies_with_any_role(user, STAFF_ROLES)


def moderator_bodies(user) -> QuerySet[PublicBody]:
    return get_bodies_with_role(user, Role.MODERATOR)


def is_proposals_staff(user) -> bool:
    return staff_bodies(user).exists()


def is_moderator(user) -> bool:
    return moderator_bodies(user).exists()


def staff_spaces(user) -> QuerySet[Space]:
    return Space.objects.filter(body__in=staff_bodies(user))


def staff_proposals(user) -> QuerySet[Proposal]:
    """The proposals of `user`'s bodies, drafts excepted (nobody but their author knows of them)."""
    return Proposal.objects.filter(space__body__in=staff_bodies(user)).exclude(status=Status.DRAFT)


def works_on(user, proposal: Proposal) -> bool:
    return proposal.status != Status.DRAFT and staff_bodies(user).filter(pk=proposal.space.body_id).exists()


def moderates_comment(user, comment: Comment) -> bool:
    return moderator_bodies(user).filter(pk=comment.proposal.space.body_id).exists()
