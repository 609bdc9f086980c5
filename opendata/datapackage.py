"""A Frictionless data package (datapackage.json) per published dataset: /catalog/datasets/<name>/datapackage.json.

A resource whose rows are in the DataStore is described by the file they were loaded from, with the Table
Schema that load used: so `frictionless validate` on the package checks the very file against its schema,
even when a newer upload is still waiting to be loaded. Resource names are their UUIDs: stable, unique, and
inside the Data Package name pattern (`^[-a-z0-9._/]+$`), which Arabic or French names are not.
"""

from pathlib import PurePath

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .dcat import Uris, get_public_dataset, limited, media_type_of, version_media_type
from .downloads import charset_of
from .models import Dataset, Resource, ResourceVersion

# A package whose every resource carries a Table Schema is a Tabular Data Package; any other is a Data Package.
TABULAR_PROFILE = "tabular-data-package"
PROFILE = "data-package"
TABULAR_RESOURCE_PROFILE = "tabular-data-resource"


def table_schema(resource: Resource, version: ResourceVersion) -> dict | None:
    if version.table_schema and version.table_schema.get("fields"):
        return version.table_schema
    if resource.datastore_fields:
        return {"fields": [{"name": field["id"], "type": field["type"]} for field in resource.datastore_fields]}
    return None


def resource_descriptor(uris: Uris, resource: Resource) -> dict | None:
    """The Data Resource of `resource`, or None when it has neither a file nor a link."""
    descriptor = {
        "name": str(resource.uuid),
        "title": resource.name or resource.format or str(resource.uuid),
    }
    if resource.description:
        descriptor["description"] = resource.description
    if resource.format:
        descriptor["format"] = resource.format.lower()
    if resource.url:
        descriptor["path"] = resource.url
        if media_type := media_type_of(resource):
            descriptor["mediatype"] = media_type
        return descriptor

    version = resource.datastore_version if resource.datastore_active else resource.current_version
    if version is None:
        return None
    if version.pk == resource.current_version_id:
        descriptor["path"] = uris.download(resource)
    else:
        descriptor["path"] = uris.absolute(reverse("downloads:version", args=[resource.uuid, version.number]))
    suffix = PurePath(version.original_name).suffix.lower().lstrip(".")
    if suffix:
        descriptor["format"] = suffix
    if media_type := version_media_type(version):
        descriptor["mediatype"] = media_type
    descriptor["bytes"] = version.size
    descriptor["hash"] = f"sha256:{version.sha256}"
    if encoding := charset_of(version):
        descriptor["encoding"] = encoding
    if (delimiter := version.dialect.get("delimiter")) and delimiter != ",":
        descriptor["dialect"] = {"delimiter": delimiter}
    if resource.datastore_active and (schema := table_schema(resource, version)):
        descriptor["profile"] = TABULAR_RESOURCE_PROFILE
        descriptor["schema"] = schema
    return descriptor


def package_descriptor(request: HttpRequest, dataset: Dataset) -> dict:
    """Return the dataset's Data Package descriptor; reads only what `with_related` prefetched."""
    uris = Uris(request)
    licence = dataset.licence
    descriptor = {
        "profile": PROFILE,
        "id": dataset.uuid.urn,
        "name": dataset.name,
        "title": dataset.title or dataset.name,
        "homepage": uris.landing_page(dataset),
        "created": dataset.created_at.isoformat(),
        "licenses": [
            {
                "name": licence.slug,
                "title": licence.title,
                **({"path": licence.url} if licence.url else {}),
            }
        ],
        "contributors": [
            {
                "title": dataset.body.name,
                "role": "publisher",
                **({"email": email} if (email := dataset.contact_email or dataset.body.email) else {}),
            }
        ],
        "keywords": [tag.name for tag in dataset.tags.all()],
        "resources": [],
    }
    if dataset.notes:
        descriptor["description"] = dataset.notes
    if dataset.version:
        descriptor["version"] = dataset.version
    descriptor["resources"] = [
        resource
        for resource in (resource_descriptor(uris, resource) for resource in dataset.resources.all())
        if resource is not None
    ]
    if descriptor["resources"] and all("schema" in resource for resource in descriptor["resources"]):
        descriptor["profile"] = TABULAR_PROFILE
    return descriptor


@limited
def datapackage(request, name):
    """The dataset's datapackage.json; titles and descriptions in the visitor's language, with fallbacks."""
    dataset = get_public_dataset(name)
    response = JsonResponse(package_descriptor(request, dataset), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Content-Language"] = translation.get_language()
    patch_vary_headers(response, ("Accept-Language",))
    return response
