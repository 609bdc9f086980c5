"""What every import of records from elsewhere shares: its report, its row errors, and saving only what changed.

A module's import is one function (`import_…(source, …) -> ImportReport`) that the admin, the management
command, the Celery task and the harvesters all call: it validates, writes in a transaction, and reports counts
and row-level errors. Running it twice changes nothing the second time: records are found by a stable key, and
`assign_changed` / `update_if_changed` write a record only when a value differs (no new revision, no new
`modified` time).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from django.db.models import Model


class RowError(NamedTuple):
    """A row that could not be imported: its number in the file, the record's key when known, and why."""

    row: int
    reference: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}" + (f" ({self.reference})" if self.reference else "") + f": {self.message}"


@dataclass
class ImportReport:
    """What an import did. Rows are numbered as the file's lines for CSV, from 1 in the list for JSON."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data (Celery results, JSON answers)."""
        data = asdict(self)
        data["errors"] = [error._asdict() for error in self.errors]
        return data

    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, {len(self.errors)} failed"


def assign_changed(instance: Model, values: Mapping[str, Any]) -> list[str]:
    """Set on `instance` each of `values` that differs from what it holds; return the names set (every name,
    for a record not saved yet). A value of None means "not given" and is skipped."""
    new = instance.pk is None
    changed = [
        name for name, value in values.items() if value is not None and (new or getattr(instance, name) != value)
    ]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


def update_if_changed(instance: Model, values: Mapping[str, Any]) -> bool:
    """Set `values` on `instance` and save it only when one differs (or it is new); return whether it was saved."""
    changed = assign_changed(instance, values)
    if changed:
        instance.save()
    return bool(changed)
