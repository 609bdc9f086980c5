"""A body's census: the list of its residents (identity number, district, date of birth) that lets a person
verify themselves online (the verification page) instead of at the counter.

`import_census(source, body, by=…, mapping=…)` is the one entry point: the admin screen and `manage.py
import_census` both call it. The file is read by the core's rules (portal.files: CSV in UTF-8, UTF-16,
Windows-1256 or Windows-1252, any delimiter, a BOM; XLSX and ODS workbooks) and mapped by the core's one mapping
shape (portal.importing.ColumnMapping: `{"columns": {field: column}, "values": {field: {theirs: ours}}}`), over
the fields FIELDS.

A new census REPLACES the body's census, in one transaction: the people of the file are the residents, the
others are removed. Rules of a row: an identity number (kept only as identity.identity_hash, never the number,
and never written in a message); a district, when given, of the body or of a body below it, by slug or by its
Arabic, French or English name whatever the case and the spaces; a date of birth, when given, as ISO
(2001-04-30) or day first (30/04/2001), in Western or Arabic-Indic digits. A bad row is reported with its line
and skipped, and so is a later row repeating an identity of the file. The whole file is refused, and the
census stays as it was, when it has no identity column, when it can't be read, when no row is good, or when more
than CENSUS_MAX_BAD_ROWS_PERCENT of its rows are bad (a wrong column or a wrong file, rather than a few typos).
Every attempt, refused or applied, is kept as a CensusImport (the history staff see) and logged.
"""

import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.bodies.models import District, PublicBody
from portal.dates import read_date
from portal.files import (
    FileRefused,
    table_records,
)
from portal.importing import ColumnMapping, ImportReport, MappingError, RowError
from portal.money import ascii_digits

from .codes import check_code, send_code
from .identity import (
    VerificationRefused,
    check_identity_free,
    identity_hash,
    identity_hasher,
    normalise_identity_number,
    verify_from_census,
)
from .models import CensusEntry, CensusImport, Verification

FIELDS = ("identity_number", "district", "born_on")
# Column names that census exports use, read when the mapping names no column for a field.
COMMON_COLUMNS = {
    "identity_number": ("identity_number", "nin", "cin", "cnie", "identity", "numéro", "رقم التعريف", "رقم البطاقة"),
    "district": ("district", "quartier", "حي", "الحي"),
    "born_on": ("born_on", "birth_date", "date de naissance", "date_naissance", "تاريخ الازدياد", "تاريخ الميلاد"),
}
IMPORT_LOG_ACTION = "accounts.census.import"
BATCH_SIZE = 5000
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass
class CensusReport(ImportReport):
    """An ImportReport with what a replacing import adds: the entries removed, and a refusal of the whole file."""

    removed: int = 0
    refused: str = ""
    census_import: CensusImport | None = None

    def summary(self) -> str:
        if self.refused:
            return _("The census was not changed: %(reason)s") % {"reason": self.refused}
        return _(
            "%(added)s added, %(updated)s updated, %(unchanged)s unchanged, %(removed)s removed, "
            "%(failed)s rows skipped"
        ) % {
            "added": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": len(self.errors),
        }


def census_mapping(data: Any) -> ColumnMapping:
    """The mapping `data` (parsed JSON) describes for a census; MappingError when it is wrong."""
    return ColumnMapping.from_data(data, FIELDS)


# Reading the file


@contextmanager
def _table(
    source: Path | str | IO[bytes], name: str
) -> Iterator[tuple[list[str], Iterator[tuple[int, list[str]]], str]]:
    """(header, rows as (line, cells), encoding) of a CSV, XLSX or ODS file, by portal.files' rules."""
    with tempfile.TemporaryDirectory(prefix="census-") as folder:
        if isinstance(source, str | Path):
            path = Path(source)
            if not path.is_file():
                raise FileRefused(_("Cannot read %(file)s: no such file.") % {"file": path.name})
        else:
            path = Path(folder) / f"upload{Path(name).suffix.lower()[:10]}"
            with path.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
        with table_records(path, name, Path(folder)) as (rows, encoding):
            first = next(rows, None)
            if first is None:
                raise FileRefused(_("The file is empty: the first line must name the columns."))
            yield [cell.strip() for cell in first[1]], rows, encoding


def _positions(header: list[str], mapping: ColumnMapping) -> dict[str, int]:
    """Where each field is in the file: the mapping's column, else the field's own name, else a common name."""
    folded = {cell.casefold(): index for index, cell in enumerate(header) if cell}
    positions = {}
    for name in FIELDS:
        if name in mapping.columns:
            column = mapping.columns[name].casefold()
            if column not in folded:
                raise MappingError(
                    _(
                        "The mapping names a column the file does not have: %(column)s. "
                        "The file's columns are: %(columns)s."
                    )
                    % {
                        "column": repr(mapping.columns[name]),
                        "columns": ", ".join(repr(cell) for cell in header if cell),
                    }
                )
            positions[name] = folded[column]
            continue
        for column in COMMON_COLUMNS[name]:
            if column.casefold() in folded:
                positions[name] = folded[column.casefold()]
                break
    if "identity_number" not in positions:
        raise MappingError(
            _(
                "The file has no identity number column: name it in the mapping (“identity_number”). "
                "The file's columns are: %(columns)s."
            )
            % {"columns": ", ".join(repr(cell) for cell in header if cell)}
        )
    return positions


