"""Import a body's budget lines (voted, amended, executed), subsidies and payments, and classification code lists,
from what finance systems export: CSV in UTF-8, UTF-16, Windows-1256 or Windows-1252, XLSX and ODS workbooks.

`import_spending` is the one entry point: the admin screen, `manage.py import_spending` and the Celery task
`spending.import_spending` all call it. The file is read as a stream (portal.files: encodings, delimiters,
spreadsheets to CSV) and its amounts as people write them (portal.money.read_amount: decimal commas, spaces and
no-break spaces between thousands, a currency sign, parentheses, a dash for zero, Arabic-Indic digits). The
mapping is checked against the file's header before anything is written (MappingError, naming the columns the
file has). Then every row is checked and either reported (a RowError with its line in the file and why) or
written, BATCH_SIZE records at a time with bulk inserts and updates, all in one transaction: an import that
fails leaves the previous figures as they were.

Rules of a row, per kind (the `help` of the command repeats them):
- budget: voted lines, or amended ones when a "stage" cell says so; execution: executed lines. A voted line
  is never negative (a credit is voted or not); amended and executed lines may be (a decision that reduces a
  credit, cancellations that exceed receipts).
- payments and subsidies: never negative (a reversal is a correction of the payment itself, not a new row).
- a code must be in the body's classification or the shared one, when either has codes for its scheme.
- the currency is the row's currency cell, else the sign in its amount ("1 250 DA"), else the one given to the
  import, else the body's (`currency_of`); it is an ISO 4217 code, or a row error.
- the fiscal year is the row's year cell, else the one given, else (payments) the year of the payment's date.
- a row that repeats an earlier one exactly is skipped and reported once (ImportReport.repeated); a row that
  gives another line the same identity (a budget line's year, stage, direction, section and codes; a
  payment's reference) with other values is a row error.
- a total whose amount is not the sum of the lines below it is imported as written, with a warning.

Re-importing a file changes nothing: records are found by their identity (BudgetLine.identity,
Payment.identity) and written only when a value differs. Memory does not grow with the file, but for 16 bytes
a row (portal.importing.Fingerprints of the rows and of the records' identities) and the suppliers met.
"""

import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.bodies.models import PublicBody
from portal.caching import content_changed
from portal.dates import read_date
from portal.files import (
    CURRENCY_SIGNS,
    FileRefused,
    detect_numbers,
    table_records,
)
from portal.importing import ColumnMapping, Fingerprints, ImportReport, MappingError, RowError, assign_changed
from portal.money import NotAnAmount, amount_reader, ascii_digits

from .bulkcopy import copy_text, queued_writer
from .models import (
    AMOUNT_DIGITS,
    BudgetLine,
    ClassificationCode,
    Direction,
    Payment,
    Scheme,
    Section,
    Stage,
    Supplier,
    currency_of,
)
from .publishing import publish_spending_datasets
from .totals import TotalsChecker


class ImportKind(models.TextChoices):
    BUDGET = "budget", gettext_lazy("Budget (voted or amended lines)")
    EXECUTION = "execution", gettext_lazy("Budget execution (executed lines)")
    SUBSIDIES = "subsidies", gettext_lazy("Subsidies")
    PAYMENTS = "payments", gettext_lazy("Payments")


LINE_KINDS = (ImportKind.BUDGET, ImportKind.EXECUTION)
LINE_FIELDS = (
    "amount", "year", "direction", "section", "function", "economic", "label", "stage", "currency", "decision",
)  # fmt: skip
PAYMENT_FIELDS = (
    "date", "year", "supplier", "supplier_id", "supplier_kind", "amount", "currency", "purpose", "function",
    "economic", "reference", "decision",
)  # fmt: skip
# Records per bulk insert or update: large enough that a query's cost is spread thin, small enough that a batch's
# instances take a few megabytes (bench/spending_import.py).
BATCH_SIZE = 5000
# How far down a sheet its header may be: workbooks put a title, merged across the columns, above it.
HEADER_SEARCH_ROWS = 20
CENTS = Decimal("0.01")
LARGEST_AMOUNT = Decimal(10) ** (AMOUNT_DIGITS - 2)
FLOAT_NOISE = Decimal("0.000001")
# What finance systems write for our values when no mapping says (the mapping's "values" come first).
COMMON_VALUES = {
    "direction": {
        "dépense": "expenditure", "dépenses": "expenditure", "d": "expenditure", "نفقات": "expenditure",
        "نفقة": "expenditure", "recette": "revenue", "recettes": "revenue", "r": "revenue", "إيرادات": "revenue",
        "موارد": "revenue",
    },
    "section": {
        "fonctionnement": "operating", "تسيير": "operating", "investissement": "investment",
        "équipement": "investment", "تجهيز": "investment", "استثمار": "investment",
    },
    "stage": {"voté": "voted", "primitif": "voted", "modifié": "amended", "rectificatif": "amended"},
}  # fmt: skip


