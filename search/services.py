"""The unified search: filters, ranking, facets, snippets, promoted results and what people searched for."""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.search.utils import MAX_QUERY_STRING_LENGTH, normalise_query_string

from cms.models import Topic
from opendata.models import Theme
from participation.proposals.models import Category
from portal.analysis import search_terms
from portal.bodies.models import PublicBody
from portal.i18n import language_order
from portal.models import SearchEntry
from portal.searching import EntrySearch, query_terms

from .models import UnansweredQuery
from .sources import SOURCES

FACETS = ("kind", "body", "year", "topic", "language", "format")
FACET_LABELS = {
    "kind": _("Kind"),
    "body": _("Public body"),
    "year": _("Year"),
    "topic": _("Topic"),
    "language": _("Language"),
    "format": _("Format"),
}
SORTS = ("relevance", "-date", "date")
PAGE_SIZE = 20
# Deep pages cost the engine more and no reader goes there: past it, people refine their words.
MAX_PAGE = 50
SNIPPET_WORDS = 36
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TOKEN = re.compile(r"[\w\u0610-\u061a\u064b-\u065f\u0670\u0640'’]+|[^\w]+")


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    kind: str = ""
    body: str = ""  # a public body's slug
    year: int | None = None
    topic: str = ""
    language: str = ""
    format: str = ""
    sort: str = "relevance"

    def filters(self) -> dict:
        return {name: getattr(self, name) for name in FACETS if getattr(self, name)}


@dataclass(frozen=True)
class Hit:
    entry: SearchEntry
    title: SafeString
    snippet: SafeString
    kind_label: str
    body_name: str


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Outcome:
    query: SearchQuery
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    page: int = 1
    pages: int = 0
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    promoted: list[SearchPromotion] = field(default_factory=list)
    # True when no record has every word and the results have some of them.
    partial: bool = False


def clean_query(q: str) -> str:
    """`q` without control characters and runs of spaces (bounded by the callers' form or parameter)."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", q or "").split())


def filters_for(query: SearchQuery) -> dict:
    """`query`'s filters as EntrySearch takes them; an unknown body (or any unknown value) simply finds nothing."""
    filters = query.filters()
    if "body" in filters:
        slug = filters.pop("body")
        filters["body_id"] = PublicBody.objects.filter(slug=slug).values_list("pk", flat=True).first() or 0
    return filters


def newest(
    query: SearchQuery, *, after: datetime.datetime | None = None, until: datetime.datetime | None = None, limit: int
) -> tuple[list[SearchEntry], int]:
    """Return the first `limit` entries `query` finds, newest in the search first (by when they became public),
    that entered it after `after` and until `until` when given, and how many there are. Words are required:
    without any, it finds nothing."""
    found = EntrySearch(query.q, filters_for(query), created_after=after, created_until=until)
    return found.page(0, limit, order="-created_at"), found.count()


