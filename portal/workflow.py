"""The one shape of a record with a status: its moves, who may make each, and the history of every move.

A model declares its workflow once:

    workflow = Workflow(
        Move("publish", {DRAFT, WITHDRAWN}, PUBLISHED, action="opendata.publish", allowed=can_publish),
        Move("withdraw", {PUBLISHED}, WITHDRAWN, action="opendata.withdraw", allowed=can_publish),
    )

and a method per move calls `workflow.move(record, "publish", by=user, note=…)`. A move is one conditional
UPDATE (`… WHERE status IN (the move's sources)`), so two people or two workers can never both make it: the
second finds the status changed and gets TransitionNotAllowed. In the same transaction it writes a
`StatusEvent` (who, when, from, to, why), which timelines read, and, for a move named with an `action`, an entry
in Wagtail's audit log, which the admin's history shows.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.dispatch import Signal
from wagtail.log_actions import log

from portal.models import StatusEvent

# Sent after a move is committed (sender: the model; record, move): a move is an UPDATE, which sends no post_save,
# and other apps (the search index) follow records' statuses.
moved = Signal()


class TransitionNotAllowed(ValueError):
    """The record's status does not allow this move (any more: someone else may just have made another)."""


@dataclass(frozen=True)
class Move:
    name: str
    sources: Collection[str]
    target: str
    # Wagtail log action written for this move ("" for none: a worker's moves are history enough).
    action: str = ""
    # Who may make it: allowed(user, record). Moves made by code (by=None) are not asked.
    allowed: Callable[[Any, Any], bool] | None = None


class Workflow:
    def __init__(self, *moves: Move, status_field: str = "status"):
        self.moves: Mapping[str, Move] = {move.name: move for move in moves}
        self.status_field = status_field

    def targets(self, status: str) -> set[str]:
        """The statuses reachable from `status` in one move."""
        return {move.target for move in self.moves.values() if status in move.sources}

    def allows(self, source: str, target: str) -> bool:
        """Whether a record may stay at `source` or reach `target` from it in one move."""
        return target == source or target in self.targets(source)

    def available(self, record: models.Model, user) -> list[Move]:
        """The moves `user` may make on `record` now."""
        status = getattr(record, self.status_field)
        return [
            move
            for move in self.moves.values()
            if status in move.sources and (move.allowed is None or move.allowed(user, record))
        ]

    def move(self, record: models.Model, name: str, *, by=None, note: str = "", **fields) -> models.Model:
        """Make the move `name` on `record`, setting `fields` with the status; refresh `record` and return it.

        Raises PermissionDenied when `by` may not make it, TransitionNotAllowed when the status (as stored, not
        as `record` remembers it) does not allow it.
        """
        move = self.moves[name]
        if by is not None and move.allowed is not None and not move.allowed(by, record):
            raise PermissionDenied
        model = type(record)
        with transaction.atomic():
            # The row stays locked until the move is written (PostgreSQL; SQLite serialises writers anyway).
            rows = model._default_manager.select_for_update().filter(pk=record.pk)
            source = rows.values_list(self.status_field, flat=True).first()
            updated = model._default_manager.filter(
                pk=record.pk, **{f"{self.status_field}__in": list(move.sources)}
            ).update(**{self.status_field: move.target, **fields})
            if not updated:
                raise TransitionNotAllowed(f"{model._meta.verbose_name} cannot go from {source} to {move.target}.")
            StatusEvent.objects.create(
                content_type=ContentType.objects.get_for_model(model),
                object_id=str(record.pk),
                from_status=source or "",
                to_status=move.target,
                by=by,
                note=note,
            )
            record.refresh_from_db()
            if move.action:
                data: dict[str, Any] = {"status": {"old": source, "new": move.target}}
                if note:
                    data["note"] = note
                log(instance=record, action=move.action, user=by, data=data)
            transaction.on_commit(lambda: moved.send(sender=model, record=record, move=move))
        return record


def history(record: models.Model):
    """The moves of `record`, oldest first."""
    return StatusEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=str(record.pk)
    ).order_by("at", "pk")
