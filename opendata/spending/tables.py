"""The table under each chart and listing, and its download as CSV, XLSX or JSON: the exact figures shown.

A page builds a `Table` once; the template shows it and `table_response` serves it in the format asked, so that
what people download is what they saw, with amounts as exact decimals and codes as text (leading zeros kept).
"""

import csv
import io
import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpResponse
from openpyxl import Workbook

from opendata.downloads import content_disposition, neutralise, xlsx_text

from .exports import MEDIA_TYPES


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, money, number, date, percent


@dataclass
class Table:
    name: str  # the downloaded file's name, without extension (ASCII)
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def cells(self, row: dict[str, Any]) -> list[Any]:
        return [row.get(column.key) for column in self.columns]


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)


def _csv(table: Table) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 (Arabic labels) only with the byte-order mark
    writer = csv.writer(buffer)
    writer.writerow([neutralise(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow([neutralise(_text(value)) for value in table.cells(row)])
    return HttpResponse(buffer.getvalue(), content_type=MEDIA_TYPES["csv"])


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)  # money as a decimal string, as in the REST API
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json(table: Table) -> HttpResponse:
    document = {
        "title": table.title,
        "fields": [{"id": column.key, "title": column.label, "type": column.kind} for column in table.columns],
        "records": [{column.key: _json_value(row.get(column.key)) for column in table.columns} for row in table.rows],
    }
    return HttpResponse(json.dumps(document, ensure_ascii=False, indent=1), content_type=MEDIA_TYPES["json"])


def _xlsx(table: Table) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", table.name)[:31] or "data")
    sheet.append([xlsx_text(sheet, column.label) for column in table.columns])
    for row in table.rows:
        sheet.append([xlsx_text(sheet, value) if isinstance(value, str) else value for value in table.cells(row)])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it, which deletes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, content_type=MEDIA_TYPES["xlsx"])


def table_response(table: Table, format: str) -> HttpResponse:
    """Return `table` as a download in `format` (one of FORMATS)."""
    response = {"csv": _csv, "json": _json, "xlsx": _xlsx}[format](table)
    response["Content-Disposition"] = content_disposition(f"{table.name}.{format}", f"data.{format}")
    return response
