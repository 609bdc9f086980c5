"""Public spending pages, under the language prefix: /<lang>/spending/…

Each chart's table downloads from its page (`?download=<table>&format=csv|xlsx|json`), rate-limited like the
open-data downloads; listings download their rows the same way.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from opendata.views import _page_number
from portal.bodies.models import PublicBody
from portal.forms import declared_parameters
from portal.ratelimits import rate_limited_response, seconds_left

from .exports import FORMATS
from .figures import overview as build_overview
from .forms import ContractFilterForm, PaymentFilterForm, SupplierSearchForm
from .links import decision_urls
from .listings import (
    DOWNLOAD_MAX_ROWS,
    awards_of,
    contract_details,
    listed_payments,
    payments_table,
    public_contracts,
    search_suppliers,
)
from .models import BudgetLine, ContractingProcess, Payment, Supplier
from .summaries import bodies_with_figures, fiscal_years, received_by
from .tables import table_response

PAGE_SIZE = 50
DOWNLOAD_PARAMETERS = ("download", "format")
RATE_GROUP = "spending.downloads"


def _download(request, tables: dict, params):
    """The table named by `download` in `format`, or 404; 429 past the download rate."""
    table, format = tables.get(params.get("download", "")), params.get("format", "csv")
    if table is None or format not in FORMATS:
        raise Http404
    retry_after = seconds_left(request, "download", group=RATE_GROUP)
    if retry_after is not None:
        return rate_limited_response(request, retry_after)
    response = table_response(table() if callable(table) else table, format)
    # Never from the shared page cache, like the open-data downloads (/download/): each one counts against the rate.
    patch_cache_control(response, private=True)
    return response


def _body_with_figures(slug: str) -> tuple[PublicBody, list[int]]:
    body = get_object_or_404(PublicBody, slug=slug)
    years = fiscal_years(body)
    if not years:
        raise Http404
    return body, years


def _year(params, years: list[int]) -> int:
    """The year asked for, the latest by default; 404 for a year without figures."""
    if not params.get("year"):
        return years[0]
    try:
        year = int(params["year"])
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    return year


def index(request):
    return render(request, "spending/index.html", {"bodies": bodies_with_figures()})


def overview(request, body):
    params = declared_parameters(request.GET, ["year", *DOWNLOAD_PARAMETERS])
    body, years = _body_with_figures(body)
    year = _year(params, years)
    figures = build_overview(body, year)
    if "download" in params:
        return _download(request, {name: figure.table for name, figure in figures.figures.items()}, params)
    decisions = BudgetLine.objects.filter(body=body, fiscal_year=year).exclude(decision_reference="")
    references = sorted(set(decisions.values_list("decision_reference", flat=True)))
    urls = decision_urls(body, [(reference, year) for reference in references], request)
    return render(
        request,
        "spending/overview.html",
        {
            "body": body,
            "year": year,
            "years": years,
            "overview": figures,
            "figures": figures.figures,
            "formats": FORMATS,
            "decisions": [(reference, urls.get((reference, year), "")) for reference in references],
        },
    )


def payments(request, body):
    params = declared_parameters(request.GET, ["kind", "year", "function", "q", "page", *DOWNLOAD_PARAMETERS])
    body, years = _body_with_figures(body)
    form = PaymentFilterForm(params, years=years)
    form.is_valid()
    filters = form.cleaned_data  # the fields that are valid: a wrong year does not drop the words
    kind = filters.get("kind") or Payment.Kind.PAYMENT
    # One year at a time, the latest by default: a body's whole history can be millions of rows.
    year = filters.get("year") or years[0]
    rows = listed_payments(body, kind=kind, year=year, function=filters.get("function", ""), q=filters.get("q", ""))
    title = _("Subsidies") if kind == Payment.Kind.SUBSIDY else _("Payments")
    if "download" in params:
        name = "subsidies" if kind == Payment.Kind.SUBSIDY else "payments"
        return _download(
            request,
            {name: lambda: payments_table(rows[:DOWNLOAD_MAX_ROWS].iterator(chunk_size=2000), name=name, title=title)},
            params,
        )
    items = Paginator(rows, PAGE_SIZE).get_page(_page_number(params.get("page")))
    listed = list(items)
    urls = decision_urls(body, [(p.decision_reference, p.fiscal_year) for p in listed], request)
    for payment in listed:
        payment.decision_url = urls.get((payment.decision_reference, payment.fiscal_year), "")
    query = params.copy()
    for name in ("page", *DOWNLOAD_PARAMETERS):
        query.pop(name, None)
    return render(
        request,
        "spending/payments.html",
        {
            "body": body,
            "form": form,
            "kind": kind,
            "year": year,
            "title": title,
            "items": items,
            "payments": listed,
            "query": query.urlencode(),
            "download_max": DOWNLOAD_MAX_ROWS,
            "formats": FORMATS,
        },
    )


def suppliers(request):
    params = declared_parameters(request.GET, ["q", "page"])
    form = SupplierSearchForm(params)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    items = Paginator(search_suppliers(q), PAGE_SIZE).get_page(_page_number(params.get("page")))
    return render(
        request,
        "spending/suppliers.html",
        {"form": form, "q": q, "items": items, "query": params.copy().urlencode() if q else ""},
    )


def supplier(request, uuid):
    params = declared_parameters(request.GET, ["page"])
    # Private persons have no page: their names are never shown, nor what they received.
    found = get_object_or_404(Supplier.objects.public(), uuid=uuid)
    items = Paginator(
        Payment.objects.filter(supplier=found).listed().select_related("body").order_by("-date", "-id"), PAGE_SIZE
    ).get_page(_page_number(params.get("page")))
    return render(
        request,
        "spending/supplier.html",
        {"supplier": found, "received": received_by(found), "items": items, "awards": list(awards_of(found))},
    )


def contracts(request):
    params = declared_parameters(request.GET, ["body", "year", "page"])
    form = ContractFilterForm(params)
    form.is_valid()
    filters = form.cleaned_data
    body = get_object_or_404(PublicBody, slug=filters["body"]) if filters.get("body") else None
    processes = contract_details(public_contracts(body, filters.get("year")))
    items = Paginator(processes, PAGE_SIZE).get_page(_page_number(params.get("page")))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "spending/contracts.html",
        {"form": form, "body": body, "items": items, "query": query.urlencode()},
    )


def contract(request, uuid):
    process = get_object_or_404(contract_details(ContractingProcess.objects.select_related("body")), uuid=uuid)
    urls = decision_urls(process.body, [(process.decision_reference, process.fiscal_year or 0)], request)
    return render(
        request,
        "spending/contract.html",
        {
            "process": process,
            "decision_url": urls.get((process.decision_reference, process.fiscal_year or 0), ""),
        },
    )
