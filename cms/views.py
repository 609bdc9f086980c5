from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils.translation import get_language
from wagtail.models import Locale

from portal.bodies.models import PublicBody
from portal.caching import cached_fragment
from portal.forms import declared_parameters

from .forms import DecisionFilterForm
from .listing import DecisionFilters, annotate_for_listing, filter_decisions, paginate
from .models import DecisionPage, Topic


def filter_options() -> dict[str, list]:
    """The listing filter's bodies, years and topics (of the active language) that live decisions have."""
    live = DecisionPage.objects.live()
    # Exists, not a join with DISTINCT: one index probe per body instead of a pass over every decision.
    bodies = PublicBody.objects.filter(Exists(live.filter(body=OuterRef("pk")))).order_by("path")
    return {
        "bodies": [(body.slug, body.name) for body in bodies],
        "years": list(live.values_list("year", flat=True).distinct().order_by("-year")),
        "topics": [(topic.slug, topic.name) for topic in Topic.objects.filter(locale=Locale.get_active())],
    }


def decision_list(request):
    # Only the filters the form declares: other parameters neither reach the links nor the page cache's key.
    filter_params = declared_parameters(request.GET, DecisionFilterForm.base_fields)
    form = DecisionFilterForm(filter_params or None, **cached_fragment("cms:decision-filter-options", filter_options))
    filters = form.filters() if form.is_valid() else DecisionFilters()
    query = filter_params.copy()
    decisions = paginate(filter_decisions(get_language(), filters), filters.sort, request.GET, query.urlencode())
    annotate_for_listing(decisions, request, get_language())
    return render(
        request,
        "cms/decision_list.html",
        {
            "form": form,
            "decisions": decisions,
            "query": query.urlencode(),
            "filtered": bool(filter_params.keys() - {"sort"}),
        },
    )
