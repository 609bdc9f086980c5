"""Ingestion of an uploaded tabular version: what the file is, its dialect and schema, validation, DataStore load.

`ingest_version` walks a version through an explicit state machine (TRANSITIONS below):
PENDING → VALIDATING → LOADING → LOADED, or INVALID (the file is wrong: staff must fix it) or FAILED
(something broke on our side: retry). Each transition is one conditional UPDATE … WHERE status = old,
so two workers given the same version never both run it.

How validation scales: frictionless validates the first `VALIDATION_ROWS` rows (structure: missing and
extra cells, blank or duplicate headers; types against the schema), which is its slow part (a few
thousand rows per second per field); the loader then checks the type of *every* cell of the whole
file with vectorised pandas conversions while it loads, and pandas' C parser refuses any row with too
many cells. A file past the cap is therefore type-checked in full and structure-checked in full for
extra cells; a row with too few cells past the cap loads with empty trailing cells (the report says
how many rows frictionless saw). A failed check anywhere refuses the whole load and the resource's
previous DataStore rows stay. An inferred type that a later value breaks (in frictionless' rows or
the loader's) makes that field text, with a warning; against a declared schema it makes the file INVALID.

Loading on PostgreSQL sends the file's bytes to COPY as they are while pandas' C parser checks every
cell of the typed columns (with the file's decimal and thousands separators). When the text is already
canonical (dot decimals, ISO dates) COPY fills the typed table itself (the fast path); when it needs
rewriting (decimal commas, thousands separators, day-first dates: a French or Maghreb spreadsheet's CSV)
COPY fills an unlogged table of text and one INSERT … SELECT converts it on the server, exactly as
`normalise` would (the rewrite path). bench/datastore_load.py measures both against plain COPY, memory
flat. Other files (declared missing values, other date formats, datetimes, XLSX…) and any file those
checks or PostgreSQL refuse take the general path, which normalises chunk by chunk and says which cells
are wrong.
"""

import contextlib
import io
import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import DataError, connection
from django.db.models import Q
from django.utils import timezone

from portal.files import (
    DAY_FIRST_DATE,
    FileRefused,
    check_archive,
    check_columns,
    describe_error,
    detect_delimiter,
    detect_encoding,
    detect_numbers,
    encoding_label,
    mismatch,
    records,
    sample_text,
    sniff,
    xlsx_to_csv,
)

from . import datastore
from .models import Resource, ResourceVersion

logger = logging.getLogger(__name__)
Status = ResourceVersion.Status

# Allowed transitions: status → statuses reachable from it. FAILED may go back to PENDING for a retry.
TRANSITIONS = {
    Status.PENDING: {Status.VALIDATING, Status.STORED, Status.INVALID, Status.FAILED},
    Status.VALIDATING: {Status.LOADING, Status.INVALID, Status.FAILED},
    Status.LOADING: {Status.LOADED, Status.INVALID, Status.FAILED},
    Status.FAILED: {Status.PENDING},
    Status.LOADED: set(),
    Status.INVALID: set(),
    Status.STORED: set(),
}

# Rows frictionless validates (see the module docstring); the loader checks every cell of every row.
VALIDATION_ROWS = getattr(settings, "OPENDATA_VALIDATION_ROWS", 100_000)
CHUNK_ROWS = 100_000  # rows per pandas chunk: ~100 MB of Python strings at most for wide files
INFER_ROWS = 2_000  # rows of that sample frictionless infers types from
MAX_ERRORS = 50  # errors kept in a validation report
PROGRESS_TIMEOUT = 24 * 3600

SUPPORTED_TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year"}
TRUE_VALUES = ["true", "True", "TRUE", "1"]  # frictionless' defaults
FALSE_VALUES = ["false", "False", "FALSE", "0"]


