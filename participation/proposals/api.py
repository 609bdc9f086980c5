"""The REST API of citizen and association proposals (/api/v1/proposals/): the public proposals with their
official answers, their discussions, and supports given by a verified person authenticated by token.

Anyone reads what the public pages show: public statuses only (no drafts, nothing hidden for review), each author
as the public signature (an association, a pseudonym or the name the person shows), a hidden comment as its
hiding reason only. Supporting is `POST`/`DELETE …/support/` with `Authorization: Token <key>` (the key is on the
person's account page, /accounts/api-token/); each goes through services.support / services.withdraw_support,
which keep one support per person and the count exact under concurrent requests.
"""

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.accounts.models import is_verified
from portal.api import PROBLEM_CONTENT_TYPE, PROBLEM_RESPONSES, ProblemSerializer, PublicReadOnlyViewSet
from portal.ratelimits import RateThrottle

from . import services, supports
from .forms import SORTS  # the list page's orders (sort=recent|supported|commented)
from .models import PUBLIC_STATUSES, Answer, Comment, Proposal, Status
from .views import matching


class Conflict(APIException):
    """The proposal does not accept this now (closed, answered, merged): a 409 problem with the reason."""

    status_code = 409
    default_detail = _("This proposal does not accept supports now.")
    default_code = "conflict"


PUBLIC_CHOICES = [(value, label) for value, label in Status.choices if value in PUBLIC_STATUSES]


# Serializers ----------------------------------------------------------------------------------------


class OrganisationSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    verified = serializers.BooleanField(help_text="Staff approved the association.")


class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="As the public sees it: the association, the pseudonym or the name.")
    organisation = OrganisationSerializer(allow_null=True, help_text="The association it was written for, if any.")


def author_of(record) -> dict:
    """The public signature of a proposal or a comment, never the account behind a pseudonym."""
    organisation = record.organisation if record.organisation_id else None
    return {
        "name": str(record.signature()),
        "organisation": (
            {"slug": organisation.slug, "verified": organisation.is_approved()} if organisation is not None else None
        ),
    }


class AnswerSerializer(serializers.ModelSerializer):
    outcome = serializers.CharField(source="status")
    outcome_label = serializers.CharField(source="get_status_display")
    date = serializers.DateTimeField(source="at")

    class Meta:
        model = Answer
        fields = ["outcome", "outcome_label", "text", "language", "date"]


class PointSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="Longitude, latitude (WGS 84)."
    )


class ProposalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    reference = serializers.CharField(help_text="The reference shown on its page, e.g. P-00042.")
    url = serializers.SerializerMethodField(help_text="Its public page, absolute.")
    space = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    district = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    point = serializers.SerializerMethodField()
    estimated_cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, read_only=True)
    currency = serializers.CharField(source="space.currency", help_text="ISO 4217, of the estimated cost.")
    status_label = serializers.CharField(source="get_status_display")
    author = serializers.SerializerMethodField()
    answers = AnswerSerializer(many=True, read_only=True, help_text="The council's official answers, oldest first.")
    merged_into = serializers.SerializerMethodField(help_text="The id of the proposal it was merged into.")

    class Meta:
        model = Proposal
        fields = [
            "id",
            "reference",
            "url",
            "space",
            "title",
            "text",
            "language",
            "category",
            "district",
            "point",
            "estimated_cost",
            "currency",
            "status",
            "status_label",
            "supports_count",
            "comments_count",
            "author",
            "answers",
            "merged_into",
            "published_at",
            "answer_due",
        ]

    def get_url(self, proposal) -> str:
        return self.context["request"].build_absolute_uri(proposal.get_absolute_url())

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_point(self, proposal) -> dict | None:
        return proposal.point

    @extend_schema_field(AuthorSerializer)
    def get_author(self, proposal) -> dict:
        return author_of(proposal)

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_merged_into(self, proposal) -> str | None:
        return str(proposal.merged_into.uuid) if proposal.merged_into_id else None


class CommentSerializer(serializers.ModelSerializer):
    """A message of the discussion; a hidden one keeps its place in the thread and shows only why it was hidden."""

    parent = serializers.IntegerField(source="parent_id", allow_null=True, help_text="The comment it answers.")
    hidden = serializers.BooleanField(source="is_hidden")
    hidden_reason = serializers.SerializerMethodField(help_text="Why a moderator hid it (hidden comments only).")
    author = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "parent", "hidden", "hidden_reason", "author", "text", "language", "created_at", "edited_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_hidden_reason(self, comment) -> str | None:
        return comment.hidden_reason if comment.is_hidden else None

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, comment) -> dict | None:
        return None if comment.is_hidden else author_of(comment)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_text(self, comment) -> str | None:
        return None if comment.is_hidden else comment.text

    @extend_schema_field(serializers.ChoiceField(choices=settings.LANGUAGES, allow_null=True))
    def get_language(self, comment) -> str | None:
        return None if comment.is_hidden else comment.language


class SupportSerializer(serializers.Serializer):
    supports_count = serializers.IntegerField(help_text="The proposal's supports now.")
    supported = serializers.BooleanField(help_text="Whether the person authenticated supports it now.")


