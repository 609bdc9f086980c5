"""The one way to search the portal's public records by words: the search entries, folded alike on both sides.

Every search box goes through here: the unified search page, the decision listing, the catalogue, the CKAN
`package_search` and the REST APIs' `q`, so that the same words find the same records everywhere. The words
are folded in Python (portal.analysis) before they are indexed and before they are searched, so the database
backends (SQLite FTS5, PostgreSQL) and Elasticsearch/OpenSearch agree.

Wagtail's search framework (modelsearch) writes the index, on every backend. It also answers the queries on
Elasticsearch and OpenSearch. On the database backends its queries rank each match with a correlated subquery
that runs the full-text match again per row (3 s for one common word among 5,000 entries on SQLite), so there
`EntrySearch` reads modelsearch's own index tables in one pass instead: the full-text match drives, and one
GROUP BY gives the count and every facet at once.
"""

import contextlib
import datetime
import importlib
import re
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field

from django.db import connections
from modelsearch.backends import get_search_backend

from portal.analysis import search_terms
from portal.models import SearchEntry
from portal.queries import without_unbalanced_quotes

MAX_MATCHES = 5000  # record ids a listing filters by: past this, people refine their words
# The SearchEntry columns a search filters and counts by (FilterFields); values compare for equality.
FACET_COLUMNS = ("kind", "language", "body_id", "year", "topic", "format")
SAFE_TERM = re.compile(r"[^\w]+")


class SearchUnavailable(RuntimeError):
    """The search backend did not answer; pages say so and the rest of the site keeps working."""


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    """The errors a search server's client raises when the server is down or slow, for the clients installed."""
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError]
    for module, name in (("elastic_transport", "TransportError"), ("opensearchpy.exceptions", "TransportError")):
        with contextlib.suppress(ImportError):
            errors.append(getattr(importlib.import_module(module), name))
    return tuple(errors)


UNAVAILABLE_ERRORS = _unavailable_errors()


def query_terms(q: str) -> list[str]:
    """`q` as the folded words the index holds; none when it has none (punctuation, syntax, a script we drop)."""
    folded = search_terms(without_unbalanced_quotes(q or ""))
    return [term for word in folded.split() if (term := SAFE_TERM.sub("", word))]


