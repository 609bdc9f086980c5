"""Downloads: a resource's files (every version) and its DataStore rows as CSV, JSON or XLSX, streamed.

Every download is rate-limited per IP address (the rate `download`, portal.ratelimits) and counted on the resource.
Only resources of published datasets are served; anything else is a 404, as if it did not exist.
"""

import codecs
import json
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from urllib.parse import quote

from django.db import DataError, transaction
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal.caching import unobserved
from portal.files import iana_name
from portal.queries import QueryTooLong, check_query_length
from portal.ratelimits import limit

from . import datastore
from .datastore import DatastoreError, Field
from .models import Dataset, Resource, ResourceVersion

# Media types by file extension: ours, not the host's mimetypes table nor what the uploader's browser claimed.
# Anything else is served as bytes to save (application/octet-stream), never as something a browser renders.
MEDIA_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".xml": "application/xml",
    ".rdf": "application/rdf+xml",
    ".ttl": "text/turtle",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".parquet": "application/vnd.apache.parquet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
# Python codec names → the charset names browsers (and Data Packages) know; utf-8-sig is UTF-8 with a BOM.

XLSX_MEDIA_TYPE = MEDIA_TYPES[".xlsx"]
# Excel's sheet limit (1,048,576 rows), one of them the header.
XLSX_MAX_ROWS = 1_048_576 - 1
ROW_FORMATS = ("csv", "json", "xlsx")
# `filter_<field>` and the preview page's own `filter.<field>` (opendata.forms.FILTER_PREFIX).
FILTER_PREFIXES = ("filter_", "filter.")
RATE_GROUP = "opendata.downloads"
# The largest ResourceVersion.number the database holds (a PositiveIntegerField).
MAX_VERSION = 2**31 - 1
# Rows written before a streamed chunk is handed to the server.
CHUNK_ROWS = 1000

# OWASP "CSV injection": a spreadsheet runs a cell starting with one of these as a formula, also after
# leading spaces (Excel and LibreOffice skip them) and in their full-width forms (which some locales convert).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def limited(view):
    return require_safe(limit("download", group=RATE_GROUP)(view))


def _get_public_resource(uuid) -> Resource:
    """Return the resource if its dataset is published; 404 otherwise (drafts and withdrawn data don't exist)."""
    return get_object_or_404(
        Resource.objects.select_related("dataset", "current_version"),
        uuid=uuid,
        dataset__status=Dataset.Status.PUBLISHED,
    )


def count_download(resource: Resource) -> None:
    # One UPDATE … SET download_count = download_count + 1: concurrent downloads never lose a count. A count is
    # not a change of content: cached pages show it as of their last change.
    with unobserved():
        Resource.objects.filter(pk=resource.pk).update(download_count=F("download_count") + 1)


def content_disposition(filename: str, fallback: str) -> str:
    """An RFC 6266 attachment header: an ASCII `filename` for old clients and `filename*` in UTF-8 for the rest."""
    # Accents go ("Équipements" → "Equipements"); a name in another script is replaced by `fallback` whole.
    letters = "".join(char for char in unicodedata.normalize("NFKD", filename) if not unicodedata.combining(char))
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", letters).strip("._")
    if not letters.isascii() or not re.search(r"[A-Za-z0-9]", PurePath(ascii_name).stem):
        ascii_name = fallback
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def charset_of(version: ResourceVersion) -> str | None:
    """The IANA name of the encoding ingestion found in the file ("windows-1256"), or None when unknown."""
    encoding = version.dialect.get("encoding")
    if not encoding:
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    return iana_name(name)


def media_type(version: ResourceVersion) -> str:
    suffix = PurePath(version.original_name).suffix.lower()
    content_type = MEDIA_TYPES.get(suffix, "application/octet-stream")
    if suffix in TEXT_SUFFIXES and (charset := charset_of(version)):
        content_type = f"{content_type}; charset={charset}"
    return content_type


