"""The spending REST API (/api/v1/): budget lines and their sums, payments, subsidies and suppliers.

Built on the portal's REST core (portal.api): public and read-only, one pagination style (count, next,
previous, results), RFC 9457 problems for errors, throttled at the rate `api`. Filters carry the names of the
spending pages' query parameters (`body`, `year`, `kind`, `function`, `economic`…). Money is a decimal string
with its ISO 4217 currency; classification codes are strings, leading zeros kept.

Personal data: payments are read through `Payment.objects.listed()` and name their recipient by
`Supplier.public_name`; a private person has no id here (`supplier.uuid` is null), is never listed among the
suppliers, and cannot be looked up by id.
"""

import uuid
from decimal import Decimal

import django_filters as filters
from django.core.validators import slug_re
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from portal.api import PROBLEM_RESPONSES, PublicReadOnlyViewSet, YearFilter
from portal.bodies.models import PublicBody

from ..models import AMOUNT_DIGITS, BudgetLine, Direction, Payment, Section, Stage, Supplier
from ..summaries import SUMMARY_GROUPS, budget_summary, exact
from .common import SupplierRefSerializer

CENTS = Decimal("0.01")
MONEY = {"max_digits": AMOUNT_DIGITS, "decimal_places": 2, "coerce_to_string": True}
CODE_LENGTH = 30  # BudgetLine.function_code / economic_code
PUBLIC_SUPPLIER_KINDS = [(value, label) for value, label in Supplier.Kind.choices if value != Supplier.Kind.INDIVIDUAL]


# Filters --------------------------------------------------------------------------------------------


class BudgetLineFilter(filters.FilterSet):
    """The filters of a body's budget pages, under the same names."""

    body = filters.CharFilter(field_name="body__slug", max_length=100, help_text="The public body's slug.")
    year = YearFilter(field_name="fiscal_year", help_text="The fiscal year.")
    kind = filters.ChoiceFilter(field_name="stage", choices=Stage.choices, help_text="The budget's stage.")
    direction = filters.ChoiceFilter(choices=Direction.choices)
    section = filters.ChoiceFilter(choices=Section.choices)
    function = filters.CharFilter(
        field_name="function_code", max_length=CODE_LENGTH, help_text="A functional code, as written (`007`)."
    )
    economic = filters.CharFilter(
        field_name="economic_code", max_length=CODE_LENGTH, help_text="An economic code, as written (`02100`)."
    )

    class Meta:
        model = BudgetLine
        fields: list[str] = []


class PaymentFilter(filters.FilterSet):
    """The filters of the payments and subsidies listings, under the same names."""

    body = filters.CharFilter(field_name="body__slug", max_length=100, help_text="The public body's slug.")
    year = YearFilter(field_name="fiscal_year", help_text="The fiscal year.")
    supplier = filters.UUIDFilter(method="filter_supplier", help_text="The supplier's or beneficiary's id.")
    function = filters.CharFilter(field_name="function_code", max_length=CODE_LENGTH, help_text="A functional code.")
    economic = filters.CharFilter(field_name="economic_code", max_length=CODE_LENGTH, help_text="An economic code.")
    decision = filters.CharFilter(
        field_name="decision_reference", max_length=50, help_text="The reference of the authorising decision."
    )
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", help_text="Paid on or after (ISO 8601).")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", help_text="Paid on or before (ISO 8601).")

    class Meta:
        model = Payment
        fields: list[str] = []

    def filter_supplier(self, queryset, name, value):
        # A private person has no public id: asking for one finds nothing, as an unknown id does.
        return queryset.filter(supplier__uuid=value).exclude(supplier__kind=Supplier.Kind.INDIVIDUAL)


class SupplierFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_name", max_length=200, help_text="Words of the name or the identifier.")
    kind = filters.ChoiceFilter(choices=PUBLIC_SUPPLIER_KINDS)

    class Meta:
        model = Supplier
        fields: list[str] = []

    def filter_name(self, queryset, name, value):
        # The key folds names as imports do (case, accents, hamza, the Arabic article): the same words find it.
        words = Supplier.key_for(value).removeprefix("name:").split()
        matching = Q(identifier__iexact=value.strip()) | Q(name__icontains=value.strip())
        if words:
            by_key = Q()
            for word in words:
                by_key &= Q(key__contains=word)
            matching |= by_key
        return queryset.filter(matching)


# Serializers ----------------------------------------------------------------------------------------


