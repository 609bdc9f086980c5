"""The staff's view of the searches: what people look for most, and what found nothing (no person, no address)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.contrib.search_promotions.models import QueryDailyHits

from .models import UnansweredQuery

DAYS = 30
ROWS = 50


def may_read_statistics(user) -> bool:
    return user.has_perm("search.view_unansweredquery")


def search_statistics(request):
    if not may_read_statistics(request.user):
        raise PermissionDenied
    since = timezone.localdate() - datetime.timedelta(days=DAYS)
    searched = (
        QueryDailyHits.objects.filter(date__gte=since)
        .values("query__query_string")
        .annotate(times=Sum("hits"))
        .order_by("-times", "query__query_string")[:ROWS]
    )
    missed = (
        UnansweredQuery.objects.filter(day__gte=since)
        .values("query")
        .annotate(total=Sum("times"))
        .order_by("-total", "query")[:ROWS]
    )
    return render(
        request,
        "search/admin/statistics.html",
        {
            "page_title": _("What people search for"),
            "days": DAYS,
            "searched": [(row["query__query_string"], row["times"]) for row in searched],
            "missed": [(row["query"], row["total"]) for row in missed],
        },
    )
