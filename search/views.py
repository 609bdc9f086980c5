import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import ratelimits
from portal.searching import SearchUnavailable, query_terms

from . import alerts, services
from .feeds import feed_parameters, search_feed
from .forms import SaveSearchForm, SearchForm
from .models import SavedSearch
from .services import FACET_LABELS, FACETS

logger = logging.getLogger(__name__)


@require_GET
@never_cache  # each search counts in "What people search for": it is not served from the page cache
@ratelimits.limit("search")
def search_page(request):
    form = SearchForm(request.GET or None)
    outcome, unavailable, query = None, False, None
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
            "feed_query": feed_parameters(request.GET),
            "save_form": SaveSearchForm(initial={"email": getattr(request.user, "email", "")}),
            "hidden": list(alerts.stored_query(query).items()) if query else [],
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


@require_GET
@ratelimits.limit("search")
def feed(request):
    """The Atom feed of the search in the query string; 404 without words to search for."""
    try:
        return search_feed(request)
    except SearchUnavailable:
        logger.exception("The search backend did not answer")
        return HttpResponse(status=503, headers={"Retry-After": "60"})


@require_POST
@ratelimits.limit("search.subscribe")
def save_search(request):
    """Save the search in the form for the address given, and mail the link that confirms it."""
    search_form, form = SearchForm(request.POST), SaveSearchForm(request.POST)
    has_words = search_form.is_valid() and bool(query_terms(search_form.cleaned_data["q"]))
    if not (has_words and form.is_valid()):
        hidden = list(alerts.stored_query(search_form.search_query()).items()) if has_words else []
        context = {"save_form": form, "has_words": has_words, "hidden": hidden}
        return render(request, "search/save_search.html", context, status=400)
    query = search_form.search_query()
    alerts.save_search(form.cleaned_data["email"], query, get_language())
    # The same words for every address, known or not, confirmed or not: the page tells nobody who subscribed.
    messages.success(request, _("Check your inbox: follow the link we sent to start the alerts of this search."))
    return redirect(reverse("search:search") + "?" + urlencode(alerts.stored_query(query)))


def _get_saved_search(token: str, salt: str, max_age=None) -> SavedSearch:
    saved = alerts.saved_search_for(token, salt, max_age)
    if saved is None:
        raise Http404("This link is wrong, expired, or its alert was deleted.")
    return saved


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link in the confirmation email: a button (mail scanners follow links, people press buttons)."""
    saved = _get_saved_search(token, alerts.CONFIRM_SALT, alerts.CONFIRM_MAX_AGE)
    if request.method == "POST":
        saved.confirm(timezone.now())
    return render(request, "search/saved_search.html", {"saved": saved, "action": "confirm"})


@csrf_exempt  # RFC 8058: mail clients POST the List-Unsubscribe link without a form; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """The link in every email: a button that deletes the saved search (and a mail client's one-click POST)."""
    saved = _get_saved_search(token, alerts.UNSUBSCRIBE_SALT)
    if request.method == "POST":
        saved.delete()
        return render(request, "search/saved_search.html", {"saved": None, "action": "deleted"})
    return render(request, "search/saved_search.html", {"saved": saved, "action": "unsubscribe"})
