"""The life of a request or complaint, as one transition table on the core's workflow shape.

Who may make each move: the requester files, clarifies, withdraws and appeals; the information officers of the
case's body (or of a body above it) answer; its administrators (the head of the body, or whoever records the
commission's ruling for it) decide appeals. Overdue is derived from the due date, never a status.
"""

from portal.bodies.auth import has_role
from portal.bodies.models import Role
from portal.workflow import Move, Workflow

from .models import Case, Status


def is_requester(user, case: Case) -> bool:
    return user.is_authenticated and user.is_active and case.requester_id == user.pk


def is_officer(user, case: Case) -> bool:
    return has_role(user, Role.INFORMATION_OFFICER, case.body)


def decides_appeals(user, case: Case) -> bool:
    return has_role(user, Role.ADMINISTRATOR, case.body)


def may_close(user, case: Case) -> bool:
    """The requester closes their case when they are done with it; the body only a fully answered one, so that
    closing never takes away a requester's appeal."""
    return is_requester(user, case) or (case.status == Status.ANSWERED and is_officer(user, case))


RUNNING = {Status.SUBMITTED, Status.ACKNOWLEDGED, Status.EXTENDED}
# An upheld appeal sends the case back to the body, which answers again.
ANSWERABLE = {*RUNNING, Status.APPEAL_DECIDED}
# What may be appealed: a refusal, a partial answer, "not held", a ruling, and silence past the due date, the
# body's where the law counts it as refusal, or the appeal authority's (services.appeal checks dates and law).
APPEALABLE = {
    Status.PARTIALLY_ANSWERED,
    Status.REFUSED,
    Status.NOT_HELD,
    Status.APPEAL_DECIDED,
    Status.UNDER_APPEAL,
    *RUNNING,
}
FINISHED = {Status.ANSWERED, Status.PARTIALLY_ANSWERED, Status.REFUSED, Status.NOT_HELD, Status.APPEAL_DECIDED}


def _officer_move(name: str, sources, target: Status) -> Move:
    return Move(name, sources, target, action=f"information_requests.{name}", allowed=is_officer)


CASE_WORKFLOW = Workflow(
    Move("submit", {Status.DRAFT}, Status.SUBMITTED, allowed=is_requester),
    _officer_move("acknowledge", {Status.SUBMITTED}, Status.ACKNOWLEDGED),
    _officer_move("ask_clarification", RUNNING, Status.AWAITING_CLARIFICATION),
    Move("clarify", {Status.AWAITING_CLARIFICATION}, Status.ACKNOWLEDGED, allowed=is_requester),
    Move("clarify_extended", {Status.AWAITING_CLARIFICATION}, Status.EXTENDED, allowed=is_requester),
    _officer_move("extend", {Status.SUBMITTED, Status.ACKNOWLEDGED}, Status.EXTENDED),
    _officer_move("transfer", {Status.SUBMITTED, Status.ACKNOWLEDGED}, Status.TRANSFERRED),
    _officer_move("answer", ANSWERABLE, Status.ANSWERED),
    _officer_move("answer_partly", ANSWERABLE, Status.PARTIALLY_ANSWERED),
    _officer_move("refuse", ANSWERABLE, Status.REFUSED),
    _officer_move("not_held", ANSWERABLE, Status.NOT_HELD),
    Move(
        "withdraw",
        {Status.DRAFT, *RUNNING, Status.AWAITING_CLARIFICATION},
        Status.WITHDRAWN,
        allowed=is_requester,
    ),
    Move("appeal", APPEALABLE, Status.UNDER_APPEAL, allowed=is_requester),
    Move(
        "decide_appeal",
        {Status.UNDER_APPEAL},
        Status.APPEAL_DECIDED,
        action="information_requests.decide_appeal",
        allowed=decides_appeals,
    ),
    Move("close", FINISHED, Status.CLOSED, action="information_requests.close", allowed=may_close),
)