# Reading a row


class InvalidRow(ValueError):
    pass


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def district_table(body: PublicBody) -> dict[str, District]:
    """The districts of `body` and of the bodies below it, by slug and by each of their names (folded)."""
    table: dict[str, District] = {}
    for district in District.objects.filter(body__path__startswith=body.path).select_related("body"):
        for key in (district.slug, district.name_ar, district.name_fr, district.name_en):
            if key:
                table.setdefault(_folded(key), district)
    return table


def read_birth_date(text: str, today: date | None = None) -> date:
    """A date of birth as censuses write it (ISO or day first, any digits); InvalidRow otherwise."""
    try:
        born = read_date(ascii_digits(text).strip())
    except ValueError:
        raise InvalidRow(
            _("“%(value)s” is not a date of birth: write it as 30/04/2001 or 2001-04-30.") % {"value": text.strip()}
        ) from None
    if not EARLIEST_BIRTH <= born <= (today or timezone.localdate()):
        raise InvalidRow(_("The date of birth %(value)s is not possible.") % {"value": text.strip()})
    return born


@dataclass(frozen=True)
class CensusRow:
    identity_hash: str
    district: District | None
    born_on: date | None


def _cell(cells: list[str], positions: dict[str, int], name: str, mapping: ColumnMapping) -> str:
    index = positions.get(name)
    value = cells[index].strip() if index is not None and index < len(cells) else ""
    return mapping.translate(name, value) if value else ""


@dataclass
class RowReader:
    """How the rows of one file read: where each field is, the mapping's values, the body's districts, today."""

    positions: dict[str, int]
    mapping: ColumnMapping
    districts: dict[str, District]
    today: date
    digest: Callable[[str], str]


def read_row(cells: list[str], reader: RowReader) -> CensusRow:
    positions, mapping, districts = reader.positions, reader.mapping, reader.districts
    number = normalise_identity_number(_cell(cells, positions, "identity_number", mapping))
    if not number:
        raise InvalidRow(_("No identity number."))
    if len(number) < 4:
        raise InvalidRow(_("The identity number is too short."))
    district = None
    if name := _cell(cells, positions, "district", mapping):
        district = districts.get(_folded(name))
        if district is None:
            raise InvalidRow(_("Unknown district “%(district)s”.") % {"district": name})
    born = _cell(cells, positions, "born_on", mapping)
    return CensusRow(reader.digest(number), district, read_birth_date(born, reader.today) if born else None)


# The import


def import_census(
    source: Path | str | IO[bytes], body: PublicBody, *, by=None, mapping: ColumnMapping | None = None, name: str = ""
) -> CensusReport:
    """Replace `body`'s census with the residents of `source` (a path or a binary file; `name` is the file's
    name for an upload). Return the report; a refused file (`report.refused`) changes nothing."""
    name = name or Path(str(getattr(source, "name", None) or source)).name
    mapping = mapping or ColumnMapping(FIELDS)
    report = CensusReport()
    rows: dict[str, tuple[int, CensusRow]] = {}
    try:
        with _table(source, name) as (header, numbered, encoding):
            report.encoding = encoding
            reader = RowReader(
                _positions(header, mapping), mapping, district_table(body), timezone.localdate(), identity_hasher()
            )
            for line, cells in report.skip_repeats(numbered):
                try:
                    row = read_row(cells, reader)
                except InvalidRow as error:
                    report.errors.append(RowError(line, "", str(error)))
                    continue
                if row.identity_hash in rows:
                    report.errors.append(
                        RowError(
                            line,
                            "",
                            _("The same identity number as line %(line)s: this line is skipped.")
                            % {"line": rows[row.identity_hash][0]},
                        )
                    )
                    continue
                rows[row.identity_hash] = (line, row)
    except (FileRefused, MappingError) as error:
        report.refused = str(error)
    total = len(rows) + len(report.errors) + len(report.repeated)
    if not report.refused and not rows:
        report.refused = _("The file has no valid row.")
    elif not report.refused and len(report.errors) * 100 > settings.CENSUS_MAX_BAD_ROWS_PERCENT * total:
        report.refused = _(
            "%(bad)s of its %(total)s rows are wrong, more than %(percent)s%%: check the columns and the file."
        ) % {"bad": len(report.errors), "total": total, "percent": settings.CENSUS_MAX_BAD_ROWS_PERCENT}
    with transaction.atomic():
        record = CensusImport.objects.create(
            body=body,
            file_name=name[:255],
            uploaded_by=by,
            encoding=report.encoding,
            rows=total,
            refusal=report.refused,
            errors=[{"line": error.row, "message": error.message} for error in report.errors],
        )
        if not report.refused:
            _replace(body, record, [row for _line, row in rows.values()], report)
            record.applied = True
            record.added, record.updated = report.created, report.updated
            record.unchanged, record.removed = report.unchanged, report.removed
            record.save()
        log(
            instance=record,
            action=IMPORT_LOG_ACTION,
            user=by,
            data={"body": body.slug, "file": record.file_name, "applied": record.applied, "summary": report.summary()},
        )
    report.census_import = record
    return report