@dataclass
class EntrySearch:
    """What `q` finds among the entries that `filters` ({column: value}, FACET_COLUMNS) allow.

    `operator` "and" wants every word, "or" any. Raises SearchUnavailable when the search server is down.
    """

    q: str
    filters: dict = field(default_factory=dict)
    operator: str = "and"
    # Suggestions while typing: the titles' words (AutocompleteField), the last word a prefix.
    prefix: bool = False
    # Only the entries that entered the search in this span (saved searches, feeds): pages and counts.
    created_after: datetime.datetime | None = None
    created_until: datetime.datetime | None = None

    def __post_init__(self):
        self.terms = query_terms(self.q)
        unknown = set(self.filters) - set(FACET_COLUMNS)
        if unknown:
            raise ValueError(f"Not a search filter: {', '.join(sorted(unknown))}")
        backend = get_search_backend()
        self.engine = _database_engine(backend)
        self.backend = backend

    # The count and the facets ------------------------------------------------------------------------

    def facet_table(self) -> list[tuple[tuple, int]]:
        """[((kind, language, body_id, year, topic, format), matches)] for every combination among the matches,
        whatever the filters: enough to count the matches and each facet under any filters, without another
        query."""
        if not hasattr(self, "_facet_table"):
            self._facet_table = self._read_facet_table() if self.terms else []
        return self._facet_table

    def count(self) -> int:
        if self.engine is None and self.terms:
            return self._guarded(lambda: self._backend_results(self.filters).count())
        if self.created_after or self.created_until:
            return self.engine.count(self) if self.terms and self.engine else 0
        return sum(number for values, number in self.facet_table() if self._allowed(values, self.filters))

    def facet(self, column: str) -> dict:
        """{value: matches} of `column` under every filter but its own (so other values stay offered)."""
        others = {name: value for name, value in self.filters.items() if name != column}
        if self.engine is None:
            results = self._backend_results(others)
            found = self._guarded(lambda: results.facet(column))
            return {value: number for value, number in found.items() if value not in (None, "")}
        index = FACET_COLUMNS.index(column)
        counts: Counter = Counter()
        for values, number in self.facet_table():
            if values[index] not in (None, "") and self._allowed(values, others):
                counts[values[index]] += number
        return dict(counts.most_common())

    # The results -------------------------------------------------------------------------------------

    def page(self, start: int, stop: int, *, order: str = "relevance") -> list[SearchEntry]:
        """Entries `start` to `stop` of the matches: best first, or by `order` "-date" (newest) or "date"."""
        if not self.terms or stop <= start:
            return []
        if self.engine is None:
            results = self._backend_results(self.filters, order)
            return self._guarded(lambda: list(results[start:stop]))
        ids = self.engine.page(self, start, stop, order)
        entries = SearchEntry.objects.in_bulk(ids)
        return [entries[pk] for pk in ids if pk in entries]

    def record_ids(self, limit: int = MAX_MATCHES) -> list[str]:
        """The distinct record ids of the matches, best first (at most `limit` entries read)."""
        if not self.terms:
            return []
        if self.engine is None:
            results = self._backend_results(self.filters)
            entries = self._guarded(lambda: list(results[:limit]))
            return list(dict.fromkeys(entry.record_id for entry in entries))
        ids = self.engine.page(self, 0, limit, "relevance")
        rows = dict(SearchEntry.objects.filter(pk__in=ids).values_list("pk", "record_id"))
        return list(dict.fromkeys(rows[pk] for pk in ids if pk in rows))

    # Inside --------------------------------------------------------------------------------------------

    @staticmethod
    def _allowed(values: tuple, filters: dict) -> bool:
        return all(str(values[FACET_COLUMNS.index(name)]) == str(value) for name, value in filters.items())

    def _read_facet_table(self):
        return self.engine.facet_table(self) if self.engine else []  # a search server counts per facet

    def span(self) -> dict:
        """The created_at bounds as ORM lookups."""
        bounds = {"created_at__gt": self.created_after, "created_at__lte": self.created_until}
        return {lookup: value for lookup, value in bounds.items() if value is not None}

    def _backend_results(self, filters: dict, order: str = "relevance"):
        """modelsearch's own query, for Elasticsearch and OpenSearch."""
        entries = SearchEntry.objects.filter(**filters, **self.span())
        if order != "relevance":
            entries = entries.order_by(order)  # the engines sort by FilterFields, missing values last
        if self.prefix:
            return self.backend.autocomplete(" ".join(self.terms), entries)
        return self.backend.search(
            " ".join(self.terms), entries, operator=self.operator, order_by_relevance=order == "relevance"
        )

    @staticmethod
    def _guarded(read):
        try:
            return read()
        except UNAVAILABLE_ERRORS as error:
            raise SearchUnavailable(str(error)) from error


