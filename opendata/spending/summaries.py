"""The sums that spending pages, charts and the REST summary show, computed in the database.

Sums never mix currencies: every figure is grouped by currency too. Sums by classification are made per stored
code in the database, then rolled up in Python to the level asked for through the body's code list (a few
hundred codes at most), so that a thousand lines or a million payments cost one grouped query.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from portal.bodies.models import PublicBody

from .models import BudgetLine, ClassificationCode, Direction, Payment, Scheme, Supplier

ZERO = Decimal(0)
CENT = Decimal("0.01")


def exact(value) -> Decimal:
    """A database sum as an exact Decimal in cents (SQLite hands some back as floats; their shortest text is the
    sum), so that every database writes it alike: "1234567.50", never "1234567.5"."""
    if value is None:
        return ZERO
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENT)


@dataclass
class StageFigures:
    """A group's amounts at each stage of the year (None: that stage was not published)."""

    code: str
    label: str
    currency: str
    voted: Decimal | None = None
    amended: Decimal | None = None
    executed: Decimal | None = None

    @property
    def planned(self) -> Decimal | None:
        """What the year's budget allowed in the end: amended when published, else voted."""
        return self.amended if self.amended is not None else self.voted

    @property
    def execution_rate(self) -> Decimal | None:
        """Executed as a percentage of the planned amount, one decimal; None when either is missing or zero."""
        if self.executed is None or not self.planned:
            return None
        return (self.executed * 100 / self.planned).quantize(Decimal("0.1"))

    def add(self, stage: str, amount: Decimal) -> None:
        setattr(self, stage, (getattr(self, stage) or ZERO) + amount)


def fiscal_years(body: PublicBody) -> list[int]:
    """The years for which `body` published budget lines or payments, latest first.

    A body's payments can be millions: their years are found by a loose index scan (each next year is one MIN over
    the (body, kind, fiscal_year) index, so ten years cost twenty index lookups), where DISTINCT reads every row.
    """
    years = set(BudgetLine.objects.filter(body=body).order_by().values_list("fiscal_year", flat=True).distinct())
    table = connection.ops.quote_name(Payment._meta.db_table)
    next_year = f"SELECT MIN(fiscal_year) FROM {table} WHERE body_id = %s AND kind = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for kind in Payment.Kind.values:
            cursor.execute(
                f"WITH RECURSIVE found(year) AS ({next_year} UNION ALL "  # noqa: S608 (names from the model)
                f"SELECT ({next_year} AND fiscal_year > found.year) FROM found WHERE found.year IS NOT NULL) "
                "SELECT year FROM found WHERE year IS NOT NULL",
                [body.pk, kind, body.pk, kind],
            )
            years |= {row[0] for row in cursor.fetchall()}
    return sorted(years, reverse=True)


def code_labels(body: PublicBody, scheme: str) -> dict[str, ClassificationCode]:
    """The code list `body` uses for `scheme`: the shared codes, overridden by the body's own."""
    codes = ClassificationCode.objects.filter(Q(body=None) | Q(body=body), scheme=scheme)
    by_code: dict[str, ClassificationCode] = {}
    for code in sorted(codes, key=lambda code: code.body_id is not None):
        by_code[code.code] = code
    return by_code


def rolled_up(code: str, codes: dict[str, ClassificationCode], level: int) -> str:
    """The ancestor of `code` at `level` in the code list (the code itself when the list does not know it)."""
    seen = set()
    while code in codes and codes[code].level > level and codes[code].parent_code and code not in seen:
        seen.add(code)
        code = codes[code].parent_code
    return code


