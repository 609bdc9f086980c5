"""GET /api/v1/search/: the unified search for programs, with the search page's parameters and ranking."""

import html

from django.conf import settings
from django.utils.html import strip_tags
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from portal.api import PROBLEM_RESPONSES, JSONOnly, PagePagination, check_language_parameter
from portal.bodies.models import PublicBody
from portal.forms import declared_parameters
from portal.ratelimits import RateThrottle

from . import services
from .sources import SOURCES


class SearchParameters(serializers.Serializer):
    q = serializers.CharField(
        allow_blank=True,  # no words find nothing: an empty page, not an error
        max_length=settings.SEARCH_MAX_QUERY_LENGTH,
        help_text="Words, in Arabic, French or English: hamza forms, accents, articles and plurals do not matter.",
    )
    kind = serializers.ChoiceField(choices=list(SOURCES), required=False, help_text="Only records of this kind.")
    body = serializers.SlugField(required=False, help_text="Only records of this public body (its slug).")
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES], required=False, help_text="Only records in this language."
    )
    year = serializers.IntegerField(required=False, min_value=1, max_value=9999)
    topic = serializers.SlugField(required=False, help_text="A decision topic's or a dataset theme's slug.")
    format = serializers.CharField(required=False, max_length=20, help_text="A dataset's file format: CSV, XLSX…")
    sort = serializers.ChoiceField(choices=services.SORTS, required=False, default="relevance")
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, default=PagePagination.page_size)

    def validate_q(self, value: str) -> str:
        return services.clean_query(value)


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.CharField(source="entry.kind")
    title = serializers.CharField(source="entry.title")
    url = serializers.SerializerMethodField(help_text="The record's page, absolute.")
    snippet = serializers.SerializerMethodField(help_text="A passage with the words searched for, as plain text.")
    language = serializers.CharField(source="entry.language")
    body = serializers.SerializerMethodField(help_text="The public body's slug, if the record has one.")
    date = serializers.DateField(source="entry.date", allow_null=True)

    def get_url(self, hit: services.Hit) -> str:
        return self.context["request"].build_absolute_uri(hit.entry.url)

    def get_snippet(self, hit: services.Hit) -> str:
        return html.unescape(strip_tags(hit.snippet))  # the highlighted snippet's text, entities decoded

    def get_body(self, hit: services.Hit) -> str | None:
        return self.context["body_slugs"].get(hit.entry.body_id)


class SearchPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchResultSerializer(many=True)


class SearchView(GenericAPIView):
    """Every kind of public record the portal publishes, best match first."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (RateThrottle,)
    throttle_rate = "api"
    throttle_group = "api.rest"
    content_negotiation_class = JSONOnly  # `format` is a filter here
    serializer_class = SearchResultSerializer

    @extend_schema(
        summary="Search decisions, news, pages and datasets",
        parameters=[SearchParameters],
        responses={200: SearchPage, **PROBLEM_RESPONSES},
    )
    def get(self, request):
        check_language_parameter(request)
        parameters = SearchParameters(data=declared_parameters(request.query_params, SearchParameters().fields))
        parameters.is_valid(raise_exception=True)
        data = parameters.validated_data
        size = min(data.pop("page_size"), PagePagination.max_page_size)
        number = data.pop("page")
        query = services.SearchQuery(**{**data, "format": data.get("format", "").upper()})
        outcome = services.search(query, number, page_size=size, facets=False)
        if number > max(outcome.pages, 1):
            raise NotFound("Invalid page.")
        bodies = PublicBody.objects.filter(pk__in={hit.entry.body_id for hit in outcome.hits})
        context = {"request": request, "body_slugs": dict(bodies.values_list("pk", "slug"))}
        url = request.build_absolute_uri()
        previous = None
        if number > 1:
            previous = remove_query_param(url, "page") if number == 2 else replace_query_param(url, "page", number - 1)
        return Response(
            {
                "count": outcome.count,
                "next": replace_query_param(url, "page", number + 1) if number < outcome.pages else None,
                "previous": previous,
                "results": SearchResultSerializer(outcome.hits, many=True, context=context).data,
            }
        )
