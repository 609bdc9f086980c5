"""Demo catalogue: datasets of the Blida bodies (and one of Salé), their files loaded into the DataStore.

The metadata is in demo_data/catalogue.json and the files beside it: CSV in UTF-8, with semicolons and decimal
commas, in Windows-1256; an XLSX workbook, a PDF and a link. Files go through `add_version` and `ingest_version`
as a staff upload does. A file already stored as a version of its resource is skipped, so a second run adds nothing;
the 2025 budget has two files, loaded as versions 1 and 2.
"""

import datetime
import hashlib
import json
from pathlib import Path

from django.core.files import File

from portal.accounts.demo import STAFF_EMAIL
from portal.accounts.models import User
from portal.bodies.models import PublicBody
from portal.importing import update_if_changed

from .ingest import ingest_version
from .models import Dataset, Licence, Resource, ResourceVersion, Theme
from .services import add_version

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
LANGUAGES = ("ar", "fr", "en")


def load(stdout) -> None:
    catalogue = json.loads((DEMO_DATA / "catalogue.json").read_text(encoding="utf-8"))
    uploader = User.objects.filter(email=STAFF_EMAIL).first()
    added = 0
    for entry in catalogue["datasets"]:
        dataset = _dataset(entry)
        for position, spec in enumerate(entry["resources"]):
            resource = _resource(dataset, position, spec)
            files = spec.get("files") or ([spec["file"]] if "file" in spec else [])
            for name in files:
                added += _add_file(resource, DEMO_DATA / name, spec.get("filename", name), uploader)
    in_datastore = Resource.objects.filter(datastore_version__isnull=False).count()
    stdout.write(
        f"  datasets: {Dataset.objects.published().count()} published, {Dataset.objects.count()} in all; "
        f"files added: {added}; resources with rows in the DataStore: {in_datastore}"
    )


def _translated(prefix: str, values: dict) -> dict:
    return {f"{prefix}_{code}": values.get(code, "") for code in LANGUAGES}


def _dataset(entry: dict) -> Dataset:
    body = PublicBody.objects.get(slug=entry["body"])
    start, end = entry.get("temporal", (None, None))
    fields = {
        "body": body,
        **_translated("title", entry["title"]),
        **_translated("notes", entry["notes"]),
        "licence": Licence.objects.get(slug=entry["licence"]),
        "frequency": entry["frequency"],
        "temporal_start": datetime.date.fromisoformat(start) if start else None,
        "temporal_end": datetime.date.fromisoformat(end) if end else None,
        "spatial": entry.get("spatial", ""),
        "version": entry.get("version", ""),
        "contact_email": body.email,
        "status": entry.get("status", Dataset.Status.PUBLISHED),
    }
    dataset = Dataset.objects.filter(name=entry["name"]).first() or Dataset(name=entry["name"])
    update_if_changed(dataset, fields)
    dataset.themes.set(Theme.objects.filter(slug__in=entry["themes"]))
    if set(dataset.tags.names()) != set(entry["tags"]):
        dataset.tags.set(entry["tags"])
    return dataset


def _resource(dataset: Dataset, position: int, spec: dict) -> Resource:
    fields = {
        **_translated("name", spec["name"]),
        **_translated("description", spec.get("description", {})),
        "url": spec.get("url", ""),
        "format": spec["format"],
        "declared_schema": spec.get("schema"),
    }
    resource = Resource.objects.filter(dataset=dataset, position=position).first()
    resource = resource or Resource(dataset=dataset, position=position)
    update_if_changed(resource, fields)
    return resource


def _add_file(resource: Resource, path: Path, filename: str, uploader: User | None) -> int:
    """Store `path` as the resource's next version and load it, unless a version already holds these bytes."""
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    if resource.versions.filter(sha256=sha256).exists():
        return 0
    with path.open("rb") as handle:
        version = add_version(resource, File(handle, name=filename), user=uploader, filename=filename)
    if version.status == ResourceVersion.Status.PENDING:
        # load_demo runs in one transaction, so the task add_version queues for after the commit would come
        # too late for the rest of the demo (and never, in a test): load the rows now, as the task would.
        ingest_version(version)
    return 1