def by_classification(
    body: PublicBody, year: int, *, scheme: str = Scheme.FUNCTIONAL, direction: str = Direction.EXPENDITURE,
    section: str = "", level: int = 1,
) -> list[StageFigures]:  # fmt: skip
    """Return the year's amounts per code of `scheme` at `level`, each with voted, amended and executed, largest
    planned first. Lines without a code of that scheme are one group, labelled as such."""
    field = "function_code" if scheme == Scheme.FUNCTIONAL else "economic_code"
    lines = BudgetLine.objects.filter(body=body, fiscal_year=year, direction=direction)
    if section:
        lines = lines.filter(section=section)
    codes = code_labels(body, scheme)
    # Each line's own label names its code when the code list does not: the first label met per code.
    sums = lines.values(field, "stage", "currency").annotate(total=Sum("amount"), label=Min("label")).order_by()
    groups: dict[tuple[str, str], StageFigures] = {}
    for row in sums:
        code = rolled_up(row[field], codes, level) if row[field] else ""
        group = groups.get((code, row["currency"]))
        if group is None:
            label = codes[code].label if code in codes else (row["label"] if code == row[field] else "")
            group = groups[(code, row["currency"])] = StageFigures(
                code, label or code or _("Not classified"), row["currency"]
            )
        group.add(row["stage"], exact(row["total"]))
    return sorted(groups.values(), key=lambda group: (-(group.planned or group.executed or ZERO), group.code))