class IngestError(Exception):
    """The file can't be loaded as it is; the message says why, for staff. Makes the version INVALID."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []


class TransitionError(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Header labels (what a file is, its encoding, delimiter and separators, and spreadsheets: portal.files)


def clean_labels(labels: list[str]) -> tuple[list[str], list[str]]:
    """Return field names for a header row (trimmed; blank ones named by position; duplicates numbered) and
    what was changed, for the report. Arabic headers are kept as they are."""
    names, warnings, seen = [], [], set()
    for position, label in enumerate(labels, start=1):
        name = (label or "").replace("\ufeff", "").strip()
        if not name:
            name = f"field_{position}"
            warnings.append(f"Column {position} has no header; it is named “{name}”.")
        if name in seen:
            number = 2
            while f"{name}_{number}" in seen:
                number += 1
            warnings.append(f"Column {position} repeats the header “{name}”; it is named “{name}_{number}”.")
            name = f"{name}_{number}"
        seen.add(name)
        names.append(name)
    return names, warnings


# ---------------------------------------------------------------------------------------------------------------
# Schema and validation


def infer_schema(path: Path, dialect: dict, names: list[str]) -> dict:
    """Return a Table Schema for the file, inferred by frictionless from its first rows (under our names).

    Types the DataStore does not keep become strings; numbers with a decimal comma or grouped digits and
    day-first dates, which frictionless does not infer, are recognised from the sample.
    """
    from frictionless import Detector, Resource

    text = sample_text(path, dialect["encoding"])
    rows = records(text, dialect["delimiter"], INFER_ROWS + 1)[1:]
    width = len(names)
    rows = [(row + [""] * width)[:width] for row in rows if any(row)]
    resource = Resource(data=[names, *rows], detector=Detector(sample_size=INFER_ROWS, field_confidence=1.0))
    resource.infer()
    fields = []
    for position, descriptor in enumerate(resource.schema.to_descriptor()["fields"]):
        kind = descriptor.get("type")
        if kind not in SUPPORTED_TYPES or kind == "string":
            values = [row[position].strip() for row in rows if row[position].strip()]
            descriptor = {"name": names[position], **_text_type(values, dialect)}
        else:
            descriptor = {"name": names[position], "type": kind}
        fields.append(descriptor)
    return {"fields": fields, "missingValues": [""]}


def _text_type(values: list[str], dialect: dict) -> dict:
    if not values:
        return {"type": "string"}
    decimal, group = dialect.get("decimal", "."), dialect.get("thousands", "")
    if all(_is_number(value, decimal, group) for value in values):
        number = {"type": "number", "decimalChar": decimal}
        if group:
            number["groupChar"] = group
        return number
    if all(DAY_FIRST_DATE.match(value) for value in values):
        try:
            pd.to_datetime(pd.Series(values), format="%d/%m/%Y", errors="raise")
            return {"type": "date", "format": "%d/%m/%Y"}
        except ValueError:
            pass
    return {"type": "string"}


def _is_number(value: str, decimal: str, group: str) -> bool:
    text = value.replace(group, "") if group else value
    text = text.replace(decimal, ".") if decimal != "." else text
    return bool(re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text))


def validate(path: Path, dialect: dict, schema: dict, limit_rows: int | None = None) -> dict:
    """Return a compact report of frictionless' validation of the first `limit_rows` (VALIDATION_ROWS) rows."""
    limit_rows = limit_rows or VALIDATION_ROWS
    from frictionless import Checklist, Dialect, Resource, Schema
    from frictionless.formats import CsvControl

    resource = Resource(
        path=path.name,
        basepath=str(path.parent),  # frictionless refuses absolute paths as unsafe
        format="csv",
        encoding=dialect["encoding"],
        dialect=Dialect(controls=[CsvControl(delimiter=dialect["delimiter"])]),
        schema=Schema.from_descriptor(schema),
    )
    # Our names replace the file's header (blank and repeated labels are fixed and reported by us);
    # blank rows are skipped by the loader too.
    checklist = Checklist(skip_errors=["#label", "blank-row"])
    report = resource.validate(checklist, limit_rows=limit_rows, limit_errors=MAX_ERRORS)
    task = report.tasks[0] if report.tasks else None
    errors = []
    for error in task.errors if task else report.errors:
        errors.append(
            {
                "row": getattr(error, "row_number", None),
                "field": getattr(error, "field_name", None),
                "type": error.type,
                "message": error.message,
            }
        )
    rows = task.stats.get("rows", 0) if task else 0
    return {
        "valid": not errors,
        "rows_checked": rows,
        "complete": rows < limit_rows,
        "errors": errors[:MAX_ERRORS],
    }


