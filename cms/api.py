"""The read-only REST API of council sessions and decisions (/api/v1/), and their schema.org JSON-LD.

Public ids: a decision is named by its `uuid`, a session by its page's `translation_key`.
Wagtail copies both onto every translation, so one id names the same decision (or session)
in every language: lists show each language's page, and a detail answers in the language
asked for (`?language=`), else in the visitor's (Accept-Language), else in the first one
published along `LANGUAGE_FALLBACKS`.

Pagination, filters' shapes, errors (RFC 9457 problems) and the throttle are the REST core's (portal.api).
"""

import uuid

import django_filters as filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.routers import SimpleRouter
from wagtail.models import Page

from portal.api import (
    LANGUAGE_PARAMETER,
    MAX_PAGE_ID,
    PROBLEM_RESPONSES,
    PageIdField,
    PageIdFilter,
    PublicReadOnlyViewSet,
    SortFilter,
    YearFilter,
)
from portal.i18n import language_order
from portal.searching import among

from .listing import matching_decisions
from .models import (
    CouncilDocument,
    CouncilIndexPage,
    CouncilSessionPage,
    DecisionAttachment,
    DecisionPage,
    MemberVote,
    Topic,
)

# Two `kind` choices meet in the schema: SPECTACULAR_SETTINGS names their enums through these.
SessionKind = CouncilSessionPage.Kind
AttachmentKind = DecisionAttachment.Kind

# Tree paths grow by Page.steplen characters per level: a page's parent has the path
# `path[: (depth - 1) * steplen]`. This expression reaches the parent inside a subquery.
PARENT_PATH = Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * Page.steplen)


# Filters --------------------------------------------------------------------------------------------


def session_lookup(value: int | uuid.UUID) -> Q:
    if isinstance(value, uuid.UUID):
        return Q(translation_key=value)
    # Page ids are database integers: a larger number names no page (and would overflow the query).
    return Q(pk=value) if value <= MAX_PAGE_ID else Q(pk__in=[])


class DecisionFilter(filters.FilterSet):
    """The filters of the decisions listing (/<lang>/decisions/), under the same names."""

    body = filters.CharFilter(field_name="body__slug", help_text="The public body's slug.")
    # A range of dates, as the listing filters (cms.listing): the (date, reference, id) indexes then serve it in the
    # listing's order, where the year column's equality made PostgreSQL read the newer years first (35 ms at 100,000).
    year = YearFilter(field_name="decision_date", lookup_expr="year", help_text="The year of the decision.")
    session = PageIdFilter(method="filter_session", help_text="The session's id (UUID) or page id.")
    topic = filters.CharFilter(method="filter_topic", help_text="A topic's slug.")
    outcome = filters.ChoiceFilter(choices=DecisionPage.Outcome.choices)
    language = filters.ChoiceFilter(choices=settings.LANGUAGES, help_text="Only the pages in this language.")
    q = filters.CharFilter(
        method="filter_text",
        max_length=settings.SEARCH_MAX_QUERY_LENGTH,
        help_text="Words of the decision, whatever their accents, hamza, article or plural; or its reference.",
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
        # The listing's search: the same words find the same decisions on the page and in the API.
        return queryset.filter(among(matching_decisions(value)))


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
            "for": serializers.IntegerField(source="votes_for", allow_null=True, help_text="null when unknown."),
            "against": serializers.IntegerField(
                source="votes_against", allow_null=True, help_text="null when unknown."
            ),
            "abstain": serializers.IntegerField(
                source="votes_abstain", allow_null=True, help_text="null when unknown."
            ),
            "cast": serializers.IntegerField(
                source="votes_cast", allow_null=True, help_text="null unless all are known."
            ),
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
    title = serializers.CharField(source="whole_title", help_text="The whole title, past 255 characters too.")
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


router = SimpleRouter()
router.register("decisions", DecisionViewSet, basename="decision")
router.register("sessions", SessionViewSet, basename="session")

app_name = "cms_api"
urlpatterns = [*router.urls]
