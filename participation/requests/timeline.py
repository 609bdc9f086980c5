"""A case's story in order: its moves, messages, moved deadlines and appeals, as one list for every reader.

The public reads the published text of each (the requester's identity and the officers' marked words removed;
internal notes left out, and who on the staff did what); the requester reads the texts as written; the body's
officers also read internal notes.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workflow import history

from .models import Case, Message, Status
from .redaction import RedactionRefused, redact_case_text

BODY_KINDS = (Message.Kind.OFFICER, Message.Kind.ANSWER, Message.Kind.NOTE)


@dataclass
class Entry:
    at: datetime.datetime
    kind: str  # "move", "message", "deadline", "appeal"
    title: str = ""
    text: str = ""
    status: str = ""  # the status reached (a move), the new due date (a deadline), the outcome (an appeal)
    by: object = None  # who, for staff readers only
    by_body: bool = False
    internal: bool = False
    message: Message | None = None
    attachments: list = field(default_factory=list)


def end_of(day: datetime.date) -> datetime.datetime:
    """An event known by its day only (an appeal's filing or ruling), placed after that day's timed ones."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def published(case: Case, text: str) -> str:
    """`text` as the public reads it; nothing when it cannot be redacted (an unreadable identity number)."""
    try:
        return redact_case_text(case, text)
    except RedactionRefused:
        return ""


def timeline(case: Case, *, public: bool, notes: bool = False) -> list[Entry]:
    """The entries of `case`, oldest first: as the public reads them, or in full (with internal notes if `notes`:
    the body's officers)."""
    labels = dict(Status.choices)
    staff = notes and not public
    entries = []
    for event in history(case).select_related("by"):
        entries.append(
            Entry(
                event.at,
                "move",
                title=str(labels.get(event.to_status, event.to_status)),
                text=published(case, event.note) if public else event.note,
                status=event.to_status,
                by=event.by if staff else None,
            )
        )
    for message in case.messages.select_related("author").prefetch_related("attachments"):
        internal = message.kind == Message.Kind.NOTE
        if internal and not staff:
            continue
        entries.append(
            Entry(
                message.created_at,
                "message",
                title=str(message.get_kind_display()),
                text=message.public_text if public else message.text,
                by=message.author if staff else None,
                by_body=message.kind in BODY_KINDS,
                internal=internal,
                message=message,
                attachments=list(message.attachments.all()),
            )
        )
    for change in case.deadline_changes.all():
        title = _("Due date moved from %(old)s to %(new)s") % {"old": change.previous_due_on, "new": change.due_on}
        entries.append(Entry(change.at, "deadline", title=title, text=change.reason, status=change.due_on.isoformat()))
    for appeal in case.appeals.select_related("step"):
        title = _("Appeal to %(step)s") % {"step": appeal.step}
        text = appeal.public_text if public else appeal.text
        entries.append(Entry(end_of(appeal.filed_on), "appeal", title=title, text=text))
        if appeal.decided_on:
            entries.append(
                Entry(
                    end_of(appeal.decided_on),
                    "appeal",
                    title=_("Appeal decided: %(outcome)s") % {"outcome": appeal.get_outcome_display()},
                    text=published(case, appeal.decision) if public else appeal.decision,
                    status=appeal.outcome,
                )
            )
    return sorted(entries, key=lambda entry: entry.at)
