"""The public decision listing: one query that filters, falls back across languages and sorts, and its pages.

Pages are numbered as far as MAX_NUMBERED_PAGES; beyond, and from every "Next" link of a date-ordered listing,
a cursor (`after=<date>,<reference>,<id>` of the last decision shown) continues where the previous page stopped,
so that a deep page costs what the first one does instead of an OFFSET over thousands of rows.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Exists, OuterRef, Q, QuerySet
from wagtail.models import Locale, Page

from portal.i18n import language_order
from portal.searching import MAX_MATCHES, among, matching_ids

from .models import CouncilSessionPage, DecisionPage

# Each order ends with the primary key, so that it is total: a cursor then names one place in it. page_ptr, not pk,
# which would sort on the parent table's id, out of reach of the indexes.
SORTS = {
    "-date": ["-decision_date", "-reference", "-page_ptr"],
    "date": ["decision_date", "reference", "page_ptr"],
    "reference": ["reference", "page_ptr"],
}
# The orders a cursor can continue: those of the (decision_date, reference, id) indexes.
KEYSET_SORTS = {"-date", "date"}
PAGE_SIZE = 20
# Offsets stay cheap this deep (1,000 decisions); further pages are reached through the cursor.
MAX_NUMBERED_PAGES = 50
# The count shown stops here: counting every match costs a scan of all of them on each request.
COUNT_LIMIT = PAGE_SIZE * MAX_NUMBERED_PAGES


@dataclass(frozen=True)
class DecisionFilters:
    body: str = ""
    year: int | None = None
    session: str = ""
    topic: str = ""
    outcome: str = ""
    q: str = ""
    sort: str = "-date"


def decisions_in_language(language: str) -> QuerySet[DecisionPage]:
    """Return live decisions in `language`, plus those not translated into it, in their best other language.

    "Not translated" is a NOT EXISTS per decision, which the (translation_key, locale) index of Wagtail's pages
    answers: the listing then reads its first rows in index order instead of hashing every decision's key.
    """
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    condition, seen = Q(), Q()
    for code in language_order(language):
        if code not in locales:
            continue
        in_locale = Q(locale=locales[code])
        condition |= in_locale & seen if seen else in_locale
        translated = Exists(
            Page.objects.filter(translation_key=OuterRef("translation_key"), locale=locales[code], live=True)
        )
        seen = seen & ~translated if seen else ~translated
    return DecisionPage.objects.live().filter(condition)


def filter_decisions(language: str, filters: DecisionFilters) -> QuerySet[DecisionPage]:
    decisions = decisions_in_language(language)
    if filters.body:
        decisions = decisions.filter(body__slug=filters.body)
    if filters.year:
        # A date range rather than the year column: the (date, reference, id) indexes then serve it, sorted.
        decisions = decisions.filter(decision_date__year=filters.year)
    if filters.session:
        paths = CouncilSessionPage.objects.filter(translation_key=filters.session).values_list("path", flat=True)
        within = Q()
        for path in paths:
            within |= Q(path__startswith=path)
        decisions = decisions.filter(within) if within else decisions.none()
    if filters.topic:
        # A subquery, not a join: a join would need DISTINCT over every column, full text included.
        tagged = DecisionPage.topics.through.objects.filter(decisionpage_id=OuterRef("pk"), topic__slug=filters.topic)
        decisions = decisions.filter(Exists(tagged))
    if filters.outcome:
        decisions = decisions.filter(outcome=filters.outcome)
    if filters.q:
        decisions = decisions.filter(among(matching_decisions(filters.q)))
    return (
        decisions.select_related("body", "locale")
        .defer("full_text", "legal_basis")  # the listing shows neither; both can be long
        .order_by(*SORTS.get(filters.sort, SORTS["-date"]))
    )


def matching_decisions(q: str) -> list[int]:
    """The ids of the live decisions that the portal's search finds for `q` (portal.searching), its last word
    perhaps begun ("BUDGET SUPPL"), or whose reference holds `q` as typed ("2025/0"); for the listing and the
    REST API's `q` alike."""
    found = [int(record_id) for record_id in matching_ids("decision", q, begun=True)]
    typed = DecisionPage.objects.live().filter(reference__icontains=q.strip())
    return found + list(typed.values_list("pk", flat=True)[:MAX_MATCHES])


def in_language(url: str, current: str, language: str) -> str:
    """Return `url` under the `language` prefix (Django's translate_url resolves only the active prefix)."""
    prefix = f"/{current}/"
    return f"/{language}/{url[len(prefix) :]}" if url.startswith(prefix) else url


