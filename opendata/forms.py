"""The public pages' forms: the catalogue's query, a resource's preview and chart, and a problem report."""

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.forms import PromptedChoicesMixin

from .catalogue import DatasetSearch
from .models import ProblemReport

# Query parameter of the listing → CKAN facet name in opendata.catalogue.FACETS.
FACET_PARAMS = {
    "body": "organization",
    "theme": "groups",
    "format": "res_format",
    "licence": "license_id",
    "tag": "tags",
}
# The listing's sort choices → a `package_search` sort.
SORTS = {
    "modified": "metadata_modified desc",
    "title": "title_string asc",
}
MAX_VALUES = 20  # values kept per facet: more is a crafted address, not a visitor's choice


class ValuesField(forms.Field):
    """Every value of a repeated query parameter (`?theme=a&theme=b`), de-duplicated, in order.

    Unknown values are kept: they match no dataset, which is the honest answer.
    """

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = []
        for item in value or []:
            item = str(item).replace("\x00", "").strip()[:100]  # PostgreSQL's text holds no NUL
            if item and item not in values:
                values.append(item)
        return values[:MAX_VALUES]


class CatalogueForm(forms.Form):
    """The listing's query parameters: words, facet values (OR within a facet, AND across), sort."""

    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=settings.SEARCH_MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("modified", _("Recently updated")), ("title", _("Title (A to Z)"))],
    )
    body = ValuesField(required=False)
    theme = ValuesField(required=False)
    format = ValuesField(required=False)
    licence = ValuesField(required=False)
    tag = ValuesField(required=False)
    # The "next" link's cursor (catalogue.cursor_of); not shown in the form, which starts a new listing.
    after = forms.CharField(required=False, max_length=40)

    def clean_format(self):
        # Formats are stored upper-case (Resource.save): `?format=csv` is the CSV checkbox.
        return list(dict.fromkeys(value.upper() for value in self.cleaned_data["format"]))

    def selected(self) -> dict[str, list[str]]:
        """`{parameter: [values]}` of the facet filters in use; valid even when another field is not."""
        self.is_valid()
        return {param: self.cleaned_data.get(param) or [] for param in FACET_PARAMS}

    def dataset_search(self, *, start: int, rows: int) -> DatasetSearch:
        self.is_valid()
        data = self.cleaned_data
        return DatasetSearch(
            q=data.get("q") or "",
            filters={FACET_PARAMS[param]: values for param, values in self.selected().items() if values},
            sort=SORTS[data.get("sort") or "modified"],
            start=start,
            rows=rows,
            facet_fields=list(FACET_PARAMS.values()),
            facet_limit=15,
            after=data.get("after") or "",
        )


FILTER_PREFIX = "filter."  # `?filter.<column>=<value>`: the preview's per-column value filters


@dataclass
class PreviewQuery:
    """What the preview asks of the DataStore, read from the address; checked by opendata.datastore."""

    q: str = ""
    filters: dict[str, str] = dataclass_field(default_factory=dict)
    sort_field: str = ""
    descending: bool = False

    @classmethod
    def from_params(cls, params) -> "PreviewQuery":
        # PostgreSQL's text holds no NUL character: drop any, rather than fail in the database.
        params = {key.replace("\x00", ""): value.replace("\x00", "") for key, value in params.items()}
        sort = params.get("sort", "").strip()[:200]
        name, _space, direction = sort.rpartition(" ")
        if direction not in ("asc", "desc"):
            name, direction = sort, "asc"
        filters = {}
        for key in params:
            value = params.get(key, "").strip()[:200]
            if key.startswith(FILTER_PREFIX) and key != FILTER_PREFIX and value and len(filters) < MAX_VALUES:
                filters[key.removeprefix(FILTER_PREFIX)] = value
        return cls(
            q=params.get("q", "").strip()[: settings.SEARCH_MAX_QUERY_LENGTH],
            filters=filters,
            sort_field=name,
            descending=direction == "desc",
        )

    @property
    def sort(self) -> str:
        """The sort as opendata.datastore.search takes it (CKAN's `"<field> asc|desc"`)."""
        if not self.sort_field:
            return ""
        return f"{self.sort_field} {'desc' if self.descending else 'asc'}"

    def params(self, **changes) -> dict[str, str]:
        """The query parameters that give this preview back, with `changes` applied (None drops one)."""
        params = {"q": self.q, "sort": self.sort}
        params.update({f"{FILTER_PREFIX}{name}": value for name, value in self.filters.items()})
        params.update(changes)
        return {key: value for key, value in params.items() if value}


# Whole numbers that name or count nothing to add up: codes, numbers of things, years (in our three languages).
CODE_NAME = re.compile(
    r"(^|[_\s-])(id|code|codes|n°|no|num|numero|numéro|number|chapitre|article|compte|account|annee|année|year"
    r"|exercice|رمز|رقم|سنة|الرمز|الرقم|السنة|الفصل|المادة|الحساب)($|[_\s-])",
    re.IGNORECASE,
)


def is_measure(field) -> bool:
    """Whether a chart may add a column up: decimals, and whole numbers whose name is no code's or year's."""
    if field.type == "number":
        return True
    return field.type == "integer" and not CODE_NAME.search(field.id)


class ChartForm(forms.Form):
    """A chart of one column (categories) against another (a measure, or the count of rows)."""

    x = forms.ChoiceField(label=_("Categories (one bar each)"))
    y = forms.ChoiceField(label=_("Length of the bars"), required=False)

    def __init__(self, *args, fields, labels: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = labels or {}
        self.fields["x"].choices = [(field.id, self.label(field.id)) for field in fields]
        self.fields["y"].choices = [("", _("Count of rows"))] + [
            (field.id, _("Total of %(column)s") % {"column": self.label(field.id)})
            for field in fields
            if is_measure(field)
        ]

    def label(self, name: str) -> str:
        return self.labels.get(name) or name


class ProblemReportForm(PromptedChoicesMixin, forms.ModelForm):
    class Meta:
        model = ProblemReport
        fields = ["kind", "message", "email"]
        widgets = {"message": forms.Textarea(attrs={"rows": 5, "maxlength": 2000})}
        help_texts = {
            "message": _("At most 2,000 characters."),
            "email": _("Optional. Only the staff of the body see it, to answer you; it is never published."),
        }
