"""The DataStore: each tabular resource's rows in a table of its own, read by the APIs, previews and downloads.

Columns are named c0, c1… and the field names (often Arabic headers) live in `Resource.datastore_fields`,
so a header never reaches SQL. Rows arrive as canonical text (numbers with a dot, ISO dates) and the database
types them: PostgreSQL through one `COPY`, SQLite through `executemany`. A load fills a table of its own and
replaces the previous one in a transaction only when it has succeeded: a failed load loses nothing.
"""

import csv
import dataclasses
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pandas as pd
from django.db import connection, transaction

from .models import Resource, ResourceVersion

# Table Schema type → (CKAN's DataStore type, PostgreSQL column, SQLite column).
# SQLite keeps numbers as text so that amounts stay exact decimals; they are cast only to sort.
FIELD_TYPES = {
    "integer": ("int8", "BIGINT", "INTEGER"),
    "year": ("int8", "BIGINT", "INTEGER"),
    "number": ("numeric", "NUMERIC", "TEXT"),
    "boolean": ("bool", "BOOLEAN", "TEXT"),
    "date": ("date", "DATE", "TEXT"),
    "datetime": ("timestamp", "TIMESTAMP", "TEXT"),
    "string": ("text", "TEXT", "TEXT"),
}
MAX_LIMIT = 32_000  # CKAN's ckan.datastore.search.rows_max default
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


def _fold_table() -> tuple[str, str, str]:
    """The letters `q` reads without their accents: (accented, plain, dropped).

    Latin letters with a diacritic (U+00C0 to U+024F) become their base letter, lower-case; Arabic loses its
    short vowels and tatweel, and its alef forms, alef maqsura and ta marbuta read as alef, ya and ha.
    """
    accented, plain = "أإآٱىة", "اااايه"
    for code in range(0xC0, 0x250):
        letter = chr(code)
        base = unicodedata.normalize("NFKD", letter)[0]
        if base != letter and base.isascii() and base.isalpha():
            accented, plain = accented + letter, plain + base.lower()
    dropped = "".join(chr(code) for code in range(0x064B, 0x0653)) + "\u0640"
    return accented, plain, dropped


FOLD_ACCENTED, FOLD_PLAIN, FOLD_DROPPED = _fold_table()
FOLD = str.maketrans(FOLD_ACCENTED, FOLD_PLAIN, FOLD_DROPPED)


def fold(text: str | None) -> str | None:
    """`text` as `q` compares it: lower-case, without accents (see _fold_table)."""
    return None if text is None else text.translate(FOLD).lower()


def _folded(expression: str) -> str:
    """SQL for `expression` folded as `fold` does: PostgreSQL's translate(), SQLite the Python function.

    Neither needs an extension (PostgreSQL's unaccent is not always installed where the portal runs).
    """
    if connection.vendor == "postgresql":
        return f"lower(translate({expression}, {_literal(FOLD_ACCENTED + FOLD_DROPPED)}, {_literal(FOLD_PLAIN)}))"
    connection.ensure_connection()
    # Registered on each call: cheap, and a new connection (tests, a reconnect) has it too.
    connection.connection.create_function("baladiya_fold", 1, fold, deterministic=True)
    return f"baladiya_fold({expression})"


# PostgreSQL's NUMERIC holds up to 131,072 digits before the point; far past any amount, far below 1e999999.
NUMERIC_MAX_DIGITS = 1000


