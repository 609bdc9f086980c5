"""A case's story in order: its moves, messages, moved deadlines and appeals, as one list.

The public reads the published text of each (the requester's identity removed, internal notes left out); the
requester and the body's officers read the texts as written.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from portal.workflow import history

from .models import Case, Message, Status
from .redaction import redact_case_text


@dataclass
class Entry:
    at: datetime
    kind: str  # "move", "message", "deadline", "appeal"
    text: str = ""
    status: str = ""
    status_label: str = ""
    message: Message | None = None
    by_body: bool = False


def _day(date) -> datetime:
    return timezone.make_aware(datetime.combine(date, time.min))


def timeline(case: Case, *, public: bool, notes: bool = False) -> list[Entry]:
    """The entries of `case`, oldest first: as the public reads them, or in full (with internal notes if `notes`)."""
    labels = dict(Status.choices)
    entries = []
    for event in history(case):
        note = event.note
        if public and note:
            note = redact_case_text(case, note)
        entries.append(
            Entry(event.at, "move", text=note, status=event.to_status, status_label=labels.get(event.to_status, ""))
        )
    messages = case.messages.prefetch_related("attachments")
    for message in messages:
        if message.kind == Message.Kind.NOTE and (public or not notes):
            continue
        entries.append(
            Entry(
                message.created_at,
                "message",
                text=message.public_text if public else message.text,
                message=message,
                by_body=message.kind in (Message.Kind.OFFICER, Message.Kind.ANSWER, Message.Kind.NOTE),
            )
        )
    for change in case.deadline_changes.all():
        entries.append(Entry(change.at, "deadline", text=change.reason, status=change.due_on.isoformat()))
    for appeal in case.appeals.select_related("step"):
        if appeal.decided_on:
            entries.append(
                Entry(
                    _day(appeal.decided_on),
                    "appeal",
                    text=redact_case_text(case, appeal.decision) if public else appeal.decision,
                    status=appeal.outcome,
                    status_label=appeal.get_outcome_display(),
                )
            )
    # Moves and their messages are written in one transaction: the move first, then what it said.
    order = {"move": 0, "deadline": 1, "message": 2, "appeal": 3}
    return sorted(entries, key=lambda entry: (entry.at, order[entry.kind]))