# ---------------------------------------------------------------------------------------------------------------
# Normalising and loading


@dataclass
class LoadResult:
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0


class ConversionFailed(Exception):
    def __init__(self, field_name: str):
        self.field_name = field_name


def read_chunks(path: Path, dialect: dict, names: list[str], counter: list | None = None) -> Iterator[pd.DataFrame]:
    """DataFrames of the file's rows as text ("" for empty cells), CHUNK_ROWS at a time.

    `counter`, when given, gets the bytes read so far as its first item (for progress).
    """
    with open(path, "rb") as raw:
        reader = pd.read_csv(
            raw,
            sep=dialect["delimiter"],
            encoding=dialect["encoding"],
            header=0,
            names=names,
            dtype=str,
            na_filter=False,
            chunksize=CHUNK_ROWS,
            engine="c",
            skip_blank_lines=True,
            encoding_errors="strict",
        )
        with reader:
            try:
                for chunk in reader:
                    if counter is not None:
                        counter[0] = raw.tell()
                    yield chunk
            except pd.errors.ParserError as error:
                match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
                if match:
                    expected, line, saw = match.groups()
                    raise IngestError(
                        f"Row {line} has {saw} cells where the header has {expected}.",
                        [{"row": int(line), "field": None, "type": "extra-cell", "message": str(error)}],
                    ) from None
                raise IngestError(f"The file cannot be read as a table: {describe_error(error)}") from None
            except UnicodeDecodeError as error:
                raise IngestError(
                    f"The file cannot be read as {encoding_label(dialect['encoding'])}: {describe_error(error)}"
                ) from None


def normalise(chunk: pd.DataFrame, schema_fields: list[dict], result: LoadResult) -> pd.DataFrame:
    """Return `chunk` as canonical text per field type (None for missing values), every cell checked.

    Cells that don't convert are added to `result.errors` (row numbers as in the file, the header being
    row 1); the caller refuses the load when there are any.
    """
    out = {}
    for column, descriptor in zip(chunk.columns, schema_fields, strict=True):
        series = chunk[column]
        converted, bad = _convert(series, descriptor)
        if bad is not None and bad.any():
            result.error_count += int(bad.sum())
            for index in bad[bad].index[: max(0, MAX_ERRORS - len(result.errors))]:
                result.errors.append(
                    {
                        "row": int(index) + 2,
                        "field": descriptor["name"],
                        "type": "type-error",
                        "message": f"“{series[index]}” is not a valid {descriptor.get('type', 'string')}",
                    }
                )
        out[column] = converted
    return pd.DataFrame(out, index=chunk.index)


