"""GET /api/v1/information-requests/deadline/: the public deadline calculator."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import PROBLEM_RESPONSES, JSONOnly
from portal.bodies.models import PublicBody
from portal.forms import declared_parameters
from portal.ratelimits import RateThrottle

from . import deadlines
from .calculator import CalculatorError, calculate
from .models import Law


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