class DatastoreError(ValueError):
    """A query the DataStore can't answer: unknown field, bad filter value, bad sort."""


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    column: str

    @property
    def ckan_type(self) -> str:
        return FIELD_TYPES.get(self.type, FIELD_TYPES["string"])[0]

    def to_python(self, value):
        """A JSON-ready value from what the database returned: exact decimals as strings, ISO dates."""
        if value is None:
            return None
        if self.type in ("integer", "year"):
            return int(value)
        if self.type == "number":
            # Positional notation whatever the database gives back ("1E-7" → "0.0000001"), as ingestion
            # writes numbers on every database (opendata.ingest.load.canonical_numbers).
            return format(value, "f") if isinstance(value, Decimal) else value
        if self.type == "boolean":
            return value if isinstance(value, bool) else value == "true"
        if isinstance(value, date | datetime):
            return value.isoformat()
        return value

    def to_db(self, value):
        """The database value a filter compares with; raises DatastoreError when `value` is not of this type."""
        text = str(value).strip()
        if "\x00" in text:  # PostgreSQL text can't hold NUL
            raise DatastoreError(f'a value for field "{self.id}" contains a NUL character')
        try:
            if self.type in ("integer", "year"):
                number = int(text)
                if not BIGINT_MIN <= number <= BIGINT_MAX:  # the column is a BIGINT: a larger value would be a DB error
                    raise ValueError(text)
                return number
            if self.type == "number":
                number = Decimal(text.replace(",", "."))
                # NaN, infinities and exponents past NUMERIC's range are no amount a column holds.
                if not number.is_finite() or abs(number.adjusted()) > NUMERIC_MAX_DIGITS:
                    raise ValueError(text)
                return number if connection.vendor == "postgresql" else float(number)
            if self.type == "boolean":
                if text.lower() not in ("true", "false"):
                    raise ValueError(text)
                return text.lower() == "true" if connection.vendor == "postgresql" else text.lower()
            if self.type == "date":
                day = date.fromisoformat(text)
                return day if connection.vendor == "postgresql" else day.isoformat()
            if self.type == "datetime":
                moment = datetime.fromisoformat(text)  # noqa: DTZ007 (the column has no time zone)
                return moment if connection.vendor == "postgresql" else text
        except (ValueError, InvalidOperation):
            raise DatastoreError(f'"{value}" is not a valid {self.type} for field "{self.id}"') from None
        return text

    def sort_expression(self) -> str:
        if connection.vendor == "sqlite" and self.type == "number":
            return f"CAST({self.column} AS REAL)"
        return self.column

    def text_expression(self) -> str:
        return f"CAST({self.column} AS TEXT)"


def table_name(resource: Resource) -> str:
    return f"datastore_{resource.uuid.hex}"


def fields_of(resource: Resource) -> list[Field]:
    return [Field(**field) for field in resource.datastore_fields]


def make_fields(schema_fields: list[dict]) -> list[Field]:
    """DataStore fields for the fields of a Table Schema, in order."""
    return [
        Field(
            id=field["name"],
            type=field.get("type", "string") if field.get("type") in FIELD_TYPES else "string",
            column=f"c{index}",
        )
        for index, field in enumerate(schema_fields)
    ]


def _column_type(field: Field) -> str:
    types = FIELD_TYPES.get(field.type, FIELD_TYPES["string"])
    return types[1] if connection.vendor == "postgresql" else types[2]


@dataclass(frozen=True)
class Rewrite:
    """How PostgreSQL turns one column's text as the file writes it into the canonical one, for `RawCsv`."""

    group: str = ""  # thousands separator, dropped: "1 234,56" → "1234,56"
    decimal: str = "."  # decimal separator, made a dot: "1234,56" → "1234.56"
    day_first: str = ""  # a date's separator when it is written day, month, year: "/" for 31/12/2025


@dataclass(frozen=True)
class RawCsv:
    """How PostgreSQL's COPY reads a file's own bytes: for `load(..., raw=…)`, whose chunks are then
    `(bytes, rows)` pairs, the bytes in file order (header first) and the rows they complete.

    With `rewrite` (column → Rewrite, for the columns whose text is not canonical), COPY fills an
    unlogged table of text columns and one INSERT … SELECT converts them into the typed table.
    """

    delimiter: str
    encoding: str  # PostgreSQL's name: UTF8, WIN1256, WIN1252, LATIN1
    rewrite: dict[str, Rewrite] = dataclasses.field(default_factory=dict)


