"""The reading actions of the CKAN-compatible API: one function each, with its input schema.

An action takes the call's Context and its parameters (a dict), validates them against its schema,
and returns the `result` of CKAN's envelope or raises one of the errors in `schema`.
The writing actions (package_create, resource_create…) are in `write_actions`, for a token holding a role on
the body: they validate with the admin's forms and store files through the admin's ingest. `registry` names
them all.
"""

import contextlib
import csv
import inspect
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import DataError, transaction
from django.db.models import CharField, Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag

from portal.bodies.models import PublicBody
from portal.i18n import language_order

from .. import datastore
from ..catalogue import MAX_ROWS, CatalogueQueryError, DatasetSearch, search_datasets, with_related
from ..models import Dataset, Licence, Resource, TaggedDataset, Theme
from . import dictization, fq
from .auth import check_read_dataset, get_read_dataset_queryset
from .schema import (
    MAX_INTEGER,
    Invalid,
    NotFound,
    SearchError,
    SearchQueryError,
    ValidationError,
    at_most,
    boolean,
    default,
    int_validator,
    json_if_string,
    json_list_or_string,
    json_object,
    list_if_string,
    list_of_strings,
    natural_number,
    not_missing,
    one_of,
    search_words,
    string_or_json_object,
    unicode_safe,
    validate,
)

CKAN_VERSION = "2.10.0"  # the CKAN release whose API this one follows
DEFAULT_SORT = "score desc, metadata_modified desc"  # CKAN's ckan.search.default_package_sort
FACET_LIMIT = 50  # CKAN's search.facets.limit
LIST_MAX = 1000  # CKAN's ckan.group_and_organization_list_max
LIST_ALL_FIELDS_MAX = 25  # CKAN's ckan.group_and_organization_list_all_fields_max
# package_search parameters CKAN passes on to Solr (VALID_SOLR_PARAMETERS) or reads itself; others are refused.
SEARCH_PASSED_ON = {"qf", "wt", "bf", "boost", "tie", "defType", "mm", "df", "extras", "use_default_schema", "lang"}


@dataclass
class Context:
    """Who calls, and how to make an absolute URL for them."""

    user: object
    absolute: Callable[[str], str]
    # The files of a multipart call (ckanapi sends `upload` so), and those the size limit refused on arrival.
    files: dict = field(default_factory=dict)
    refused_uploads: set[str] = field(default_factory=set)


def offset_number(value):
    value = natural_number(value)
    if isinstance(value, int) and value > MAX_INTEGER:
        raise Invalid(f"Must be at most {MAX_INTEGER}")
    return value


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _pop_id(data: dict, *aliases: str) -> str:
    """The `id` parameter (or one of its older names), validated: CKAN's "Missing value" when absent."""
    for alias in aliases:
        if data.get("id") in (None, "") and data.get(alias) not in (None, ""):
            data = {**data, "id": data[alias]}
    return validate(data, {"id": [not_missing, unicode_safe]})["id"]


# Datasets ------------------------------------------------------------------------------------------------


PACKAGE_SEARCH_SCHEMA = {
    "q": [search_words],
    "fq": [unicode_safe],
    "fq_list": [json_if_string, list_of_strings],
    "fl": [list_if_string, list_of_strings],
    "rows": [default(10), natural_number, at_most(MAX_ROWS)],
    "start": [default(0), offset_number],
    "sort": [unicode_safe],
    "facet": [default(True), boolean],
    "facet.mincount": [default(1), natural_number],
    "facet.limit": [default(FACET_LIMIT), int_validator, at_most(10_000)],
    "facet.field": [json_if_string, list_of_strings],
    "include_private": [default(False), boolean],
    "include_drafts": [default(False), boolean],
    "include_deleted": [default(False), boolean],
}


