"""The one way to search the portal's public records by words: the search entries, folded alike on both sides.

Every search box goes through here: the unified search page, the decision listing, the catalogue, the CKAN
`package_search` and the REST APIs' `q`, so that the same words find the same records everywhere. The words
are folded in Python (portal.analysis) before they are indexed and before they are searched, so the database
backends (SQLite FTS5, PostgreSQL) and Elasticsearch/OpenSearch agree.

Wagtail's search framework (modelsearch) writes the index, on every backend, and answers the queries on
Elasticsearch and OpenSearch. On the database backends its queries rank each match with a correlated subquery
that runs the full-text match again per row (3 s for one common word among 5,000 entries on SQLite), so there
`EntrySearch` asks in one pass instead, the full-text match driving and one GROUP BY giving the count and every
facet at once: on SQLite over modelsearch's FTS5 index, on PostgreSQL over the entries' own vectors (columns
that PostgreSQL computes from the folded words, migration portal 0005), which spare the join to modelsearch's
wide index table.
"""

import contextlib
import datetime
import importlib
import re
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
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
    # The last word may be begun ("budget suppl"): suggestions while typing, listings' filter boxes.
    prefix: bool = False
    # The titles' words only (AutocompleteField): suggestions while typing.
    titles: bool = False
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
        """How many entries match; read from the facets when they were counted (ask them first), else counted."""
        if not self.terms:
            return 0
        if self.engine is None:
            return self._guarded(lambda: self._backend_results(self.filters).count())
        if hasattr(self, "_facet_table") and not (self.created_after or self.created_until):
            return sum(number for values, number in self._facet_table if self._allowed(values, self.filters))
        return self.engine.count(self)

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
        return list(dict.fromkeys(self.engine.page(self, 0, limit, "relevance", column="record_id")))

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
        if self.titles:
            return self.backend.autocomplete(" ".join(self.terms), entries)
        # Elsewhere the engines' queries want whole words: a begun word (`prefix`) is searched as it is.
        return self.backend.search(
            " ".join(self.terms), entries, operator=self.operator, order_by_relevance=order == "relevance"
        )

    @staticmethod
    def _guarded(read):
        try:
            return read()
        except UNAVAILABLE_ERRORS as error:
            raise SearchUnavailable(str(error)) from error


@dataclass(frozen=True)
class Matches:
    """SQL for the entries (`e`) that a search matches: FROM `tables` WHERE `condition`, ranked by `score`."""

    tables: str
    condition: str
    score: str
    parameters: list

    def where(self, conditions: list[str], values: list) -> tuple[str, list]:
        """FROM … WHERE of the matches under more `conditions`, and all the parameters."""
        return f"{self.tables} WHERE {' AND '.join([self.condition, *conditions])}", [*self.parameters, *values]


class DatabaseEngine(ABC):
    """The search's SQL for one database vendor (SQLiteEngine, PostgresEngine).

    Each engine says how it finds the matches and scores them (`matches`); the count, the facets and the pages
    are the same SQL over them. The SQL names tables and columns from the models and FACET_COLUMNS only; every
    value (the words, the filters' values) is a parameter.
    """

    table = SearchEntry._meta.db_table

    def __init__(self, backend):
        self.connection = connections[SearchEntry.objects.db]

    @abstractmethod
    def matches(self, search: EntrySearch) -> Matches:
        """The entries `search`'s words find, whatever its filters."""

    def facet_table(self, search: EntrySearch) -> list[tuple[tuple, int]]:
        source, parameters = self.matches(search).where([], [])
        columns = ", ".join(f"e.{column}" for column in FACET_COLUMNS)
        sql = f"SELECT {columns}, COUNT(*) FROM {source} GROUP BY {columns}"  # noqa: S608 (names, not values)
        rows = self._fetch(sql, parameters)
        return [(tuple(row[:-1]), row[-1]) for row in rows]

    def page(self, search: EntrySearch, start: int, stop: int, order: str, column: str = "id") -> list:
        """The `column` ("id" or "record_id") of matches `start` to `stop` in `order`."""
        matches = self.matches(search)
        source, parameters = self._filtered(search, matches)
        sorting = self.sort(order, matches.score)
        sql = f"SELECT e.{column} FROM {source} ORDER BY {sorting} LIMIT %s OFFSET %s"  # noqa: S608
        return [row[0] for row in self._fetch(sql, [*parameters, stop - start, start])]

    def count(self, search: EntrySearch) -> int:
        source, parameters = self._filtered(search, self.matches(search))
        return self._fetch(f"SELECT COUNT(*) FROM {source}", parameters)[0][0]  # noqa: S608

    @staticmethod
    def sort(order: str, score: str) -> str:
        return {
            "relevance": f"{score} DESC, e.id",
            "date": "e.date ASC NULLS LAST, e.id",
            "-date": "e.date DESC NULLS LAST, e.id",
            "-created_at": "e.created_at DESC, e.id",
        }[order]

    def _filtered(self, search: EntrySearch, matches: Matches) -> tuple[str, list]:
        """FROM … WHERE of the matches under the search's filters and span."""
        conditions = [f"e.{column} = %s" for column in search.filters]
        values = list(search.filters.values())
        for lookup, value in search.span().items():
            conditions.append("e.created_at > %s" if lookup == "created_at__gt" else "e.created_at <= %s")
            values.append(self.connection.ops.adapt_datetimefield_value(value))
        return matches.where(conditions, values)

    def _fetch(self, sql: str, parameters: list) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchall()


