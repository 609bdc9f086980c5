"""The whole catalogue's metadata in one file: /catalog/datasets.csv and /catalog/datasets.jsonl.

One line per published dataset, streamed: datasets are read in batches by primary key (each batch a
fixed number of queries through `with_related`), so neither the server nor the response ever holds the
whole catalogue.
"""

import csv
import io
import json
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils.cache import patch_vary_headers

from .catalogue import published_datasets, with_related
from .dcat import Uris, limited
from .downloads import content_disposition, neutralise
from .models import Dataset

# Datasets read per batch: each batch is one query per prefetched relation, whatever its size.
BATCH_SIZE = 500
EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}
LIST_SEPARATOR = "; "

# The columns of the CSV export: `dataset_record`'s keys, in order.
COLUMNS = [
    "id",
    "name",
    *(f"title_{code}" for code, _name in settings.LANGUAGES),
    "body",
    "body_name",
    "licence",
    "licence_open",
    "themes",
    "tags",
    "frequency",
    "temporal_start",
    "temporal_end",
    "spatial",
    "published",
    "modified",
    "resources",
    "formats",
    "downloads",
    "landing_page",
]


def iter_datasets(batch_size: int | None = None) -> Iterator[Dataset]:
    """Every published dataset in the order they were created, `batch_size` at a time (keyset pagination)."""
    batch_size = batch_size or BATCH_SIZE
    last_pk = 0
    while True:
        batch = list(with_related(published_datasets().filter(pk__gt=last_pk).order_by("pk"))[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last_pk = batch[-1].pk


def dataset_record(dataset: Dataset, uris: Uris) -> dict:
    """What a journalist needs to know about a dataset, in one flat record; reads only prefetched relations."""
    resources = list(dataset.resources.all())
    record = {"id": str(dataset.uuid), "name": dataset.name}
    for code, _name in settings.LANGUAGES:
        record[f"title_{code}"] = getattr(dataset, f"title_{code}")
    record.update(
        {
            "body": dataset.body.slug,
            "body_name": dataset.body.name,
            "licence": dataset.licence.slug,
            "licence_open": dataset.licence.is_open,
            "themes": [theme.code for theme in dataset.themes.all()],
            "tags": sorted(tag.name for tag in dataset.tags.all()),
            "frequency": dataset.frequency,
            "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
            "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
            "spatial": dataset.spatial,
            "published": dataset.published_at.isoformat() if dataset.published_at else None,
            "modified": dataset.modified_at.isoformat(),
            "resources": len(resources),
            "formats": sorted({resource.format for resource in resources if resource.format}),
            "downloads": sum(resource.download_count for resource in resources),
            "landing_page": uris.landing_page(dataset),
        }
    )
    return record


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    # A spreadsheet runs a cell starting with = + - @ as a formula (OWASP "CSV injection").
    return neutralise(str(value))


def csv_chunks(uris: Uris, bom: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for count, dataset in enumerate(iter_datasets(), start=1):
        record = dataset_record(dataset, uris)
        writer.writerow([csv_cell(record[key]) for key in COLUMNS])
        if count % BATCH_SIZE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(uris: Uris) -> Iterator[str]:
    lines = []
    for dataset in iter_datasets():
        lines.append(json.dumps(dataset_record(dataset, uris), ensure_ascii=False) + "\n")
        if len(lines) == BATCH_SIZE:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


@limited
def export(request: HttpRequest, format: str):
    """Every published dataset's metadata as CSV (UTF-8, `?bom=1` for Excel) or JSON Lines, streamed."""
    if format not in EXPORT_FORMATS:
        raise Http404
    uris = Uris(request)
    if format == "csv":
        chunks = csv_chunks(uris, bom=request.GET.get("bom") in ("1", "true", "yes"))
    else:
        chunks = jsonl_chunks(uris)
    response = StreamingHttpResponse(chunks, content_type=EXPORT_FORMATS[format])
    response["Content-Disposition"] = content_disposition(f"datasets.{format}", f"datasets.{format}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ("Accept-Language",))  # `body_name` is in the visitor's language
    return response
