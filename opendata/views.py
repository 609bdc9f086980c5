"""Public catalogue pages: the listing, a dataset, a resource's preview and chart, and reporting a problem."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import EmptyPage, Paginator
from django.db import DataError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from portal.bodies.models import PublicBody
from portal.caching import cached_fragment
from portal.forms import declared_parameters
from portal.money import decimal_places
from portal.ratelimits import limit, rate_limited_response, seconds_left

from . import datastore, ingest
from .catalogue import search_datasets, with_related
from .charts import bar_chart
from .forms import FACET_PARAMS, CatalogueForm, ChartForm, PreviewQuery, ProblemReportForm
from .models import Dataset, Licence, Resource, ResourceVersion, Theme
from .templatetags.opendata_tags import format_cell, type_label

PAGE_SIZE = 20
PREVIEW_PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # × 50 rows: far past any file we hold, far below a 64-bit offset
CHART_BARS = 20
DOWNLOAD_FORMATS = ("csv", "json", "xlsx")
NUMERIC_TYPES = ("integer", "number")  # aligned to the end of their cells
LOADING = (ResourceVersion.Status.PENDING, ResourceVersion.Status.VALIDATING, ResourceVersion.Status.LOADING)
UNREADABLE = (ResourceVersion.Status.INVALID, ResourceVersion.Status.FAILED)


def _get_public_dataset(name: str, queryset=None) -> Dataset:
    """The published dataset called `name`, or 404: drafts and withdrawn datasets do not exist for the public."""
    return get_object_or_404(Dataset.objects.published() if queryset is None else queryset, name=name)


def _page_number(value) -> int:
    """The page asked for; anything that is not a positive number is the first page.

    Numbers past MAX_PAGE become MAX_PAGE, which has no rows (404) but keeps the offset within the database's range.
    """
    try:
        return min(max(1, int(value)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def _page_of(count: int, number: int, size: int):
    """Django's page `number` over `count` items (no item is loaded); 404 past the last page."""
    try:
        return Paginator(range(count), size).page(number)
    except EmptyPage:
        raise Http404 from None


def catalogue(request):
    # Only the parameters the form declares: others neither reach the links nor the page cache's key.
    params = declared_parameters(request.GET, [*CatalogueForm.base_fields, "page"])
    form = CatalogueForm(params)
    number = _page_number(params.get("page"))
    result = search_datasets(form.dataset_search(start=(number - 1) * PAGE_SIZE, rows=PAGE_SIZE))
    page = _page_of(result.count, number, PAGE_SIZE)
    selected = form.selected()
    facets = _facet_groups(result.facets, selected, params)
    query = params.copy()
    query.pop("page", None)
    query.pop("after", None)
    return render(
        request,
        "opendata/catalogue.html",
        {
            "form": form,
            "datasets": result.results,
            "count": result.count,
            "page": page,
            "next_cursor": result.next_cursor,
            "query": query.urlencode(),
            "facets": facets,
            "active_filters": _active_filters(form, facets, query),
            "filtered": bool(form.cleaned_data.get("q")) or any(selected.values()),
        },
    )


def _active_filters(form: CatalogueForm, facets: list[dict], query) -> list[dict]:
    """The words and facet values in use, each with the address of the listing without it."""
    active = [option for facet in facets for option in facet["options"] if option["checked"]]
    if words := form.cleaned_data.get("q"):
        without = query.copy()
        without.pop("q", None)
        active.insert(0, {"title": _("Words"), "label": words, "language": None, "remove_query": without.urlencode()})
    return active


FACET_TITLES = {
    "body": gettext_lazy("Public body"),
    "theme": gettext_lazy("Theme"),
    "format": gettext_lazy("Format"),
    "licence": gettext_lazy("Licence"),
    "tag": gettext_lazy("Keyword"),
}


def _facet_groups(counts: dict[str, dict[str, int]], selected: dict[str, list[str]], params) -> list[dict]:
    """The listing's facets with readable labels, what is ticked, and the address without each ticked value.

    A ticked value that matches nothing is still listed (with 0) so that it can be unticked.
    """
    values = {param: [*counts.get(FACET_PARAMS[param], {}), *selected[param]] for param in FACET_PARAMS}
    named = tuple(tuple(sorted(map(str, values[param]))) for param in ("body", "theme", "licence"))
    labels = cached_fragment("opendata:facet-labels", lambda: _facet_labels(*named), named)
    groups = []
    for param, facet in FACET_PARAMS.items():
        facet_counts = counts.get(facet, {})
        options = []
        for value in dict.fromkeys(values[param]):
            label, language = labels.get(param, {}).get(value, (value, None))
            remaining = params.copy()
            remaining.pop("page", None)
            remaining.pop("after", None)
            remaining.setlist(param, [item for item in remaining.getlist(param) if item.strip() != value])
            options.append(
                {
                    "param": param,
                    "title": FACET_TITLES[param],
                    "value": value,
                    "label": label,
                    "language": language,
                    "count": facet_counts.get(value, 0),
                    "checked": value in selected[param],
                    "remove_query": remaining.urlencode(),
                }
            )
        if options:
            groups.append({"param": param, "title": FACET_TITLES[param], "options": options})
    return groups