# Filters --------------------------------------------------------------------------------------------


class ProposalFilter(filters.FilterSet):
    """The filters of the proposals list page (/<lang>/proposals/), under the same names."""

    space = filters.CharFilter(field_name="space__slug", help_text="A participatory space's slug.")
    category = filters.CharFilter(field_name="category__slug", help_text="A category's slug.")
    district = filters.CharFilter(field_name="district__slug", help_text="A district's slug.")
    status = filters.ChoiceFilter(choices=PUBLIC_CHOICES)
    q = filters.CharFilter(
        method="filter_text",
        max_length=settings.SEARCH_MAX_QUERY_LENGTH,
        help_text="Words of the proposal (title, description, answers), whatever their accents, hamza or article.",
    )
    sort = filters.ChoiceFilter(
        choices=[(name, name) for name in SORTS],
        method="filter_sort",
        help_text="`recent` (newest first, the default), `supported` (most supports first) or `commented`.",
    )

    class Meta:
        model = Proposal
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The list page's search (the portal's, and titles as typed): the same words find the same proposals.
        return queryset.filter(pk__in=matching(value))

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS[value])


# Views ----------------------------------------------------------------------------------------------

PAGE_PARAMETERS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="A page number within the results."),
    OpenApiParameter("page_size", {"type": "integer", "minimum": 1}, description="Results per page (at most 100)."),
]

SUPPORT_RESPONSES = {
    200: SupportSerializer,
    (401, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description="No token, or not a valid one."),
    (403, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemSerializer, description="The account's identity is not verified: it cannot support."
    ),
    (404, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description="No such public proposal."),
    (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemSerializer, description="The proposal does not accept this now (closed, answered, merged)."
    ),
}


@extend_schema(tags=["proposals"])
class ProposalViewSet(PublicReadOnlyViewSet):
    """Citizen and association proposals, with their official answers."""

    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    lookup_field = "uuid"
    # The support actions' throttle counts per person (portal.ratelimits.RateThrottle); the rest per address.
    throttle_key = "ip"

    def get_queryset(self):
        proposals = Proposal.objects.public()
        if self.action == "comments":
            return proposals
        return (
            proposals.select_related("space", "category", "district", "author", "organisation", "merged_into")
            .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("at", "pk")))
            .order_by(*SORTS["recent"])
        )

    def get_object(self):
        if self.action not in ("support", "withdraw_support"):
            return super().get_object()
        # The public proposal as get_object would find it (404 otherwise), read by hand with only what supporting
        # checks and the person's verification (supports.read_proposal): a support's hot path.
        proposal = supports.read_proposal(self.kwargs[self.lookup_field], self.request.user)
        if proposal is None:
            raise Http404
        self.check_object_permissions(self.request, proposal)
        return proposal

    def attach_context(self, pages):
        return pages

    @extend_schema(
        summary="One public proposal",
        responses={200: ProposalSerializer, **PROBLEM_RESPONSES},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="The discussion of a proposal, oldest first (threads through `parent`)",
        filters=False,
        parameters=PAGE_PARAMETERS,
        responses={200: CommentSerializer(many=True), **PROBLEM_RESPONSES},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def comments(self, request, uuid=None):
        proposal = self.get_object()
        comments = (
            Comment.objects.filter(proposal=proposal)
            .select_related("author", "organisation")
            .order_by("created_at", "pk")
        )
        page = self.paginate_queryset(comments)
        context = self.get_serializer_context()
        return self.get_paginated_response(CommentSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Support a proposal (a verified person, by token)",
        request=None,
        filters=False,
        responses=SUPPORT_RESPONSES,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="support",
        filterset_class=None,
        authentication_classes=(TokenAuthentication,),
        permission_classes=(IsAuthenticated,),
        throttle_classes=(RateThrottle,),
        throttle_rate="proposal.support",
        throttle_group="proposal.support",
        throttle_key="user",
    )
    def support(self, request, uuid=None):
        proposal = self.get_object()
        try:
            count = services.support(proposal, request.user)
        except services.ProposalRefused as refusal:
            raise self._refusal(request.user, refusal) from None
        return Response(SupportSerializer({"supports_count": count, "supported": True}).data)

    @extend_schema(
        summary="Withdraw one's support of a proposal (while its space is open)",
        request=None,
        filters=False,
        responses=SUPPORT_RESPONSES,
    )
    @support.mapping.delete
    def withdraw_support(self, request, uuid=None):
        proposal = self.get_object()
        try:
            count = services.withdraw_support(proposal, request.user)
        except services.ProposalRefused as refusal:
            raise self._refusal(request.user, refusal) from None
        return Response(SupportSerializer({"supports_count": count, "supported": False}).data)

    @staticmethod
    def _refusal(user, refusal: services.ProposalRefused) -> APIException:
        """An unverified person is forbidden (403); anything else the proposal's state refuses (409)."""
        if not is_verified(user):
            return PermissionDenied(str(refusal))
        return Conflict(str(refusal))
