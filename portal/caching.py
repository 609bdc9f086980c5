"""Anonymous public pages and API answers from the shared cache, retired by the next change of content.

Every key holds the *content generation*: the time of the last write to the database that a public page could
show. One publish changes many answers (the record's page, listings, the home page, feeds, DCAT, the APIs), so
rather than tracking which, a write retires them all at once and old entries expire by themselves. Writes are
seen where they happen, in the database connection (`observe_writes`), so that bulk updates, imports and raw SQL
retire pages as surely as a model's `save()`; bookkeeping writes that no public page shows (sessions, search
statistics, download counts) are left out by table or inside `unobserved()`.

The key holds only the query parameters the view read (`ReadTrackingQueryDict`), so that unknown parameters do
not multiply entries; an answer is stored only when the view read every parameter it was given, so that a
parameter reflected in a page (a link that repeats the query string) never reaches another visitor.
"""

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import http_date
from django.utils.translation import get_language

GENERATION_KEY = "pagecache:generation"
LEARNED_PREFIX = "pagecache:learned:"
ENTRY_PREFIX = "pagecache:page:"
FRAGMENT_PREFIX = "pagecache:fragment:"
# Seconds a fragment of an older generation may linger in the cache: a new generation makes new keys, the old ones
# are never read again.
FRAGMENT_TIMEOUT = 3600
# Paths that are never served from the page cache: staff, sign-in, private documents, files (they have their own
# validators), the health probe.
UNCACHED_PREFIXES = ("/admin/", "/accounts/", "/documents/", "/download/", "/static/", "/media/", "/healthz")
# Tables whose writes no public page shows: visitors' sessions and what they search for.
UNOBSERVED_TABLES = frozenset(
    {"django_session", "wagtailsearch_query", "wagtailsearch_querydailyhits", "search_unansweredquery"}
)
WRITE = (
    r"(?:(?:INSERT|REPLACE)\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE|ALTER\s+TABLE|DROP\s+TABLE|CREATE\s+TABLE)"
    r'(?:\s+IF\s+(?:NOT\s+)?EXISTS)?\s+"?([\w.]+)'
)
WRITE_STATEMENT = re.compile(r"\s*" + WRITE, re.IGNORECASE)
# A statement with common table expressions may write in any of them (WITH … AS (INSERT …) INSERT …); read
# loosely, a "FOR UPDATE" or "DO UPDATE SET" in one counts as a write too, which only retires pages early.
WITH_STATEMENT = re.compile(r"\s*WITH\b", re.IGNORECASE)
WRITE_ANYWHERE = re.compile(r"\b" + WRITE, re.IGNORECASE)
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
CSRF_PLACEHOLDER = b"\x00csrf\x00"
# Headers the middleware around this one sets on every answer, stored or not.
UNSTORED_HEADERS = frozenset({"vary", "set-cookie", "content-length"})
MAX_LEARNED_NAMES = 40

_quiet = threading.local()
T = TypeVar("T")
P = TypeVar("P", bound=Hashable)


# --- The content generation --------------------------------------------------------------------------------------


