"""The spending REST API (/api/v1/): public contracts (one entry per OCDS `ocid`) and their OCDS packages.

Built on the portal's REST core (portal.api): public and read-only, one pagination style, RFC 9457 problems.
Money is a decimal string with its ISO 4217 currency; suppliers appear under their public name
(Supplier.public_name: a private person's is withheld, and no id links their contracts together).

"""

import uuid
from decimal import Decimal
from typing import Any

import django_filters as filters
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from opendata.models import Licence
from portal.api import LANGUAGE_PARAMETER, PROBLEM_RESPONSES, DeclaredFilterBackend, PublicReadOnlyViewSet, YearFilter
from portal.ratelimits import RateThrottle

from .. import exactjson
from ..models import Award, ContractingProcess, Supplier
from ..ocds import record_package, release_package, with_package_data
from .common import SupplierRefSerializer

# The licence the OCDS packages name: the catalogue's default licence for what a body publishes.
PACKAGE_LICENCE = "cc-by-4.0"


# Serializers ----------------------------------------------------------------------------------------


@extend_schema_field({"type": "object", "additionalProperties": True})
class OcdsJSONField(serializers.JSONField):
    """OCDS data as stored (amendments, implementation), its amounts as decimal strings like every amount here."""

    def to_representation(self, value):
        return self._strings(value)

    def _strings(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict):
            return {key: self._strings(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._strings(item) for item in value]
        return value


@extend_schema_field({"type": "array", "items": {"type": "object", "additionalProperties": True}})
class OcdsListField(OcdsJSONField):
    pass


def money_field(**options) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=17, decimal_places=2, coerce_to_string=True, allow_null=True, read_only=True, **options
    )


class AwardSerializer(serializers.Serializer):
    id = serializers.CharField(source="award_id", help_text="The award's OCDS id.")
    title = serializers.CharField()
    status = serializers.CharField(help_text="OCDS awardStatus: pending, active, cancelled, unsuccessful.")
    date = serializers.DateField(allow_null=True)
    value = money_field(help_text="A decimal string, in `currency`.")
    currency = serializers.CharField(help_text="ISO 4217; empty when the value is not known.")
    supplier = SupplierRefSerializer(allow_null=True)


class ContractSerializer(serializers.Serializer):
    id = serializers.CharField(source="contract_id", help_text="The contract's OCDS id.")
    award_id = serializers.CharField(help_text="The award it follows.")
    title = serializers.CharField()
    status = serializers.CharField(help_text="OCDS contractStatus: pending, active, cancelled, terminated.")
    date_signed = serializers.DateField(allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    value = money_field(help_text="A decimal string, in `currency`.")
    currency = serializers.CharField(help_text="ISO 4217; empty when the value is not known.")
    amendments = OcdsListField(help_text="OCDS amendments, amounts as decimal strings.")
    implementation = OcdsJSONField(help_text="OCDS implementation (transactions, milestones).")


class ContractingProcessSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="The process's id in this API (`/contracts/{uuid}/`).")
    ocid = serializers.CharField(help_text="The Open Contracting identifier.")
    body = serializers.SlugField(source="body.slug", help_text="The public body's slug (the `body` filter).")
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField(help_text="OCDS tenderStatus; empty when not known.")
    procurement_method = serializers.CharField(source="method", help_text="OCDS method; empty when not known.")
    value = money_field(help_text="The estimated value, a decimal string in `currency`.")
    currency = serializers.CharField(help_text="ISO 4217; empty when the value is not known.")
    tender_start = serializers.DateField(allow_null=True)
    tender_end = serializers.DateField(allow_null=True)
    fiscal_year = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField()
    awards = AwardSerializer(many=True, source="awards.all")
    contracts = ContractSerializer(many=True, source="contracts.all")


# Filters --------------------------------------------------------------------------------------------


class PackageFilter(filters.FilterSet):
    body = filters.CharFilter(field_name="body__slug", help_text="The public body's slug.")
    year = YearFilter(field_name="fiscal_year", help_text="The fiscal year of the process.")

    class Meta:
        model = ContractingProcess
        fields: list[str] = []


