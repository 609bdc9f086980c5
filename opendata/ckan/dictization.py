"""Our models as CKAN's dictionaries (package, resource, organization, group, tag), CKAN's field names.

Title, notes and names are given in the active language with the portal's fallback, and in every
language as `*_translated` (ckanext-fluent's shape). Timestamps are UTC without an offset, as CKAN writes
them: CKAN's own harvester parses `metadata_modified` with a parser that refuses offsets.
Every function reads only what `catalogue.with_related` loads, so a page of datasets costs a fixed
number of queries.
"""

import functools
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from portal.bodies.models import PublicBody
from portal.caching import cached_fragments
from portal.models import Provenance

from ..catalogue import with_related
from ..importing import provenances
from ..models import Dataset, Resource, Theme

Absolute = Callable[[str], str]  # a path → an absolute URL (request.build_absolute_uri)

FREQUENCY_URI = "http://publications.europa.eu/resource/authority/frequency/"


def timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()


def translated(instance, field: str) -> dict[str, str]:
    """`{ar, fr, en}` for ckanext-fluent's `<field>_translated`, empty where a language has none."""
    return {code: getattr(instance, f"{field}_{code}", "") or "" for code, _name in settings.LANGUAGES}


def theme_id(theme: Theme) -> str:
    """A stable UUID for a theme (CKAN's group ids are UUIDs; themes have none of their own)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, theme.uri))


def organization_dict(body: PublicBody, *, package_count: int | None = None) -> dict:
    result = {
        "id": str(body.uuid),
        "name": body.slug,
        "title": body.name,
        "title_translated": translated(body, "name"),
        "display_name": body.name,
        "description": body.description,
        "description_translated": translated(body, "description"),
        "type": "organization",
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "image_url": "",
        "image_display_url": "",
        "created": timestamp(body.created_at),
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(theme: Theme, *, package_count: int | None = None) -> dict:
    result = {
        "id": theme_id(theme),
        "name": theme.slug,
        "title": theme.name,
        "title_translated": translated(theme, "name"),
        "display_name": theme.name,
        "description": "",
        "type": "group",
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
        "image_url": "",
        "image_display_url": "",
        "uri": theme.uri,
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


@functools.lru_cache(maxsize=4096)
def tag_id(name: str) -> str:
    """A stable UUID for a keyword (CKAN's tag ids are UUIDs; taggit's are integers)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tag:{name}"))


def tag_dict(name: str) -> dict:
    return {"id": tag_id(name), "name": name, "display_name": name, "state": "active", "vocabulary_id": None}


def resource_dict(resource: Resource, dataset: Dataset, absolute: Absolute) -> dict:
    version = resource.current_version
    if resource.url:
        url, url_type = resource.url, None
    elif version is not None:
        url, url_type = absolute(reverse("downloads:file", args=[resource.uuid])), "upload"
    else:
        url, url_type = "", "upload"
    return {
        "id": str(resource.uuid),
        "package_id": str(dataset.uuid),
        "name": resource.name,
        "name_translated": translated(resource, "name"),
        "description": resource.description,
        "description_translated": translated(resource, "description"),
        "format": resource.format,
        "url": url,
        "url_type": url_type,
        "size": version.size if version else None,
        "hash": f"sha256:{version.sha256}" if version and version.sha256 else "",
        "mimetype": (version.mimetype or None) if version else None,
        "mimetype_inner": None,
        "created": timestamp(resource.created_at),
        "last_modified": timestamp(version.created_at if version else None),
        "metadata_modified": timestamp(resource.modified_at),
        "position": resource.position,
        "datastore_active": resource.datastore_active,
        "resource_type": None,
        "state": "active",
        "cache_url": None,
        "cache_last_updated": None,
    }


def state_of(dataset: Dataset) -> str:
    return {Dataset.Status.PUBLISHED: "active", Dataset.Status.DRAFT: "draft"}.get(dataset.status, "deleted")


def _provenance_extras(provenance: Provenance | None) -> dict[str, str]:
    """Where a harvested dataset came from, under the names ckanext-harvest gives it (harvest_source_title; the
    remote's identifier as `guid`, its page as `harvest_url`, as CKAN's harvesters store them)."""
    if provenance is None:
        return {}
    return {
        "harvest_source_title": provenance.source_name,
        "harvest_source_url": provenance.source_url,
        "guid": provenance.remote_id,
        "harvest_url": provenance.remote_url,
    }