def load(
    resource: Resource,
    version: ResourceVersion,
    fields: list[Field],
    chunks: Iterable[pd.DataFrame] | Iterable[tuple[bytes, int]],
    on_progress: Callable[[int], None] | None = None,
    *,
    raw: RawCsv | None = None,
) -> int:
    """Load `chunks` (DataFrames of canonical text, one column per field, in order) as `resource`'s rows.

    The rows go into a table of their own, which replaces the resource's table only once every row is in;
    on any error that table is dropped and the previous rows stay. Returns the number of rows loaded.
    With `raw` (PostgreSQL only), the chunks are the file's bytes, already checked by the caller, and
    COPY parses and types them itself (through a table of text and one INSERT … SELECT that converts it
    when `raw.rewrite` says some columns need it). Raises DatastoreError when a later version of the
    resource is already loaded (uploads that finish out of order never put older rows back).
    """
    staging = f"{table_name(resource)}_v{version.number}"
    columns = ", ".join(f"{field.column} {_column_type(field)}" for field in fields)
    postgresql = connection.vendor == "postgresql"
    # PostgreSQL numbers the rows itself and builds the primary key once, after COPY: cheaper than
    # sending the ids and updating the index row by row.
    identity = "_id BIGINT GENERATED BY DEFAULT AS IDENTITY (CACHE 10000)" if postgresql else "_id INTEGER PRIMARY KEY"
    try:
        # One transaction (a savepoint inside a caller's): a failed COPY rolls the staging table back with it.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {staging}")
                cursor.execute(f"CREATE TABLE {staging} ({identity}, {columns})")
            if postgresql:
                rows = _copy_postgresql(staging, fields, chunks, on_progress, raw)
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {staging} ADD PRIMARY KEY (_id)")
            else:
                rows = _insert_sqlite(staging, fields, chunks, on_progress)
        with transaction.atomic():
            locked = Resource.objects.select_for_update().get(pk=resource.pk)
            loaded = ResourceVersion.objects.filter(pk=locked.datastore_version_id).values_list("number", flat=True)
            if loaded and loaded[0] > version.number:
                raise DatastoreError(f"version {loaded[0]} of this resource is already loaded")
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {table_name(resource)}")
                cursor.execute(f"ALTER TABLE {staging} RENAME TO {table_name(resource)}")
                if postgresql:
                    cursor.execute(f"ALTER INDEX IF EXISTS {staging}_pkey RENAME TO {table_name(resource)}_pkey")
            Resource.objects.filter(pk=resource.pk).update(
                datastore_version=version,
                datastore_fields=[field.__dict__ for field in fields],
                datastore_rows=rows,
            )
    except BaseException:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        raise
    resource.datastore_version = version
    resource.datastore_fields = [field.__dict__ for field in fields]
    resource.datastore_rows = rows
    return rows


def _copy_postgresql(table, fields, chunks, on_progress, raw: RawCsv | None) -> int:
    # One COPY for the whole file: PostgreSQL parses a chunk while we prepare the next one.
    from psycopg import sql
    from psycopg.copy import QueuedLibpqWriter

    if raw and raw.rewrite:
        return _copy_rewritten(table, fields, chunks, on_progress, raw)
    columns = sql.SQL(", ").join(sql.Identifier(field.column) for field in fields)
    if raw:
        options = sql.SQL("FORMAT csv, HEADER true, DELIMITER {}, ENCODING {}, FORCE_NULL ({})").format(
            sql.Literal(raw.delimiter), sql.Literal(raw.encoding), columns
        )
    else:
        options = sql.SQL("FORMAT csv")
    statement = sql.SQL("COPY {} ({}) FROM STDIN ({})").format(sql.Identifier(table), columns, options)
    rows = 0
    with connection.cursor() as cursor:
        # The queued writer sends to the server from a thread of its own, so that PostgreSQL parses and
        # stores one block while we read and check the next one.
        raw_cursor = cursor.cursor
        with raw_cursor.copy(statement, writer=QueuedLibpqWriter(raw_cursor)) as copy:
            for chunk in chunks:
                if raw:
                    data, count = chunk
                    copy.write(data)
                    rows += count
                else:
                    copy.write(chunk.to_csv(index=False, header=False, lineterminator="\n"))
                    rows += len(chunk)
                if on_progress:
                    on_progress(rows)
    return rows


