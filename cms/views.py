from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language
from wagtail.models import Locale

from portal.bodies.models import PublicBody

from .forms import DecisionFilterForm
from .listing import DecisionFilters, annotate_for_listing, filter_decisions
from .models import DecisionPage, Topic

PAGE_SIZE = 20


def decision_list(request):
    form = DecisionFilterForm(
        request.GET or None,
        bodies=PublicBody.objects.filter(decisions__live=True).distinct().order_by("path"),
        years=DecisionPage.objects.live().values_list("year", flat=True).distinct().order_by("-year"),
        topics=Topic.objects.filter(locale=Locale.get_active()),
    )
    filters = form.filters() if form.is_valid() else DecisionFilters()
    decisions = Paginator(filter_decisions(get_language(), filters), PAGE_SIZE).get_page(request.GET.get("page"))
    annotate_for_listing(decisions, request, get_language())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cms/decision_list.html",
        {
            "form": form,
            "decisions": decisions,
            "query": query.urlencode(),
            "filtered": bool(request.GET.keys() - {"page", "sort"}),
        },
    )