def fields_of(kind: str) -> tuple[str, ...]:
    return LINE_FIELDS if kind in LINE_KINDS else PAYMENT_FIELDS


def spending_mapping(data: Any, kind: str) -> ColumnMapping:
    """The mapping `data` (parsed JSON) describes for an import of `kind`; MappingError when it is wrong.
    Budget and execution files may be wide (`years`: one amount column per year)."""
    return ColumnMapping.from_data(data, fields_of(kind), wide=kind in LINE_KINDS)


class InvalidRow(ValueError):
    """A row that cannot be imported; the message says why, for the report."""


# Reading a table


@dataclass
class Table:
    """A table's header, where it was found, and its rows as they come: (line in the file, cells)."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str


@contextmanager
def open_table(source: Path | str | IO[bytes], *, named: Sequence[str] = ()) -> Iterator[Table]:
    """Open `source` (a path or a binary file) as a stream of rows, whatever its encoding, delimiter or kind.

    The header is the first row (within HEADER_SEARCH_ROWS) holding every column of `named`, or the first
    non-empty row when `named` is empty. Raise FileRefused when the file is no table, MappingError when no
    row holds the columns `named`.
    """
    with tempfile.TemporaryDirectory(prefix="spending-") as folder:
        path, name = _local_copy(source, Path(folder))
        with table_records(path, name, Path(folder)) as (rows, encoding):
            header = _find_header(rows, named)
            yield Table(header, rows, encoding)


def _local_copy(source: Path | str | IO[bytes], folder: Path) -> tuple[Path, str]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise FileRefused(_("Cannot read %(file)s: no such file.") % {"file": path.name})
        return path, path.name
    name = Path(str(getattr(source, "name", "") or "upload")).name
    path = folder / f"upload{Path(name).suffix.lower()[:10]}"
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
    return path, name


def _find_header(rows: Iterator[tuple[int, list[str]]], named: Sequence[str]) -> list[str]:
    wanted = {column.strip().casefold() for column in named}
    first: list[str] | None = None
    for _index, (_line, record) in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
        header = [cell.strip() for cell in record]
        first = header if first is None else first
        if wanted <= {cell.casefold() for cell in header}:
            return header
    if first is None:
        raise FileRefused(_("The file is empty: the first line must name the columns."))
    present = {cell.casefold() for cell in first}
    missing = [column for column in named if column.strip().casefold() not in present]
    raise MappingError(
        _("The mapping names columns the file does not have: %(missing)s. The file's columns are: %(columns)s.")
        % {"missing": ", ".join(map(repr, missing)), "columns": ", ".join(repr(cell) for cell in first if cell)}
    )


# Reading a row


@dataclass
class RowReader:
    """How the rows of one file read for one import: where each field is, its separators, defaults and codes."""

    kind: str
    mapping: ColumnMapping
    positions: dict[str, int]
    years: list[tuple[int, int]]  # (year, column) of a wide file
    decimal: str = "."
    default_year: int | None = None
    default_currency: str = ""
    codes: dict[str, frozenset[str]] = field(default_factory=dict)  # scheme → known codes; absent: not checked
    suppliers: dict[tuple[str, str, str], "SupplierRow"] = field(default_factory=dict)

    @classmethod
    def for_header(cls, header: list[str], kind: str, mapping: ColumnMapping, **options) -> "RowReader":
        """Raise MappingError when the file lacks a column the import needs: its amounts, or a payment's payee."""
        positions = {name: index for name, index in mapping.apply({h: i for i, h in enumerate(header)}).items()}
        folded = {cell.casefold(): index for index, cell in enumerate(header)}
        years = [(year, folded[column.casefold()]) for year, column in mapping.years.items()]
        columns = ", ".join(repr(cell) for cell in header if cell)
        if "amount" not in positions and not years:
            raise MappingError(
                _(
                    "The file has no amount column: name it in the mapping (“amount”, or “years” for one column "
                    "per year). The file's columns are: %(columns)s."
                )
                % {"columns": columns}
            )
        if kind not in LINE_KINDS and "supplier" not in positions and "supplier_id" not in positions:
            raise MappingError(
                _(
                    "The file has no column for whom was paid: name it in the mapping (“supplier”). "
                    "The file's columns are: %(columns)s."
                )
                % {"columns": columns}
            )
        return cls(kind, mapping, positions, years, **options)

    def __post_init__(self) -> None:
        self._translated = frozenset(self.positions) & {*COMMON_VALUES, *self.mapping.values}  # fields translated
        self._dates: dict[str, date] = {}  # a cell's date, read once: a file's dates repeat

    def cell(self, cells: list[str], name: str) -> str:
        index = self.positions.get(name)
        if index is None or index >= len(cells):
            return ""
        value = cells[index].strip()
        if value and name in self._translated:
            value = self.mapping.translate(name, value)
            value = COMMON_VALUES.get(name, {}).get(value.casefold(), value)
        return value

    def read(self, cells: list[str]) -> list[dict[str, Any]]:
        """The records of a row (several for a wide file); InvalidRow listing every problem of the row."""
        problems: list[str] = []
        if self.years:
            records = []
            for year, index in self.years:
                text = cells[index].strip() if index < len(cells) else ""
                if text:  # an empty cell of a wide file: no figure that year
                    records.append(self._line(cells, text, year, problems))
        elif self.kind in LINE_KINDS:
            records = [self._line(cells, self.cell(cells, "amount"), None, problems)]
        else:
            records = [self._payment(cells, problems)]
        if problems:
            raise InvalidRow("; ".join(dict.fromkeys(problems)))
        return records

    def _amount(self, text: str, negative_allowed: bool, problems: list[str]) -> tuple[Decimal, str | None]:
        if not text:
            problems.append(_("the amount is empty"))
            return Decimal(0), None
        try:
            amount, currency = amount_reader(self.decimal)(text)
        except NotAnAmount as error:
            problems.append(str(error))
            return Decimal(0), None
        rounded = amount.quantize(CENTS, rounding=ROUND_HALF_UP)
        if abs(rounded - amount) > FLOAT_NOISE:  # more than a spreadsheet's float noise
            problems.append(_("“%(text)s” has more than two decimals") % {"text": text})
        elif abs(rounded) >= LARGEST_AMOUNT:
            problems.append(_("“%(text)s” is too large an amount") % {"text": text})
        elif rounded < 0 and not negative_allowed:
            problems.append(_("the amount “%(text)s” is negative") % {"text": text})
        return rounded, currency

    def _currency(self, cells: list[str], sign: str | None, problems: list[str]) -> str:
        text = self.cell(cells, "currency")
        code = ""
        if text:
            code = text.upper() if len(text) == 3 and text.isalpha() and text.isascii() else ""
            code = code or CURRENCY_SIGNS.get(text.casefold(), "") or ""
            if not code:
                problems.append(_("“%(text)s” is not an ISO 4217 currency code (DZD, MAD, EUR…)") % {"text": text})
                return ""
            if sign and sign != code:
                problems.append(
                    _("the amount is in %(sign)s but the currency column says %(code)s") % {"sign": sign, "code": code}
                )
        code = code or sign or self.default_currency
        if not code:
            problems.append(
                _("no currency: the row, its amount and the import name none, and the body has no currency")
            )
        return code

    def _year(self, cells: list[str], fallback: int | None, problems: list[str]) -> int:
        text = ascii_digits(self.cell(cells, "year"))
        if text:
            text = text.removesuffix(".0")
            if not (text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2100):
                problems.append(_("the year “%(text)s” is not a year (four digits)") % {"text": text})
                return 0
            return int(text)
        year = self.default_year or fallback
        if not year:
            problems.append(_("no fiscal year: the row and the import name none"))
            return 0
        return year

    def _code(self, cells: list[str], name: str, scheme: str, problems: list[str]) -> str:
        code = ascii_digits(self.cell(cells, name))
        if len(code) > 30:
            problems.append(_("the code “%(code)s” is longer than 30 characters") % {"code": code})
        elif code and scheme in self.codes and code not in self.codes[scheme]:
            problems.append(
                _("the code “%(code)s” is not in the %(scheme)s classification")
                % {"code": code, "scheme": Scheme(scheme).label}
            )
        return code

    def _text(self, cells: list[str], name: str, limit: int | None, problems: list[str]) -> str:
        text = self.cell(cells, name)
        if limit is not None and len(text) > limit:
            problems.append(_("%(field)s is longer than %(limit)s characters") % {"field": name, "limit": limit})
        return text

    def _choice(self, cells: list[str], name: str, choices: type[models.TextChoices], default: str) -> tuple[str, str]:
        value = self.cell(cells, name)
        if not value:
            return str(default), ""
        value = value.casefold() if value.casefold() in choices.values else value
        return (value, "") if value in choices.values else (
            str(default),
            _("%(field)s “%(value)s” is not one of %(choices)s")
            % {"field": name, "value": value, "choices": ", ".join(choices.values)},
        )  # fmt: skip

    def _line(self, cells: list[str], text: str, year: int | None, problems: list[str]) -> dict[str, Any]:
        default_stage = Stage.EXECUTED if self.kind == ImportKind.EXECUTION else Stage.VOTED
        stage, problem = self._choice(cells, "stage", Stage, default_stage)
        allowed = (Stage.EXECUTED,) if self.kind == ImportKind.EXECUTION else (Stage.VOTED, Stage.AMENDED)
        if not problem and stage not in allowed:
            problem = _("a %(kind)s file holds no %(stage)s lines") % {
                "kind": ImportKind(self.kind).label,
                "stage": Stage(stage).label,
            }
        direction, direction_problem = self._choice(cells, "direction", Direction, Direction.EXPENDITURE)
        section, section_problem = self._choice(cells, "section", Section, "")
        problems.extend(filter(None, [problem, direction_problem, section_problem]))
        amount, sign = self._amount(text, stage != Stage.VOTED, problems)
        values = dict(
            fiscal_year=year or self._year(cells, None, problems),
            stage=stage,
            direction=direction,
            section=section,
            function_code=self._code(cells, "function", Scheme.FUNCTIONAL, problems),
            economic_code=self._code(cells, "economic", Scheme.ECONOMIC, problems),
            label=self._text(cells, "label", 500, problems),
            amount=amount,
            currency=self._currency(cells, sign, problems),
            decision_reference=self._text(cells, "decision", 50, problems),
        )
        return {"key": _identity(BudgetLine, values), **values}

    def _payment(self, cells: list[str], problems: list[str]) -> dict[str, Any]:
        day = self._date(self.cell(cells, "date"), problems)
        amount, sign = self._amount(self.cell(cells, "amount"), False, problems)
        name = self._text(cells, "supplier", 500, problems)
        identifier = self._text(cells, "supplier_id", 100, problems)
        if not name and not identifier:
            problems.append(_("no supplier or beneficiary"))
        supplier_kind, problem = self._choice(cells, "supplier_kind", Supplier.Kind, Supplier.Kind.UNKNOWN)
        if problem:
            problems.append(problem)
        supplier = self._supplier(name or identifier, identifier, supplier_kind)
        values = dict(
            kind=(Payment.Kind.SUBSIDY if self.kind == ImportKind.SUBSIDIES else Payment.Kind.PAYMENT).value,
            fiscal_year=self._year(cells, day.year if day else None, problems),
            date=day,
            supplier=supplier,
            amount=amount,
            currency=self._currency(cells, sign, problems),
            purpose=self._text(cells, "purpose", None, problems),
            function_code=self._code(cells, "function", Scheme.FUNCTIONAL, problems),
            economic_code=self._code(cells, "economic", Scheme.ECONOMIC, problems),
            reference=self._text(cells, "reference", 100, problems),
            decision_reference=self._text(cells, "decision", 50, problems),
        )
        values["key"] = _identity(Payment, values)
        return values

    def _date(self, cell: str, problems: list[str]) -> date | None:
        """The date of a payment's date cell (None when empty), each distinct cell read once."""
        day = self._dates.get(cell)
        if day is None and (text := ascii_digits(cell)):
            try:
                day = read_date(text, excel_serials=True)
            except ValueError:
                problems.append(_("“%(text)s” is not a date (day first: 31/12/2024, or 2024-12-31)") % {"text": text})
                return None
            if len(self._dates) > 50_000:  # a bound on memory
                self._dates.clear()
            self._dates[cell] = day
        return day

    def _supplier(self, name: str, identifier: str, kind: str) -> "SupplierRow":
        """The row's supplier, its key computed once for each name and identifier of the file (folding a name
        costs more than the rest of the row)."""
        found = self.suppliers.get((name, identifier, kind))
        if found is None:
            if len(self.suppliers) > 50_000:  # a bound on memory
                self.suppliers.clear()
            found = SupplierRow(name, identifier, kind, Supplier.key_for(name, identifier))
            self.suppliers[name, identifier, kind] = found
        return found