def _convert(series: pd.Series, descriptor: dict) -> tuple[pd.Series, pd.Series | None]:
    kind = descriptor.get("type", "string")
    missing_values = descriptor.get("missingValues") or [""]
    if kind == "string":
        values = series.astype(object)
        return values.where(~values.isin(missing_values), None), None
    text = series.str.strip()
    missing = text.isin(missing_values) | (text == "")
    present = text[~missing]
    result = pd.Series(None, index=series.index, dtype=object)
    if present.empty:
        return result, None
    if kind in ("integer", "year"):
        group = descriptor.get("groupChar", "")
        if group:
            present = present.str.replace(group, "", regex=False)
        numbers = pd.to_numeric(present, errors="coerce")
        if pd.api.types.is_integer_dtype(numbers.dtype) and numbers.dtype != "uint64":
            bad = pd.Series(False, index=series.index)
            result[~missing] = numbers.astype(object)
        else:
            ok = present.str.fullmatch(r"[+-]?\d+") & present.map(
                lambda text: (
                    datastore.BIGINT_MIN <= int(text) <= datastore.BIGINT_MAX
                    if re.fullmatch(r"[+-]?\d+", text)
                    else False
                )
            )
            bad = pd.Series(False, index=series.index)
            bad[~missing] = ~ok.astype(bool)
            result[~missing] = present.where(ok, None).map(lambda text: int(text) if isinstance(text, str) else None)
        return result, bad
    if kind == "number":
        group, decimal = descriptor.get("groupChar", ""), descriptor.get("decimalChar", ".")
        if group:
            present = present.str.replace(group, "", regex=False)
        if decimal != ".":
            present = present.str.replace(decimal, ".", regex=False)
        numbers = pd.to_numeric(present, errors="coerce")
        ok = numbers.notna() & numbers.abs().lt(float("inf")) & ~present.str.contains("_", regex=False)
        bad = pd.Series(False, index=series.index)
        bad[~missing] = ~ok
        result[~missing] = present.where(ok, None)
        return result, bad
    if kind == "boolean":
        mapping = {value: "true" for value in descriptor.get("trueValues", TRUE_VALUES)}
        mapping |= {value: "false" for value in descriptor.get("falseValues", FALSE_VALUES)}
        booleans = present.map(mapping)
        bad = pd.Series(False, index=series.index)
        bad[~missing] = booleans.isna()
        result[~missing] = booleans.astype(object).where(booleans.notna(), None)
        return result, bad
    if kind in ("date", "datetime"):
        fmt = descriptor.get("format", "default")
        iso = fmt in ("default", "any", "", None)
        python_format = ("%Y-%m-%d" if kind == "date" else "ISO8601") if iso else fmt.replace("%-", "%")
        parsed = pd.to_datetime(present, format=python_format, errors="coerce")
        bad = pd.Series(False, index=series.index)
        bad[~missing] = parsed.isna()
        if kind == "date" and iso and (present.str.len() == 10).all():
            canonical = present
        elif kind == "date":
            canonical = parsed.dt.strftime("%Y-%m-%d")
        else:
            canonical = parsed.dt.strftime("%Y-%m-%dT%H:%M:%S")
        result[~missing] = canonical.astype(object).where(parsed.notna(), None)
        return result, bad
    values = series.astype(object)
    return values.where(~values.isin(missing_values), None), None


def load_file(
    resource: Resource,
    version: ResourceVersion,
    path: Path,
    dialect: dict,
    schema: dict,
    on_progress=None,
) -> LoadResult:
    """Load the (UTF-8 or transcoded) file at `path` into the resource's DataStore, every cell checked.

    Returns the rows loaded, or the cells that fail their type (nothing loaded; the previous rows stay).
    On PostgreSQL, when `_raw_copy` accepts the schema, the file's bytes go to COPY as they are while
    pandas checks the typed columns, PostgreSQL rewriting decimal commas, thousands separators and
    day-first dates after COPY when there are any; anything these paths do not accept (a check or a
    conversion failing), they hand to the general one, which normalises each chunk and explains errors.
    """
    schema_fields = schema["fields"]
    fields = datastore.make_fields(schema_fields)
    counter = [0]

    def progress(rows):
        if on_progress:
            on_progress(rows, counter[0])

    raw = _raw_copy(dialect, schema)
    if raw is not None:
        result = LoadResult()
        try:
            result.rows = datastore.load(
                resource, version, fields, _checked_bytes(path, dialect, schema, counter), progress, raw=raw
            )
            return result
        except (_Refused, DataError, psycopg.DataError):
            pass  # the general path finds and reports what is wrong

    names = [descriptor["name"] for descriptor in schema_fields]
    result = LoadResult()

    def chunks():
        for chunk in read_chunks(path, dialect, names, counter):
            normalised = normalise(chunk, schema_fields, result)
            if result.errors:
                raise _Refused
            yield normalised

    with contextlib.suppress(_Refused):
        result.rows = datastore.load(resource, version, fields, chunks(), on_progress=progress)
    return result


class _Refused(Exception):
    """Raised inside a chunk generator to abandon the load (and so drop its staging table)."""


PG_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "cp1256": "WIN1256", "cp1252": "WIN1252", "latin-1": "LATIN1"}
# What PostgreSQL's boolean input accepts (case-insensitive), true and false.
PG_TRUE, PG_FALSE = {"t", "true", "y", "yes", "on", "1"}, {"f", "false", "n", "no", "off", "0"}
# Day-first date formats PostgreSQL rewrites itself (the separator between day, month and year).
DAY_FIRST_FORMATS = {"%d/%m/%Y": "/", "%d-%m-%Y": "-", "%d.%m.%Y": "."}
GROUP_CHARS = {"", " ", ".", ",", "'", "\u00a0", "\u202f"}


