"""What every import of records from elsewhere shares: its report, its row errors, and saving only what changed.

A module's import is one function (`import_…(source, …) -> ImportReport`) that the admin, the management
command, the Celery task and the harvesters all call: it validates, writes in a transaction, and reports counts
and row-level errors. Running it twice changes nothing the second time: records are found by a stable key, and
`assign_changed` / `update_if_changed` write a record only when a value differs (no new revision, no new
`modified` time).
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple, TypeVar

from django.db.models import Model
from django.utils.translation import gettext as _

Values = TypeVar("Values")


class RowError(NamedTuple):
    """A row that could not be imported: its number in the file, the record's key when known, and why."""

    row: int
    reference: str
    message: str

    def __str__(self) -> str:
        if self.reference:
            return _("row %(row)s (%(reference)s): %(message)s") % self._asdict()
        return _("row %(row)s: %(message)s") % self._asdict()


@dataclass
class ImportReport:
    """What an import did. Rows are numbered as the file's lines for CSV, from 1 in the list for JSON."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""
    # Rows that repeat an earlier row of the file exactly: skipped, and reported once.
    repeated: list[int] = field(default_factory=list)
    # Rows imported as written that look wrong (a total that is not the sum of its lines): for people to check.
    warnings: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.errors) + len(self.repeated)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data (Celery results, JSON answers)."""
        data = asdict(self)
        data["errors"] = [error._asdict() for error in self.errors]
        data["warnings"] = [warning._asdict() for warning in self.warnings]
        return data

    def summary(self) -> str:
        text = _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(failed)s failed") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": len(self.errors),
        }
        if self.repeated:
            shown = ", ".join(map(str, self.repeated[:10])) + (" …" if len(self.repeated) > 10 else "")
            text += _("; %(count)s rows repeat an earlier row exactly and were skipped (rows %(rows)s)") % {
                "count": len(self.repeated),
                "rows": shown,
            }
        if self.warnings:
            text += _("; %(count)s warnings (imported as written, to check)") % {"count": len(self.warnings)}
        return text

    def skip_repeats(self, rows: Iterable[tuple[int, Values]]) -> Iterator[tuple[int, Values]]:
        """The rows (number, values) that do not repeat an earlier one exactly; the others are noted in `repeated`.

        `values` is anything JSON writes (a row's cells as a mapping or a list). A list is told by its repr
        (unambiguous, and twice as fast as JSON for a CSV row's cells), anything else by its JSON."""
        seen = Fingerprints()
        for number, values in rows:
            if not seen.add(repr(values) if type(values) is list else ROW_JSON(values)):
                self.repeated.append(number)
                continue
            yield number, values


ROW_JSON = json.JSONEncoder(sort_keys=True, default=str).encode  # made once, not at each row
DIGEST_BITS = (1 << 64) - 1


class Fingerprints:
    """A set of texts that holds 8 bytes for each (a 64-bit digest), so that the rows of a file of millions can
    be told apart without keeping them. Two different texts share a digest with a probability of about n²/2⁶⁵:
    one in 37 million for a million rows.

    The digest is Python's own string hash (SipHash, 64 bits, keyed afresh in each process: one no file can
    aim at), ten times cheaper than BLAKE2 and computed once per string. Recent digests wait in a Python set
    (about 60 bytes each), merged into a sorted NumPy array every MERGE_EVERY additions; a bitmap of the
    merged digests' top PREFILTER_BITS bits (2 MiB, from the first merge) spares most additions the search
    of the array.
    """

    MERGE_EVERY = 50_000
    PREFILTER_BITS = 24

    def __init__(self) -> None:
        import numpy

        self._numpy = numpy
        self._recent: set[int] = set()
        self._sorted = numpy.empty(0, dtype=numpy.uint64)
        self._merged = bytearray()  # bit d >> (64 - PREFILTER_BITS) set for each merged digest d
        self._shift = 64 - self.PREFILTER_BITS

    def __len__(self) -> int:
        return len(self._recent) + len(self._sorted)

    def add(self, text: str) -> bool:
        """Add `text`; return whether it was new."""
        digest = hash(text) & DIGEST_BITS
        if digest in self._recent:
            return False
        if self._merged:
            top = digest >> self._shift
            if self._merged[top >> 3] >> (top & 7) & 1:
                # As a NumPy uint64: a Python int would make NumPy convert the whole array for each search.
                position = int(self._sorted.searchsorted(self._numpy.uint64(digest)))
                if position < len(self._sorted) and int(self._sorted[position]) == digest:
                    return False
        self._recent.add(digest)
        if len(self._recent) >= self.MERGE_EVERY:
            self._merge()
        return True

    def _merge(self) -> None:
        numpy = self._numpy
        recent = numpy.fromiter(self._recent, dtype=numpy.uint64, count=len(self._recent))
        self._recent = set()
        if not self._merged:
            self._merged = bytearray(1 << (self.PREFILTER_BITS - 3))
        top = recent >> numpy.uint64(self._shift)
        numpy.bitwise_or.at(
            numpy.frombuffer(self._merged, dtype=numpy.uint8),
            (top >> numpy.uint64(3)).astype(numpy.intp),
            (numpy.uint8(1) << (top & numpy.uint64(7)).astype(numpy.uint8)),
        )
        # No digest is in both (only new ones are added): concatenate and sort in place, one copy at a time.
        self._sorted = numpy.concatenate((self._sorted, recent))
        del recent
        self._sorted.sort()


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


