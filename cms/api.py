"""The read-only REST API of council sessions and decisions (/api/v1/), and their schema.org JSON-LD.

Public ids: a decision is named by its `uuid`, a session by its page's `translation_key`.
Wagtail copies both onto every translation, so one id names the same decision (or session)
in every language: lists show each language's page, and a detail answers in the language
asked for (`?language=`), else in the visitor's (Accept-Language), else in the first one
published along `LANGUAGE_FALLBACKS`.

Errors are RFC 9457 problem details (`application/problem+json`), see `problem_exception_handler`.
"""

import json
import re
import uuid
from datetime import datetime
from http import HTTPStatus

import django_filters as filters
from django import forms, template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter
from rest_framework.views import exception_handler as drf_exception_handler
from wagtail.models import Page

from portal.i18n import language_order

from .models import (
    CouncilDocument,
    CouncilIndexPage,
    CouncilSessionPage,
    DecisionAttachment,
    DecisionPage,
    MemberVote,
    Topic,
)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Two `kind` choices meet in the schema: SPECTACULAR_SETTINGS names their enums through these.
SessionKind = CouncilSessionPage.Kind
AttachmentKind = DecisionAttachment.Kind

# Tree paths grow by Page.steplen characters per level: a page's parent has the path
# `path[: (depth - 1) * steplen]`. This expression reaches the parent inside a subquery.
PARENT_PATH = Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * Page.steplen)


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
    errors = serializers.DictField(
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


class PagePagination(PageNumberPagination):
    """The one pagination style of the portal's REST API: count, next, previous, results.

    A `page` or `page_size` that is not a whole number of at least 1 is a 400; a page past the last is a 404.
    """

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

    def to_python(self, value) -> int | uuid.UUID | None:
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


def session_lookup(value: int | uuid.UUID) -> Q:
    if isinstance(value, uuid.UUID):
        return Q(translation_key=value)
    # Page ids are database integers: a larger number names no page (and would overflow the query).
    return Q(pk=value) if value <= MAX_PAGE_ID else Q(pk__in=[])


class DecisionFilter(filters.FilterSet):
    """The filters of the decisions listing (/<lang>/decisions/), under the same names."""

    body = filters.CharFilter(field_name="body__slug", help_text="The public body's slug.")
    year = YearFilter(field_name="year", help_text="The year of the decision.")
    session = PageIdFilter(method="filter_session", help_text="The session's id (UUID) or page id.")
    topic = filters.CharFilter(method="filter_topic", help_text="A topic's slug.")
    outcome = filters.ChoiceFilter(choices=DecisionPage.Outcome.choices)
    language = filters.ChoiceFilter(choices=settings.LANGUAGES, help_text="Only the pages in this language.")
    q = filters.CharFilter(
        method="filter_text",
        max_length=settings.SEARCH_MAX_QUERY_LENGTH,
        help_text="Words in the reference, title or summary.",
    )
    sort = SortFilter(
        fields=(("decision_date", "date"), ("reference", "reference")),
        help_text="`date` (oldest first), `-date` (newest first, the default) or `reference`.",
    )

    class Meta:
        model = DecisionPage
        fields: list[str] = []

    def filter_session(self, queryset: QuerySet, name: str, value: int | uuid.UUID) -> QuerySet:
        sessions = CouncilSessionPage.objects.filter(session_lookup(value), path=PARENT_PATH)
        return queryset.filter(Exists(sessions))

    def filter_topic(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Exists(Topic.objects.filter(decisions=OuterRef("pk"), slug=value)))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(reference__icontains=value) | Q(title__icontains=value) | Q(summary__icontains=value))


class SessionFilter(filters.FilterSet):
    body = filters.CharFilter(method="filter_body", help_text="The public body's slug.")
    year = YearFilter(field_name="session_date", lookup_expr="year", help_text="The year of the session.")
    kind = filters.ChoiceFilter(choices=CouncilSessionPage.Kind.choices)
    status = filters.ChoiceFilter(choices=CouncilSessionPage.Status.choices)
    language = filters.ChoiceFilter(
        field_name="locale__language_code", choices=settings.LANGUAGES, help_text="Only the pages in this language."
    )
    sort = SortFilter(
        fields=(("session_date", "date"),),
        help_text="`date` (oldest first) or `-date` (newest first, the default).",
    )

    class Meta:
        model = CouncilSessionPage
        fields: list[str] = []

    def filter_body(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Exists(CouncilIndexPage.objects.filter(body__slug=value, path=PARENT_PATH)))