def package_search(context: Context, data: dict) -> dict:
    """Search datasets: q (words; fields such as `title:budget`, `tags:eau`, `organization:commune-blida`;
    `OR` between words, `AND`, `NOT`, parentheses), fq and fq_list (Solr-style filters
    on organization, groups, tags, res_format, license_id, name, id, state, owner_org, metadata_modified),
    sort, rows (at most 1000, larger values are lowered), start, facet.field (a JSON list), facet.limit,
    facet.mincount, fl, include_private (with a token: the drafts of your bodies)."""
    unknown = sorted(key for key in data if key not in PACKAGE_SEARCH_SCHEMA and key not in SEARCH_PASSED_ON)
    unknown = [key for key in unknown if not key.startswith("ext_") and key != "callback"]
    if unknown:
        raise SearchQueryError(f"Invalid search parameters: {unknown}")
    params = validate(data, PACKAGE_SEARCH_SCHEMA)
    include_private = params["include_private"] or params["include_drafts"] or params["include_deleted"]
    queryset = get_read_dataset_queryset(context.user, include_private=include_private)

    q = (params.get("q") or "").strip()
    if q in ("*:*", "*"):
        q = ""
    # As Solr's edismax, which CKAN's q goes to: what only looks like syntax is searched as words.
    # Without words, search_datasets keeps the counts of the rows asked for (filters, fq) until the next change.
    whole_catalogue = not (include_private and context.user.is_authenticated)
    with contextlib.suppress(fq.FilterQueryError):
        if q and fq.has_syntax(q):
            queryset, q, whole_catalogue = queryset.filter(fq.parse_q(q)), "", False
    try:
        for text in filter(None, [params.get("fq") or "", *params.get("fq_list", [])]):
            queryset, whole_catalogue = queryset.filter(fq.parse(text)), False
    except fq.FilterQueryError as error:
        raise SearchError(f"Invalid filter query: {error}") from None

    sort = params.get("sort") or DEFAULT_SORT
    search = DatasetSearch(
        q=q,
        sort=sort,
        start=params["start"],
        rows=params["rows"],
        facet_fields=params.get("facet.field", []) if params["facet"] else [],
        facet_limit=params["facet.limit"],
        facet_mincount=params["facet.mincount"],
    )
    try:
        result = search_datasets(search, None if whole_catalogue else queryset)
    except CatalogueQueryError as error:
        if error.field == "sort":
            raise SearchQueryError('Invalid "sort" parameter') from None
        raise SearchError(str(error)) from None

    packages = dictization.kept_package_dicts(result.ids, context.absolute)
    if params.get("fl"):
        packages = [{key: package.get(key) for key in params["fl"]} for package in packages]
    return {
        "count": result.count,
        "sort": sort,
        "facets": result.facets,
        "search_facets": _search_facets(result.facets),
        "results": packages,
    }


def _search_facets(facets: dict[str, dict[str, int]]) -> dict:
    """CKAN's `search_facets`: each value with a display name (a body's or theme's name, a licence's title)."""
    models = {"organization": (PublicBody, "slug"), "groups": (Theme, "slug"), "license_id": (Licence, "slug")}
    restructured = {}
    for name, counts in facets.items():
        display = {}
        if name in models and counts:
            model, key = models[name]
            display = {getattr(obj, key): str(obj) for obj in model.objects.filter(**{f"{key}__in": list(counts)})}
        restructured[name] = {
            "title": name,
            "items": [
                {"name": value, "display_name": display.get(value, value), "count": count}
                for value, count in counts.items()
            ],
        }
    return restructured


def _get_dataset(context: Context, identifier: str) -> Dataset:
    key = _uuid_or_none(identifier)
    condition = Q(uuid=key) if key else Q(name=identifier)
    dataset = with_related(Dataset.objects.filter(condition)).first()
    if dataset is None:
        raise NotFound()
    check_read_dataset(context.user, dataset)
    return dataset


