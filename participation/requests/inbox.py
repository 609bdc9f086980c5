"""The officers' inbox: which cases a person answers, in what order of urgency, and a case's timeline.

Plain functions the admin screens (admin_views.py) call; they never change a case (services.py does).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case as SqlCase
from django.db.models import F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.bodies.auth import get_bodies_with_any_role
from portal.bodies.models import PublicBody, Role
from portal.models import StatusEvent
from portal.workflow import history

from .models import OPEN_STATUSES, RUNNING_STATUSES, Case, Message, Status

# Cases on which the body still has something to do: answer, decide an appeal, or answer again after one.
ACTIVE_STATUSES = (*OPEN_STATUSES, Status.UNDER_APPEAL, Status.APPEAL_DECIDED)


def officer_bodies(user) -> QuerySet[PublicBody]:
    """Return the bodies whose cases `user` answers: where they are information officer (or administrator), and
    every body below."""
    return get_bodies_with_any_role(user, [Role.INFORMATION_OFFICER])


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


@dataclass
class Entry:
    """One line of a case's timeline, for staff: a move, a message (or internal note), a moved deadline, an
    appeal."""

    at: datetime.datetime | datetime.date
    kind: str  # "status", "message", "deadline", "appeal"
    title: str
    text: str = ""
    by: object = None
    internal: bool = False
    attachments: list = field(default_factory=list)

    def sort_key(self):
        # A date-only entry (an appeal's filing) goes after that day's timed ones.
        if isinstance(self.at, datetime.datetime):
            return (timezone.localtime(self.at).date(), 0, self.at)
        return (self.at, 1, None)


def timeline(case: Case) -> list[Entry]:
    """Return everything that happened to `case`, oldest first, internal notes included (marked)."""
    labels = dict(Status.choices)
    entries: list[Entry] = []
    events: QuerySet[StatusEvent] = history(case).select_related("by")
    for event in events:
        title = _("%(old)s → %(new)s") % {
            "old": labels.get(event.from_status, event.from_status),
            "new": labels.get(event.to_status, event.to_status),
        }
        entries.append(Entry(event.at, "status", title, event.note, by=event.by))
    messages = case.messages.select_related("author").prefetch_related("attachments")
    for message in messages:
        entries.append(
            Entry(
                message.created_at,
                "message",
                message.get_kind_display(),
                message.text,
                by=message.author,
                internal=message.kind == Message.Kind.NOTE,
                attachments=list(message.attachments.all()),
            )
        )
    for change in case.deadline_changes.all():
        title = _("Due date moved from %(old)s to %(new)s") % {"old": change.previous_due_on, "new": change.due_on}
        entries.append(Entry(change.at, "deadline", title, change.reason))
    for appeal in case.appeals.select_related("step"):
        entries.append(Entry(appeal.filed_on, "appeal", _("Appeal to %(step)s") % {"step": appeal.step}, appeal.text))
        if appeal.decided_on:
            title = _("Appeal decided: %(outcome)s") % {"outcome": appeal.get_outcome_display()}
            entries.append(Entry(appeal.decided_on, "appeal", title, appeal.decision))
    return sorted(entries, key=Entry.sort_key)