class BudgetLineSerializer(serializers.ModelSerializer):
    body = serializers.SlugField(source="body.slug", help_text="The public body's slug.")
    section = serializers.ChoiceField(choices=Section.choices, allow_blank=True, help_text="Empty when not given.")
    function = serializers.CharField(source="function_code", help_text="Functional code, as written.")
    economic = serializers.CharField(source="economic_code", help_text="Economic code, as written.")
    amount = serializers.DecimalField(**MONEY)
    decision = serializers.CharField(source="decision_reference", help_text="The decision that voted it.")

    class Meta:
        model = BudgetLine
        fields = [
            "uuid", "body", "fiscal_year", "stage", "direction", "section", "function", "economic", "label",
            "amount", "currency", "decision",
        ]  # fmt: skip
        read_only_fields = fields


class SummaryRowSerializer(serializers.Serializer):
    """One group of the summary: the `group_by` values asked for, then the sum, for the schema."""

    body = serializers.CharField(required=False)
    year = serializers.IntegerField(required=False)
    stage = serializers.CharField(required=False)
    direction = serializers.CharField(required=False)
    section = serializers.CharField(required=False)
    function = serializers.CharField(required=False)
    economic = serializers.CharField(required=False)
    currency = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    lines = serializers.IntegerField(help_text="Budget lines summed.")


class SummarySerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.ChoiceField(choices=list(SUMMARY_GROUPS)))
    results = SummaryRowSerializer(many=True, help_text="One per group and currency: sums never mix currencies.")


class PaymentSerializer(serializers.ModelSerializer):
    body = serializers.SlugField(source="body.slug", help_text="The public body's slug.")
    supplier = SupplierRefSerializer(help_text="Who received it.")
    amount = serializers.DecimalField(**MONEY)
    purpose = serializers.CharField(source="public_purpose", help_text="A private person's name taken out.")
    function = serializers.CharField(source="function_code")
    economic = serializers.CharField(source="economic_code")
    decision = serializers.CharField(source="decision_reference", help_text="The decision that authorised it.")

    class Meta:
        model = Payment
        fields = [
            "uuid", "body", "kind", "fiscal_year", "date", "supplier", "amount", "currency", "purpose", "function",
            "economic", "reference", "decision",
        ]  # fmt: skip
        read_only_fields = fields


class SubsidySerializer(PaymentSerializer):
    """A subsidy: a payment's shape, under its own name in the schema (clients and tools tell them apart)."""


class TotalSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Payment.Kind.choices)
    currency = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    count = serializers.IntegerField(help_text="Payments or subsidies summed.")


class SupplierSerializer(serializers.ModelSerializer):
    totals = TotalSerializer(many=True, source="api_totals", help_text="What it received, per kind and currency.")
    payments = serializers.SerializerMethodField(help_text="The API listing of the payments it received.")
    subsidies = serializers.SerializerMethodField(help_text="The API listing of the subsidies it received.")

    class Meta:
        model = Supplier
        fields = ["uuid", "name", "identifier", "kind", "totals", "payments", "subsidies"]
        read_only_fields = fields

    def _listing(self, name: str, supplier: Supplier) -> str:
        url = self.context["request"].build_absolute_uri(reverse(f"spending_api:{name}-list"))
        return replace_query_param(url, "supplier", str(supplier.uuid))

    @extend_schema_field(OpenApiTypes.URI)
    def get_payments(self, supplier: Supplier) -> str:
        return self._listing("payment", supplier)

    @extend_schema_field(OpenApiTypes.URI)
    def get_subsidies(self, supplier: Supplier) -> str:
        return self._listing("subsidy", supplier)


def attach_totals(suppliers: list[Supplier]) -> list[Supplier]:
    """Set `api_totals` on each supplier: its sums per kind and currency, in one grouped query."""
    rows = (
        Payment.objects.filter(supplier__in=suppliers)
        .values("supplier", "kind", "currency")
        .annotate(amount=Sum("amount"), count=Count("id"))
        .order_by("supplier", "kind", "currency")
    )
    by_supplier: dict[int, list[dict]] = {}
    for row in rows:
        by_supplier.setdefault(row.pop("supplier"), []).append({**row, "amount": exact(row["amount"])})
    for supplier in suppliers:
        supplier.api_totals = by_supplier.get(supplier.pk, [])
    return suppliers


# Views ----------------------------------------------------------------------------------------------


UUID_PARAMETER = OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)
GROUP_BY_NAMES = "|".join(SUMMARY_GROUPS)
GROUP_BY_PARAMETER = OpenApiParameter(
    "group_by",
    {"type": "string", "pattern": rf"^({GROUP_BY_NAMES})(,({GROUP_BY_NAMES}))*$"},
    description="Comma-separated groupings among: " + ", ".join(SUMMARY_GROUPS) + ". None: the totals per currency.",
)