# Loading --------------------------------------------------------------------------------------------


def decision_queryset() -> QuerySet:
    """Return the published, public decisions with what the serializer reads, newest first."""
    return (
        DecisionPage.objects.live()
        .public()
        .select_related("body", "locale")
        .prefetch_related(
            "topics",
            Prefetch("member_votes", queryset=MemberVote.objects.select_related("member").order_by("sort_order")),
            Prefetch(
                "attachments", queryset=DecisionAttachment.objects.select_related("document").order_by("sort_order")
            ),
        )
        .defer_streamfields()
        .order_by("-decision_date", "reference", "pk")
    )


def session_queryset() -> QuerySet:
    return (
        CouncilSessionPage.objects.live().public().select_related("locale", "minutes").order_by("-session_date", "pk")
    )


def parent_path(page: Page) -> str:
    return page.path[: -Page.steplen]


def page_url(page: Page, request: HttpRequest) -> str | None:
    url = page.get_url(request)
    return request.build_absolute_uri(url) if url else None


def attach_translations(pages: list[Page], model: type[Page], request: HttpRequest) -> None:
    """Set `api_translations` on each page: the language and address of its other live translations."""
    keys = {page.translation_key for page in pages}
    by_key: dict[uuid.UUID, list[Page]] = {}
    for other in model.objects.live().public().filter(translation_key__in=keys).select_related("locale"):
        by_key.setdefault(other.translation_key, []).append(other)
    for page in pages:
        page.api_translations = [
            {"language": other.locale.language_code, "url": page_url(other, request)}
            for other in sorted(by_key.get(page.translation_key, []), key=lambda other: other.locale.language_code)
            if other.pk != page.pk
        ]


def attach_decision_context(decisions: list[DecisionPage], request: HttpRequest) -> list[DecisionPage]:
    """Set what a decision's JSON needs beyond its prefetched relations: its session and translations.

    Two queries whatever the number of decisions.
    """
    sessions = {
        session.path: session
        for session in CouncilSessionPage.objects.filter(path__in={parent_path(page) for page in decisions})
    }
    for page in decisions:
        page.api_session = sessions.get(parent_path(page))
    attach_translations(decisions, DecisionPage, request)
    return decisions


def attach_session_context(sessions: list[CouncilSessionPage], request: HttpRequest) -> list[CouncilSessionPage]:
    councils = {
        council.path: council
        for council in CouncilIndexPage.objects.filter(
            path__in={parent_path(page) for page in sessions}
        ).select_related("body")
    }
    for page in sessions:
        council = councils.get(parent_path(page))
        page.api_body = council.body if council else None
    attach_translations(sessions, CouncilSessionPage, request)
    return sessions


def preferred_translation(pages: list[Page]) -> Page:
    """Return the page in the active language, else the first along the language fallbacks."""
    ranks = {code: rank for rank, code in enumerate(language_order())}
    return min(pages, key=lambda page: ranks.get(page.locale.language_code, len(ranks)))


# Serializers ----------------------------------------------------------------------------------------


class BodySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(help_text="In the active language, with fallbacks.")


class SessionRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="translation_key", help_text="The session's id in /api/v1/sessions/.")
    date = serializers.DateField(source="session_date")
    kind = serializers.ChoiceField(choices=CouncilSessionPage.Kind.choices)


class VotesSerializer(serializers.Serializer):
    def get_fields(self):
        # `for` is a Python keyword: the fields are named here rather than as attributes.
        return {
            "for": serializers.IntegerField(source="votes_for"),
            "against": serializers.IntegerField(source="votes_against"),
            "abstain": serializers.IntegerField(source="votes_abstain"),
            "cast": serializers.IntegerField(source="votes_cast"),
        }


class MemberVoteSerializer(serializers.Serializer):
    member = serializers.CharField(source="member.name")
    party = serializers.CharField(source="member.party")
    vote = serializers.ChoiceField(choices=MemberVote.Vote.choices)


class DocumentSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    size = serializers.IntegerField(source="file_size", allow_null=True, help_text="In bytes.")
    sha1 = serializers.CharField(source="file_hash", allow_blank=True)
    content_type = serializers.CharField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, document: CouncilDocument) -> str:
        return self.context["request"].build_absolute_uri(document.url)


class AttachmentSerializer(serializers.Serializer):
    title = serializers.CharField(source="document.title")
    kind = serializers.ChoiceField(choices=DecisionAttachment.Kind.choices)
    url = serializers.SerializerMethodField()
    size = serializers.IntegerField(source="document.file_size", allow_null=True, help_text="In bytes.")
    sha1 = serializers.CharField(source="document.file_hash", allow_blank=True)
    content_type = serializers.CharField(source="document.content_type")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment: DecisionAttachment) -> str:
        return self.context["request"].build_absolute_uri(attachment.document.url)


class TranslationSerializer(serializers.Serializer):
    language = serializers.CharField()
    url = serializers.URLField()


class DecisionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The decision's public page.")
    body = BodySerializer()
    session = SessionRefSerializer(source="api_session", allow_null=True)
    votes = VotesSerializer(source="*")
    member_votes = MemberVoteSerializer(many=True)
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    attachments = AttachmentSerializer(many=True)
    translations = TranslationSerializer(source="api_translations", many=True, help_text="The other languages.")

    class Meta:
        model = DecisionPage
        fields = [
            "uuid",
            "reference",
            "title",
            "language",
            "url",
            "body",
            "session",
            "decision_date",
            "outcome",
            "votes",
            "member_votes",
            "topics",
            "summary",
            "legal_basis",
            "execution_status",
            "attachments",
            "translations",
            "first_published_at",
            "last_published_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: DecisionPage) -> dict:
        # Names translated in fields (the body, the members) follow the page's language.
        with translation.override(instance.language):
            return super().to_representation(instance)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, page: DecisionPage) -> str | None:
        return page_url(page, self.context["request"])


class AgendaItemSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class SessionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="translation_key", help_text="Shared by the session's translations.")
    page_id = serializers.IntegerField(source="pk", help_text="This language's page.")
    language = serializers.CharField(source="locale.language_code")
    url = serializers.SerializerMethodField(help_text="The session's public page.")
    body = BodySerializer(source="api_body", allow_null=True)
    date = serializers.DateField(source="session_date")
    agenda = serializers.SerializerMethodField()
    minutes = DocumentSerializer(allow_null=True)
    decisions = serializers.SerializerMethodField(help_text="The API listing of the decisions taken in this session.")
    translations = TranslationSerializer(source="api_translations", many=True, help_text="The other languages.")

    class Meta:
        model = CouncilSessionPage
        fields = [
            "id",
            "page_id",
            "title",
            "language",
            "url",
            "body",
            "date",
            "kind",
            "status",
            "location",
            "members_present",
            "agenda",
            "minutes",
            "decisions",
            "translations",
            "first_published_at",
            "last_published_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: CouncilSessionPage) -> dict:
        with translation.override(instance.locale.language_code):
            return super().to_representation(instance)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, page: CouncilSessionPage) -> str | None:
        return page_url(page, self.context["request"])

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, page: CouncilSessionPage) -> list[dict]:
        return [
            {
                "number": block.value["number"],
                "title": block.value["title"],
                "description": block.value.get("description") or "",
            }
            for block in page.agenda
            if block.block_type == "item"
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_decisions(self, page: CouncilSessionPage) -> str:
        listing = reverse("cms_api:decision-list")
        return self.context["request"].build_absolute_uri(
            f"{listing}?session={page.translation_key}&language={page.locale.language_code}"
        )


# Views ----------------------------------------------------------------------------------------------


class PublicReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    # Public, read-only data: no authentication, so no session lookup and no CSRF.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    filter_backends = (DjangoFilterBackend,)
    pagination_class = PagePagination
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


@extend_schema_view(
    list=extend_schema(summary="List published decisions", responses={200: DecisionSerializer, **PROBLEM_RESPONSES}),
    retrieve=extend_schema(
        summary="One decision, in one language",
        parameters=[OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH), LANGUAGE_PARAMETER],
        responses={200: DecisionSerializer, **PROBLEM_RESPONSES},
    ),
)
class DecisionViewSet(PublicReadOnlyViewSet):
    """Council decisions (deliberations): their vote, topics, documents and translations."""

    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    lookup_field = "uuid"

    def get_queryset(self):
        return decision_queryset()

    def attach_context(self, pages):
        return attach_decision_context(pages, self.request)

    def get_object(self):
        try:
            key = uuid.UUID(self.kwargs["uuid"])
        except ValueError:
            raise NotFound(_("No published decision has this id.")) from None
        pages = list(self.filter_queryset(self.get_queryset()).filter(uuid=key))
        if not pages:
            raise NotFound(_("No published decision has this id."))
        return self.attach_context([preferred_translation(pages)])[0]