def _facet_labels(bodies, themes, licences) -> dict[str, dict[str, tuple[str, str | None]]]:
    """The names of the bodies, themes and licences of these slugs, with the language of a body's name."""
    return {
        "body": {body.slug: (body.name, body.name_language) for body in PublicBody.objects.filter(slug__in=bodies)},
        "theme": {theme.slug: (theme.name, None) for theme in Theme.objects.filter(slug__in=themes)},
        "licence": {licence.slug: (licence.title, None) for licence in Licence.objects.filter(slug__in=licences)},
    }


def dataset(request, name):
    return _render_dataset(request, _get_public_dataset(name, with_related(Dataset.objects.published())))


def _render_dataset(request, dataset: Dataset, report_form: ProblemReportForm | None = None, status: int = 200):
    resources = list(dataset.resources.all())
    earlier = {}
    versions = (
        ResourceVersion.objects.filter(resource__dataset=dataset)
        .only("id", "resource_id", "number", "original_name", "size", "created_at")
        .order_by("resource_id", "-number")
    )
    for version in versions:
        earlier.setdefault(version.resource_id, []).append(version)
    for resource in resources:
        resource.earlier_versions = [
            version for version in earlier.get(resource.pk, []) if version.pk != resource.current_version_id
        ]
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": dataset,
            "resources": resources,
            "downloads": sum(resource.download_count for resource in resources),
            "ckan_url": request.build_absolute_uri("/api/3/action/package_show")
            + "?"
            + urlencode({"id": dataset.name}),
            "rest_url": request.build_absolute_uri(f"/api/v1/datasets/{dataset.name}/"),
            "report_form": report_form or ProblemReportForm(),
        },
        status=status,
    )