def _raw_copy(dialect: dict, schema: dict) -> "datastore.RawCsv | None":
    """COPY options for the raw paths, or None when the general path must load the file.

    Fields whose text is canonical go straight to their typed column; decimal commas, thousands
    separators (one pair for the whole file, as pandas' parser reads it) and day-first dates are
    named in `rewrite`, for PostgreSQL to convert after COPY.
    """
    if connection.vendor != "postgresql" or dialect["encoding"] not in PG_ENCODINGS or len(schema["fields"]) < 2:
        return None
    if schema.get("missingValues", [""]) != [""]:
        return None
    rewrite, separators = {}, set()
    for position, descriptor in enumerate(schema["fields"]):
        kind = descriptor.get("type", "string")
        if descriptor.get("missingValues", [""]) != [""]:
            return None
        if kind in ("integer", "year", "number"):
            group = descriptor.get("groupChar", "")
            decimal = descriptor.get("decimalChar", ".") if kind == "number" else "."
            if group not in GROUP_CHARS or decimal not in (".", ",") or group == decimal:
                return None
            if group or decimal != ".":
                separators.add((group, decimal))
                rewrite[f"c{position}"] = datastore.Rewrite(group=group, decimal=decimal)
        elif descriptor.get("groupChar"):
            return None
        if kind == "date":
            date_format = descriptor.get("format", "default")
            if date_format in DAY_FIRST_FORMATS:
                rewrite[f"c{position}"] = datastore.Rewrite(day_first=DAY_FIRST_FORMATS[date_format])
            elif date_format != "default":
                return None
        if kind == "boolean":
            true_values = {value.lower() for value in descriptor.get("trueValues", TRUE_VALUES)}
            false_values = {value.lower() for value in descriptor.get("falseValues", FALSE_VALUES)}
            if not (true_values <= PG_TRUE and false_values <= PG_FALSE):
                return None
        if kind not in ("string", "integer", "year", "number", "date", "boolean"):
            return None
    if len(separators) > 1:
        return None
    return datastore.RawCsv(delimiter=dialect["delimiter"], encoding=PG_ENCODINGS[dialect["encoding"]], rewrite=rewrite)


def _separators(schema: dict) -> tuple[str, str]:
    """(thousands, decimal) of the file's numbers, as `_raw_copy` accepted them: one pair for every field."""
    for descriptor in schema["fields"]:
        if descriptor.get("type") in ("integer", "year", "number"):
            group = descriptor.get("groupChar", "")
            decimal = descriptor.get("decimalChar", ".") if descriptor["type"] == "number" else "."
            if group or decimal != ".":
                return group, decimal
    return "", "."


class _Tee(io.RawIOBase):
    """A binary file that keeps what is read from it, for COPY to send on."""

    def __init__(self, raw):
        self.raw, self.pending = raw, []

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.pending.append(data)
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.pending)
        self.pending.clear()
        return data


def _checked_bytes(path: Path, dialect: dict, schema: dict, counter: list) -> Iterator[tuple[bytes, int]]:
    """The file's bytes with the number of rows they complete, each chunk's typed cells checked first.

    Raises _Refused at the first cell that fails (the general path then says which and where).
    """
    typed = [descriptor for descriptor in schema["fields"] if descriptor.get("type", "string") != "string"]
    names = [descriptor["name"] for descriptor in schema["fields"]]
    # pandas' C parser reads numbers itself, far faster than converting text afterwards; a cell that is
    # not a number makes it raise, and the general path then says which.
    dtypes = {
        descriptor["name"]: "float64" if descriptor["type"] in ("integer", "year", "number") else str
        for descriptor in typed
    }
    # Decimal commas and thousands separators too: the parser drops the separator wherever it stands
    # between digits, as the general path's str.replace and PostgreSQL's replace() do.
    thousands, decimal = _separators(schema)
    with open(path, "rb") as file:
        tee = _Tee(file)
        reader = pd.read_csv(
            io.BufferedReader(tee, buffer_size=1 << 20),
            sep=dialect["delimiter"],
            encoding=dialect["encoding"],
            header=0,
            names=names,
            usecols=list(dtypes) or [names[0]],
            dtype=dtypes or str,
            thousands=thousands or None,
            decimal=decimal,
            keep_default_na=False,
            na_values={name: [""] for name, kind in dtypes.items() if kind == "float64"},
            chunksize=CHUNK_ROWS,
            engine="c",
            skip_blank_lines=True,
        )
        try:
            with reader:
                for chunk in reader:
                    for descriptor in typed:
                        if not _all_valid(chunk[descriptor["name"]], descriptor):
                            raise _Refused
                    counter[0] = file.tell()
                    yield tee.take(), len(chunk)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
            raise _Refused from None
        tail = file.read()
        yield tee.take() + tail, 0


