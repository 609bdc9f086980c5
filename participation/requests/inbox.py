"""The officers' inbox: which cases a person answers, in what order of urgency, and how their clocks read.

Plain functions the admin screens (admin_views.py) call; they never change a case (services.py does).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case as SqlCase
from django.db.models import F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.bodies.models import PublicBody

from .models import OPEN_STATUSES, RUNNING_STATUSES, Case, Status, officer_bodies

# Cases on which the body still has something to do: answer, decide an appeal, or answer again after one.
ACTIVE_STATUSES = (*OPEN_STATUSES, Status.UNDER_APPEAL, Status.APPEAL_DECIDED)


def may_use_inbox(user) -> bool:
    return officer_bodies(user).exists()


def inbox_cases(user) -> QuerySet[Case]:
    """Return the cases `user` answers for, drafts excepted (nobody but their author knows of them)."""
    return Case.objects.filter(body__in=officer_bodies(user)).exclude(status=Status.DRAFT)


def by_urgency(cases: QuerySet[Case], today: datetime.date | None = None) -> QuerySet[Case]:
    """Order `cases` as an officer works through them: overdue first, then the open ones by due date (the urgent
    first within a day), then those the body has finished with (decided, closed, withdrawn, transferred)."""
    today = today or timezone.localdate()
    rank = SqlCase(
        When(Q(status__in=RUNNING_STATUSES, due_on__lt=today), then=Value(0)),
        When(status__in=ACTIVE_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    due = F("due_on").asc(nulls_last=True)  # the same on every database: SQLite puts NULL first, PostgreSQL last
    return cases.annotate(urgency=rank).order_by("urgency", due, "-urgent", "received_on", "pk")


@dataclass
class InboxFilter:
    """What an officer narrows the inbox to (each empty for no filter)."""

    body: PublicBody | None = None
    status: str = ""
    kind: str = ""
    assigned: str = ""  # "me", "nobody" or ""
    overdue: bool = False


def filter_cases(cases: QuerySet[Case], user, chosen: InboxFilter, today: datetime.date | None = None):
    if chosen.body is not None:
        cases = cases.filter(body__path__startswith=chosen.body.path)
    if chosen.status:
        cases = cases.filter(status=chosen.status)
    if chosen.kind:
        cases = cases.filter(kind=chosen.kind)
    if chosen.assigned == "me":
        cases = cases.filter(assigned_to=user)
    elif chosen.assigned == "nobody":
        cases = cases.filter(assigned_to__isnull=True)
    if chosen.overdue:
        cases = cases.overdue(today)
    return cases


def time_left(case: Case, today: datetime.date | None = None) -> str:
    """Return how the inbox states a case's clock: days left, overdue by so many days, or paused."""
    today = today or timezone.localdate()
    if case.status == Status.AWAITING_CLARIFICATION:
        return _("paused")
    if case.status not in RUNNING_STATUSES or case.due_on is None:
        return ""
    days = (case.due_on - today).days
    if days < 0:
        return ngettext("overdue by %(days)d day", "overdue by %(days)d days", -days) % {"days": -days}
    if days == 0:
        return _("due today")
    return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