def package_show(context: Context, data: dict) -> dict:
    """Return a dataset by id (its UUID) or name, with its resources.

    A draft or withdrawn dataset answers 404 to anonymous callers and 403 to a token without an
    editor or publisher role on its body."""
    dataset = _get_dataset(context, _pop_id(data, "name_or_id"))
    return dictization.package_dict(dataset, context.absolute)


def current_package_list_with_resources(context: Context, data: dict) -> list[dict]:
    """Return the published datasets with their resources, last modified first: limit (default 10, at most
    1000), offset, or page (counted from 1, of `limit` datasets) as CKAN's older clients send."""
    params = validate(
        data,
        {"limit": [default(10), natural_number, at_most(MAX_ROWS)], "offset": [offset_number], "page": [int_validator]},
    )
    offset = params.get("offset")
    if offset is None and "page" in params:
        if params["page"] < 1:
            raise ValidationError({"page": ["Must be larger than 0"]})
        offset = (params["page"] - 1) * params["limit"]
    offset = offset or 0
    datasets = with_related(Dataset.objects.published().order_by("-modified_at", "pk"))
    return dictization.package_dicts(list(datasets[offset : offset + params["limit"]]), context.absolute)


def package_list(context: Context, data: dict) -> list[str]:
    """Return the names of the published datasets, by name; limit and offset page through them."""
    params = validate(data, {"limit": [natural_number], "offset": [offset_number]})
    names = Dataset.objects.published().order_by("name").values_list("name", flat=True)
    offset = params.get("offset") or 0
    if params.get("limit"):  # CKAN: a limit of 0 means no limit
        return list(names[offset : offset + params["limit"]])
    return list(names[offset:])


# Organizations (public bodies) and groups (themes) -----------------------------------------------------


LIST_SCHEMA = {
    "all_fields": [default(False), boolean],
    "limit": [natural_number],
    "offset": [default(0), offset_number],
    "sort": [unicode_safe],
    "q": [search_words],
}
PUBLISHED = Q(datasets__status=Dataset.Status.PUBLISHED)


def _order(queryset: QuerySet, sort: str | None, name_field: str, title_prefix: str) -> QuerySet:
    """Order a list as CKAN's `_group_or_org_list` does: name, title or package_count, asc or desc."""
    sort = (sort or "title asc").strip()
    if sort in ("packages", "package_count"):
        sort = "package_count desc"
    field, _space, direction = sort.partition(" ")
    direction = direction.strip().lower() or "asc"
    if field == "packages":
        field = "package_count"
    if field not in ("name", "title", "package_count") or direction not in ("asc", "desc"):
        raise ValidationError({"sort": [f"Cannot sort by field `{field}`"]})
    if field == "title":
        titles = [NullIf(f"{title_prefix}_{code}", Value("")) for code in language_order(get_language())]
        queryset = queryset.annotate(title_sort=Lower(Coalesce(*titles, name_field, output_field=CharField())))
        field = "title_sort"
    elif field == "name":
        field = name_field
    return queryset.order_by(("-" if direction == "desc" else "") + field, "pk")


def _name_contains(words: str) -> Q:
    """CKAN's `q` of organization_list and group_list: a part of the name, or of the title in any language."""
    condition = Q(slug__icontains=words)
    for code, _name in settings.LANGUAGES:
        condition |= Q(**{f"name_{code}__icontains": words})
    return condition


def _page(queryset: QuerySet, params: dict) -> list:
    maximum = LIST_ALL_FIELDS_MAX if params["all_fields"] else LIST_MAX
    limit = min(params.get("limit") or maximum, maximum)
    return list(queryset[params["offset"] : params["offset"] + limit])


def organization_list(context: Context, data: dict) -> list:
    """Return the public bodies' names (or, with all_fields, their dictionaries with package_count).

    sort: name, title or package_count (asc or desc); q: a part of the name; limit (at most 1000 names,
    25 with all_fields, as in CKAN) and offset; organizations: only these names."""
    return _named_list(PublicBody.objects.all(), data, "organizations", dictization.organization_dict)


