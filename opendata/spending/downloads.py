"""The downloads of a body's spending data (opendata.spending.exports), rate-limited like the catalogue's files.

An unknown body, dataset or format is a 404; a workbook past Excel's row limit is a 422 that says to take
the CSV. CSV and JSON are streamed; XLSX is written to a temporary file first.
"""

from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from opendata.downloads import XLSX_MAX_ROWS, content_disposition
from portal.bodies.models import PublicBody
from portal.ratelimits import limit

from .exports import EXPORTS, FORMATS, MEDIA_TYPES, csv_chunks, fiscal_data_package, json_chunks, xlsx_file
from .publishing import licence_of

RATE_GROUP = "spending.downloads"


def limited(view):
    return require_safe(limit("download", group=RATE_GROUP)(view))


@limited
def export(request, body, dataset, format):
    """The body's budget lines, payments or subsidies as CSV, JSON or XLSX (every row the public may see)."""
    if dataset not in EXPORTS or format not in FORMATS:
        raise Http404
    body = get_object_or_404(PublicBody, slug=body)
    chosen = EXPORTS[dataset]
    if format == "xlsx":
        if (total := chosen.count(body)) > XLSX_MAX_ROWS:
            message = _(
                "%(count)s rows are more than an Excel sheet holds (%(max)s). Download them as CSV instead."
            ) % {"count": total, "max": XLSX_MAX_ROWS}
            return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
        response: HttpResponse = FileResponse(xlsx_file(chosen, body), content_type=MEDIA_TYPES["xlsx"])
    elif format == "csv":
        response = StreamingHttpResponse(csv_chunks(chosen, chosen.rows(body)), content_type=MEDIA_TYPES["csv"])
    else:
        response = StreamingHttpResponse(json_chunks(chosen, chosen.rows(body)), content_type=MEDIA_TYPES["json"])
    name = f"{body.slug}-{dataset}.{format}"
    response["Content-Disposition"] = content_disposition(name, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@limited
def datapackage(request, body):
    """The body's Fiscal Data Package: its CSV files described, and their model of measures and dimensions."""
    body = get_object_or_404(PublicBody, slug=body)

    def url_of(name: str) -> str:
        return request.build_absolute_uri(reverse("spending_downloads:export", args=[body.slug, name, "csv"]))

    licence = licence_of(body)
    descriptor = fiscal_data_package(
        body, url_of, {"name": licence.slug, "title": licence.title, **({"path": licence.url} if licence.url else {})}
    )
    response = JsonResponse(descriptor, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response
