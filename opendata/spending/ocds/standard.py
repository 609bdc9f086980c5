"""What the OCDS 1.1 standard itself says, as the importer and the packages use it: its merging rules, its
codelists and its schemas (vendored in ocds_schema/, references resolved locally)."""

import copy
import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from opendata.spending import exactjson

# The versions this reader understands: 1.1 and the 1.0 it extends (a package without `version` is 1.0).
OCDS_VERSIONS = ("1.0", "1.1")
# The version the portal writes (the vendored schemas: ocds_schema/README.md).
OCDS_VERSION = "1.1"
SCHEMA_DIR = Path(__file__).parent.parent / "ocds_schema"


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def merge(target: dict, release: dict) -> None:
    """Merge `release` into `target` as OCDS merging does: objects field by field, arrays of objects with an
    `id` item by item, anything else replaced; null removes a field."""
    for key, value in release.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = target[key] = {}
            merge(current, value)
        elif isinstance(value, list) and value and all(isinstance(item, dict) and "id" in item for item in value):
            by_id = {str(item.get("id")): item for item in as_list(target.get(key)) if isinstance(item, dict)}
            for item in value:
                merge(by_id.setdefault(str(item["id"]), {}), item)
            target[key] = list(by_id.values())
        else:
            target[key] = copy.deepcopy(value)


def in_date_order(releases: Iterable[dict]) -> list[dict]:
    return sorted(releases, key=lambda release: parse_datetime(release.get("date")) or datetime.min.replace(tzinfo=UTC))


def compile_releases(releases: Iterable[dict]) -> dict:
    """Return the compiled state of releases of one process: merged in date order, the latest value winning."""
    compiled: dict = {}
    for release in in_date_order(releases):
        merge(compiled, release)
    return compiled


def combined_releases(stored: list[dict], new: list[dict]) -> list[dict]:
    """Return stored and new releases, one per id (a new one replacing a stored one), in date order."""
    by_id = {str(release.get("id")): release for release in stored if isinstance(release, dict)}
    for release in new:
        by_id[str(release["id"])] = release
    return in_date_order(by_id.values())


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@cache
def codelist(name: str) -> frozenset[str]:
    """The codes of one of the vendored OCDS codelists (ocds_schema/codelists/<name>.csv)."""
    with open(SCHEMA_DIR / "codelists" / f"{name}.csv", encoding="utf-8", newline="") as file:
        return frozenset(row["Code"] for row in csv.DictReader(file))


def currencies() -> frozenset[str]:
    return codelist("currency")


@cache
def schema_validator(name: str):
    """Return a Draft 4 validator of the vendored schema `name` ("release-package-schema.json"…), its references
    to the other OCDS schemas resolved from the vendored files, never over the network."""
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMA_DIR.glob("*.json")}
    registry: Registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)) for schema in schemas.values()
    )
    return Draft4Validator(schemas[name], registry=registry)


def schema_errors(package: dict, name: str) -> list[str]:
    """Return what in `package` breaks the vendored schema `name` (empty when valid)."""
    # The schema's types are JSON's: Decimals are numbers there.
    data = json.loads(exactjson.dumps(package))
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in schema_validator(name).iter_errors(data)
    ]