@dataclass(frozen=True, slots=True)
class SupplierRow:
    name: str
    identifier: str
    kind: str
    key: str


def _identity(model: type[BudgetLine] | type[Payment], values: dict[str, Any]) -> str:
    """The key `model.identity()` gives a record of `values`, without building a model instance (which took a
    third of the import's time)."""
    return model.identity(SimpleNamespace(**values))  # type: ignore[arg-type]


LINE_VALUES = (
    "fiscal_year", "stage", "direction", "section", "function_code", "economic_code", "label", "amount", "currency",
    "decision_reference",
)  # fmt: skip
PAYMENT_VALUES = (
    "kind", "fiscal_year", "date", "amount", "currency", "purpose", "function_code", "economic_code", "reference",
    "decision_reference",
)  # fmt: skip


def known_codes(body: PublicBody) -> dict[str, frozenset[str]]:
    """The codes of each scheme the body or the shared list has; a scheme without any is not checked."""
    codes: dict[str, set[str]] = defaultdict(set)
    rows = ClassificationCode.objects.filter(models.Q(body=body) | models.Q(body=None)).values_list("scheme", "code")
    for scheme, code in rows:
        codes[scheme].add(code)
    return {scheme: frozenset(found) for scheme, found in codes.items()}


def _reader(table: Table, *, body: PublicBody, kind: str, mapping: ColumnMapping, year, currency) -> RowReader:
    return RowReader.for_header(
        table.header,
        kind,
        mapping,
        default_year=year,
        default_currency=(currency or currency_of(body) or "").upper(),
        codes=known_codes(body),
    )


