"""A body's whole spending data as files: budget lines, payments and subsidies in CSV, JSON and XLSX, and the
Fiscal Data Package that describes the CSV files.

Every export reads its rows with `iterator(chunk_size=…)` and writes them as they come: CSV and JSON are
streamed, XLSX goes to a temporary file (openpyxl's write-only mode), so a million payments cost the memory of
a chunk. Codes stay text (`007`), amounts exact decimals (`1234.50`); text a spreadsheet would run as a
formula is neutralised (opendata.downloads); payments go through `Payment.objects.listed()` and a private
person's name is never written, nor the id that would follow them (supplier_id is empty).
"""

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from opendata.downloads import neutralise, xlsx_text
from portal.bodies.models import PublicBody

from .models import BudgetLine, Payment, Supplier, currency_of, without_name

# Rows read from the database at a time, and written before a streamed chunk goes to the server.
CHUNK_ROWS = 2000
FORMATS = ("csv", "json", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type: string, integer, number, date
    title: str
    source: str  # the value read from the database (values_list)


@dataclass(frozen=True)
class Export:
    name: str  # budget-lines, payments, subsidies
    columns: tuple[Column, ...]
    records: Callable[[PublicBody], QuerySet]
    title: Callable[[], str]

    def rows(self, body: PublicBody) -> Iterator[tuple]:
        """The body's rows as tuples of the columns, read in chunks; a private person's name never leaves."""
        # Translated now, in the request's language: the rows are read later, while the response streams.
        return self._rows(body, _("Private person (name withheld)"))

    def _rows(self, body: PublicBody, withheld: str) -> Iterator[tuple]:
        sources = [column.source for column in self.columns]
        name_at = sources.index("supplier__name") if "supplier__name" in sources else None
        purpose_at = sources.index("purpose") if "purpose" in sources else None
        for row in self.records(body).values_list(*sources).iterator(chunk_size=CHUNK_ROWS):
            # PAYMENT_COLUMNS keep supplier_id, supplier and supplier_kind side by side.
            if name_at is not None and row[name_at + 1] == Supplier.Kind.INDIVIDUAL:
                cells = list(row)
                if purpose_at is not None:
                    cells[purpose_at] = without_name(cells[purpose_at], cells[name_at])
                cells[name_at - 1 : name_at + 1] = [None, withheld]
                row = tuple(cells)
            yield row

    def count(self, body: PublicBody) -> int:
        return self.records(body).count()


def _budget_lines(body: PublicBody) -> QuerySet:
    return BudgetLine.objects.filter(body=body).order_by(
        "fiscal_year", "stage", "direction", "section", "function_code", "economic_code", "pk"
    )


def _payments(kind: str) -> Callable[[PublicBody], QuerySet]:
    def records(body: PublicBody) -> QuerySet:
        return Payment.objects.listed().filter(body=body, kind=kind).order_by("fiscal_year", "date", "pk")

    return records


BUDGET_COLUMNS = (
    Column("id", "string", "Identifier", "uuid"),
    Column("fiscal_year", "integer", "Fiscal year", "fiscal_year"),
    Column("stage", "string", "Stage (voted, amended, executed)", "stage"),
    Column("direction", "string", "Direction (expenditure, revenue)", "direction"),
    Column("section", "string", "Section (operating, investment)", "section"),
    Column("function_code", "string", "Functional code", "function_code"),
    Column("economic_code", "string", "Economic code", "economic_code"),
    Column("label", "string", "Label", "label"),
    Column("amount", "number", "Amount", "amount"),
    Column("currency", "string", "Currency (ISO 4217)", "currency"),
    Column("decision", "string", "Decision", "decision_reference"),
)
PAYMENT_COLUMNS = (
    Column("id", "string", "Identifier", "uuid"),
    Column("fiscal_year", "integer", "Fiscal year", "fiscal_year"),
    Column("date", "date", "Date", "date"),
    Column("supplier_id", "string", "Supplier identifier (empty for a private person)", "supplier__uuid"),
    Column("supplier", "string", "Supplier or beneficiary", "supplier__name"),
    Column("supplier_kind", "string", "Kind of supplier", "supplier__kind"),
    Column("amount", "number", "Amount", "amount"),
    Column("currency", "string", "Currency (ISO 4217)", "currency"),
    Column("purpose", "string", "Purpose", "purpose"),
    Column("function_code", "string", "Functional code", "function_code"),
    Column("economic_code", "string", "Economic code", "economic_code"),
    Column("reference", "string", "Payment order", "reference"),
    Column("decision", "string", "Decision", "decision_reference"),
)

EXPORTS = {
    export.name: export
    for export in (
        Export("budget-lines", BUDGET_COLUMNS, _budget_lines, lambda: _("Budget lines")),
        Export("payments", PAYMENT_COLUMNS, _payments(Payment.Kind.PAYMENT), lambda: _("Payments")),
        Export("subsidies", PAYMENT_COLUMNS, _payments(Payment.Kind.SUBSIDY), lambda: _("Subsidies")),
    )
}


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)  # a Decimal as its exact digits, a date in ISO 8601, a UUID in its canonical form