def group_by_parameter(request) -> list[str]:
    """Return the groupings asked for (`group_by=function,year`), each once; 400 naming the allowed ones."""
    # Strict, as the schema's pattern says: "year,,function" or " year" are refused, not guessed at.
    names = [name for raw in request.query_params.getlist("group_by") if raw for name in raw.split(",")]
    unknown = [name or '""' for name in names if name not in SUMMARY_GROUPS]
    if unknown:
        message = _("Unknown grouping %(names)s: choose among %(allowed)s.") % {
            "names": ", ".join(unknown)[:200],
            "allowed": ", ".join(SUMMARY_GROUPS),
        }
        raise ValidationError({"group_by": [message]})
    return list(dict.fromkeys(names))


class SpendingViewSet(PublicReadOnlyViewSet):
    lookup_field = "uuid"

    def attach_context(self, pages):
        return pages  # the querysets select what the serializers read

    def get_object(self):
        try:
            key = uuid.UUID(self.kwargs["uuid"])
        except ValueError:
            raise NotFound(_("No record has this id.")) from None
        record = self.get_queryset().filter(uuid=key).first()
        if record is None:
            raise NotFound(_("No record has this id."))
        return record


@extend_schema_view(
    list=extend_schema(summary="List budget lines", responses={200: BudgetLineSerializer, **PROBLEM_RESPONSES}),
    retrieve=extend_schema(
        summary="One budget line",
        parameters=[UUID_PARAMETER],
        responses={200: BudgetLineSerializer, **PROBLEM_RESPONSES},
    ),
)
class BudgetLineViewSet(SpendingViewSet):
    """Budget lines of public bodies: voted, amended and executed, by function and economic nature."""

    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter

    def get_queryset(self):
        return BudgetLine.objects.select_related("body").order_by(
            "body_id", "-fiscal_year", "stage", "direction", "section", "function_code", "economic_code", "pk"
        )

    @extend_schema(
        summary="Sums of budget lines",
        description="The sum and count of the filtered lines per group and currency, computed in the database.",
        filters=True,
        parameters=[GROUP_BY_PARAMETER],
        responses={200: SummarySerializer, **PROBLEM_RESPONSES},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def summary(self, request):
        group_by = group_by_parameter(request)
        lines = self.filter_queryset(BudgetLine.objects.all())
        # Thousands of groups (every code of every year) are plain dicts: a serializer per row would cost more
        # than the query. Amounts keep two decimals, as the lines have (a SQLite sum comes back as 1000.1).
        rows = [{**row, "amount": str(row["amount"].quantize(CENTS))} for row in budget_summary(lines, group_by)]
        return Response({"group_by": group_by, "results": rows})


@extend_schema_view(
    list=extend_schema(summary="List payments", responses={200: PaymentSerializer, **PROBLEM_RESPONSES}),
    retrieve=extend_schema(
        summary="One payment", parameters=[UUID_PARAMETER], responses={200: PaymentSerializer, **PROBLEM_RESPONSES}
    ),
)
class PaymentViewSet(SpendingViewSet):
    """Payments one by one: a private person's without the name, or only in totals where the body says so."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    kind = Payment.Kind.PAYMENT

    def get_queryset(self):
        # One body's payments through its rule read once (listed_for): no join to count and page them.
        slug = self.request.query_params.get("body", "")
        body = PublicBody.objects.filter(slug=slug).first() if slug_re.fullmatch(slug) else None
        payments = Payment.objects.listed_for(body) if body else Payment.objects.listed()
        return (
            payments.filter(kind=self.kind).select_related("body", "supplier").order_by("-fiscal_year", "-date", "-pk")
        )


@extend_schema_view(
    list=extend_schema(summary="List subsidies", responses={200: SubsidySerializer, **PROBLEM_RESPONSES}),
    retrieve=extend_schema(
        summary="One subsidy", parameters=[UUID_PARAMETER], responses={200: SubsidySerializer, **PROBLEM_RESPONSES}
    ),
)
class SubsidyViewSet(PaymentViewSet):
    """Subsidies granted, to associations above all; the same rule for private persons as payments."""

    serializer_class = SubsidySerializer
    kind = Payment.Kind.SUBSIDY


@extend_schema_view(
    list=extend_schema(
        summary="List suppliers and beneficiaries", responses={200: SupplierSerializer, **PROBLEM_RESPONSES}
    ),
    retrieve=extend_schema(
        summary="One supplier or beneficiary",
        parameters=[UUID_PARAMETER],
        responses={200: SupplierSerializer, **PROBLEM_RESPONSES},
    ),
)
class SupplierViewSet(SpendingViewSet):
    """Companies, associations and bodies paid by public bodies, with what each received; never private persons."""

    serializer_class = SupplierSerializer
    filterset_class = SupplierFilter

    def get_queryset(self):
        return Supplier.objects.public().order_by("name", "pk")

    def attach_context(self, pages):
        return attach_totals(pages)

    def get_object(self):
        return attach_totals([super().get_object()])[0]