def annotate_for_listing(decisions, request, language: str) -> None:
    """Set `session_page` (one query: a page's parent is not a foreign key) and `listing_url`.

    `listing_url` addresses the decision under the active language's prefix, even when it is
    published in another language only (cms.routing serves it there with a notice).
    """
    paths = {decision.path[: -DecisionPage.steplen] for decision in decisions}
    sessions = {session.path: session for session in CouncilSessionPage.objects.filter(path__in=paths)}
    for decision in decisions:
        decision.session_page = sessions.get(decision.path[: -DecisionPage.steplen])
        decision.listing_url = in_language(decision.get_url(request), decision.locale.language_code, language)


@dataclass(frozen=True)
class Cursor:
    """The place of a decision in a date-ordered listing: its date, reference and id."""

    date: datetime.date
    reference: str
    pk: int

    @classmethod
    def of(cls, decision: DecisionPage) -> "Cursor":
        return cls(decision.decision_date, decision.reference, decision.pk)

    @classmethod
    def parse(cls, text: str) -> "Cursor | None":
        """Return the cursor `text` names ("2025-03-10,014/2025,1234"), or None for anything else.

        The reference sits between the first and the last comma, so that it may hold commas itself.
        """
        day, _comma, rest = text.partition(",")
        reference, _comma, pk = rest.rpartition(",")
        try:
            return cls(datetime.date.fromisoformat(day), reference, int(pk)) if reference and pk.isdigit() else None
        except ValueError:
            return None

    def __str__(self) -> str:
        return f"{self.date.isoformat()},{self.reference},{self.pk}"

    def following(self, sort: str) -> Q:
        """The decisions after this one in `sort` (newest or oldest first), as a condition.

        The plain bound on the date comes first so that the date index's range starts at the cursor.
        """
        if sort == "-date":
            return Q(decision_date__lte=self.date) & (
                Q(decision_date__lt=self.date)
                | Q(decision_date=self.date, reference__lt=self.reference)
                | Q(decision_date=self.date, reference=self.reference, page_ptr__lt=self.pk)
            )
        return Q(decision_date__gte=self.date) & (
            Q(decision_date__gt=self.date)
            | Q(decision_date=self.date, reference__gt=self.reference)
            | Q(decision_date=self.date, reference=self.reference, page_ptr__gt=self.pk)
        )


@dataclass
class ResultsPage:
    """One page of the listing: its decisions, where it stands, and the query strings of its neighbours."""

    decisions: list[DecisionPage]
    count: int
    count_is_exact: bool
    number: int | None = None  # None for a page reached through a cursor
    next_query: str = ""
    previous_query: str = ""
    first_query: str = ""
    num_pages: int | None = field(default=None)

    def __iter__(self):
        return iter(self.decisions)

    def __len__(self) -> int:
        return len(self.decisions)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_query or self.previous_query or self.first_query)


def page_number(text: str | None) -> int:
    """Return the page number `text` asks for, 1 for garbage, at most MAX_NUMBERED_PAGES."""
    try:
        number = int(text or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_NUMBERED_PAGES)


def paginate(decisions: QuerySet[DecisionPage], sort: str, params, query: str) -> ResultsPage:
    """Return the page of `decisions` that `params` (the request's GET) asks for, by cursor or by number.

    `query` is the query string of the filters, without page or cursor. A cursor that does not parse, or one for
    an order without cursors, gives the first page. A page number past the results gives the last page.
    """
    count = decisions.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    exact = count <= COUNT_LIMIT
    count = min(count, COUNT_LIMIT)
    last_page = max(1, -(-count // PAGE_SIZE)) if exact else MAX_NUMBERED_PAGES
    prefix = f"{query}&" if query else ""
    cursor = Cursor.parse(params.get("after", "")) if sort in KEYSET_SORTS else None
    if cursor is not None:
        number = None
        rows = list(decisions.filter(cursor.following(sort))[: PAGE_SIZE + 1])
    else:
        number = min(page_number(params.get("page")), last_page)
        start = (number - 1) * PAGE_SIZE
        rows = list(decisions[start : start + PAGE_SIZE + 1])
    page = ResultsPage(rows[:PAGE_SIZE], count, exact, number=number, num_pages=last_page if exact else None)
    if len(rows) > PAGE_SIZE:
        if sort in KEYSET_SORTS:
            page.next_query = f"{prefix}after={quote(str(Cursor.of(rows[PAGE_SIZE - 1])))}"
        elif number is not None and number < MAX_NUMBERED_PAGES:
            page.next_query = f"{prefix}page={number + 1}"
    if number is not None and number > 1:
        page.previous_query = f"{prefix}page={number - 1}"
    if number is None:
        page.first_query = query or "page=1"
    return page