class SQLiteEngine(DatabaseEngine):
    """modelsearch's FTS5 index: the match first, then the entries it found."""

    def __init__(self, backend):
        super().__init__(backend)
        from django.contrib.contenttypes.models import ContentType
        from modelsearch.backends.database.sqlite.sqlite import SQLiteFTSIndexEntry

        self.fts_table = SQLiteFTSIndexEntry._meta.db_table
        self.index_table = backend.get_index_for_model(SearchEntry).entries.model._meta.db_table
        self.content_type_id = ContentType.objects.get_for_model(SearchEntry).pk

    def matches(self, search):
        joiner = " AND " if search.operator == "and" else " OR "
        words = [f'"{term}"' for term in search.terms]
        if search.prefix:
            words[-1] += " *"
        expression = f"{'autocomplete' if search.titles else 'body'} : ({joiner.join(words)})"
        found = (
            f"SELECT CAST(i.object_id AS INTEGER) AS entry_id, -bm25({self.fts_table}) AS score "  # noqa: S608
            f"FROM {self.fts_table} f CROSS JOIN {self.index_table} i ON f.rowid = i.id "
            f"WHERE {self.fts_table} MATCH %s AND i.content_type_id = %s"
        )
        # CROSS JOIN fixes SQLite's join order: the full-text match first, then the rows it found (left to its
        # planner, SQLite walks the index entries and runs the match for each: 45 times slower).
        return Matches(
            f"({found}) m CROSS JOIN {self.table} e", "e.id = m.entry_id", "m.score", [expression, self.content_type_id]
        )


class PostgresEngine(DatabaseEngine):
    """The entries' own vectors (migration portal 0005): the GIN index finds the matches in a narrow table.

    Ranking by all the words needs each match's whole vector, which lives out of line, so relevance is two
    steps: every match ordered by its title's words (kept in the row), then by date; the first RANKED of that
    order then ranked by all their words, ahead of the rest in the first order. The order is the same for every
    page. A word in a title outranks a word in the text alone; among thousands of matches with the words in their
    text alone, the newest are ranked.
    """

    RANKED = 200  # two pages of ten, ten of twenty: past them, people refine their words

    def matches(self, search):
        joiner = " & " if search.operator == "and" else " | "
        words = [f"'{term}'" for term in search.terms]
        if search.prefix:
            words[-1] += ":*"
        vector = "e.title_vector" if search.titles else "e.vector"
        # OFFSET 0 keeps the match apart from the filters: planned with them, an index on a filtered column can
        # look cheaper and read the vector of every row it finds (300 ms for a kind and a year).
        found = (
            f"SELECT e.*, query FROM {self.table} e, to_tsquery('simple', %s) query WHERE {vector} @@ query OFFSET 0"  # noqa: S608
        )
        return Matches(f"({found}) e", "TRUE", "ts_rank(e.title_vector, e.query)", [joiner.join(words)])

    def page(self, search, start, stop, order, column="id"):
        if order != "relevance" or search.titles:  # suggestions rank by the title alone: one step
            return super().page(search, start, stop, order, column)
        matches = self.matches(search)
        source, parameters = self._filtered(search, matches)
        first = "title_score DESC, date DESC NULLS LAST, id"
        sql = (
            f"SELECT {column} FROM (SELECT *, row_number() OVER (ORDER BY {first}) AS place FROM ("  # noqa: S608
            f"SELECT e.id, e.record_id, e.date, e.vector, e.query, {matches.score} AS title_score FROM {source} "
            f"ORDER BY {first} LIMIT %s) c) c "
            "ORDER BY place > %s, CASE WHEN place <= %s THEN ts_rank(vector, query) END DESC, place LIMIT %s OFFSET %s"
        )
        ranked = [self.RANKED, self.RANKED]
        return [row[0] for row in self._fetch(sql, [*parameters, max(stop, self.RANKED), *ranked, stop - start, start])]

    def _fetch(self, sql, parameters):
        """The planner costs a match without the reading of out-of-line vectors, and for a common word chooses to
        scan the whole table (200 ms at 100,000 entries where the index takes 10): not here."""
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, parameters)
            rows = cursor.fetchall()
            cursor.execute("RESET enable_seqscan")  # inside a longer transaction: for this query only
            return rows


def reads_own_vectors(backend) -> bool:
    """Whether searches on `backend` read the entries' own vectors (PostgreSQL's database backend) rather than
    modelsearch's index."""
    return type(backend).__module__.endswith("database.postgres.postgres")


def _database_engine(backend) -> DatabaseEngine | None:
    if type(backend).__module__.endswith("database.sqlite.sqlite"):
        return SQLiteEngine(backend)
    if reads_own_vectors(backend):
        return PostgresEngine(backend)
    return None  # Elasticsearch, OpenSearch (and MySQL): modelsearch's own queries


def among(ids: list[int]) -> Q:
    """The condition `pk__in=ids` for the records a search found; on PostgreSQL as one array parameter, since
    thousands of ids written out cost the driver and the planner more than the query (2,000 ids: 7.2 → 2.2 ms)."""
    if connections[SearchEntry.objects.db].vendor == "postgresql":
        return Q(pk__in=RawSQL("SELECT unnest(%s::integer[])", [list(ids)]))
    return Q(pk__in=ids)


def matching_ids(kind: str, q: str, *, begun: bool = False) -> list[str]:
    """The ids of the public records of `kind` that `q` finds, best first (at most MAX_MATCHES); with `begun`,
    its last word may be the beginning of one ("budget suppl")."""
    return EntrySearch(q, {"kind": kind}, prefix=begun).record_ids()
