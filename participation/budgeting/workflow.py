"""The moves of a cycle and of a project (portal.workflow): who may make each, from which statuses.

A cycle only moves forward. Budget managers of its body move it (a phase may be skipped: a small commune may
have no separate information phase), and the scheduler (services.advance_phases) moves it when a phase's date
comes. Results are published by a budget manager, once every paper ballot is checked.

Projects are reviewed by budget managers: put on the ballot (with a cost) or set aside (with published reasons);
counting marks them funded or not.
"""

from portal.bodies.auth import has_role
from portal.bodies.models import Role
from portal.workflow import Move, Workflow

from .models import PHASE_ORDER, Phase, ProjectStatus


def manages(user, record) -> bool:
    """Budget managers of the cycle's body (or a body above it) run the cycle and review its projects."""
    cycle = getattr(record, "cycle", record)
    return has_role(user, Role.BUDGET_MANAGER, cycle.body)


def is_author(user, project) -> bool:
    return user.is_authenticated and user.pk == project.author_id


def _phase_move(target: str) -> Move:
    """Reach `target` from any earlier phase up to voting; results and implementation only in order."""
    index = PHASE_ORDER.index(target)
    earlier = PHASE_ORDER[:index]
    if target in (Phase.BALLOT_REVIEW, Phase.RESULTS, Phase.IMPLEMENTATION):
        earlier = [PHASE_ORDER[index - 1]]
    elif target == Phase.VOTING:
        earlier = [phase for phase in earlier if phase != Phase.DRAFT]
    return Move(target, earlier, target, action="budgeting.phase", allowed=manages)


CYCLE_WORKFLOW = Workflow(*(_phase_move(phase) for phase in PHASE_ORDER[1:]), status_field="phase")

PROJECT_WORKFLOW = Workflow(
    Move(
        "accept",
        {ProjectStatus.SUBMITTED, ProjectStatus.SET_ASIDE},
        ProjectStatus.FEASIBLE,
        action="budgeting.review.accept",
        allowed=manages,
    ),
    Move(
        "set_aside",
        {ProjectStatus.SUBMITTED, ProjectStatus.FEASIBLE},
        ProjectStatus.SET_ASIDE,
        action="budgeting.review.set_aside",
        allowed=manages,
    ),
    Move("withdraw", {ProjectStatus.SUBMITTED}, ProjectStatus.WITHDRAWN, allowed=is_author),
    Move("select", {ProjectStatus.FEASIBLE, ProjectStatus.NOT_SELECTED}, ProjectStatus.SELECTED),
    Move("not_select", {ProjectStatus.FEASIBLE, ProjectStatus.SELECTED}, ProjectStatus.NOT_SELECTED),
)