# The preview searches, counts and sums the DataStore's rows: it costs like an API call, and is limited alike.
@limit("api", group="opendata.preview")
def resource(request, name, resource):
    dataset = _get_public_dataset(name, Dataset.objects.published().select_related("body", "licence"))
    resource = get_object_or_404(
        Resource.objects.select_related("current_version", "datastore_version"), dataset=dataset, uuid=resource
    )
    version = resource.current_version
    context = {
        "dataset": dataset,
        "resource": resource,
        "version": version,
        "loading": version is not None and version.status in LOADING,
        "unreadable": version is not None and version.status in UNREADABLE,
    }
    if context["loading"]:
        state = ingest.progress(version)
        total = state.get("total_bytes") or 0
        context["progress"] = {
            "rows": state.get("rows") or 0,
            "percent": min(99, (state.get("bytes") or 0) * 100 // total) if total else None,
        }
    if resource.datastore_active:
        context.update(_preview(request, resource))
    return render(request, "opendata/resource.html", context)


FEW_VALUES = 20  # a text column with at most this many different values is filtered from a list
CHOICE_COLUMNS = 8  # text columns whose values are looked up, at most


def _filter_choices(resource: Resource, fields) -> dict[str, list]:
    """The values of the text columns that hold few different ones, for the filters' lists."""
    choices = {}
    for field in [field for field in fields if field.type == "string"][:CHOICE_COLUMNS]:
        found = datastore.search(
            resource,
            fields=[field.id],
            distinct=True,
            sort=f"{field.id} asc",
            limit=FEW_VALUES + 1,
            include_total=False,
        )["records"]
        values = [record[field.id] for record in found if record[field.id] not in (None, "")]
        if len(found) <= FEW_VALUES:
            choices[field.id] = values
    return choices


def _preview(request, resource: Resource) -> dict:
    """The page's table of rows, its sort links, its chart and its download links."""
    fields = datastore.fields_of(resource)
    known = {field.id: field for field in fields}
    query = PreviewQuery.from_params(request.GET)
    problems = []
    for column, value in list(query.filters.items()):
        if column not in known:
            problems.append(_("There is no column “%(column)s”: its filter is left out.") % {"column": column})
            del query.filters[column]
            continue
        try:
            known[column].to_db(value)
        except datastore.DatastoreError:
            problems.append(
                _("“%(value)s” is not a value of the column “%(column)s” (%(type)s): its filter is left out.")
                % {"value": value, "column": column, "type": type_label(known[column].type)}
            )
            del query.filters[column]
    if query.sort_field and query.sort_field not in known:
        problems.append(_("There is no column “%(column)s” to sort by.") % {"column": query.sort_field})
        query.sort_field = ""

    number = _page_number(request.GET.get("page"))
    try:
        with transaction.atomic():  # a database refusal (a value out of a column's range) rolls back alone
            result = datastore.search(
                resource,
                matching=query.filters,
                q=query.q or None,
                sort=query.sort or None,
                limit=PREVIEW_PAGE_SIZE,
                offset=(number - 1) * PREVIEW_PAGE_SIZE,
            )
    except (datastore.DatastoreError, DataError):  # what the checks above let through: say so rather than fail
        problems.append(_("These rows cannot be shown with these filters."))
        result = {"records": [], "total": 0}
    page = _page_of(result["total"], number, PREVIEW_PAGE_SIZE)
    chart_params = {key: request.GET[key] for key in ("x", "y") if request.GET.get(key)}
    choices = _filter_choices(resource, fields)
    version = resource.datastore_version
    labels = version.column_titles(get_language()) if version else {}
    columns = []
    for field in fields:
        ascending = query.sort_field == field.id and not query.descending
        columns.append(
            {
                "field": field,
                "label": labels.get(field.id, field.id),
                "type_label": type_label(field.type),
                "numeric": field.type in NUMERIC_TYPES,
                "sorted": "ascending" if ascending else ("descending" if query.sort_field == field.id else ""),
                "sort_query": urlencode(
                    {**query.params(sort=f"{field.id} {'desc' if ascending else 'asc'}"), **chart_params}
                ),
                "filter_name": f"filter.{field.id}",
                "filter_value": query.filters.get(field.id, ""),
                "choices": choices.get(field.id),
            }
        )
    # Money with its currency (from the column's schema), and the amounts of a column with the same decimals.
    schema = (resource.datastore_version.table_schema or {}) if resource.datastore_version else {}
    currencies = {descriptor.get("name"): descriptor.get("currency", "") for descriptor in schema.get("fields", [])}
    places = {
        field.id: decimal_places(record[field.id] for record in result["records"])
        for field in fields
        if field.type == "number"
    }
    rows = [
        [
            (
                format_cell(
                    field, record[field.id], currency=currencies.get(field.id, ""), places=places.get(field.id)
                ),
                field.type in NUMERIC_TYPES,
            )
            for field in fields
        ]
        for record in result["records"]
    ]

    chart_form = ChartForm(request.GET if "x" in request.GET else None, fields=fields, labels=labels)
    chart = chart_rows = None
    if chart_form.is_bound:
        if chart_form.is_valid():
            try:
                with transaction.atomic():
                    chart_rows = datastore.aggregate(
                        resource,
                        chart_form.cleaned_data["x"],
                        chart_form.cleaned_data["y"] or None,
                        limit=CHART_BARS,
                        matching=query.filters,
                        q=query.q or None,
                    )
            except (datastore.DatastoreError, DataError):
                problems.append(_("This chart cannot be drawn from these columns."))
            else:
                chart = bar_chart(chart_rows, rtl=get_language_bidi())
        else:
            problems.append(_("Choose a column for the categories and a number column (or the count of rows)."))

    download_params = {"q": query.q, "sort": query.sort}
    if query.filters:
        download_params["filters"] = json.dumps(query.filters, ensure_ascii=False)
    download_params = {key: value for key, value in download_params.items() if value}
    downloads = {}
    for format in DOWNLOAD_FORMATS:
        url = reverse("downloads:rows", kwargs={"resource": resource.uuid, "format": format})
        downloads[format] = url + ("?" + urlencode(download_params) if download_params else "")
    downloads["csv_bom"] = downloads["csv"] + ("&" if download_params else "?") + "bom=1"

    return {
        "query": query,
        "problems": problems,
        "columns": columns,
        "rows": rows,
        "total": result["total"],
        "page": page,
        "page_query": urlencode({**query.params(), **chart_params}),
        "preview_hidden": chart_params,
        "chart_hidden": query.params(),
        "chart_form": chart_form,
        "chart": chart,
        "chart_title": _chart_title(chart_form) if chart else "",
        "row_downloads": downloads,
        "filtered": bool(query.q or query.filters),
    }


def _chart_title(form: ChartForm) -> str:
    x, y = form.label(form.cleaned_data["x"]), form.cleaned_data["y"] and form.label(form.cleaned_data["y"])
    if y:
        return _("Total of %(y)s by %(x)s") % {"x": x, "y": y}
    return _("Number of rows by %(x)s") % {"x": x}


def report_problem(request, name):
    dataset = _get_public_dataset(name, with_related(Dataset.objects.published()))
    if request.method != "POST":
        return redirect(dataset.get_absolute_url() + "#report")
    retry_after = seconds_left(request, "report", group="opendata.report")
    if retry_after is not None:
        return rate_limited_response(request, retry_after, back_url=dataset.get_absolute_url())
    form = ProblemReportForm(request.POST)
    if not form.is_valid():
        return _render_dataset(request, dataset, form, status=400)
    report = form.save(commit=False)
    report.dataset = dataset
    report.save()
    messages.success(request, _("Thank you: the staff of the body will look at the problem you reported."))
    return redirect(dataset)