@extend_schema_view(
    list=extend_schema(
        summary="List published council sessions", responses={200: SessionSerializer, **PROBLEM_RESPONSES}
    ),
    retrieve=extend_schema(
        summary="One council session, in one language",
        parameters=[
            OpenApiParameter(
                "id", str, OpenApiParameter.PATH, description="The session's id (UUID, its translation key) or page id."
            ),
            LANGUAGE_PARAMETER,
        ],
        responses={200: SessionSerializer, **PROBLEM_RESPONSES},
    ),
)
class SessionViewSet(PublicReadOnlyViewSet):
    """Council sessions: date, kind, agenda and minutes. A session's id is its pages' translation key."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    lookup_field = "id"

    def get_queryset(self):
        return session_queryset()

    def attach_context(self, pages):
        return attach_session_context(pages, self.request)

    def get_object(self):
        try:
            value = PageIdField().clean(self.kwargs["id"])
        except forms.ValidationError:
            raise NotFound(_("No published session has this id.")) from None
        pages = list(self.filter_queryset(self.get_queryset()).filter(session_lookup(value)))
        if not pages:
            raise NotFound(_("No published session has this id."))
        page = preferred_translation(pages)
        return self.attach_context([page])[0]


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


router = SimpleRouter()
router.register("decisions", DecisionViewSet, basename="decision")
router.register("sessions", SessionViewSet, basename="session")

app_name = "cms_api"
urlpatterns = [*router.urls]


# JSON-LD --------------------------------------------------------------------------------------------

# Django's json_script escapes: no `<`, `>` or `&` survives, so no text can close the <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def decision_jsonld(page: DecisionPage, request: HttpRequest) -> dict:
    """Return the schema.org `Legislation` describing a decision, for its page's JSON-LD."""
    url = page_url(page, request)
    data = {
        "@context": "https://schema.org",
        "@type": "Legislation",
        "@id": url,
        "url": url,
        "identifier": page.uuid.urn,
        "legislationIdentifier": page.reference,
        "legislationDate": page.decision_date.isoformat(),
        "name": page.title,
        "abstract": page.summary,
        "inLanguage": page.language,
        "legislationPassedBy": {
            "@type": "GovernmentOrganization",
            "name": page.body.name,
            "url": request.build_absolute_uri(page.body.get_absolute_url()),
        },
        "datePublished": iso(page.first_published_at),
        "dateModified": iso(page.last_published_at),
        "keywords": [topic.name for topic in page.topics.all()],
        "encoding": [
            {
                "@type": "MediaObject",
                "name": attachment.document.title,
                "contentUrl": request.build_absolute_uri(attachment.document.url),
                "encodingFormat": attachment.document.content_type,
                **({"contentSize": str(attachment.document.file_size)} if attachment.document.file_size else {}),
            }
            for attachment in page.attachments.select_related("document")
        ],
    }
    return {key: value for key, value in data.items() if value not in (None, [], "")}


def jsonld_script(data: dict) -> SafeString:
    """Return `data` as a `<script type="application/ld+json">` element, escaped like Django's json_script."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


# Loaded as `{% load cms_api %}` (TEMPLATES' "libraries" in settings) by cms/includes/decision_jsonld.html.
register = template.Library()


@register.simple_tag(takes_context=True)
def decision_jsonld_script(context, page: DecisionPage) -> SafeString:
    return jsonld_script(decision_jsonld(page, context["request"]))