def search(query: SearchQuery, page: int = 1, *, page_size: int | None = None, facets: bool = True) -> Outcome:
    """Return page `page` of what `query` finds, ranked (or by date), with its facets' counts.

    Raises SearchUnavailable when the search backend does not answer.
    """
    outcome = Outcome(query=query)
    page_size = page_size or PAGE_SIZE
    if not query_terms(query.q):
        return outcome
    found = counted(EntrySearch(query.q, filters_for(query)), facets)
    outcome.count = found.count()
    if not outcome.count and len(found.terms) > 1:
        found, outcome.partial = counted(EntrySearch(query.q, filters_for(query), operator="or"), facets), True
        outcome.count = found.count()
    outcome.pages = min(MAX_PAGE, -(-outcome.count // page_size))
    outcome.page = max(1, min(page, outcome.pages or 1))
    start = (outcome.page - 1) * page_size
    entries = found.page(start, start + page_size, order=query.sort) if outcome.count else []
    if facets:
        outcome.facets = {name: facet_values(found, query, name) for name in FACETS}
    outcome.hits = describe(entries, query.q)
    if outcome.page == 1:
        outcome.promoted = promoted_results(query.q)
    return outcome


def counted(found: EntrySearch, facets: bool) -> EntrySearch:
    """`found`, its facets counted first when they are wanted: the count then comes with them, in one query."""
    if facets:
        found.facet_table()
    return found


def facet_values(found: EntrySearch, query: SearchQuery, name: str) -> list[FacetValue]:
    """The values of facet `name` among the matches under the other filters, most found first."""
    selected = str(getattr(query, name) or "")
    if name == "body":  # counted by id, filtered by slug
        counts = found.facet("body_id")
        bodies = {body.pk: body for body in PublicBody.objects.filter(pk__in=counts)}
        return [
            FacetValue(bodies[pk].slug, bodies[pk].name, count, bodies[pk].slug == selected)
            for pk, count in counts.items()
            if pk in bodies
        ]
    counts = found.facet(name)
    labels = facet_labels(name, list(counts))
    return [
        FacetValue(str(value), labels.get(value, str(value)), count, str(value) == selected)
        for value, count in counts.items()
    ]


def facet_labels(name: str, values: list) -> dict:
    """What people read for each value of facet `name`, in the active language."""
    if name == "kind":
        return {kind: str(source.label) for kind, source in SOURCES.items()}
    if name == "language":
        return {code: str(label) for code, label in settings.LANGUAGES}
    if name == "topic":
        labels = {theme.slug: theme.name for theme in Theme.objects.filter(slug__in=values)}
        for code in reversed(language_order(get_language() or settings.LANGUAGE_CODE)):  # the active language wins
            labels.update(Topic.objects.filter(slug__in=values, locale__language_code=code).values_list("slug", "name"))
        # A proposal's topic is its category (search.sources.proposal_documents).
        unnamed = [value for value in values if value not in labels]
        labels.update({category.slug: category.name for category in Category.objects.filter(slug__in=unnamed)})
        return labels
    return {}


def describe(entries: list[SearchEntry], q: str) -> list[Hit]:
    """The hits as a results page shows them: highlighted title and snippet, kind and body names."""
    wanted = set(query_terms(q))
    bodies = {body.pk: body.name for body in PublicBody.objects.filter(pk__in={entry.body_id for entry in entries})}
    return [
        Hit(
            entry=entry,
            title=highlight(entry.title, wanted),
            snippet=highlight(snippet_text(entry, wanted), wanted),
            kind_label=str(SOURCES[entry.kind].label) if entry.kind in SOURCES else entry.kind,
            body_name=bodies.get(entry.body_id, ""),
        )
        for entry in entries
    ]


def snippet_text(entry: SearchEntry, wanted: set[str]) -> str:
    """The summary, or the passage of the text around the first word searched for when the summary has none."""
    if not wanted or _matches(entry.summary, wanted) or not entry.text:
        return _first_words(entry.summary or entry.text)
    words = entry.text[:20000].split()
    for position, word in enumerate(words):
        if search_terms(word) in wanted:
            start = max(0, position - SNIPPET_WORDS // 3)
            return ("… " if start else "") + _first_words(" ".join(words[start:]))
    return _first_words(entry.summary or entry.text)


def _first_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")


def _matches(text: str, wanted: set[str]) -> bool:
    return bool(wanted & set(search_terms(text).split()))


def highlight(text: str, wanted: set[str]) -> SafeString:
    """`text` escaped, with each word that folds to a searched word in <mark>."""
    parts = []
    for token in TOKEN.findall(text):
        escaped = escape(token)
        folded = search_terms(token)
        parts.append(f"<mark>{escaped}</mark>" if folded and folded in wanted else escaped)
    return mark_safe("".join(parts))  # noqa: S308  # every piece was escaped above


def promoted_results(q: str) -> list[SearchPromotion]:
    """The records staff promoted for this query (Wagtail's promoted search results), in their order."""
    normalised = normalise_query_string(q)[:MAX_QUERY_STRING_LENGTH]
    return list(
        SearchPromotion.objects.filter(query__query_string=normalised).select_related("page").order_by("sort_order")
    )


def record_search(q: str, count: int, day: datetime.date | None = None) -> None:
    """Count a search people made, and remember it found nothing if so; the query only, never who asked."""
    query = normalise_query_string(q)[:MAX_QUERY_STRING_LENGTH]
    if not query:
        return
    day = day or timezone.localdate()
    Query.get(query).add_hit(date=day)
    if not count:
        missed, _created = UnansweredQuery.objects.get_or_create(day=day, query=query)
        UnansweredQuery.objects.filter(pk=missed.pk).update(times=F("times") + 1)


def suggest(q: str, limit: int = 8) -> list[SearchEntry]:
    """Titles with the words being typed, the last one begun, for the search box's suggestions."""
    return EntrySearch(q, prefix=True, titles=True).page(0, limit)