def _extras(dataset: Dataset, provenance: Provenance | None = None) -> list[dict]:
    # The languages the metadata is written in, as ckanext-dcat stores `language`: a JSON list.
    languages = [
        code
        for code, _name in settings.LANGUAGES
        if getattr(dataset, f"title_{code}") or getattr(dataset, f"notes_{code}")
    ]
    extras = {
        "frequency": FREQUENCY_URI + dataset.frequency if dataset.frequency else "",
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else "",
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else "",
        "spatial_text": dataset.spatial,
        "language": json.dumps(languages) if languages else "",
        **_provenance_extras(provenance),
    }
    return [{"key": key, "value": value} for key, value in extras.items() if value]


def package_dicts(datasets: list[Dataset], absolute: Absolute) -> list[dict]:
    """package_dict of each of `datasets`, each body's and theme's dictionary built once for all: a page of a
    thousand datasets holds a few dozen bodies and themes; the provenances of the harvested ones in one query."""
    shared: dict = {"provenances": provenances(datasets)}
    return [package_dict(dataset, absolute, shared=shared) for dataset in datasets]


def kept_package_dicts(ids: list[int], absolute: Absolute) -> list[dict]:
    """package_dict of the datasets `ids`, in that order, kept until the next change of content.

    As CKAN answers package_search with the dictionaries its search index stores, so that a search reads no
    dataset: building the dictionaries of a page is most of a search's time. They are kept per site address (the
    absolute URLs in them) and language; who may see which dataset is the caller's query of `ids`: a dictionary
    is the same for everyone.
    """
    site = absolute("/")

    def build(missing: list[tuple[int, str]]) -> dict[tuple[int, str], dict]:
        datasets = list(with_related(Dataset.objects.filter(pk__in=[pk for pk, _site in missing])))
        return {
            (dataset.pk, site): package
            for dataset, package in zip(datasets, package_dicts(datasets, absolute), strict=True)
        }

    kept = cached_fragments("opendata:package", [(pk, site) for pk in ids], build)
    return [kept[(pk, site)] for pk in ids if (pk, site) in kept]


def package_dict(dataset: Dataset, absolute: Absolute, *, shared: dict | None = None) -> dict:
    """CKAN's package_show dictionary for `dataset` (loaded through `catalogue.with_related`).

    `shared` keeps the bodies' and themes' dictionaries between calls (package_dicts); callers do not change them.
    """
    shared = {} if shared is None else shared
    if "provenances" not in shared:
        shared["provenances"] = provenances([dataset])
    body, licence = dataset.body, dataset.licence
    if (organization := shared.get(("body", body.pk))) is None:
        organization = shared[("body", body.pk)] = organization_dict(body)
    groups = []
    for theme in dataset.themes.all():
        if (group := shared.get(("theme", theme.pk))) is None:
            group = shared[("theme", theme.pk)] = group_dict(theme)
        groups.append(group)
    tags = sorted(tag.name for tag in dataset.tags.all())
    resources = [resource_dict(resource, dataset, absolute) for resource in dataset.resources.all()]
    return {
        "id": str(dataset.uuid),
        "name": dataset.name,
        "type": "dataset",
        "title": dataset.title or dataset.name,
        "title_translated": translated(dataset, "title"),
        "notes": dataset.notes,
        "notes_translated": translated(dataset, "notes"),
        "url": absolute(dataset.get_absolute_url()),
        "version": dataset.version or None,
        "state": state_of(dataset),
        "private": not dataset.is_public,
        "owner_org": str(body.uuid),
        "organization": organization,
        "author": None,
        "author_email": None,
        "maintainer": body.name,
        "maintainer_email": dataset.contact_email or body.email or None,
        "license_id": licence.slug,
        "license_title": licence.title,
        "license_url": licence.url or None,
        "isopen": licence.is_open,
        "metadata_created": timestamp(dataset.created_at),
        "metadata_modified": timestamp(dataset.modified_at),
        "creator_user_id": None,
        "tags": [tag_dict(name) for name in tags],
        "num_tags": len(tags),
        "groups": groups,
        "resources": resources,
        "num_resources": len(resources),
        "extras": _extras(dataset, shared["provenances"].get(dataset.pk)),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