def _serve_version(request, resource: Resource, version: ResourceVersion) -> HttpResponse:
    etag = f'"{version.sha256}"'
    last_modified = int(version.created_at.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    try:
        handle = version.file.storage.open(version.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    # FileResponse reads the file block by block: a large file never sits in memory.
    response = FileResponse(handle, content_type=media_type(version))
    suffix = PurePath(version.original_name).suffix.lower()
    response["Content-Disposition"] = content_disposition(version.original_name, f"{resource.dataset.name}{suffix}")
    response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    if request.method == "GET":
        count_download(resource)
    return response


@limited
def current_file(request, resource):
    """The current version's file; a linked resource redirects to where it lives."""
    resource = _get_public_resource(resource)
    if resource.url:
        if request.method == "GET":
            count_download(resource)
        return HttpResponseRedirect(resource.url)
    if resource.current_version is None:
        raise Http404
    return _serve_version(request, resource, resource.current_version)


@limited
def version_file(request, resource, number):
    """An earlier (or the current) version's file: a new upload keeps the previous ones reachable."""
    resource = _get_public_resource(resource)
    if number > MAX_VERSION:  # the address takes any digits; the database's integers stop here
        raise Http404
    version = get_object_or_404(ResourceVersion, resource=resource, number=number)
    return _serve_version(request, resource, version)


def query_arguments(params) -> dict:
    """`build_query` arguments from the preview's parameters; raises DatastoreError on a malformed one.

    `q` searches every field; filters come as `filter_<field>=value` or the preview's `filter.<field>=value`
    (repeat the parameter for several values; text matches whatever its case and accents, as in the preview)
    and/or as a JSON object in `filters` (CKAN's form: exact values); `sort` is "field [asc|desc], …";
    `fields` is a comma-separated list of the fields to export.
    """
    # PostgreSQL's text holds no NUL character: a query with one would be a database error, not an answer.
    if any("\x00" in text for key, values in params.lists() for text in (key, *values)):
        raise DatastoreError("the query holds a NUL character")
    filters: dict = {}
    if raw := params.get("filters"):
        try:
            decoded = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            raise DatastoreError('filters must be a JSON object such as {"field": "value"}') from None
        if not isinstance(decoded, dict):
            raise DatastoreError('filters must be a JSON object such as {"field": "value"}')
        for name, value in decoded.items():
            values = value if isinstance(value, list) else [value]
            if any(isinstance(item, dict | list) for item in values):
                raise DatastoreError(f'filter "{name}" must be a value or a list of values')
            filters[name] = value
    # The preview's column filters match as the preview does: text whatever its case and accents.
    matching: dict = {}
    for key in params:
        prefix = next((prefix for prefix in FILTER_PREFIXES if key.startswith(prefix) and key != prefix), None)
        if prefix:
            values = params.getlist(key)
            matching[key.removeprefix(prefix)] = values[0] if len(values) == 1 else values
    q = params.get("q", "").strip()
    try:
        check_query_length(q)
    except QueryTooLong as error:
        raise DatastoreError(str(error)) from None
    arguments = {"filters": filters, "matching": matching, "q": q or None, "sort": params.get("sort") or None}
    if fields := params.get("fields"):
        arguments["fields"] = [name.strip() for name in fields.split(",") if name.strip()]
    return arguments


def looks_like_formula(value) -> bool:
    """Whether a spreadsheet would run `value` as a formula: text starting with = + - @ (OWASP).

    Numbers written as text ("-12.5") are not formulas and must stay numbers.
    """
    if not isinstance(value, str):
        return False
    start = value.lstrip(" \u00a0\u3000\n")
    return start.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(value.strip())


def neutralise(value):
    """Return text that a spreadsheet won't run as a formula: a leading quote before it (OWASP)."""
    return "'" + value if looks_like_formula(value) else value


def _spreadsheet_rows(rows: Iterable[tuple], fields: list[Field]) -> Iterator[tuple]:
    text = [index for index, field in enumerate(fields) if field.type == "string"]
    for row in rows:
        if text:
            row = list(row)
            for index in text:
                row[index] = neutralise(row[index])
        yield row


def _csv_chunks(resource: Resource, query: datastore.Query, bom: bool) -> Iterator[str]:
    if bom:
        yield "\ufeff"
    header = [neutralise(field.id) for field in query.fields]
    rows = _spreadsheet_rows(datastore.iter_rows(resource, query=query), query.fields)
    yield from datastore.write_csv_rows(rows, header)


def _json_chunks(resource: Resource, query: datastore.Query) -> Iterator[str]:
    fields = [{"id": field.id, "type": field.ckan_type} for field in query.fields]
    names = [field.id for field in query.fields]
    yield '{"fields": ' + json.dumps(fields, ensure_ascii=False) + ', "records": ['
    lines = []
    for count, row in enumerate(datastore.iter_rows(resource, query=query)):
        lines.append(("," if count else "") + "\n" + json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    yield "".join(lines) + "\n]}\n"


def _xlsx_value(sheet, field: Field, value):
    if value is None:
        return None
    if field.type == "number":
        return Decimal(value)
    if field.type == "date":
        return date.fromisoformat(value)
    if field.type == "datetime":
        return datetime.fromisoformat(value)  # noqa: DTZ007 (the DataStore keeps local, naive timestamps)
    if not isinstance(value, str):
        return value
    return xlsx_text(sheet, value)


def xlsx_text(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    # A text cell is never a formula; the quote prefix is Excel's own mark for "typed with a leading quote",
    # the XLSX form of OWASP's advice, and it keeps the value itself intact.
    cell.data_type = "s"
    if looks_like_formula(value):
        cell.quotePrefix = True
    return cell


def _xlsx_file(resource: Resource, query: datastore.Query):
    """A temporary file holding the workbook; openpyxl's write-only mode keeps rows on disk, not in memory."""
    workbook = Workbook(write_only=True)
    title = re.sub(r"[\[\]:*?/\\]", " ", resource.name or "")[:31].strip() or "data"
    sheet = workbook.create_sheet(title=title)
    sheet.append([xlsx_text(sheet, field.id) for field in query.fields])
    for row in datastore.iter_rows(resource, query=query):
        sheet.append([_xlsx_value(sheet, field, value) for field, value in zip(query.fields, row, strict=True)])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it, which deletes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _bad_request(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@limited
def rows(request, resource, format):
    """The resource's DataStore rows, filtered and sorted like the preview, as CSV, JSON or XLSX.

    CSV is UTF-8 (`?bom=1` starts it with a byte-order mark for Excel); JSON is one document
    `{"fields": [{"id", "type"}], "records": [{field: value}]}` with decimals as strings, as in
    `datastore_search`. CSV and JSON are streamed; XLSX is written to a temporary file, then streamed.
    """
    if format not in ROW_FORMATS:
        raise Http404
    resource = _get_public_resource(resource)
    if not resource.datastore_active:
        raise Http404
    try:
        arguments = query_arguments(request.GET)
        query = datastore.build_query(resource, **arguments)
        # The database checks the filter values now (one out of a column's range is a DataError on PostgreSQL),
        # not half-way through a streamed response; the total is needed for XLSX only.
        with transaction.atomic():
            checked = datastore.search(resource, **arguments, limit=0, include_total=format == "xlsx")
    except DatastoreError as error:
        return _bad_request(_("These rows can't be downloaded: %(error)s.") % {"error": error})
    except DataError:
        return _bad_request(_("These rows can't be downloaded: a filter value is out of range for its column."))

    version = resource.datastore_version or resource.current_version
    stem = PurePath(version.original_name).stem if version else resource.dataset.name
    filename, fallback = f"{stem}.{format}", f"{resource.dataset.name}.{format}"

    if format == "xlsx":
        total = checked["total"]
        if total > XLSX_MAX_ROWS:
            message = _(
                "%(count)s rows are more than an Excel sheet holds (%(max)s). "
                "Download them as CSV instead, or filter them first."
            ) % {"count": total, "max": XLSX_MAX_ROWS}
            return _bad_request(message, status=422)
        response = FileResponse(_xlsx_file(resource, query), content_type=XLSX_MEDIA_TYPE)
    elif format == "csv":
        bom = request.GET.get("bom") in ("1", "true", "yes")
        response = StreamingHttpResponse(_csv_chunks(resource, query, bom), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_json_chunks(resource, query), content_type="application/json")
    response["Content-Disposition"] = content_disposition(filename, fallback)
    response["X-Content-Type-Options"] = "nosniff"
    if request.method == "GET":
        count_download(resource)
    return response
