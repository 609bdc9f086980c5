"""The public decision listing: one query that filters, falls back across languages and sorts."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from wagtail.models import Locale

from portal.i18n import language_order
from portal.searching import MAX_MATCHES, matching_ids

from .models import CouncilSessionPage, DecisionPage

SORTS = {"-date": ["-decision_date", "-reference"], "date": ["decision_date", "reference"], "reference": ["reference"]}


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
    """Return live decisions in `language`, plus those not translated into it, in their best other language."""
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    condition, seen = Q(), Q()
    for code in language_order(language):
        if code not in locales:
            continue
        in_locale = Q(locale=locales[code])
        condition |= in_locale & ~seen if seen else in_locale
        keys = DecisionPage.objects.live().filter(locale=locales[code]).values("translation_key")
        seen = seen | Q(translation_key__in=keys) if seen else Q(translation_key__in=keys)
    return DecisionPage.objects.live().filter(condition)


def filter_decisions(language: str, filters: DecisionFilters) -> QuerySet[DecisionPage]:
    decisions = decisions_in_language(language)
    if filters.body:
        decisions = decisions.filter(body__slug=filters.body)
    if filters.year:
        decisions = decisions.filter(year=filters.year)
    if filters.session:
        paths = CouncilSessionPage.objects.filter(translation_key=filters.session).values_list("path", flat=True)
        within = Q()
        for path in paths:
            within |= Q(path__startswith=path)
        decisions = decisions.filter(within) if within else decisions.none()
    if filters.topic:
        # A subquery, not a join: a join would need DISTINCT over every column, full text included.
        tagged = DecisionPage.topics.through.objects.filter(topic__slug=filters.topic).values("decisionpage_id")
        decisions = decisions.filter(pk__in=tagged)
    if filters.outcome:
        decisions = decisions.filter(outcome=filters.outcome)
    if filters.q:
        decisions = decisions.filter(pk__in=matching_decisions(filters.q))
    return (
        decisions.select_related("body", "locale")
        .defer("full_text", "legal_basis")  # the listing shows neither; both can be long
        .order_by(*SORTS.get(filters.sort, SORTS["-date"]))
    )


def matching_decisions(q: str) -> list[int]:
    """The ids of the live decisions that the portal's search finds for `q` (portal.searching), or whose
    reference, title or summary holds `q` as typed ("BUDGET SUPPL", "2025/0"); for the listing and the REST
    API's `q` alike."""
    found = [int(record_id) for record_id in matching_ids("decision", q)]
    text = q.strip()
    typed = Q(reference__icontains=text) | Q(title__icontains=text) | Q(summary__icontains=text)
    return found + list(DecisionPage.objects.live().filter(typed).values_list("pk", flat=True)[:MAX_MATCHES])


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