def _all_valid(column: pd.Series, descriptor: dict) -> bool:
    """Whether every cell of `column` (numbers already parsed by pandas) is a value of the descriptor's type."""
    kind = descriptor.get("type", "string")
    if kind == "number":
        return bool((column.isna() | column.abs().lt(float("inf"))).all())
    if kind in ("integer", "year"):
        return bool((column.isna() | (column % 1 == 0)).all())
    if kind == "date":
        # Each distinct text once: a file has far fewer days than rows, and parsing a non-ISO format
        # costs about 2 µs a cell.
        date_format = descriptor.get("format", "default")
        distinct = pd.Series(pd.unique(column[column != ""]), dtype=object)
        parsed = pd.to_datetime(
            distinct, format="%Y-%m-%d" if date_format == "default" else date_format, errors="coerce"
        )
        return bool(parsed.notna().all())
    if kind == "boolean":
        accepted = set(descriptor.get("trueValues", TRUE_VALUES) + descriptor.get("falseValues", FALSE_VALUES))
        return bool(column.isin(accepted | {""}).all())
    return True


# ---------------------------------------------------------------------------------------------------------------
# The state machine and the pipeline


def transition(version: ResourceVersion, status: str, **fields) -> None:
    """Move `version` to `status` when TRANSITIONS allows it from its current status; set `fields` with it.

    A conditional UPDATE, so that of two workers racing for a version only one wins; raises TransitionError
    for the other (or when the table does not allow the move).
    """
    current = ResourceVersion.Status(version.status)
    if status not in TRANSITIONS[current]:
        raise TransitionError(f"A version cannot go from {current} to {status}.")
    updated = ResourceVersion.objects.filter(pk=version.pk, status=current).update(status=status, **fields)
    if not updated:
        raise TransitionError(f"Version {version.pk} is no longer {current}.")
    version.status = status
    for name, value in fields.items():
        setattr(version, name, value)
    _set_progress(version, status=status)


def retry(version: ResourceVersion) -> ResourceVersion:
    """Put a FAILED version back in the queue (the caller schedules the task)."""
    transition(version, Status.PENDING, error="")
    return version


def ingest_version(version: ResourceVersion) -> ResourceVersion:
    """Validate `version`'s file and load its rows into the resource's DataStore; return the version.

    Ends LOADED (rows_loaded, table_schema, dialect, validation_report set), INVALID (the file is at fault;
    `error` and the report say why) or FAILED (our fault; logged). Never raises for a bad file. A version
    that is not PENDING is left alone (another worker has it, or it is done).
    """
    try:
        transition(version, Status.VALIDATING, error="")
    except TransitionError:
        logger.info("Version %s is %s: not ingesting it again.", version.pk, version.status)
        return version
    report: dict = {"valid": False, "warnings": [], "errors": [], "stats": {"bytes": version.size}}
    with tempfile.TemporaryDirectory(prefix="ingest-") as workdir:
        try:
            _ingest(version, Path(workdir), report)
        except (IngestError, FileRefused) as error:
            report["valid"] = False
            report["errors"] = (report.get("errors") or []) + getattr(error, "errors", [])
            report["errors"] = report["errors"][:MAX_ERRORS]
            transition(version, Status.INVALID, error=str(error), validation_report=report, dialect=version.dialect)
        except Exception as error:
            logger.exception("Ingesting version %s failed", version.pk)
            transition(
                version,
                Status.FAILED,
                error=f"The file could not be loaded because of an error on the portal ({type(error).__name__}).",
                validation_report=report,
            )
    return version


