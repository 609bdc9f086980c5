"""The REST core every module's API is built on (/api/v1/): problem details, pagination, filters, the public
read-only viewset, its throttle, and the schema hooks.

Conventions (docs/architecture.md): public records are read-only and need no authentication; one pagination
style (count, next, previous, results); filters named like the listing pages' query parameters; errors are
RFC 9457 problem details (`application/problem+json`), a 400 naming each bad parameter; past the rate
`api` (portal.ratelimits) a 429 with Retry-After. An app's `api.py` holds only its serializers, filter sets
and viewsets, and lists its routes in `urlpatterns`.
"""

import re
import uuid
from http import HTTPStatus

import django_filters as filters
from django import forms
from django.conf import settings
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.views import exception_handler as drf_exception_handler

from portal.caching import KeptCountPaginator
from portal.forms import declared_parameters
from portal.ratelimits import RateThrottle

PROBLEM_CONTENT_TYPE = "application/problem+json"


# Errors ---------------------------------------------------------------------------------------------


def problem_exception_handler(exc, context):
    """Return DRF's error response reshaped as an RFC 9457 problem (type, title, status, detail).

    Validation errors (a bad filter value) add `errors`: the messages per parameter.
    Exceptions DRF does not handle are left to Django (a 500).
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status = response.status_code
    problem = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if isinstance(exc, ValidationError):
        problem["detail"] = str(_("The request has invalid parameters."))
        problem["errors"] = messages_by_parameter(response.data)
    elif isinstance(response.data, dict) and "detail" in response.data:
        problem["detail"] = str(response.data["detail"])
    response.data = problem
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def messages_by_parameter(data) -> dict[str, list[str]]:
    """Return DRF's validation errors as {parameter: [messages]}: a repeated parameter's errors, which DRF
    keys by position, and errors not tied to one parameter (under `non_field_errors`) included."""
    if not isinstance(data, dict):
        data = {"non_field_errors": data}
    return {str(name): _flat_messages(value) for name, value in data.items()}


def _flat_messages(value) -> list[str]:
    if isinstance(value, dict):
        return [message for item in value.values() for message in _flat_messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _flat_messages(item)]
    return [str(value)]


def check_language_parameter(request) -> None:
    """Refuse (400) a `language` that is not one of the portal's; an empty one means none was given."""
    language = request.query_params.get("language")
    if language and language not in dict(settings.LANGUAGES):
        choices = ", ".join(code for code, _name in settings.LANGUAGES)
        raise ValidationError({"language": [_("Choose one of: %(choices)s.") % {"choices": choices}]})


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem details object, for the schema."""

    type = serializers.CharField(help_text="A URI naming the kind of problem; `about:blank` for plain HTTP errors.")
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    # A declared field, not Serializer.errors: DRF moves declared fields out of the class.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For 400: the messages per query parameter.",
    )


PROBLEM_RESPONSES = {
    (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description="A query parameter is invalid."),
    (404, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description="No such record or page."),
}


def positive_integer_parameter(request, name: str) -> int | None:
    """Return the query parameter `name` as a whole number of at least 1 (None when absent or empty); 400 otherwise."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValidationError({name: [_("A whole number of at least 1.")]})
    return int(raw)


class JSONOnly(DefaultContentNegotiation):
    """Always the first renderer (JSON): `format` is a listing's filter, not DRF's renderer override."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PagePagination(PageNumberPagination):
    """The one pagination style of the portal's REST API: count, next, previous, results.

    A `page` or `page_size` that is not a whole number of at least 1 is a 400; a page past the last is a 404.
    """

    django_paginator_class = KeptCountPaginator
    page_size = 20
    page_size_query_param = "page_size"
    # The largest page a client may ask for: bounds the work of one request (larger asks get this many).
    max_page_size = 100

    def get_page_size(self, request):
        size = positive_integer_parameter(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        return positive_integer_parameter(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


# Filters --------------------------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(filters.Filter):
    """A year (1 to 9999, as dates allow): others are a 400, not a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class PageIdField(forms.CharField):
    """A page's public id (its translation key, a UUID) or its page id (digits)."""

    default_error_messages = {"invalid": _("Enter a UUID or a page number.")}

    def to_python(self, value) -> int | uuid.UUID | None:  # type: ignore[override]  # a page id, not text
        value = super().to_python(value)
        if not value:
            return None
        if value.isascii() and value.isdigit():
            return int(value)
        if not PAGE_UUID.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return uuid.UUID(value)


