"""Money and council decisions: the decision that a budget line or a payment names, and the money a decision
authorised.

Figures name a decision by its reference (`decision_reference`), which is unique per body and year; a file does
not say the decision's year. A decision of year Y authorises the figures of fiscal years Y onwards, until the
body's next decision with the same reference (references that restart each year, "01", "02"…): the same rule both
ways, so that a payment links to the decision whose page lists it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Sum, Value
from django.utils.translation import get_language

from portal.bodies.models import PublicBody
from portal.caching import content_generation

from .models import BudgetLine, Payment
from .summaries import ZERO, exact

# Payments listed one by one on a decision's page; the totals count them all.
LISTED_PAYMENTS = 50
# A day: an entry outlives its content generation only as garbage that nobody reads.
REFERENCES_TIMEOUT = 24 * 3600


def decision_urls(body: PublicBody, references: Iterable[tuple[str, int]], request=None) -> dict[tuple[str, int], str]:
    """Return the address of the decision each `(reference, fiscal year)` names, where `body` published it: the
    live page in the active language, else in any language. References without a live decision are left out."""
    from cms.models import DecisionPage  # cms imports this module: imported when called

    wanted = {(reference.strip(), year) for reference, year in references if reference and reference.strip()}
    if not wanted:
        return {}
    language = get_language() or ""
    pages = (
        DecisionPage.objects.live()
        .filter(body=body, reference__in={reference for reference, _year in wanted})
        .only("id", "reference", "year", "language", "url_path", "path", "depth", "locale_id")
    )
    by_reference: dict[str, dict[int, DecisionPage]] = {}
    for page in sorted(pages, key=lambda page: page.language != language):  # the active language's first
        by_reference.setdefault(page.reference, {}).setdefault(page.year, page)
    urls = {}
    for reference, fiscal_year in wanted:
        years = by_reference.get(reference)
        if not years:
            continue
        earlier = [year for year in years if year <= fiscal_year]
        page = years[max(earlier)] if earlier else years[min(years)]
        if url := page.get_url(request):
            urls[(reference, fiscal_year)] = url
    return urls


@dataclass(frozen=True)
class KindTotal:
    kind: str
    currency: str
    total: Decimal
    count: int


@dataclass
class AuthorisedMoney:
    """What a decision authorised: the budget it voted, payments and subsidies made under it, their totals."""

    line_totals: list[dict] = field(default_factory=list)  # per fiscal year, stage, direction and currency
    payments: list[Payment] = field(default_factory=list)
    payment_totals: list[KindTotal] = field(default_factory=list)  # every payment, private persons included

    @property
    def currency_totals(self) -> dict[str, Decimal]:
        """The payments and subsidies together, per currency."""
        totals: dict[str, Decimal] = {}
        for row in self.payment_totals:
            totals[row.currency] = totals.get(row.currency, ZERO) + row.total
        return dict(sorted(totals.items()))

    @property
    def payment_count(self) -> int:
        return sum(row.count for row in self.payment_totals)

    def __bool__(self) -> bool:
        return bool(self.line_totals or self.payment_totals)


def references_named(body: PublicBody | int) -> frozenset[str]:
    """Return the decision references that the budget lines and payments of `body` name.

    Kept in the shared cache until the next change of content (portal.caching's generation), so that the page
    of a decision nothing names (most of them) costs no query: one grouped read of the (body, decision_reference)
    indexes per body and change.
    """
    body_id = body if isinstance(body, int) else body.pk
    key = f"spending:decision-references:{content_generation()}:{body_id}"
    references = cache.get(key)
    if references is None:
        references = frozenset(
            BudgetLine.objects.filter(body=body_id).exclude(decision_reference="").order_by()
            .values_list("decision_reference", flat=True).distinct()
            .union(
                Payment.objects.filter(body=body_id).exclude(decision_reference="").order_by()
                .values_list("decision_reference", flat=True).distinct()
            )
        )  # fmt: skip
        cache.set(key, references, timeout=REFERENCES_TIMEOUT)
    return references


def money_authorised_by(body: PublicBody | int, reference: str, year: int) -> AuthorisedMoney:
    """Return the budget lines, payments and subsidies of `body` that name the decision `reference` of `year`
    (see the module's rule for the years). No query when nothing names it (references_named, cached), at most
    four when something does. Payments are listed through `listed()` (private persons unnamed, or only in the
    totals), at most LISTED_PAYMENTS of them; totals count every payment."""
    from cms.models import DecisionPage

    reference = reference.strip()
    if not reference or reference not in references_named(body):
        return AuthorisedMoney()
    lines = BudgetLine.objects.filter(body=body, decision_reference=reference).order_by()
    payments = Payment.objects.filter(body=body, decision_reference=reference).order_by()
    # Which figures name the reference, and the years of the body's later decisions with the same reference.
    found = set(
        lines.values_list(Value("line"), "fiscal_year").distinct().union(
            payments.values_list(Value("payment"), "fiscal_year").distinct(),
            DecisionPage.objects.filter(body=body, reference=reference, year__gt=year).order_by()
            .values_list(Value("decision"), "year"),
        )
    )  # fmt: skip
    next_year = min((found_year for source, found_year in found if source == "decision"), default=None)

    def authorised(source: str) -> bool:
        return any(s == source and year <= y and (next_year is None or y < next_year) for s, y in found)

    years = {"fiscal_year__gte": year, **({"fiscal_year__lt": next_year} if next_year else {})}
    money = AuthorisedMoney()
    if authorised("line"):
        rows = (
            lines.filter(**years).values("fiscal_year", "stage", "direction", "currency")
            .annotate(total=Sum("amount"), count=Count("id")).order_by("fiscal_year", "direction", "stage", "currency")
        )  # fmt: skip
        money.line_totals = [{**row, "total": exact(row["total"])} for row in rows]
    if authorised("payment"):
        payments = payments.filter(**years)
        totals = payments.values("kind", "currency").annotate(total=Sum("amount"), count=Count("id")).order_by("kind")
        money.payment_totals = [
            KindTotal(row["kind"], row["currency"], exact(row["total"]), row["count"]) for row in totals
        ]
        money.payments = list(payments.listed().select_related("supplier").order_by("-date", "-id")[:LISTED_PAYMENTS])
    return money