def csv_chunks(export: Export, rows: Iterator[tuple]) -> Iterator[str]:
    """`rows` of the export as CSV (UTF-8, comma, header of column names), a chunk of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.name for column in export.columns])
    text = [index for index, column in enumerate(export.columns) if column.type == "string"]
    for count, row in enumerate(rows, start=1):
        cells = [_text(value) for value in row]
        for index in text:
            cells[index] = neutralise(cells[index])
        writer.writerow(cells)
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)  # money as a decimal string, as in the REST API
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


def json_chunks(export: Export, rows: Iterator[tuple]) -> Iterator[str]:
    """`rows` of the export as one JSON document {"fields": [{"id", "type"}], "records": [{…}]}, decimals as strings."""
    fields = [{"id": column.name, "type": column.type} for column in export.columns]
    names = [column.name for column in export.columns]
    yield '{"fields": ' + json.dumps(fields) + ', "records": ['
    lines = []
    for count, row in enumerate(rows):
        record = {name: _json_value(value) for name, value in zip(names, row, strict=True)}
        lines.append(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    yield "".join(lines) + "\n]}\n"


def xlsx_file(export: Export, body: PublicBody):
    """A temporary file holding the export as a workbook: amounts as numbers, codes and text as text cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", export.name)[:31])
    sheet.append([xlsx_text(sheet, column.name) for column in export.columns])
    for row in export.rows(body):
        sheet.append([xlsx_text(sheet, value) if isinstance(value, str) else _xlsx_value(value) for value in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it, which deletes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _xlsx_value(value):
    if value is None or isinstance(value, int | Decimal | date):
        return value
    return str(value)  # a UUID


# Fiscal Data Package ----------------------------------------------------------------------------------

# The OpenSpending profile of the Frictionless Data Package (Fiscal Data Package 0.3): a Tabular Data Package
# whose `model` maps the CSV columns onto measures (amounts, each in one currency) and dimensions.
FDP_PROFILE = "fiscal-data-package"
FDP_RESOURCES = ("budget-lines", "payments", "subsidies")


def _measure(resource: str, currency: str, **extra) -> dict:
    return {"source": "amount", "resource": resource, "currency": currency, "factor": 1, **extra}


def _dimension(kind: str, attributes: dict[str, tuple[str, str]], primary_key: list[str], **extra) -> dict:
    """A dimension: its attributes as {name: (resource, column)}."""
    return {
        "dimensionType": kind,
        "attributes": {
            name: {"source": source, "resource": resource} for name, (resource, source) in attributes.items()
        },
        "primaryKey": primary_key,
        **extra,
    }


def fiscal_model(currency: str) -> dict:
    """The FDP `model` over the three CSV resources: one measure each, dimensions per resource."""
    dimensions = {}
    for resource in FDP_RESOURCES:
        prefix = resource.replace("-", "_")
        dimensions[f"{prefix}_date"] = _dimension(
            "datetime",
            {
                "fiscal_year": (resource, "fiscal_year"),
                **({"date": (resource, "date")} if resource != "budget-lines" else {}),
            },
            ["fiscal_year"],
        )
        dimensions[f"{prefix}_functional_classification"] = _dimension(
            "classification", {"code": (resource, "function_code")}, ["code"], classificationType="functional"
        )
        dimensions[f"{prefix}_economic_classification"] = _dimension(
            "classification", {"code": (resource, "economic_code")}, ["code"], classificationType="economic"
        )
    dimensions["budget_lines_direction"] = _dimension(
        "other", {"direction": ("budget-lines", "direction")}, ["direction"]
    )
    dimensions["budget_lines_phase"] = _dimension("other", {"stage": ("budget-lines", "stage")}, ["stage"])
    dimensions["budget_lines_section"] = _dimension("other", {"section": ("budget-lines", "section")}, ["section"])
    for resource in ("payments", "subsidies"):
        dimensions[f"{resource}_supplier"] = _dimension(
            "entity",
            {
                "id": (resource, "supplier_id"),
                "name": (resource, "supplier"),
                "kind": (resource, "supplier_kind"),
            },
            ["name"],
        )
        dimensions[f"{resource}_supplier"]["attributes"]["name"]["labelfor"] = "id"
    return {
        "measures": {
            "budget_amount": _measure("budget-lines", currency),
            "payment_amount": _measure("payments", currency, direction="expenditure", phase="executed"),
            "subsidy_amount": _measure("subsidies", currency, direction="expenditure", phase="executed"),
        },
        "dimensions": dimensions,
    }


def fiscal_data_package(body: PublicBody, url_of: Callable[[str], str], licence: dict | None = None) -> dict:
    """Return the body's Fiscal Data Package descriptor; `url_of(export name)` gives each CSV file's address.

    The measures' currency is the body's (currency_of); each CSV also carries a currency per row.
    """
    currency = currency_of(body) or "XXX"  # ISO 4217's "no currency", when neither the body nor its country say
    resources = []
    for name in FDP_RESOURCES:
        export = EXPORTS[name]
        resources.append(
            {
                "name": name,
                "title": str(export.title()),
                "path": url_of(name),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": column.name, "type": column.type, "title": column.title} for column in export.columns
                    ],
                    "primaryKey": ["id"],
                },
            }
        )
    return {
        "profile": FDP_PROFILE,
        "name": f"{body.slug}-spending",
        "title": _("Spending of %(body)s") % {"body": body.name},
        "countryCode": body.country.upper(),
        "licenses": [licence] if licence else [],
        "resources": resources,
        "model": fiscal_model(currency),
    }