def _ingest(version: ResourceVersion, workdir: Path, report: dict) -> None:
    resource = version.resource
    declared = dict(version.dialect or {})
    path = _local_copy(version, workdir)
    with open(path, "rb") as file:
        sniffed = sniff(file, version.original_name, resource.format)
    problem = mismatch(sniffed, version.original_name)
    if problem:
        raise IngestError(problem)
    if not sniffed.is_tabular:
        raise IngestError(f"The file is {sniffed.label}, not a table: only CSV, TSV and XLSX files are loaded.")

    if sniffed.kind == "xlsx":
        converted = workdir / "sheet.csv"
        try:
            check_archive(str(path))
            sheet = xlsx_to_csv(path, converted)
        except FileRefused as refusal:
            raise IngestError(str(refusal)) from None
        path = converted
        if sheet["other_sheets"]:
            names = "”, “".join(sheet["other_sheets"])
            report["warnings"].append(f"Only the first sheet, “{sheet['sheet']}”, was loaded; not “{names}”.")
        if sheet["merged"]:
            report["warnings"].append(
                f"Merged cells ({', '.join(sheet['merged'][:10])}) were filled with the value of their first cell."
            )
        dialect = {"encoding": "utf-8", "delimiter": ",", "sheet": sheet["sheet"]}
    else:
        dialect = {"encoding": detect_encoding(path, declared.get("encoding", ""))}
        dialect["delimiter"] = (
            "\t" if sniffed.kind == "tsv" else detect_delimiter(sample_text(path, dialect["encoding"]))
        )
    text = sample_text(path, dialect["encoding"])
    sample = records(text, dialect["delimiter"], INFER_ROWS + 1)
    if not sample or not any(cell.strip() for cell in sample[0]):
        raise IngestError("The file is empty: it has no header row.")
    try:
        check_columns(max(len(record) for record in sample))
    except FileRefused as refusal:
        raise IngestError(str(refusal)) from None
    if len(sample) < 2 or not any(any(cell.strip() for cell in row) for row in sample[1:]):
        raise IngestError("The file has a header but no rows.")
    dialect["decimal"], dialect["thousands"] = detect_numbers(sample[1:])
    version.dialect = dialect
    ResourceVersion.objects.filter(pk=version.pk).update(dialect=dialect)

    names, warnings = clean_labels(sample[0])
    report["warnings"].extend(warnings)
    if resource.declared_schema:
        schema = _declared(resource.declared_schema, names)
    else:
        schema = infer_schema(path, dialect, names)
    report["schema_source"] = "declared" if resource.declared_schema else "inferred"

    checked = validate(path, dialect, schema)
    if report["schema_source"] == "inferred":
        # The types were guessed from the first rows: a later value of another kind makes the field text.
        mistyped = {error["field"] for error in checked["errors"] if error["type"] == "type-error"}
        if mistyped:
            _demote(schema, mistyped, report)
            checked["errors"] = [error for error in checked["errors"] if error["type"] != "type-error"]
            checked["valid"] = not checked["errors"]
    report.update(
        valid=checked["valid"],
        errors=checked["errors"],
        stats={**report["stats"], "fields": len(names), "rows_validated": checked["rows_checked"]},
        complete=checked["complete"],
    )
    if not checked["valid"]:
        first = checked["errors"][0]
        where = f"row {first['row']}" if first.get("row") else "the header"
        raise IngestError(
            f"The file did not pass validation ({len(checked['errors'])}+ errors; first at {where}: "
            f"{first['message']})."
        )

    transition(version, Status.LOADING, validation_report=report, dialect=dialect)
    total = path.stat().st_size

    def on_progress(rows, done_bytes):
        _set_progress(version, rows=rows, bytes=done_bytes, total_bytes=total)

    while True:
        try:
            result = load_file(version.resource, version, path, dialect, schema, on_progress)
        except datastore.DatastoreError as error:
            raise IngestError(str(error)) from None
        if not result.errors:
            break
        if report["schema_source"] == "declared":
            report["stats"]["type_errors"] = result.error_count
            raise IngestError(
                f"{result.error_count} cells do not match the declared schema; the first at row "
                f"{result.errors[0]['row']}, field “{result.errors[0]['field']}”: {result.errors[0]['message']}.",
                result.errors,
            )
        # An inferred type that a row past the validated ones breaks: keep that field as text and load again.
        _demote(schema, {error["field"] for error in result.errors}, report)

    report["stats"]["rows"] = result.rows
    report["valid"] = True
    transition(
        version,
        Status.LOADED,
        rows_loaded=result.rows,
        table_schema=schema,
        validation_report=report,
        dialect=dialect,
        error="",
    )
    _set_progress(version, rows=result.rows, bytes=total, total_bytes=total)
    Resource.objects.filter(pk=resource.pk).update(modified_at=timezone.now())
    # Only now does the file become the one the public downloads; an older version that finishes after a
    # newer one does not take its place back.
    Resource.objects.filter(pk=resource.pk).filter(
        Q(current_version__isnull=True) | Q(current_version__number__lt=version.number)
    ).update(current_version=version)