def _copy_rewritten(table, fields, chunks, on_progress, raw: RawCsv) -> int:
    """COPY the file's bytes into an unlogged table of text (no WAL, no typing: as fast as the fast path),
    then convert every column into `table` with one INSERT … SELECT and drop the text table.

    The caller has checked every typed cell against the same rules, so the conversion does not fail on
    a valid file; when it does fail (a cell the checks let through), the DataError rolls everything back.
    Rows keep the numbers COPY gave them, in file order.
    """
    text_table = f"{table}_text"
    text_fields = [Field(id=item.id, type="string", column=item.column) for item in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {text_table}")
        cursor.execute(
            f"CREATE UNLOGGED TABLE {text_table} (_id BIGINT GENERATED BY DEFAULT AS IDENTITY (CACHE 10000), "
            + ", ".join(f"{item.column} TEXT" for item in fields)
            + ")"
        )
    rows = _copy_postgresql(text_table, text_fields, chunks, on_progress, RawCsv(raw.delimiter, raw.encoding))
    columns = ", ".join(item.column for item in fields)
    values = ", ".join(_converted(item, raw.rewrite.get(item.column)) for item in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (_id, {columns}) SELECT _id, {values} FROM {text_table}")  # noqa: S608
        cursor.execute(f"DROP TABLE {text_table}")
    return rows


def _converted(item: Field, rewrite: Rewrite | None) -> str:
    """SQL turning text column `item.column` into the field's type as `ingest.load.normalise` would have:
    thousands separators dropped, the decimal separator a dot, day-first dates (COPY has made empty
    cells NULL; the types' input functions skip surrounding spaces, and fail on anything else)."""
    column = item.column
    if item.type == "string":
        return column
    text = column
    if rewrite and rewrite.group:
        text = f"replace({text}, {_literal(rewrite.group)}, '')"
    if rewrite and rewrite.decimal != ".":
        text = f"replace({text}, {_literal(rewrite.decimal)}, '.')"
    if item.type == "date" and rewrite and rewrite.day_first:
        separator = _literal(rewrite.day_first)
        return (
            f"make_date(split_part({text}, {separator}, 3)::int, split_part({text}, {separator}, 2)::int, "
            f"split_part({text}, {separator}, 1)::int)"
        )
    return f"{text}::{_column_type(item)}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _insert_sqlite(table, fields, chunks, on_progress) -> int:
    placeholders = ", ".join(["%s"] * (len(fields) + 1))
    columns = ", ".join(["_id", *(field.column for field in fields)])
    rows = 0
    for chunk in chunks:
        values = chunk.astype(object).where(chunk.notna(), None).itertuples(index=False, name=None)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 (our own names)
                [(rows + offset + 1, *row) for offset, row in enumerate(values)],
            )
        rows += len(chunk)
        if on_progress:
            on_progress(rows)
    return rows


def drop(resource: Resource) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table_name(resource)}")
    Resource.objects.filter(pk=resource.pk).update(datastore_version=None, datastore_fields=[], datastore_rows=0)


@dataclass
class Query:
    """A validated DataStore query: which fields, which rows, in which order."""

    fields: list[Field]
    where: str
    params: list
    order: str