def content_generation() -> int:
    """Microseconds since the epoch at the last observed change of content (set now if the cache lost it)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def content_changed() -> None:
    """Retire every cached page: the next request of each is computed afresh."""
    cache.set(GENERATION_KEY, time.time_ns() // 1000, timeout=None)


def fragment_key(name: str, *parts, generation: int | None = None) -> str:
    """Return the cache key of a piece of public pages (the menus, a form's choices) in the active language.

    It holds the content generation and this connection's writes not yet committed, as a page's key does, so that
    the next change of content retires the fragment with the pages; `parts` say what else it depends on."""
    own_writes = getattr(connection, "pagecache_writes", 0) if connection.in_atomic_block else 0
    generation = content_generation() if generation is None else generation
    return f"{FRAGMENT_PREFIX}{name}:" + _digest(generation, own_writes, get_language(), parts)


def cached_fragment(name: str, compute: Callable[[], T], *parts) -> T:
    """Return the fragment `name` of the active language from the cache, computed by `compute` when missing.

    Unlike whole pages, fragments are kept while PAGE_CACHE_TIMEOUT is 0 (the uncached figures of bench/): they
    hold what every request of a kind would compute again from unchanged content."""
    return cached_fragments(name, [parts], lambda _missing: {parts: compute()})[parts]


def cached_fragments(name: str, parts: list[P], compute: Callable[[list[P]], dict[P, T]]) -> dict[P, T]:
    """Return the fragments `name` of each of `parts` in one cache read; `compute` makes those missing, all in one
    call (one query for them all), and may leave some out (a record deleted meanwhile): they are neither kept nor
    returned."""
    generation = content_generation()
    keys = {part: fragment_key(name, part, generation=generation) for part in parts}
    found = cache.get_many(list(keys.values()))
    values = {part: found[key] for part, key in keys.items() if key in found}
    if missing := [part for part in parts if part not in values]:
        computed = compute(missing)
        values.update(computed)
        # Under the key of the content they saw: computing may itself write (a setting created on first use).
        seen = content_generation()
        kept = {fragment_key(name, part, generation=seen): value for part, value in computed.items()}
        cache.set_many(kept, timeout=FRAGMENT_TIMEOUT)
    return values


def query_key(rows) -> tuple | None:
    """The SQL and parameters of `rows`' query, to key what is kept of it; None for no query (a list) or one that
    can match nothing."""
    query = getattr(rows, "query", None)
    if query is None:
        return None
    try:
        sql, params = query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, repr(params)  # hashable, whatever the parameters (a list of ids, an array)


class KeptCountPaginator(Paginator):
    """Django's paginator, whose count is kept until the next change of content, like a fragment.

    Counting every match is what grows with the data (66 ms for 100,000 decisions), and each page of a listing
    asks the same count again. The key is the count's own query, so two listings share a count only when they
    count the same rows. The REST API's pages and the sitemaps use it."""

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list
        key = query_key(rows)
        if key is None:
            return super().count
        return cached_fragment("portal:count", lambda: rows.count(), key)


@contextlib.contextmanager
def unobserved() -> Iterator[None]:
    """Writes in this block retire no page (a download count, a search statistic)."""
    previous = getattr(_quiet, "active", False)
    _quiet.active = True
    try:
        yield
    finally:
        _quiet.active = previous


def written_tables(sql: str) -> set[str]:
    """The tables `sql` writes to, as far as its text says; none for a read."""
    if match := WRITE_STATEMENT.match(sql):
        return {match.group(1).strip('"')}
    if WITH_STATEMENT.match(sql):
        return {match.group(1).strip('"') for match in WRITE_ANYWHERE.finditer(sql)}
    return set()


def _notice_write(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if getattr(_quiet, "active", False) or not (tables := written_tables(sql)) or tables <= UNOBSERVED_TABLES:
        return result
    db = context["connection"]
    if not db.in_atomic_block:
        content_changed()
        return result
    # Inside a transaction: other processes must not cache the old content under a new generation, so the change
    # counts when it commits; this connection's own reads see it at once through its count of writes.
    db.pagecache_writes = getattr(db, "pagecache_writes", 0) + 1
    if not any(callback is content_changed for _, callback, _ in db.run_on_commit):
        db.on_commit(content_changed)
    return result


def observe_writes(sender, connection, **kwargs) -> None:
    # Sent at each (re)connection of the same wrapper object: once is enough.
    if _notice_write not in connection.execute_wrappers:
        connection.execute_wrappers.append(_notice_write)


def connect() -> None:
    connection_created.connect(observe_writes, dispatch_uid="pagecache.observe_writes")


# --- Keys ---------------------------------------------------------------------------------------------------------


class ReadTrackingQueryDict(QueryDict):
    """`request.GET` that remembers which parameters the view read."""

    def __init__(self, query_string=None, mutable=False, encoding=None):
        self.names_read: set[str] = set()
        super().__init__(query_string, mutable=mutable, encoding=encoding)
        self.names_read.clear()  # filling the dictionary is not reading it
        self.read_all = False
        self.read_size = False

    @classmethod
    def of(cls, query: QueryDict) -> "ReadTrackingQueryDict":
        tracked = cls(mutable=True, encoding=query.encoding)
        for name, values in query.lists():
            tracked.setlist(name, values)
        tracked._mutable = False
        tracked.names_read.clear()
        return tracked

    def __getitem__(self, key):
        self.names_read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.names_read.add(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self.names_read.add(key)
        return super().get(key, default)

    def _getlist(self, key, default=None, force_list=False):
        self.names_read.add(key)
        return super()._getlist(key, default, force_list)  # type: ignore[misc]  # MultiValueDict's, untyped

    def __len__(self):
        self.read_size = True
        return super().__len__()

    def _reads_all(self):
        self.read_all = True

    def __iter__(self):
        self._reads_all()
        return super().__iter__()

    def keys(self):
        self._reads_all()
        return super().keys()

    def lists(self):
        self._reads_all()
        return super().lists()

    def values(self):
        self._reads_all()
        return super().values()

    def __copy__(self):
        self._reads_all()
        return super().__copy__()

    def __deepcopy__(self, memo):
        self._reads_all()
        return super().__deepcopy__(memo)


def _given(query: QueryDict) -> dict[str, list[str]]:
    """The parameters of the request as given, without counting as the view's reads."""
    return dict(dict.items(query))  # type: ignore[arg-type]  # a MultiValueDict holds lists under its keys


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _accept(request: HttpRequest) -> str:
    parts = {part.strip().replace(" ", "") for part in request.headers.get("Accept", "").lower().split(",")}
    return ",".join(sorted(parts))[:256]


def _learned_key(request: HttpRequest) -> str:
    return LEARNED_PREFIX + _digest(request.path)


def _entry_key(request: HttpRequest, generation: int, learned: dict) -> str:
    given = _given(request.GET)
    names = learned["names"]
    values = tuple((name, tuple(given[name]) if name in given else None) for name in names)
    own_writes = getattr(connection, "pagecache_writes", 0) if connection.in_atomic_block else 0
    return ENTRY_PREFIX + _digest(
        generation,
        own_writes,
        request.scheme,
        request.get_host(),
        request.path,
        get_language(),
        _accept(request) if learned["accept"] else None,
        bool(given) if learned["size"] else None,
        tuple(sorted((name, tuple(values)) for name, values in given.items())) if learned["all"] else None,
        tuple(names),
        values,
    )


# --- The middleware -----------------------------------------------------------------------------------------------


def is_cacheable_request(request: HttpRequest) -> bool:
    """An anonymous visitor's GET of a public address: no session, no pending message, no credentials."""
    return (
        settings.PAGE_CACHE_TIMEOUT > 0
        and request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "Authorization" not in request.headers
    )


def _shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """The answer is the same for every anonymous visitor who sends the parameters the view read."""
    query = request.GET
    cache_control = response.get("Cache-Control", "")
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.cookies
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        and getattr(request, "_csp_nonce", None) is None
        and not getattr(getattr(request, "session", None), "modified", False)
        and not getattr(messages, "added_new", False)
        and isinstance(query, ReadTrackingQueryDict)
        and (query.read_all or set(_given(query)) <= query.names_read)
    )


def _public_headers(response: HttpResponse, generation: int, learned: dict, private: bool = False) -> None:
    if "max-age" not in response.get("Cache-Control", ""):
        patch_cache_control(response, max_age=settings.PAGE_CACHE_MAX_AGE)
    patch_cache_control(response, **{"private" if private else "public": True})
    patch_vary_headers(response, ["Cookie", *(["Accept"] if learned["accept"] else [])])
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(generation // 1_000_000)


class PublicPageCacheMiddleware:
    """Serve anonymous GETs of public pages and API answers from the cache; store what may be served again.

    Placed after the authentication middleware: the language is known, and a visitor with a session is never
    served from here (the page may show their account or a message meant for them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable_request(request):
            return self.get_response(request)
        request.GET = ReadTrackingQueryDict.of(request.GET)
        learned_key = _learned_key(request)
        found = cache.get_many([GENERATION_KEY, learned_key])
        generation = found.get(GENERATION_KEY) or content_generation()
        learned = found.get(learned_key)
        if learned is not None and (stored := cache.get(_entry_key(request, generation, learned))) is not None:
            return self._replay(request, stored, generation, learned)

        response = self.get_response(request)
        if not _shareable(request, response):
            return response
        learned = self._learn(request, response, learned)
        if request.method == "GET" and not response.streaming and len(response.content) <= settings.PAGE_CACHE_MAX_SIZE:
            self._store(request, response, generation, learned, learned_key)
        elif not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            # Not stored (a stream, an export): still cheap to revalidate while the content has not changed.
            response["ETag"] = f'W/"{_entry_key(request, generation, learned)[-32:]}"'
            _public_headers(response, generation, learned)
        return response

    def _learn(self, request, response, learned) -> dict:
        query = request.GET
        names = set(learned["names"]) if learned else set()
        names |= query.names_read | (set(_given(query)) if query.read_all else set())
        return {
            "names": sorted(names),
            "accept": bool(learned and learned["accept"]) or "accept" in response.get("Vary", "").lower(),
            "size": bool(learned and learned["size"]) or query.read_size,
            # A view that went through every parameter answers for this very set of names: all are in the key.
            "all": bool(learned and learned["all"]) or query.read_all,
        }

    def _store(self, request, response, generation, learned, learned_key) -> None:
        if len(learned["names"]) > MAX_LEARNED_NAMES:
            return
        content = response.content
        private = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        if private:
            # The form's token is the visitor's own: stored as a placeholder, each visitor gets theirs.
            content, replaced = CSRF_INPUT.subn(rb"\1" + CSRF_PLACEHOLDER + rb"\2", content)
            if not replaced:
                return
        digest = hashlib.md5(content, usedforsecurity=False).hexdigest()
        response["ETag"] = f'{"W/" if private else ""}"{digest}"'
        _public_headers(response, generation, learned, private=private)
        headers = [(name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS]
        timeout = settings.PAGE_CACHE_TIMEOUT
        cache.set_many(
            {learned_key: learned, _entry_key(request, generation, learned): (headers, content, private)},
            timeout=timeout,
        )
        response["X-Cache"] = "miss"

    def _replay(self, request, stored, generation, learned) -> HttpResponse:
        headers, content, private = stored
        if private:
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content, headers=headers)
        patch_vary_headers(response, ["Cookie", *(["Accept"] if learned["accept"] else [])])
        response["X-Cache"] = "hit"
        return response