def totals(body: PublicBody, year: int) -> dict[tuple[str, str, str], StageFigures]:
    """Return the year's totals per (direction, section, currency), section "" for the whole direction."""
    rows = (
        BudgetLine.objects.filter(body=body, fiscal_year=year)
        .values("direction", "section", "stage", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    result: dict[tuple[str, str, str], StageFigures] = {}
    for row in rows:
        for key in {(row["direction"], row["section"], row["currency"]), (row["direction"], "", row["currency"])}:
            figures = result.setdefault(key, StageFigures("", "", row["currency"]))
            figures.add(row["stage"], exact(row["total"]))
    return result


def by_year(body: PublicBody, *, direction: str = Direction.EXPENDITURE) -> list[tuple[int, StageFigures]]:
    """Return each year's total of `direction` at each stage, oldest year first."""
    rows = (
        BudgetLine.objects.filter(body=body, direction=direction)
        .values("fiscal_year", "stage", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    years: dict[tuple[int, str], StageFigures] = {}
    for row in rows:
        key = (row["fiscal_year"], row["currency"])
        years.setdefault(key, StageFigures(str(row["fiscal_year"]), str(row["fiscal_year"]), row["currency"]))
        years[key].add(row["stage"], exact(row["total"]))
    return [(year, figures) for (year, _currency), figures in sorted(years.items())]


@dataclass(frozen=True)
class Recipient:
    """What one supplier or beneficiary received: `supplier` is None for the private persons' total."""

    supplier: Supplier | None
    name: str
    total: Decimal
    count: int
    currency: str


def top_recipients(
    payments: QuerySet[Payment], *, limit: int = 10
) -> tuple[list[Recipient], list[Recipient]]:  # fmt: skip
    """Return the `limit` companies, associations and bodies that received most in `payments`, and the totals
    received by private persons (one per currency), who are never named nor ranked one by one.

    One pass over the payments (a body's year can be 100,000 of them), grouped per supplier without joining the
    suppliers, which PostgreSQL would do row by row before grouping (three times slower); the groups are then
    told apart by the kinds of their suppliers and ranked here. Three queries.
    """
    rows = list(payments.values("supplier", "currency").annotate(total=Sum("amount"), count=Count("id")).order_by())
    persons = set(
        Supplier.objects.filter(pk__in={row["supplier"] for row in rows}, kind=Supplier.Kind.INDIVIDUAL)
        .values_list("pk", flat=True)
    )  # fmt: skip
    named = []
    private: dict[str, Recipient] = {}
    for row in rows:
        total = exact(row["total"])
        if row["supplier"] not in persons:
            named.append((total, row["supplier"], row["count"], row["currency"]))
            continue
        before = private.get(row["currency"])
        private[row["currency"]] = Recipient(
            None, _("Private persons"), total + (before.total if before else ZERO),
            row["count"] + (before.count if before else 0), row["currency"],
        )  # fmt: skip
    named = sorted(named, key=lambda group: (-group[0], group[1]))[:limit]
    suppliers = Supplier.objects.in_bulk([supplier for _total, supplier, _count, _currency in named])
    top = [
        Recipient(suppliers[supplier], suppliers[supplier].name, total, count, currency)
        for total, supplier, count, currency in named
    ]
    return top, [private[currency] for currency in sorted(private)]


# The groupings the REST summary accepts, each a field of BudgetLine.
SUMMARY_GROUPS = {
    "body": "body__slug",
    "year": "fiscal_year",
    "stage": "stage",
    "direction": "direction",
    "section": "section",
    "function": "function_code",
    "economic": "economic_code",
}


def budget_summary(lines: QuerySet[BudgetLine], group_by: list[str]) -> list[dict]:
    """Return the sum and count of `lines` per combination of `group_by` (names of SUMMARY_GROUPS) and currency,
    in one grouped query, ordered by the groups."""
    fields = [SUMMARY_GROUPS[name] for name in group_by]
    rows = (
        lines.values(*fields, "currency")
        .annotate(amount=Sum("amount"), lines=Count("id"))
        .order_by(*fields, "currency")
    )
    return [
        {**{name: row[field] for name, field in zip(group_by, fields, strict=True)}, "currency": row["currency"],
         "amount": exact(row["amount"]), "lines": row["lines"]}
        for row in rows
    ]  # fmt: skip


@dataclass
class BodyFigures:
    """A body that publishes spending figures, with the totals of its latest year (None: no budget lines)."""

    body: PublicBody
    year: int
    expenditure: list[StageFigures]
    revenue: list[StageFigures]


def bodies_with_figures() -> list[BodyFigures]:
    """Return every body with budget lines or payments, each with its latest year's expenditure and revenue per
    currency, in three queries whatever the number of bodies."""
    latest: dict[int, int] = {}
    for model in (BudgetLine, Payment):
        for row in model.objects.values("body").annotate(year=Max("fiscal_year")).order_by():
            latest[row["body"]] = max(latest.get(row["body"], 0), row["year"])
    if not latest:
        return []
    condition = Q()
    for body_id, year in latest.items():
        condition |= Q(body_id=body_id, fiscal_year=year)
    rows = (
        BudgetLine.objects.filter(condition)
        .values("body", "direction", "stage", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    figures: dict[tuple[int, str, str], StageFigures] = {}
    for row in rows:
        key = (row["body"], row["direction"], row["currency"])
        figures.setdefault(key, StageFigures("", "", row["currency"])).add(row["stage"], exact(row["total"]))
    result = []
    for body in PublicBody.objects.filter(pk__in=latest).order_by("slug"):
        result.append(
            BodyFigures(
                body,
                latest[body.pk],
                [
                    value
                    for (pk, direction, _c), value in figures.items()
                    if pk == body.pk and direction == "expenditure"
                ],
                [value for (pk, direction, _c), value in figures.items() if pk == body.pk and direction == "revenue"],
            )
        )
    return result


@dataclass(frozen=True)
class ReceivedTotal:
    """What a supplier received from one body in one year, of one kind (payments or subsidies)."""

    body: PublicBody
    year: int
    kind: str
    currency: str
    total: Decimal
    count: int


def received_by(supplier: Supplier) -> list[ReceivedTotal]:
    """Return what `supplier` received per body, year, kind and currency, latest year first, in two queries."""
    rows = list(
        Payment.objects.filter(supplier=supplier)
        .values("body", "fiscal_year", "kind", "currency")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("-fiscal_year", "body", "kind", "currency")
    )
    bodies = PublicBody.objects.in_bulk({row["body"] for row in rows})
    return [
        ReceivedTotal(bodies[row["body"]], row["fiscal_year"], row["kind"], row["currency"], exact(row["total"]),
                      row["count"])
        for row in rows
    ]  # fmt: skip
