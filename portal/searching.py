"""The one way to search the portal's public records by words: the search entries, folded alike on both sides.

Every search box goes through `find`: the unified search page, the decision listing, the catalogue, the CKAN
`package_search` and the REST APIs' `q`, so that the same words find the same records everywhere. The words
are folded in Python (portal.analysis) before they are indexed and before they are searched, so the database
backends (SQLite FTS5, PostgreSQL) and Elasticsearch agree.
"""

import contextlib
import importlib

from django.db.models import QuerySet
from modelsearch.backends import get_search_backend

from portal.analysis import search_terms
from portal.models import SearchEntry
from portal.queries import without_unbalanced_quotes

MAX_MATCHES = 5000  # record ids a listing filters by: past this, people refine their words


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


def query_terms(q: str) -> str:
    """`q` as the folded words the index holds; "" when it has none (punctuation, syntax, a script we drop)."""
    return search_terms(without_unbalanced_quotes(q or ""))


def find(entries: QuerySet[SearchEntry], q: str, *, operator: str = "and", order_by_relevance: bool = True):
    """Return the search results of `q` among `entries` (a SearchEntry queryset, filtered on FilterFields)."""
    terms = query_terms(q)
    if not terms:
        return entries.none()
    return get_search_backend().search(terms, entries, operator=operator, order_by_relevance=order_by_relevance)


def matching_ids(kind: str, q: str) -> list[str]:
    """The ids of the public records of `kind` that `q` finds, best first (at most MAX_MATCHES)."""
    results = find(SearchEntry.objects.filter(kind=kind), q)
    try:
        return list(dict.fromkeys(entry.object_id for entry in results[:MAX_MATCHES]))
    except UNAVAILABLE_ERRORS as error:
        raise SearchUnavailable(str(error)) from error
