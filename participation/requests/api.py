"""The REST API of information requests and complaints (/api/v1/information-requests/): the cases with their
timelines, and the public deadline calculator.

Anyone reads the public cases as the public page shows them (redacted text, no identity unless chosen); a
signed-in requester (session or token) also reads their own in full, an information officer their bodies'. A case
one may not read is a 404, as on the pages.
"""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import PROBLEM_RESPONSES, JSONOnly, PublicReadOnlyViewSet, YearFilter
from portal.bodies.models import PublicBody
from portal.forms import declared_parameters
from portal.ratelimits import RateThrottle

from . import deadlines
from .calculator import CalculatorError, calculate
from .models import Case, Law, Status, officer_bodies
from .timeline import timeline
from .workflow import is_requester


class DeadlineParameters(serializers.Serializer):
    law = serializers.SlugField(required=False, help_text="A law's code, e.g. ma-31-13; default: the body's law.")
    received = serializers.DateField(input_formats=["%Y-%m-%d"], help_text="The date of receipt, YYYY-MM-DD.")
    urgent = serializers.BooleanField(
        required=False, default=False, help_text="Someone's life, safety or freedom depends on the answer."
    )
    body = serializers.SlugField(required=False, help_text="A public body's slug: its law and its country's days.")

    def validate_law(self, value: str) -> Law:
        law = Law.objects.filter(code=value).first()
        if law is None:
            raise serializers.ValidationError(_("No law has this code."))
        return law

    def validate_body(self, value: str) -> PublicBody:
        body = PublicBody.objects.filter(slug=value).first()
        if body is None:
            raise serializers.ValidationError(_("No public body has this slug."))
        return body


class SkippedSerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(help_text="The holiday, in the request's language where the calendar has it.")
    estimated = serializers.BooleanField(help_text="An Islamic holiday's estimated date, not yet announced.")


class DeadlineSerializer(serializers.Serializer):
    law = serializers.CharField()
    received = serializers.DateField()
    due = serializers.DateField()
    skipped = SkippedSerializer(many=True)


class DeadlineView(APIView):
    """When a public body must answer a request received on a date: the law's time, in the working days of its
    country, and the holidays it skipped."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (RateThrottle,)
    throttle_rate = "api"
    throttle_group = "api.rest"
    content_negotiation_class = JSONOnly

    @extend_schema(
        summary="Calculate the date by which a request must be answered",
        parameters=[DeadlineParameters],
        responses={200: DeadlineSerializer, **PROBLEM_RESPONSES},
    )
    def get(self, request):
        parameters = DeadlineParameters(data=declared_parameters(request.query_params, DeadlineParameters().fields))
        parameters.is_valid(raise_exception=True)
        data = parameters.validated_data
        law, body = data.get("law"), data.get("body")
        try:
            deadline: deadlines.Deadline = calculate(law, data["received"], urgent=data["urgent"], body=body)
        except CalculatorError as error:
            raise ValidationError({error.parameter: [error.message]}) from None
        code = law.code if law else deadlines.law_for(body).code
        return Response(
            DeadlineSerializer(
                {"law": code, "received": data["received"], "due": deadline.due, "skipped": deadline.skipped}
            ).data
        )


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["move", "message", "deadline", "appeal"])
    title = serializers.CharField()
    status = serializers.CharField(
        help_text="The status reached (a move), the new due date (a deadline), the outcome (an appeal)."
    )
    text = serializers.CharField()
    by_body = serializers.BooleanField()


class CaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    body = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    law = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField()
    requester = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    refusal_reason = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "kind",
            "body",
            "law",
            "subject",
            "language",
            "urgent",
            "status",
            "status_label",
            "overdue",
            "requester",
            "received_on",
            "due_on",
            "decided_on",
            "refusal_reason",
            "url",
            "timeline",
        ]

    def _full(self, case) -> bool:
        """Whether the reader sees the case as written: its requester, or an officer of its body."""
        user = self.context["request"].user
        return is_requester(user, case) or case.body_id in self.context["officer_bodies"]

    def get_subject(self, case) -> str:
        return case.subject if self._full(case) else case.public_subject

    def get_overdue(self, case) -> bool:
        return case.is_overdue()

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_requester(self, case) -> str:
        """The requester's name where they chose to show it (or to themselves and the body's officers)."""
        return case.requester_name if self._full(case) else case.public_requester

    def get_url(self, case) -> str:
        return self.context["request"].build_absolute_uri(case.get_absolute_url())

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, case) -> list:
        entries = timeline(case, public=not self._full(case))
        return [
            {
                "at": entry.at,
                "kind": entry.kind,
                "title": entry.title,
                "status": entry.status,
                "text": entry.text,
                "by_body": entry.by_body,
            }
            for entry in entries
        ]


class CaseListSerializer(CaseSerializer):
    """A listing's cases, without their timelines (GET one case for its timeline)."""

    class Meta(CaseSerializer.Meta):
        fields = [name for name in CaseSerializer.Meta.fields if name != "timeline"]


class CaseFilter(filters.FilterSet):
    body = filters.CharFilter(method="filter_body", help_text="A public body's slug: its cases and those below it.")
    kind = filters.ChoiceFilter(choices=Case.Kind.choices)
    status = filters.ChoiceFilter(choices=Status.choices)
    year = YearFilter(field_name="received_on__year", help_text="The year the case was received.")

    class Meta:
        model = Case
        fields = ["body", "kind", "status", "year"]

    def filter_body(self, queryset, name, value):
        body = PublicBody.objects.filter(slug=value).first()
        return queryset.filter(body__path__startswith=body.path) if body else queryset.none()


@extend_schema(tags=["information requests"])
class CaseViewSet(PublicReadOnlyViewSet):
    """Information requests and complaints, with their timelines."""

    authentication_classes = (SessionAuthentication, TokenAuthentication)
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    lookup_field = "uuid"

    def get_queryset(self):
        cases = Case.objects.visible_to(self.request.user).select_related("body", "law", "refusal_reason")
        return cases.order_by("-received_on", "-pk")

    def attach_context(self, pages):
        return pages

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseSerializer

    def get_serializer_context(self):
        answered = set(officer_bodies(self.request.user).values_list("pk", flat=True))
        return {**super().get_serializer_context(), "officer_bodies": answered}