def _named_list(queryset: QuerySet, data: dict, names_key: str, to_dict) -> list:
    """The slugs, or with all_fields the dictionaries, of `queryset` (bodies or themes) with package_count."""
    params = validate(data, {**LIST_SCHEMA, names_key: [json_list_or_string, list_of_strings]})
    queryset = queryset.annotate(package_count=Count("datasets", filter=PUBLISHED))
    if params.get(names_key):
        queryset = queryset.filter(slug__in=params[names_key])
    if params.get("q"):
        queryset = queryset.filter(_name_contains(params["q"]))
    objects = _page(_order(queryset, params.get("sort"), "slug", "name"), params)
    if params["all_fields"]:
        return [to_dict(item, package_count=item.package_count) for item in objects]
    return [item.slug for item in objects]


def _datasets_of(context: Context, condition: Q) -> list[dict]:
    datasets = with_related(Dataset.objects.published().filter(condition).order_by("name"))[:MAX_ROWS]
    return dictization.package_dicts(list(datasets), context.absolute)


def organization_show(context: Context, data: dict) -> dict:
    """Return a public body by id (its UUID) or name (its slug); include_datasets adds its published
    datasets (at most 1000) as `packages`."""
    identifier = _pop_id(data)
    params = validate(data, {"include_datasets": [default(False), boolean]})
    key = _uuid_or_none(identifier)
    bodies = PublicBody.objects.annotate(package_count=Count("datasets", filter=PUBLISHED))
    body = bodies.filter(Q(uuid=key) if key else Q(slug=identifier)).first()
    if body is None:
        raise NotFound()
    result = dictization.organization_dict(body, package_count=body.package_count)
    result.update({"users": [], "groups": [], "tags": [], "extras": []})
    if params["include_datasets"]:
        result["packages"] = _datasets_of(context, Q(body=body))
    return result


def group_list(context: Context, data: dict) -> list:
    """Return the themes' names (or, with all_fields, their dictionaries with package_count); as
    organization_list, with groups: only these names."""
    return _named_list(Theme.objects.all(), data, "groups", dictization.group_dict)


def group_show(context: Context, data: dict) -> dict:
    """Return a theme by id or name; include_datasets adds its published datasets (at most 1000)."""
    identifier = _pop_id(data)
    params = validate(data, {"include_datasets": [default(False), boolean]})
    themes = Theme.objects.annotate(package_count=Count("datasets", filter=PUBLISHED))
    theme = next((t for t in themes if identifier in (t.slug, dictization.theme_id(t))), None)
    if theme is None:
        raise NotFound()
    result = dictization.group_dict(theme, package_count=theme.package_count)
    result.update({"users": [], "groups": [], "tags": [], "extras": []})
    if params["include_datasets"]:
        result["packages"] = _datasets_of(context, Q(themes=theme))
    return result


def tag_list(context: Context, data: dict) -> list:
    """Return the tags of published datasets, by name; query: only those containing it; all_fields: dicts."""
    params = validate(data, {"query": [unicode_safe], "all_fields": [default(False), boolean]})
    tags = Tag.objects.filter(
        pk__in=TaggedDataset.objects.filter(content_object__status=Dataset.Status.PUBLISHED).values("tag")
    )
    if params.get("query"):
        tags = tags.filter(name__icontains=params["query"])
    names = list(tags.order_by("name").values_list("name", flat=True))
    if params["all_fields"]:
        return [dictization.tag_dict(name) for name in names]
    return names


# Resources and the DataStore ----------------------------------------------------------------------------


def _get_resource(context: Context, identifier: str) -> Resource:
    key = _uuid_or_none(identifier)
    resource = Resource.objects.select_related("dataset", "current_version").filter(uuid=key).first() if key else None
    if resource is None:
        raise NotFound()
    check_read_dataset(context.user, resource.dataset)
    return resource