def _demote(schema: dict, names: set[str], report: dict) -> None:
    for descriptor in schema["fields"]:
        if descriptor["name"] in names:
            name = descriptor["name"]
            descriptor.clear()
            descriptor.update(name=name, type="string")
    report["warnings"].append(
        "Kept as text, since some values past the first rows are not of the type inferred: "
        + ", ".join(f"“{name}”" for name in sorted(names))
        + "."
    )


def _declared(schema: dict, names: list[str]) -> dict:
    """The declared schema, checked against the file's header (same columns, same order)."""
    declared = [descriptor.get("name", "") for descriptor in schema.get("fields", [])]
    if len(declared) != len(names):
        raise IngestError(f"The file has {len(names)} columns; the declared schema has {len(declared)}.")
    for position, (name, expected) in enumerate(zip(names, declared, strict=True), start=1):
        if name != expected:
            raise IngestError(f"Column {position} is “{name}” in the file but “{expected}” in the declared schema.")
    return {**schema, "fields": [dict(descriptor) for descriptor in schema["fields"]]}


def _local_copy(version: ResourceVersion, workdir: Path) -> Path:
    """A path to the version's file: the storage's own when it has one, else a copy streamed to `workdir`."""
    try:
        return Path(version.file.path)
    except NotImplementedError:  # remote storage (S3): stream it down
        target = workdir / "upload"
        with version.file.open("rb") as source, open(target, "wb") as output:
            for block in iter(lambda: source.read(1 << 20), b""):
                output.write(block)
        return target


# ---------------------------------------------------------------------------------------------------------------
# Progress


def _progress_key(version_pk: int) -> str:
    return f"opendata:ingest:{version_pk}"


def _set_progress(version: ResourceVersion, **values) -> None:
    state = cache.get(_progress_key(version.pk)) or {"rows": 0, "bytes": 0, "total_bytes": version.size}
    state.update(values)
    state["status"] = version.status
    cache.set(_progress_key(version.pk), state, PROGRESS_TIMEOUT)


def progress(version: ResourceVersion) -> dict:
    """Return {"status", "rows", "bytes", "total_bytes"} of the version's ingestion, as the task last wrote it.

    Bytes are of the file the loader reads (the CSV made from a workbook for XLSX). Falls back to the
    database when the cache has nothing (e.g. expired, or another cache).
    """
    state = cache.get(_progress_key(version.pk))
    status = ResourceVersion.objects.filter(pk=version.pk).values_list("status", flat=True).first()
    if state is None:
        done = status == Status.LOADED
        rows = version.rows_loaded if done else 0
        state = {"rows": rows, "bytes": version.size if done else 0, "total_bytes": version.size}
    return {**state, "status": status or state.get("status")}


__all__ = ["TRANSITIONS", "IngestError", "ingest_version", "progress", "retry"]