MAX_PAGE_ID = 2**31 - 1
# A page's public id as the API writes it (a UUID in its canonical, hyphenated form), or its page number.
PAGE_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
PAGE_ID_SCHEMA = {"type": "string", "pattern": rf"^([0-9]+|{PAGE_UUID.pattern})$"}


@extend_schema_field(PAGE_ID_SCHEMA)
class PageIdFilter(filters.Filter):
    field_class = PageIdField


class SortFilter(filters.OrderingFilter):
    """Django-filter's ordering, with the primary key last so that pages never overlap."""

    def filter(self, qs, value):
        # `sort=,` validates as empty values: they order nothing.
        value = [param for param in value or () if param]
        if not value:
            return qs
        return qs.order_by(*(self.get_ordering_value(param) for param in value), "pk")


class DeclaredFilterBackend(DjangoFilterBackend):
    """django-filter bound to the parameters its filter set declares (portal.forms.declared_parameters)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            kwargs["data"] = declared_parameters(kwargs["data"], filterset_class.base_filters)
        return kwargs


# Views ----------------------------------------------------------------------------------------------


class PublicReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    # Public, read-only data: no authentication, so no session lookup and no CSRF.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    filter_backends = (DeclaredFilterBackend,)
    pagination_class = PagePagination
    throttle_classes = (RateThrottle,)
    # The rate (settings.RATE_LIMITS) and counter of portal.ratelimits.RateThrottle.
    throttle_rate = "api"
    throttle_group = "api.rest"
    lookup_value_regex = "[^/]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_language_parameter(request)

    def attach_context(self, pages: list) -> list:
        """Return `pages` with what their serializer reads prefetched; each subclass says what that is."""
        raise NotImplementedError(f"{type(self).__name__} must define attach_context()")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return self.attach_context(page) if page is not None else None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Details and messages follow the visitor's language (portal.middleware leaves /api/ alone).
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


LANGUAGE_PARAMETER = OpenApiParameter(
    "language",
    str,
    enum=[code for code, _name in settings.LANGUAGES],
    description="The translation to answer with; else the Accept-Language one, else the first published.",
)


# Schema ---------------------------------------------------------------------------------------------

NO_NUL_PATTERN = "^[^\\u0000]*$"


# Answers every operation may give, whatever its view says: a bad parameter, no such record or page, too many
# requests (the throttle).
COMMON_PROBLEMS = {
    "400": "A query parameter is invalid.",
    "404": "No such record or page.",
    "429": "Too many requests from this address: wait as long as Retry-After says.",
}


def empty_means_absent(result: dict, generator, request, public) -> dict:
    """Say in the schema what the API does (drf-spectacular hook): a query parameter given empty is ignored,
    text parameters refuse NUL characters, and every operation may answer with the common problems."""
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_PROBLEMS.items():
                responses.setdefault(status, {"description": description, "content": problem})
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                # A repeated parameter's empty value is an empty item, which its items' schema already allows.
                if parameter.get("schema", {}).get("type") != "array":
                    parameter["allowEmptyValue"] = True
                _refuse_nul(parameter.get("schema", {}))
    return result


def _refuse_nul(schema: dict) -> None:
    # No database keeps a NUL character: every text parameter refuses it (a 400).
    if schema.get("type") == "string" and "pattern" not in schema and "enum" not in schema and "format" not in schema:
        schema["pattern"] = NO_NUL_PATTERN
    if schema.get("type") == "array":
        _refuse_nul(schema.get("items", {}))


def public_api_only(endpoints: list) -> list:
    """Keep the public REST API in the OpenAPI schema (drf-spectacular hook), not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
