"""The moves of a proposal (portal.workflow): who may make each, from which statuses.

Authors publish and withdraw their own; moderators of the space's body hide a proposal for review and restore
it (to the status it was hidden from) or merge duplicates; publishers of the body give the official answers;
budget managers turn an accepted proposal into a budgeting project. Reaching the support threshold is a move
made by code, when a support brings the count to it.
"""

from portal.bodies.auth import has_any_role, has_role
from portal.bodies.models import Role
from portal.workflow import Move, Workflow

from .models import Status

OPEN = {Status.PUBLISHED, Status.THRESHOLD_REACHED, Status.EVALUATING}
# The outcomes of an official answer, with the statuses they lead to.
OUTCOMES = [Status.EVALUATING, Status.ACCEPTED, Status.REJECTED, Status.NOT_COMPETENT, Status.ALREADY_PLANNED]


def is_author(user, proposal) -> bool:
    return user.is_authenticated and user.pk == proposal.author_id


def moderates(user, proposal) -> bool:
    return has_role(user, Role.MODERATOR, proposal.space.body)


def answers(user, proposal) -> bool:
    """Publishers speak for the council: they give its official answers."""
    return has_role(user, Role.PUBLISHER, proposal.space.body)


def merges(user, proposal) -> bool:
    return has_any_role(user, [Role.MODERATOR, Role.PUBLISHER], proposal.space.body)


def converts(user, proposal) -> bool:
    return has_role(user, Role.BUDGET_MANAGER, proposal.space.body)


def _answer_move(target: Status) -> Move:
    sources = {Status.PUBLISHED, Status.THRESHOLD_REACHED} | (
        {Status.EVALUATING} if target != Status.EVALUATING else set()
    )
    return Move(target.value, sources, target, action=f"proposals.answer.{target.value}", allowed=answers)


def _restore_move(target: Status) -> Move:
    return Move(f"restore_{target.value}", {Status.MODERATION}, target, action="proposals.restore", allowed=moderates)


PROPOSAL_WORKFLOW = Workflow(
    Move("publish", {Status.DRAFT}, Status.PUBLISHED, allowed=is_author),
    Move("withdraw", {Status.DRAFT, Status.PUBLISHED, Status.THRESHOLD_REACHED}, Status.WITHDRAWN, allowed=is_author),
    Move("reach_threshold", {Status.PUBLISHED}, Status.THRESHOLD_REACHED),
    Move("hide", OPEN, Status.MODERATION, action="proposals.hide", allowed=moderates),
    *(_restore_move(status) for status in (Status.PUBLISHED, Status.THRESHOLD_REACHED, Status.EVALUATING)),
    *(_answer_move(status) for status in OUTCOMES),
    Move("merge", OPEN, Status.MERGED, action="proposals.merge", allowed=merges),
    Move("convert", {Status.ACCEPTED}, Status.CONVERTED, action="proposals.convert", allowed=converts),
)