def _replace(body: PublicBody, record: CensusImport, rows: list[CensusRow], report: CensusReport) -> None:
    """Put `rows` in place of the body's census entries, counting what was added, changed, kept and removed.

    The body's row is locked first: two imports of one body at once take turns instead of colliding."""
    PublicBody.objects.select_for_update().filter(pk=body.pk).exists()
    entries = CensusEntry.objects.filter(body=body)
    before = {
        digest: (district, born)
        for digest, district, born in entries.values_list("identity_hash", "district_id", "born_on").iterator(
            chunk_size=BATCH_SIZE
        )
    }
    written, changed = [], []
    for row in rows:
        old = before.pop(row.identity_hash, None)
        if old is None:
            report.created += 1
            written.append(row)
        elif old == (row.district.pk if row.district else None, row.born_on):
            report.unchanged += 1
        else:
            report.updated += 1
            written.append(row)
            changed.append(row.identity_hash)
    report.removed = len(before)
    # Only what changed is written: a census of the year mostly repeats the one before.
    gone = [*before, *changed]
    for start in range(0, len(gone), BATCH_SIZE):
        entries.filter(identity_hash__in=gone[start : start + BATCH_SIZE]).delete()
    entries.update(census_import=record)
    _insert(
        (body.pk, row.identity_hash, row.district.pk if row.district else None, row.born_on, record.pk)
        for row in written
    )


def _insert(values: Iterable[tuple]) -> None:
    """INSERT census entries as plain tuples, BATCH_SIZE at a time: a first census is hundreds of thousands of
    rows, and building a model instance for each (bulk_create) takes most of an import's time."""
    meta = CensusEntry._meta
    fields = {field.name: field for field in meta.concrete_fields}
    columns = [fields[name].column for name in ("body", "identity_hash", "district", "born_on", "census_import")]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (our table and columns, quoted; values bound)
        connection.ops.quote_name(meta.db_table),
        ", ".join(connection.ops.quote_name(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    iterator = iter(values)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(iterator, BATCH_SIZE)):
            cursor.executemany(sql, batch)


def bodies_with_census():
    """The bodies whose census can verify people online: those with an applied import (never an empty one)."""
    return PublicBody.objects.filter(pk__in=CensusImport.objects.filter(applied=True).values("body")).order_by("path")


def census_match(body: PublicBody, identity_number: str, born_on: date) -> CensusEntry | None:
    """The census entry of `body` for this identity number and date of birth (when the census gives one), else
    None: an unknown number and a wrong date are told apart by nobody."""
    entry = (
        CensusEntry.objects.filter(body=body, identity_hash=identity_hash(identity_number))
        .select_related("body", "district", "district__body")
        .first()
    )
    if entry is None or (entry.born_on is not None and entry.born_on != born_on):
        return None
    return entry


# Verification online (the verification page): the census check and the code by SMS

CODE_PURPOSE = "verify"


def request_code(user, body: PublicBody, identity_number: str, born_on: date, phone: str) -> CensusEntry:
    """Send `user` a code by SMS when `body`'s census lists this identity number with this date of birth (when it
    gives one); return the entry. VerificationRefused when it does not (the same words for an unknown number and
    a wrong date), when the account is verified already or the identity is another account's (recorded for staff);
    CodeRefused or InvalidPhone when no code can be sent."""
    entry = census_match(body, identity_number, born_on)
    if entry is None:
        raise VerificationRefused(
            _(
                "Not found in the census of %(body)s with this date of birth: go to the town hall with your "
                "identity card."
            )
            % {"body": body.name}
        )
    check_identity_free(user, entry.identity_hash)
    send_code(user, phone, CODE_PURPOSE)
    return entry


def verify_with_code(user, entry: CensusEntry, code: str) -> Verification:
    """Verify `user` as the resident of `entry` once the code sent by `request_code` is given (CodeRefused,
    VerificationRefused otherwise)."""
    check_code(user, code, CODE_PURPOSE)
    return verify_from_census(user, entry)