class DatabaseEngine(ABC):
    """Queries over modelsearch's index tables, for one database vendor (SQLiteEngine, PostgresEngine).

    Their SQL names tables and columns from the models and FACET_COLUMNS only; every value (the words, the
    filters' values) is a parameter.
    """

    def __init__(self, backend):
        self.index_table = backend.get_index_for_model(SearchEntry).entries.model._meta.db_table
        from django.contrib.contenttypes.models import ContentType

        self.content_type_id = ContentType.objects.get_for_model(SearchEntry).pk
        self.connection = connections[SearchEntry.objects.db]

    @abstractmethod
    def matches(self, search: EntrySearch) -> tuple[str, list]:
        """SQL selecting (entry_id, score) of the matches, higher scores better, and its parameters."""

    def facet_table(self, search: EntrySearch) -> list[tuple[tuple, int]]:
        matches, parameters = self.matches(search)
        columns = ", ".join(f"e.{column}" for column in FACET_COLUMNS)
        sql = (
            f"SELECT {columns}, COUNT(*) FROM {SearchEntry._meta.db_table} e "  # noqa: S608 (names, not values)
            f"WHERE e.id IN (SELECT m.entry_id FROM ({matches}) m) GROUP BY {columns}"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return [(tuple(row[:-1]), row[-1]) for row in cursor.fetchall()]

    def page(self, search: EntrySearch, start: int, stop: int, order: str) -> list[int]:
        sorts = {
            "relevance": "m.score DESC, e.id",
            "date": "e.date ASC NULLS LAST, e.id",
            "-date": "e.date DESC NULLS LAST, e.id",
            "-created_at": "e.created_at DESC, e.id",
        }
        sql, parameters = self._joined(search, "e.id")
        with self.connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY {sorts[order]} LIMIT %s OFFSET %s", [*parameters, stop - start, start])
            return [row[0] for row in cursor.fetchall()]

    def count(self, search: EntrySearch) -> int:
        sql, parameters = self._joined(search, "COUNT(*)")
        with self.connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchone()[0]

    def _joined(self, search: EntrySearch, select: str) -> tuple[str, list]:
        """SQL selecting `select` from the matches joined to their entries, under the filters and the span."""
        matches, parameters = self.matches(search)
        conditions = [f"e.{column} = %s" for column in search.filters]
        values = list(search.filters.values())
        for lookup, value in search.span().items():
            conditions.append("e.created_at > %s" if lookup == "created_at__gt" else "e.created_at <= %s")
            values.append(self.connection.ops.adapt_datetimefield_value(value))
        table = SearchEntry._meta.db_table
        sql = f"SELECT {select} FROM ({matches}) m {self.join} {table} e ON e.id = m.entry_id"  # noqa: S608
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        return sql, [*parameters, *values]

    join = "JOIN"


class SQLiteEngine(DatabaseEngine):
    # CROSS JOIN fixes SQLite's join order: the full-text match first, then the rows it found (left to its
    # planner, SQLite walks the index entries and runs the match for each: 45 times slower).
    join = "CROSS JOIN"

    def __init__(self, backend):
        super().__init__(backend)
        from modelsearch.backends.database.sqlite.sqlite import SQLiteFTSIndexEntry

        self.fts_table = SQLiteFTSIndexEntry._meta.db_table

    def matches(self, search):
        joiner = " AND " if search.operator == "and" else " OR "
        words = [f'"{term}"' for term in search.terms]
        if search.prefix:
            words[-1] += " *"
        expression = f"{'autocomplete' if search.prefix else 'body'} : ({joiner.join(words)})"
        sql = (
            f"SELECT CAST(i.object_id AS INTEGER) AS entry_id, -bm25({self.fts_table}) AS score "  # noqa: S608
            f"FROM {self.fts_table} f CROSS JOIN {self.index_table} i ON f.rowid = i.id "
            f"WHERE {self.fts_table} MATCH %s AND i.content_type_id = %s"
        )
        return sql, [expression, self.content_type_id]


class PostgresEngine(DatabaseEngine):
    def matches(self, search):
        joiner = " & " if search.operator == "and" else " | "
        words = [f"'{term}'" for term in search.terms]
        backend = get_search_backend()
        if search.prefix:
            words[-1] += ":*"
        config = (backend.autocomplete_config if search.prefix else backend.config) or "simple"
        vector = "i.autocomplete" if search.prefix else "i.body"
        sql = (
            f"SELECT i.object_id::integer AS entry_id, ts_rank({vector}, query) AS score "  # noqa: S608
            f"FROM {self.index_table} i, to_tsquery(%s::regconfig, %s) query "
            f"WHERE i.content_type_id = %s AND {vector} @@ query"
        )
        return sql, [config, joiner.join(words), self.content_type_id]


def _database_engine(backend) -> DatabaseEngine | None:
    module = type(backend).__module__
    if module.endswith("database.sqlite.sqlite"):
        return SQLiteEngine(backend)
    if module.endswith("database.postgres.postgres"):
        return PostgresEngine(backend)
    return None  # Elasticsearch, OpenSearch (and MySQL): modelsearch's own queries


def matching_ids(kind: str, q: str) -> list[str]:
    """The ids of the public records of `kind` that `q` finds, best first (at most MAX_MATCHES)."""
    return EntrySearch(q, {"kind": kind}).record_ids()