# Writing


class _Writer:
    """Writes checked records in batches: creates the new, updates the changed, counts the unchanged. On
    PostgreSQL its COPY of new records stays open from batch to batch (the database takes rows in while the
    next are checked) until it must query, or until leaving it as a context: completed, or failed on an error."""

    def __init__(self, body: PublicBody, kind: str, report: ImportReport):
        self.body, self.kind, self.report = body, kind, report
        self.suppliers: dict[str, int] = {}  # key → id of the suppliers met
        self.staging = False  # PostgreSQL: whether this transaction's temporary table of rows exists
        self.noticed = False  # PostgreSQL: whether the page cache knows of rows written by COPY
        self.had_none: bool | None = None  # PostgreSQL: whether the body had no such records as the import began
        self._copying: ExitStack | None = None  # PostgreSQL: the COPY of new records in progress
        self._copy: Any = None

    def __enter__(self) -> "_Writer":
        return self

    def end_copy(self, *error) -> None:
        """End the COPY in progress, if any, before the connection is used for anything else; `error`: fail it."""
        if self._copying is not None:
            copying, self._copying, self._copy = self._copying, None, None
            copying.__exit__(*(error or (None, None, None)))

    __exit__ = end_copy

    def write(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        if self.kind in LINE_KINDS:
            self._write(batch, BudgetLine, BudgetLine.objects.filter(body=self.body), ("fiscal_year", "stage", "key"))
        else:
            self._find_suppliers(batch)
            kind = batch[0][1]["kind"] if batch else ""
            self._write(batch, Payment, Payment.objects.filter(body=self.body, kind=kind), ("key",))

    def _write(self, batch, model, stored, identity: tuple[str, ...]) -> None:
        names = LINE_VALUES if model is BudgetLine else (*PAYMENT_VALUES, "supplier_id")
        if connection.vendor == "postgresql":
            # The columns of the model's unique constraint on the record's identity.
            conflict = ("body_id", "fiscal_year", "stage", "key") if model is BudgetLine else ("body_id", "kind", "key")
            new, stored_already = self._split_new(batch, model)
            if new:
                self._copy_new(new, model, names)
            if stored_already:
                self._copy_and_upsert(stored_already, model, names, conflict)
            return
        keys = {values["key"] for _line, values in batch}
        existing = {tuple(getattr(record, name) for name in identity): record for record in stored.filter(key__in=keys)}
        new, changed, now = [], [], timezone.now()
        for _line, values in batch:
            values = {name: values[name] for name in names} | {"key": values["key"]}
            record = existing.get(tuple(values[name] for name in identity))
            if record is None:
                new.append(model(body=self.body, **values))
            elif assign_changed(record, values):
                record.updated_at = now
                changed.append(record)
            else:
                self.report.unchanged += 1
        model.objects.bulk_create(new)
        model.objects.bulk_update(changed, [*names, "updated_at"])
        self.report.created += len(new)
        self.report.updated += len(changed)

    def _split_new(self, batch, model) -> tuple[list, list]:
        """PostgreSQL: (records to COPY as new, records to upsert). When the body had no such records as the import
        began, every record is new (the file's own repeats were left out already); otherwise all are upserted,
        each a probe of the unique index on the identity. (Asking first which keys are stored, by `key = ANY`
        or a join, let the planner scan the body's rows batch after batch: quadratic in the file.)
        """
        if self.had_none is None:
            stored = model.objects.filter(body=self.body)
            self.had_none = not (stored.filter(kind=batch[0][1]["kind"]) if model is Payment else stored).exists()
        return (batch, []) if self.had_none else ([], batch)

    def _copy_new(self, batch, model, names: tuple[str, ...]) -> None:
        """PostgreSQL: COPY new records straight into their table, as fast as the database takes rows in.

        COPY goes round Django's cursor, so the page cache (portal.caching) is told here that content changes
        when the transaction commits."""
        if self._copying is None:
            columns = ["uuid", "updated_at", "body_id", *(model._meta.get_field(name).column for name in names)]
            copy_sql = f"COPY {model._meta.db_table} ({', '.join(columns)}, key) FROM STDIN"
            self._copying = ExitStack()
            cursor = self._copying.enter_context(connection.cursor()).cursor
            # The queued writer sends the rows from a thread of its own while this one checks the next batch.
            self._copy = self._copying.enter_context(cursor.copy(copy_sql, writer=queued_writer(cursor)))
        self._copy.write(copy_text(batch, names, f"{timezone.now().isoformat()}\t{self.body.pk}", uuids=True))
        if not self.noticed:
            transaction.on_commit(content_changed)
            self.noticed = True
        self.report.created += len(batch)

    def _copy_and_upsert(self, batch, model, names: tuple[str, ...], conflict: tuple[str, ...]) -> None:
        """PostgreSQL: COPY records stored already into a temporary table, then one INSERT … ON CONFLICT DO UPDATE
        that writes only those that differ and says which it created (xmax = 0 for a new row, one another import
        wrote meanwhile). Cheaper than loading the stored records to compare them and bulk_update's parameters.
        """
        self.end_copy()
        table = model._meta.db_table
        columns = ["body_id", *(model._meta.get_field(name).column for name in names), "key"]
        listed = ", ".join(columns)
        changed = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns if column not in conflict)
        with connection.cursor() as cursor:
            if not self.staging:
                # Names from the model's _meta, never from the file; the file's values go through COPY.
                create = f"CREATE TEMPORARY TABLE spending_rows ON COMMIT DROP AS SELECT {listed} FROM {table}"  # noqa: S608
                cursor.execute("DROP TABLE IF EXISTS spending_rows")  # an earlier import's, in the same transaction
                cursor.execute(f"{create} WITH NO DATA")
                self.staging = True
            else:
                cursor.execute("TRUNCATE spending_rows")
            with cursor.cursor.copy(f"COPY spending_rows ({listed}) FROM STDIN") as copy:
                copy.write(copy_text(batch, names, str(self.body.pk)))
            stored = ", ".join(f"stored.{column}" for column in columns[1:-1])
            given = ", ".join(f"EXCLUDED.{column}" for column in columns[1:-1])
            cursor.execute(
                f"INSERT INTO {table} AS stored (uuid, updated_at, {listed}) "  # noqa: S608 (names from _meta)
                f"SELECT gen_random_uuid(), now(), {listed} FROM spending_rows "
                f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {changed}, updated_at = now() "
                f"WHERE ({stored}) IS DISTINCT FROM ({given}) RETURNING xmax = 0"
            )
            written = [created for (created,) in cursor.fetchall()]
        self.report.created += sum(written)
        self.report.updated += len(written) - sum(written)
        self.report.unchanged += len(batch) - len(written)

    def _find_suppliers(self, batch) -> None:
        """Set each record's supplier_id, creating the suppliers not met yet; a supplier of unknown kind gets the
        kind a file gives."""
        wanted = {values["supplier"].key: values["supplier"] for _line, values in batch}
        missing = [key for key in wanted if key not in self.suppliers]
        if missing:
            self.end_copy()
            if len(self.suppliers) > 100_000:  # a bound on memory; those met again are looked up again
                self.suppliers.clear()
            found = {supplier.key: supplier for supplier in Supplier.objects.filter(key__in=missing)}
            known = [
                supplier
                for key, supplier in found.items()
                if supplier.kind == Supplier.Kind.UNKNOWN and wanted[key].kind != Supplier.Kind.UNKNOWN
            ]
            for supplier in known:
                supplier.kind = wanted[supplier.key].kind
            Supplier.objects.bulk_update(known, ["kind"])
            new = [
                Supplier(name=wanted[key].name, identifier=wanted[key].identifier, kind=wanted[key].kind, key=key)
                for key in missing
                if key not in found
            ]
            Supplier.objects.bulk_create(new)
            self.suppliers.update((key, supplier.pk) for key, supplier in found.items())
            # bulk_create sets primary keys on PostgreSQL and SQLite 3.35+; ask again otherwise.
            if any(supplier.pk is None for supplier in new):
                new = list(Supplier.objects.filter(key__in=[supplier.key for supplier in new]))
            self.suppliers.update((supplier.key, supplier.pk) for supplier in new)
        for _line, values in batch:
            values["supplier_id"] = self.suppliers[values["supplier"].key]


