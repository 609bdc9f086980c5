"""What the catalogue's pages show: numbers and cells in the visitor's language, JSON-LD, language attributes."""

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.dateformat import format as date_format_with
from django.utils.formats import date_format, get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from opendata.datastore import Field
from opendata.models import Dataset
from portal.files import encoding_label
from portal.money import format_money, format_number

register = template.Library()

# Table Schema types (opendata.datastore.FIELD_TYPES) in plain words.
TYPE_LABELS = {
    "integer": gettext_lazy("whole number"),
    "number": gettext_lazy("number"),
    "year": gettext_lazy("year"),
    "date": gettext_lazy("date"),
    "datetime": gettext_lazy("date and time"),
    "boolean": gettext_lazy("yes or no"),
    "string": gettext_lazy("text"),
}
# Characters that must not appear raw in a <script> element, as Django's json_script escapes them.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


@register.filter
def type_label(type_name: str) -> str:
    return str(TYPE_LABELS.get(type_name, TYPE_LABELS["string"]))


@register.filter
def count(value) -> str:
    """A count (rows, downloads) with the active language's digit grouping."""
    return format_number(value if value is not None else 0, 0)


def format_cell(field: Field, value, *, currency: str | None = "", places: int | None = None) -> str:
    """A DataStore value as the visitor reads it: grouped digits that no line splits, amounts with their
    currency and `places` decimals (portal.money), dates in their language."""
    if value is None or value == "":
        return ""
    try:
        if field.type == "integer":
            return format_number(int(value), 0) if not currency else format_money(int(value), currency, 0)
        if field.type == "number":
            return format_money(Decimal(str(value)), currency, places) if currency else format_number(value, places)
        if field.type == "date":
            return date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
        if field.type == "datetime":
            return date_format_with(datetime.fromisoformat(str(value)), get_format("DATETIME_FORMAT"))
        if field.type == "boolean":
            return _("Yes") if value in (True, "true") else _("No")
    except (ValueError, InvalidOperation):
        pass
    return str(value)


@register.simple_tag
def lang_attributes(language: str) -> SafeString:
    """` lang="…" dir="…"` when `language` is not the page's, so that screen readers switch voice."""
    if not language or language == (get_language() or "").split("-")[0]:
        return mark_safe("")  # noqa: S308 (a constant)
    return format_html(' lang="{}" dir="{}"', language, "rtl" if language in RTL_LANGUAGES else "ltr")


@register.filter
def formats(dataset: Dataset) -> list[str]:
    """The formats of the dataset's resources, each once (from the prefetched resources)."""
    return sorted({resource.format for resource in dataset.resources.all() if resource.format})


def dataset_jsonld(dataset: Dataset, request) -> dict:
    """schema.org `Dataset` of a dataset's page, as search engines' dataset search reads it."""
    url = request.build_absolute_uri(dataset.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "identifier": dataset.uuid.urn,
        "name": dataset.title or dataset.name,
        "description": dataset.notes or dataset.title or dataset.name,
        "inLanguage": dataset.title_language,
        "isAccessibleForFree": True,
        "keywords": [tag.name for tag in dataset.tags.all()] + [theme.name for theme in dataset.themes.all()],
        "creator": {
            "@type": "GovernmentOrganization",
            "name": dataset.body.name,
            "url": request.build_absolute_uri(dataset.body.get_absolute_url()),
        },
        "dateCreated": dataset.created_at.isoformat(),
        "dateModified": dataset.modified_at.isoformat(),
        "distribution": [
            {
                "@type": "DataDownload",
                "name": resource.name or resource.format,
                "encodingFormat": resource.format or None,
                "contentUrl": resource.url
                or request.build_absolute_uri(reverse("downloads:file", args=[resource.uuid])),
                **({"contentSize": str(resource.current_version.size)} if resource.current_version else {}),
            }
            for resource in dataset.resources.all()
            if resource.url or resource.current_version
        ],
    }
    if dataset.licence.url:
        data["license"] = dataset.licence.url
    if dataset.published_at:
        data["datePublished"] = dataset.published_at.isoformat()
    if dataset.version:
        data["version"] = dataset.version
    if dataset.temporal_start or dataset.temporal_end:
        start = dataset.temporal_start.isoformat() if dataset.temporal_start else ".."
        end = dataset.temporal_end.isoformat() if dataset.temporal_end else ".."
        data["temporalCoverage"] = f"{start}/{end}"
    if dataset.spatial:
        data["spatialCoverage"] = dataset.spatial
    return data


@register.simple_tag(takes_context=True)
def dataset_jsonld_script(context, dataset: Dataset) -> SafeString:
    text = json.dumps(dataset_jsonld(dataset, context["request"]), cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # noqa: S308 (escaped like json_script)
    )


@register.filter
def encoding_name(name: str) -> str:
    """An encoding as people call it: "cp1252" → "Windows-1252 (French)", in the page's language."""
    return encoding_label(name)


@register.simple_tag
def latest_datasets(count: int = 3) -> list[Dataset]:
    """The published datasets changed last, with what their cards show (body, licence, formats): two queries."""
    datasets = Dataset.objects.published().select_related("body", "licence").prefetch_related("resources")
    return list(datasets.order_by("-modified_at")[:count])