def build_query(
    resource: Resource,
    *,
    filters: dict | None = None,
    q: str | dict | None = None,
    fields: list[str] | None = None,
    sort: str | None = None,
    matching: dict | None = None,
) -> Query:
    """Check a CKAN-style query against the resource's fields; raises DatastoreError naming what is wrong.

    `filters` are CKAN's: exact values. `matching` are the preview's column filters, as people type them: a
    text column's value matches whatever its case and accents (`depense` finds "Dépense"), others as filters.
    """
    known = {field.id: field for field in fields_of(resource)}
    if fields:
        unknown = [name for name in fields if name not in known and name != "_id"]
        if unknown:
            raise DatastoreError(f'field "{unknown[0]}" not in the resource\'s fields')
        selected = [known[name] for name in fields if name in known]
    else:
        selected = list(known.values())

    conditions, params = [], []
    loose = {name: value for name, value in (matching or {}).items() if name not in (filters or {})}
    for name, value in [*(filters or {}).items(), *loose.items()]:
        if name not in known:
            raise DatastoreError(f'filter field "{name}" not in the resource\'s fields')
        values = value if isinstance(value, list) else [value]
        if not values:
            continue
        field = known[name]
        placeholders = ", ".join(["%s"] * len(values))
        if name in loose and field.type == "string":
            conditions.append(f"{_folded(field.text_expression())} IN ({placeholders})")
            params.extend(fold(field.to_db(item)) for item in values)
            continue
        if field.type == "number" and connection.vendor == "sqlite":
            column = f"CAST({field.column} AS REAL)"
        else:
            column = field.column
        conditions.append(f"{column} IN ({placeholders})")
        params.extend(field.to_db(item) for item in values)

    # As CKAN's full-text `q`, whatever the case and accents: `depense` finds "Dépense".
    if isinstance(q, dict):
        for name, text in q.items():
            if name not in known:
                raise DatastoreError(f'q field "{name}" not in the resource\'s fields')
            conditions.append(f"{_folded(known[name].text_expression())} LIKE %s ESCAPE '\\'")
            params.append(f"%{_escape_like(fold(str(text)) or '')}%")
    elif q:
        searched = " || ' ' || ".join(f"COALESCE({field.text_expression()}, '')" for field in known.values())
        conditions.append(f"{_folded(f'({searched})')} LIKE %s ESCAPE '\\'")
        params.append(f"%{_escape_like(fold(q) or '')}%")

    order = []
    for part in filter(None, (part.strip() for part in (sort or "").split(","))):
        name, _space, direction = part.rpartition(" ")
        if direction.lower() not in ("asc", "desc"):
            name, direction = part, "asc"
        name, direction = name.strip().strip('"'), direction.upper()
        if name == "_id":
            order.append(f"_id {direction}")
            continue
        if name not in known:
            raise DatastoreError(f'sort field "{name}" not in the resource\'s fields')
        order.append(f"{known[name].sort_expression()} {direction} NULLS LAST")
    order.append("_id")
    return Query(
        fields=selected,
        where=" AND ".join(conditions) or "1 = 1",
        params=params,
        order=", ".join(order),
    )


def _escape_like(text: str) -> str:
    if "\x00" in text:
        raise DatastoreError("the search words contain a NUL character")
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    resource: Resource,
    *,
    filters: dict | None = None,
    q: str | dict | None = None,
    fields: list[str] | None = None,
    sort: str | None = None,
    limit: int = 100,
    offset: int = 0,
    include_total: bool = True,
    distinct: bool = False,
    matching: dict | None = None,
) -> dict:
    """Rows of `resource` as CKAN's `datastore_search` returns them: fields, records, total.

    With `distinct`, each different row of the selected fields once, without `_id` (as CKAN), ordered by
    `sort` or by those fields.
    """
    if not resource.datastore_active:
        raise DatastoreError("this resource has no rows in the DataStore")
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    query = build_query(resource, filters=filters, q=q, fields=fields, sort=sort, matching=matching)
    table = table_name(resource)
    if distinct:
        selected = ", ".join(field.column for field in query.fields) or "_id"
        # PostgreSQL orders DISTINCT rows only by what they select: the sort's fields, or all of them.
        order = query.order.removesuffix("_id").rstrip(", ") or selected
        if "_id" in order or not all(_orders_selected(part, query.fields) for part in order.split(",")):
            raise DatastoreError("with distinct, sort only by the fields selected")
        rows_sql = f"SELECT DISTINCT {selected} FROM {table} WHERE {query.where}"  # noqa: S608
        page_sql = f"{rows_sql} ORDER BY {order} LIMIT %s OFFSET %s"
        count_sql = f"SELECT COUNT(*) FROM ({rows_sql}) AS distinct_rows"  # noqa: S608
    else:
        columns = ", ".join(["_id", *(field.column for field in query.fields)])
        page_sql = f"SELECT {columns} FROM {table} WHERE {query.where} ORDER BY {query.order} LIMIT %s OFFSET %s"  # noqa: S608
        count_sql = f"SELECT COUNT(*) FROM {table} WHERE {query.where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(page_sql, [*query.params, limit, offset])
        rows = cursor.fetchall()
        records = [_record(query.fields, (None, *row) if distinct else row) for row in rows]
        if distinct:
            records = [{key: value for key, value in record.items() if key != "_id"} for record in records]
        total = None
        if include_total:
            cursor.execute(count_sql, query.params)
            total = cursor.fetchone()[0]
    id_field = [] if distinct else [{"id": "_id", "type": "int"}]
    result = {
        "resource_id": str(resource.uuid),
        "fields": [*id_field, *({"id": f.id, "type": f.ckan_type} for f in query.fields)],
        "records": records,
        "limit": limit,
        "offset": offset,
    }
    if include_total:
        result["total"] = total
    return result


