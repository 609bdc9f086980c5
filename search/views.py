import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal import ratelimits
from portal.searching import SearchUnavailable

from . import services
from .forms import SearchForm
from .services import FACET_LABELS, FACETS

logger = logging.getLogger(__name__)


@require_GET
@ratelimits.limit("search")
def search_page(request):
    form = SearchForm(request.GET or None)
    outcome, unavailable = None, False
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.search_query()
        try:
            outcome = services.search(query, form.cleaned_data["page"] or 1)
        except SearchUnavailable:
            logger.exception("The search backend did not answer")
            unavailable = True
        else:
            if outcome.page == 1 and not request.GET.get("page"):
                services.record_search(query.q, outcome.count)
    parameters = request.GET.copy()
    parameters.pop("page", None)
    facets = facet_links(request.GET, outcome.facets) if outcome else []
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "outcome": outcome,
            "unavailable": unavailable,
            "query": parameters.urlencode(),
            "facets": facets,
            "filters": [(name, value) for name in FACETS if form.is_bound and (value := request.GET.get(name))],
            "first_rank": (outcome.page - 1) * services.PAGE_SIZE + 1 if outcome else 1,
        },
        status=503 if unavailable else 200,
    )


def facet_links(parameters, facets: dict) -> list[dict]:
    """Each facet with its values' counts and the address that adds (or, when selected, removes) its filter."""
    groups = []
    for name, values in facets.items():
        if not values:
            continue
        links = []
        for value in values:
            chosen = parameters.copy()
            chosen.pop("page", None)
            if value.selected:
                chosen.pop(name, None)
            else:
                chosen[name] = value.value
            links.append({"value": value, "href": "?" + chosen.urlencode()})
        groups.append({"name": name, "label": FACET_LABELS[name], "links": links})
    return groups


@require_GET
@ratelimits.limit("search")
def suggestions(request):
    """Titles for the search box while people type: [{title, url, kind}], at most eight."""
    q = services.clean_query(request.GET.get("q", ""))[: settings.SEARCH_MAX_QUERY_LENGTH]
    try:
        entries = services.suggest(q)
    except SearchUnavailable:
        return JsonResponse({"suggestions": []}, status=503)
    return JsonResponse(
        {"suggestions": [{"title": entry.title, "url": entry.url, "kind": entry.kind} for entry in entries]}
    )
