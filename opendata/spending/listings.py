"""The public listings of payments, suppliers and contracts: each a queryset built by one function, so that the
personal-data rule (PaymentQuerySet.listed, SupplierQuerySet.public) is applied in one place per listing."""

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from portal.analysis import search_terms
from portal.bodies.models import PublicBody

from .models import Award, Contract, ContractingProcess, Payment, Supplier
from .tables import Column, Table

# Rows of a payments download: a body's whole history can be millions; the REST API pages through the rest.
DOWNLOAD_MAX_ROWS = 50_000


def listed_payments(
    body: PublicBody, *, kind: str = Payment.Kind.PAYMENT, year: int | None = None, function: str = "", q: str = ""
) -> QuerySet[Payment]:
    """Return the payments (or subsidies) of `body` the public sees, newest first, filtered.

    `function` keeps a code and the codes under it; `q` finds words in the purpose or in the name of a company
    or an association, never of a private person (a search by a person's name must not reveal a payment).
    """
    payments = Payment.objects.listed_for(body).filter(kind=kind).select_related("supplier")
    if year:
        payments = payments.filter(fiscal_year=year)
    if function:
        payments = payments.filter(function_code__startswith=function.strip())
    if q := q.strip():
        named = Q(supplier__name__icontains=q) | Q(supplier__key__contains=search_terms(q))
        payments = payments.filter(
            (Q(purpose__icontains=q) & ~Q(supplier__kind=Supplier.Kind.INDIVIDUAL, supplier__name__icontains=q))
            | (named & ~Q(supplier__kind=Supplier.Kind.INDIVIDUAL))
            | Q(reference=q)
        )
    return payments.order_by("-date", "-id")


def payments_table(payments: Iterable[Payment], *, name: str, title: str) -> Table:
    """The table of `payments` as downloaded: the supplier by its public name (never a private person's)."""
    table = Table(
        name,
        title,
        [
            Column("date", _("Date"), "date"),
            Column("fiscal_year", _("Fiscal year"), "number"),
            Column("supplier", _("Supplier or beneficiary")),
            Column("supplier_kind", _("Kind")),
            Column("purpose", _("Purpose")),
            Column("function", _("Function")),
            Column("economic", _("Economic nature")),
            Column("amount", _("Amount"), "money"),
            Column("currency", _("Currency")),
            Column("reference", _("Reference")),
            Column("decision", _("Decision")),
        ],
    )
    kinds = dict(Supplier.Kind.choices)
    for payment in payments:
        table.rows.append(
            {
                "date": payment.date,
                "fiscal_year": payment.fiscal_year,
                "supplier": payment.supplier.public_name,
                "supplier_kind": str(kinds.get(payment.supplier.kind, payment.supplier.kind)),
                "purpose": payment.public_purpose,
                "function": payment.function_code,
                "economic": payment.economic_code,
                "amount": payment.amount,
                "currency": payment.currency,
                "reference": payment.reference,
                "decision": payment.decision_reference,
            }
        )
    return table


def search_suppliers(q: str) -> QuerySet[Supplier]:
    """Return the companies, associations and bodies whose name holds `q`, as typed or folded (Arabic and French
    alike: case, accents, hamza forms and the article aside), or whose identifier is `q`."""
    suppliers = Supplier.objects.public().order_by("name")
    q = q.strip()
    if not q:
        return suppliers
    condition = Q(name__icontains=q) | Q(identifier__iexact=q)
    if folded := search_terms(q):
        condition |= Q(key__contains=folded)
    return suppliers.filter(condition)


def public_contracts(body: PublicBody | None = None, year: int | None = None) -> QuerySet[ContractingProcess]:
    processes = ContractingProcess.objects.select_related("body").order_by("-tender_start", "-id")
    if body is not None:
        processes = processes.filter(body=body)
    if year:
        processes = processes.filter(fiscal_year=year)
    return processes


def contract_details(processes: QuerySet[ContractingProcess]) -> QuerySet[ContractingProcess]:
    """`processes` with their awards (and suppliers) and contracts, in two more queries."""
    return processes.prefetch_related(
        Prefetch("awards", queryset=Award.objects.select_related("supplier").order_by("date", "id")),
        Prefetch("contracts", queryset=Contract.objects.order_by("date_signed", "id")),
    )


def awards_of(supplier: Supplier) -> QuerySet[Award]:
    return Award.objects.filter(supplier=supplier).select_related("process__body").order_by("-date", "-id")