def import_spending(
    source: Path | str | IO[bytes],
    *,
    body: PublicBody,
    kind: str,
    mapping: ColumnMapping | dict | None = None,
    year: int | None = None,
    currency: str | None = None,
    user=None,
    progress: Callable[[int, float], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Return the report of importing the budget lines, subsidies or payments (`kind`) in `source` for `body`.

    Raise MappingError (the mapping does not fit the file: nothing is written) or FileRefused (the file is no
    table this import reads). Otherwise rows are checked by the rules of this module's docstring: failed ones
    are reported, the others written in one transaction. `mapping` is a ColumnMapping or its JSON data;
    `year` and `currency` are the defaults of rows that give none. `user` is who imports (for the audit
    trail, written by the caller). After each batch, `progress(rows read, seconds)`.
    """
    if kind not in ImportKind.values:
        raise ValueError(f"unknown spending import kind {kind!r}")
    if not isinstance(mapping, ColumnMapping):
        mapping = spending_mapping(mapping or {}, kind)
    report = ImportReport()
    started = time.monotonic()
    named = [*mapping.columns.values(), *mapping.years.values()]
    # The writer ends its COPY before the transaction ends.
    with open_table(source, named=named) as table, transaction.atomic(), _Writer(body, kind, report) as writer:
        report.encoding = table.encoding
        reader = _reader(table, body=body, kind=kind, mapping=mapping, year=year, currency=currency)
        rows = _with_numbers_detected(table, reader)
        checker = TotalsChecker() if kind in LINE_KINDS else None
        identities = Fingerprints()
        batch: list[tuple[int, dict[str, Any]]] = []
        read = 0
        for line, cells in report.skip_repeats(rows):
            read += 1
            try:
                records = reader.read(cells)
            except InvalidRow as error:
                report.errors.append(RowError(line, _reference(reader, cells), str(error)))
                continue
            for values in records:
                identity = f"{values.get('fiscal_year')}|{values.get('stage', '')}|{values['key']}"
                if not identities.add(identity):
                    if kind in LINE_KINDS or values["reference"]:
                        report.errors.append(RowError(line, _reference(reader, cells), _repeated_identity(kind)))
                    else:
                        report.repeated.append(line)  # the same payment as an earlier row, written otherwise
                    continue
                if checker is not None:
                    checker.add(line, values)
                batch.append((line, values))
            if len(batch) >= batch_size:
                writer.write(batch)
                batch = []
                if progress is not None:
                    writer.end_copy()  # `progress` may use the database
                    progress(read, time.monotonic() - started)
        if batch:
            writer.write(batch)
        writer.end_copy()
        if checker is not None:
            report.warnings.extend(checker.warnings())
        if progress is not None:
            progress(read, time.monotonic() - started)
    if report.created or report.updated:
        publish_spending_datasets(body)  # the catalogue's datasets follow the years the body now has
    return report


def _with_numbers_detected(table: Table, reader: RowReader) -> Iterator[tuple[int, list[str]]]:
    """The table's rows, after judging its decimal separator from the amounts of its first thousand rows."""
    head = [row for _number, row in zip(range(1000), table.rows, strict=False)]
    columns = [index for _year, index in reader.years] or [reader.positions["amount"]]
    cells = [[ascii_digits(row[index]) for index in columns if index < len(row)] for _number, row in head]
    reader.decimal = detect_numbers(cells)[0]
    yield from head
    yield from table.rows


def _reference(reader: RowReader, cells: list[str]) -> str:
    for name in ("reference", "economic", "function", "supplier", "label"):
        if value := reader.cell(cells, name):
            return value[:100]
    return ""


def _repeated_identity(kind: str) -> str:
    if kind in LINE_KINDS:
        return _("an earlier line has the same year, stage, direction, section and codes (or label) with other values")
    return _("an earlier row has the same payment reference with other values")


# Preview, for the admin screen


def preview_spending(
    source: Path | str | IO[bytes],
    *,
    body: PublicBody,
    kind: str,
    mapping: ColumnMapping | dict | None = None,
    year: int | None = None,
    currency: str | None = None,
    rows: int = 10,
) -> dict[str, Any]:
    """The file's columns and its first `rows` rows as `import_spending` would read them, each with its problems
    ({"columns", "encoding", "fields", "rows": [{"number", "cells", "problem"}]}); nothing is written.
    Raises what `import_spending` raises for the file and the mapping."""
    if not isinstance(mapping, ColumnMapping):
        mapping = spending_mapping(mapping or {}, kind)
    shown_fields = ["year", "stage", *LINE_VALUES[2:]] if kind in LINE_KINDS else ["supplier", *PAYMENT_VALUES[1:]]
    shown = []
    named = [*mapping.columns.values(), *mapping.years.values()]
    with open_table(source, named=named) as table:
        reader = _reader(table, body=body, kind=kind, mapping=mapping, year=year, currency=currency)
        for _index, (number, cells) in zip(range(rows), _with_numbers_detected(table, reader), strict=False):
            try:
                records = reader.read(cells)
            except InvalidRow as error:
                shown.append({"number": number, "cells": [], "problem": str(error)})
                continue
            for values in records:
                values["year"] = values["fiscal_year"]
                if "supplier" in values:
                    values["supplier"] = values["supplier"].name
                cells_shown = ["" if values.get(name) is None else str(values.get(name, "")) for name in shown_fields]
                shown.append({"number": number, "cells": cells_shown, "problem": ""})
        return {"columns": table.header, "encoding": table.encoding, "fields": shown_fields, "rows": shown}