def resource_show(context: Context, data: dict) -> dict:
    """Return a resource by id; `url` is where to download it (our download address for uploads)."""
    resource = _get_resource(context, _pop_id(data))
    return dictization.resource_dict(resource, resource.dataset, context.absolute)


def resource_view_list(context: Context, data: dict) -> list[dict]:
    """Return a resource's views: a table view (CKAN's datatables_view) when its rows are in the DataStore."""
    resource = _get_resource(context, _pop_id(data))
    if not resource.datastore_active:
        return []
    return [
        {
            "id": str(uuid.uuid5(resource.uuid, "datatables_view")),
            "resource_id": str(resource.uuid),
            "package_id": str(resource.dataset.uuid),
            "title": _("Table"),
            "description": "",
            "view_type": "datatables_view",
            "position": 0,
            "filterable": True,
            "responsive": False,
            "show_fields": [field.id for field in datastore.fields_of(resource)],
        }
    ]


DATASTORE_SEARCH_SCHEMA = {
    "resource_id": [not_missing, unicode_safe],
    "filters": [json_object],
    "q": [string_or_json_object],
    "fields": [list_if_string, list_of_strings],
    "sort": [list_if_string, list_of_strings],
    "limit": [default(100), natural_number, at_most(datastore.MAX_LIMIT)],
    "offset": [default(0), offset_number],
    "include_total": [default(True), boolean],
    "records_format": [default("objects"), one_of("objects", "lists", "csv", "tsv")],
    "distinct": [default(False), boolean],
}


def datastore_search(context: Context, data: dict) -> dict:
    """Return rows of a resource in the DataStore: resource_id, filters (a JSON object of field → value or
    list of values), q (words, or an object of field → words; case and accents aside: `depense` finds
    "Dépense"), fields (a list or a comma-separated string), sort ("field desc, other"), limit (at most
    32000), offset, include_total, distinct (each different row once, without _id), records_format
    (objects, lists, or csv and tsv: one string of lines without a header, as CKAN)."""
    data = {**data, "resource_id": data.get("resource_id") or data.get("id")}
    params = validate(data, DATASTORE_SEARCH_SCHEMA)
    key = _uuid_or_none(params["resource_id"])
    resource = Resource.objects.select_related("dataset").filter(uuid=key).first() if key else None
    if resource is None or not resource.datastore_active:
        raise NotFound(f'Resource "{params["resource_id"]}" was not found.')
    check_read_dataset(context.user, resource.dataset)

    sort = ", ".join(params.get("sort", [])) or None
    query = {
        "filters": params.get("filters"),
        "q": params.get("q"),
        "fields": params.get("fields"),
        "sort": sort,
    }
    # Check each parameter on its own so that the error names the one at fault.
    for name, value in query.items():
        try:
            datastore.build_query(resource, **{name: value})
        except datastore.DatastoreError as error:
            raise ValidationError({name: [str(error)]}) from None
    try:
        with transaction.atomic():
            result = datastore.search(
                resource,
                **query,
                limit=params["limit"],
                offset=params["offset"],
                include_total=params["include_total"],
                distinct=params["distinct"],
            )
    except datastore.DatastoreError as error:
        raise ValidationError({"query": [str(error)]}) from None
    except (DataError, OverflowError):
        raise ValidationError({"filters": ["A filter value is out of range for its field"]}) from None

    links = {key: value for key, value in query.items() if value}
    links = {key: json.dumps(value) if isinstance(value, dict | list) else value for key, value in links.items()}
    path = reverse("ckan:action", args=["datastore_search"])
    base = {"resource_id": str(resource.uuid), **links, "limit": params["limit"]}
    result.update(
        {
            "include_total": params["include_total"],
            "records_format": params["records_format"],
            "total_was_estimated": False,
            "_links": {
                "start": f"{path}?{urlencode(base)}",
                "next": f"{path}?{urlencode({**base, 'offset': params['offset'] + params['limit']})}",
            },
        }
    )
    result["records"] = _formatted(result["records"], [field["id"] for field in result["fields"]], params)
    if params["distinct"]:
        result["distinct"] = True
    if sort:
        result["sort"] = sort
    for name in ("filters", "q"):
        if query[name]:
            result[name] = query[name]
    return result