class MappingError(ValueError):
    """A mapping that does not fit its shape, its import's fields or the file; the message says what is wrong."""


@dataclass(frozen=True)
class ColumnMapping:
    """How a file from elsewhere maps onto an import's fields: the one shape every import of the portal takes.

    `{"columns": {field: source column}, "values": {field: {source value: our value}}, "years": {year: source
    column}}`. Columns are matched whatever their case and surrounding spaces; values exactly, then whatever
    their case. A field the mapping does not name takes the file's column of that very name, if any, else its
    default. `years` is for "wide" files with one amount column per year: each row becomes one record per year
    (`per_year`); only imports that take amounts by year accept it.
    """

    fields: tuple[str, ...]
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    years: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Any, fields: Iterable[str], *, wide: bool = False) -> "ColumnMapping":
        """Return the mapping `data` (parsed JSON) describes for an import of `fields`; MappingError otherwise.

        `wide`: the import accepts `years` (one amount column per year)."""
        known = list(fields)
        allowed = {"columns", "values", "years"} if wide else {"columns", "values"}
        if not isinstance(data, dict) or set(data) - allowed:
            if wide:
                raise MappingError(_("A mapping is an object with “columns”, “values” and “years”, and nothing else."))
            raise MappingError(_("A mapping is an object with “columns” and “values”, and nothing else."))
        columns, values = data.get("columns") or {}, data.get("values") or {}
        years = cls._years(data.get("years") or {})
        if not isinstance(columns, dict) or not all(isinstance(v, str) and v.strip() for v in columns.values()):
            raise MappingError(_("“columns” maps each field to the name of a column of the file."))
        if not isinstance(values, dict) or not all(
            isinstance(table, dict) and all(isinstance(v, str) for v in table.values()) for table in values.values()
        ):
            raise MappingError(_("“values” maps each field to a table of the file's values and ours."))
        unknown = sorted((set(columns) | set(values)) - set(known))
        if unknown:
            raise MappingError(
                _("Unknown fields in the mapping: %(unknown)s. The fields are: %(fields)s.")
                % {"unknown": ", ".join(unknown), "fields": ", ".join(known)}
            )
        return cls(tuple(known), {name: source.strip() for name, source in columns.items()}, values, years)

    @staticmethod
    def _years(years: Any) -> dict[int, str]:
        if not isinstance(years, dict) or not all(
            isinstance(year, str) and year.strip().isdigit() and len(year.strip()) == 4 for year in years
        ):
            raise MappingError(_("“years” maps each year (four digits) to the column holding that year's amount."))
        if not all(isinstance(source, str) and source.strip() for source in years.values()):
            raise MappingError(_("“years” maps each year (four digits) to the column holding that year's amount."))
        return {int(year): source.strip() for year, source in years.items()}

    @classmethod
    def from_json(cls, text: str, fields: Iterable[str], *, wide: bool = False) -> "ColumnMapping":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise MappingError(
                _("The mapping is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
                % {"error": error.msg, "line": error.lineno, "column": error.colno}
            ) from None
        return cls.from_data(data, fields, wide=wide)

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "columns": dict(self.columns),
            "values": {name: dict(table) for name, table in self.values.items()},
        }
        if self.years:
            data["years"] = {str(year): source for year, source in self.years.items()}
        return data

    def missing_columns(self, header: Iterable[str]) -> list[str]:
        """The file's columns the mapping names and `header` lacks."""
        present = {column.strip().casefold() for column in header}
        named = [*self.columns.values(), *self.years.values()]
        return list(dict.fromkeys(source for source in named if source.casefold() not in present))

    def per_year(self, record: Mapping[str, Any]) -> list[tuple[int, Any]]:
        """Return (year, that year's cell) for each year of `years`, from a row of a wide file."""
        by_name = {str(column).strip().casefold(): value for column, value in record.items()}
        return [(year, by_name.get(source.casefold())) for year, source in self.years.items()]

    def apply(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The record (the file's column → value) under our field names, its values translated; the file's
        other columns are left out."""
        by_name = {str(column).strip().casefold(): value for column, value in record.items()}
        mapped = {}
        for name in self.fields:
            source = self.columns.get(name, name).casefold()
            if source in by_name:
                mapped[name] = by_name[source]
        for name, table in self.values.items():
            if isinstance(mapped.get(name), str):
                mapped[name] = self._translate(mapped[name], table)
        return mapped

    def translate(self, name: str, value: str) -> str:
        """Our value for the file's `value` of field `name` by the mapping's table for it (`value` when none)."""
        table = self.values.get(name)
        return self._translate(value, table) if table else value

    @staticmethod
    def _translate(value: str, table: Mapping[str, str]) -> str:
        text = value.strip()
        if text in table:
            return table[text]
        folded = {source.strip().casefold(): ours for source, ours in table.items()}
        return folded.get(text.casefold(), value)