def _orders_selected(part: str, fields: list[Field]) -> bool:
    expression = part.strip().removesuffix(" NULLS LAST").rsplit(" ", 1)[0]
    return any(expression in (field.column, field.sort_expression()) for field in fields)


def _record(fields: list[Field], row: tuple) -> dict:
    record = {"_id": row[0]}
    for field, value in zip(fields, row[1:], strict=True):
        record[field.id] = field.to_python(value)
    return record


def iter_rows(resource: Resource, *, query: Query | None = None, batch_size: int = 5000) -> Iterator[tuple]:
    """Every row (without `_id`) as JSON-ready tuples, read in batches so that memory stays flat.

    Batches are read by `_id` ranges (keyset pagination), not with a cursor held open across the response.
    """
    query = query or build_query(resource)
    columns = ", ".join(["_id", *(field.column for field in query.fields)])
    table = table_name(resource)
    if query.order != "_id":
        # A sorted export: page by offset, each page its own query.
        offset = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {columns} FROM {table} WHERE {query.where} "  # noqa: S608
                    f"ORDER BY {query.order} LIMIT %s OFFSET %s",
                    [*query.params, batch_size, offset],
                )
                rows = cursor.fetchall()
            yield from (tuple(f.to_python(v) for f, v in zip(query.fields, row[1:], strict=True)) for row in rows)
            if len(rows) < batch_size:
                return
            offset += batch_size
    last_id = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE _id > %s AND {query.where} ORDER BY _id LIMIT %s",  # noqa: S608
                [last_id, *query.params, batch_size],
            )
            rows = cursor.fetchall()
        yield from (tuple(f.to_python(v) for f, v in zip(query.fields, row[1:], strict=True)) for row in rows)
        if len(rows) < batch_size:
            return
        last_id = rows[-1][0]


def aggregate(
    resource: Resource,
    x: str,
    y: str | None = None,
    limit: int = 30,
    *,
    filters: dict | None = None,
    q: str | dict | None = None,
    matching: dict | None = None,
) -> list[tuple]:
    """`[(x value, total of y or count of rows)]`, largest first, for a chart of one column against another.

    Only the rows that `filters` and `q` select (as in `search`) count; equal totals are ordered by x.
    """
    known = {field.id: field for field in fields_of(resource)}
    if x not in known or (y and y not in known):
        raise DatastoreError("chart fields must be fields of the resource")
    if y and known[y].type not in ("integer", "year", "number"):
        raise DatastoreError(f'field "{y}" is not a number')
    query = build_query(resource, filters=filters, q=q, matching=matching)
    measure = f"SUM({known[y].sort_expression()})" if y else "COUNT(*)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {known[x].column}, {measure} AS total FROM {table_name(resource)} "  # noqa: S608
            f"WHERE {query.where} GROUP BY {known[x].column} "
            f"ORDER BY total DESC NULLS LAST, {known[x].column} LIMIT %s",
            [*query.params, limit],
        )
        return [(known[x].to_python(value), total) for value, total in cursor.fetchall()]


def write_csv_rows(rows: Iterable[tuple], header: list[str]) -> Iterator[str]:
    """CSV text, a batch of lines at a time, for a streamed download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