class ContractFilter(PackageFilter):
    supplier = filters.UUIDFilter(method="filter_supplier", help_text="A supplier's id: the processes it won.")

    def filter_supplier(self, queryset: QuerySet, name: str, value: uuid.UUID) -> QuerySet:
        # Private persons have no public id: their uuid finds nothing.
        suppliers = Supplier.objects.public().filter(uuid=value)
        return queryset.filter(Exists(Award.objects.filter(process=OuterRef("pk"), supplier__in=suppliers)))


def contract_queryset() -> QuerySet[ContractingProcess]:
    return with_package_data(ContractingProcess.objects.order_by("-fiscal_year", "ocid"))


# Views ----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List public contracting processes",
        description="One entry per OCDS ocid, with its awards and contracts.",
        parameters=[LANGUAGE_PARAMETER],
        responses={200: ContractingProcessSerializer(many=True), **PROBLEM_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="One contracting process",
        parameters=[
            OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The process's `uuid`."),
            LANGUAGE_PARAMETER,
        ],
        responses={200: ContractingProcessSerializer, **PROBLEM_RESPONSES},
    ),
)
class ContractingProcessViewSet(PublicReadOnlyViewSet):
    """Public contracting processes (OCDS): tender, awards with their suppliers, contracts."""

    serializer_class = ContractingProcessSerializer
    filterset_class = ContractFilter
    lookup_field = "uuid"

    def get_queryset(self):
        return contract_queryset()

    def dispatch(self, request, *args, **kwargs):
        # What the API words itself (a private person's withheld name) follows `language` when given.
        language = request.GET.get("language")
        if language not in dict(settings.LANGUAGES):
            return super().dispatch(request, *args, **kwargs)
        with translation.override(language):
            return super().dispatch(request, *args, **kwargs)

    def attach_context(self, pages):
        return pages  # contract_queryset prefetches what the serializer reads

    def get_object(self):
        try:
            key = uuid.UUID(self.kwargs["uuid"])
        except ValueError:
            raise NotFound(_("No contracting process has this id.")) from None
        process = self.get_queryset().filter(uuid=key).first()
        if process is None:
            raise NotFound(_("No contracting process has this id."))
        return process


class ContractPackageView(generics.GenericAPIView):
    """The contracting processes as one OCDS 1.1 package (release or record), filtered by body and year."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    filter_backends = (DeclaredFilterBackend,)
    filterset_class = PackageFilter
    throttle_classes = (RateThrottle,)
    throttle_rate = "api"
    throttle_group = "api.rest"
    pagination_class = None
    package = staticmethod(release_package)
    filename = "release-package.json"

    def get_queryset(self):
        return contract_queryset()

    def get(self, request, *args, **kwargs):
        processes = list(self.filter_queryset(self.get_queryset()))
        if not processes:
            raise NotFound(_("No contracting process matches: an OCDS package holds at least one."))
        licence = Licence.objects.filter(slug=PACKAGE_LICENCE).values_list("url", flat=True).first()
        data = self.package(
            processes,
            uri=request.build_absolute_uri(),
            # Made on demand: the date of the latest change to what it holds (the OCDS rule).
            published_date=max(process.updated_at for process in processes),
            license=licence or "",
        )
        response = HttpResponse(exactjson.dumps(data), content_type="application/json")
        response["Content-Disposition"] = f'inline; filename="{self.filename}"'
        return response


PACKAGE_PARAMETERS = [
    OpenApiParameter("body", str, description="The public body's slug."),
    OpenApiParameter(
        "year", {"type": "integer", "minimum": 1, "maximum": 9999}, description="The fiscal year of the process."
    ),
]
PACKAGE_RESPONSES = {
    (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="An OCDS 1.1 package."),
    **PROBLEM_RESPONSES,
}


class ReleasePackageView(ContractPackageView):
    @extend_schema(
        summary="Contracts as an OCDS 1.1 release package",
        operation_id="contracts_release_package",
        description="The releases each process was imported with, or the one the portal writes from its fields.",
        parameters=PACKAGE_PARAMETERS,
        responses=PACKAGE_RESPONSES,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RecordPackageView(ContractPackageView):
    package = staticmethod(record_package)
    filename = "record-package.json"

    @extend_schema(
        summary="Contracts as an OCDS 1.1 record package",
        operation_id="contracts_record_package",
        description="One record per ocid: its releases and its compiled release.",
        parameters=PACKAGE_PARAMETERS,
        responses=PACKAGE_RESPONSES,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
