"""Loading a validated table into the DataStore: every cell checked and normalised, by COPY where it can.

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
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
import psycopg
from django.db import DataError, connection
from django.utils.translation import gettext as _

from portal.files import describe_error, encoding_label, split_amount

from .. import datastore
from ..models import Resource, ResourceVersion
from .schema import MAX_ERRORS, IngestError, file_row

CHUNK_ROWS = 100_000  # rows per pandas chunk: ~100 MB of Python strings at most for wide files
TRUE_VALUES = ["true", "True", "TRUE", "1"]  # frictionless' defaults
FALSE_VALUES = ["false", "False", "FALSE", "0"]


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
                    line = str(file_row(int(line), dialect))
                    raise IngestError(
                        _("Row %(row)s has %(found)s cells where the header has %(expected)s.")
                        % {"row": line, "found": saw, "expected": expected},
                        [{"row": int(line), "field": None, "type": "extra-cell", "message": str(error)}],
                    ) from None
                raise IngestError(
                    _("The file cannot be read as a table: %(error)s") % {"error": describe_error(error)}
                ) from None
            except UnicodeDecodeError as error:
                raise IngestError(
                    _("The file cannot be read as %(encoding)s: %(error)s")
                    % {"encoding": encoding_label(dialect["encoding"]), "error": describe_error(error)}
                ) from None


def normalise(chunk: pd.DataFrame, schema_fields: list[dict], result: LoadResult, dialect: dict) -> pd.DataFrame:
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
                        "row": file_row(int(index) + 2, dialect),
                        "field": descriptor["name"],
                        "type": "type-error",
                        "message": _("“%(value)s” is not a valid %(type)s")
                        % {"value": series[index], "type": descriptor.get("type", "string")},
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
    if descriptor.get("bareNumber") is False and kind in ("integer", "year", "number"):
        present = present.map(_bare_number)
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
        result[~missing] = canonical_numbers(present.where(ok, None))
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


def _bare_number(text: str) -> str:
    """The number of a cell whose field allows signs around it (`bareNumber: false`): "1 250 DA" → "1 250"."""
    amount = split_amount(text)
    return amount[0] if amount else text


def canonical_numbers(texts: pd.Series) -> pd.Series:
    """Decimal texts as PostgreSQL's NUMERIC gives them back, so that every database answers the same:
    no "+" sign, a zero before the point (".03" → "0.03"), no leading zeros, no exponent, the scale kept."""
    texts = texts.str.replace(r"^\+", "", regex=True)
    texts = texts.str.replace(r"^(-?)0+(?=\d)", r"\1", regex=True).str.replace(r"^(-?)\.", r"\g<1>0.", regex=True)
    texts = texts.str.replace(r"\.$", "", regex=True)
    exponent = texts.str.contains("e", case=False, regex=False).fillna(False).astype(bool)
    if exponent.any():
        texts[exponent] = texts[exponent].map(lambda text: format(Decimal(text), "f"))
    return texts


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
    # A field's own missing values, else the schema's (Table Schema puts them on the schema).
    schema_fields = [{"missingValues": schema.get("missingValues", [""]), **field} for field in schema["fields"]]
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
            normalised = normalise(chunk, schema_fields, result, dialect)
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
        if descriptor.get("bareNumber") is False:
            return None  # signs and codes around numbers: the general path takes them off
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