def _formatted(records: list[dict], field_ids: list[str], params: dict):
    """The records in CKAN's `records_format`: objects, lists in the fields' order, or CSV/TSV text."""
    if params["records_format"] == "objects":
        return records
    rows = [[record.get(field_id) for field_id in field_ids] for record in records]
    if params["records_format"] == "lists":
        return rows
    buffer = io.StringIO()
    delimiter = "\t" if params["records_format"] == "tsv" else ","
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(
        ["" if value is None else value for value in row] for row in rows
    )
    return buffer.getvalue()


def datastore_info(context: Context, data: dict) -> dict:
    """Return the fields of a resource in the DataStore (id, type) and its row count: id (or resource_id)."""
    data = {**data, "id": data.get("id") or data.get("resource_id")}
    identifier = validate(data, {"id": [not_missing, unicode_safe]})["id"]
    key = _uuid_or_none(identifier)
    resource = Resource.objects.select_related("dataset").filter(uuid=key).first() if key else None
    if resource is None or not resource.datastore_active:
        raise NotFound(f'Resource "{identifier}" was not found.')
    check_read_dataset(context.user, resource.dataset)
    fields = [
        {
            "id": field.id,
            "type": field.ckan_type,
            "schema": {"native_type": field.ckan_type, "notnull": False, "is_index": False, "uniquekey": False},
        }
        for field in datastore.fields_of(resource)
    ]
    meta = {"id": str(resource.uuid), "count": resource.datastore_rows, "table_type": "BASE TABLE", "aliases": []}
    return {"meta": meta, "fields": fields}


# The site ------------------------------------------------------------------------------------------------


def license_list(context: Context, data: dict) -> list[dict]:
    """Return the licences a dataset may take, as CKAN's: id (the license_id to give), title, url."""
    return [
        {
            "id": licence.slug,
            "title": licence.title,
            "url": licence.url,
            "status": "active",
            "family": "",
            "maintainer": "",
            "is_generic": False,
            "is_okd_compliant": licence.is_open,
            "is_osi_compliant": False,
            "od_conformance": "approved" if licence.is_open else "not reviewed",
            "osd_conformance": "not reviewed",
            "domain_content": False,
            "domain_data": False,
            "domain_software": False,
        }
        for licence in Licence.objects.all()
    ]


def status_show(context: Context, data: dict) -> dict:
    """Return the site's name, address, the CKAN version this API follows and its extensions."""
    return {
        "site_title": settings.WAGTAIL_SITE_NAME,
        "site_description": "",
        "site_url": context.absolute("/").rstrip("/"),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": settings.LANGUAGE_CODE,
        "extensions": ["datastore", "datatables_view", "fluent", "dcat"],
    }


def site_read(context: Context, data: dict) -> bool:
    """Return true: the site may be read."""
    return True


def help_show(context: Context, data: dict) -> str:
    """Return the help text of the action named `name`."""
    from .registry import ACTIONS  # the registry holds this action too

    name = validate(data, {"name": [not_missing, unicode_safe]})["name"]
    if name not in ACTIONS:
        raise NotFound("Action function not found")
    return inspect.getdoc(ACTIONS[name]) or ""


READ_ACTIONS: dict[str, Callable[[Context, dict], object]] = {
    function.__name__: function
    for function in (
        package_search,
        package_show,
        package_list,
        current_package_list_with_resources,
        organization_list,
        organization_show,
        group_list,
        group_show,
        tag_list,
        resource_show,
        resource_view_list,
        datastore_search,
        datastore_info,
        license_list,
        status_show,
        site_read,
        help_show,
    )
}
