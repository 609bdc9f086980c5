"""A body's spending data as datasets of the open-data catalogue, so that the CKAN API and DCAT list them too.

`publish_spending_datasets(body)` is called after an import, by the demo and by `manage.py publish_spending`.
It keeps one dataset per body and kind of data the body has ("<slug>-budget", "-payments", "-subsidies",
"-contracts"), whose resources link to the bulk exports (/download/spending/…) and, for contracts, to the OCDS
packages of the REST API. Running it again changes nothing unless the data's years did; staff's choices stay:
a dataset they withdrew stays withdrawn, a licence they picked stays.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from opendata.admin_forms import DEFAULT_LICENCE
from opendata.models import Dataset, Licence, Resource, Theme
from portal.bodies.models import PublicBody
from portal.importing import update_if_changed

from .models import BudgetLine, ContractingProcess, Payment

# EU data themes (opendata Theme.code) of every spending dataset.
THEMES = ("GOVE", "ECON")
LANGUAGES = [code for code, _name in settings.LANGUAGES]


@dataclass(frozen=True)
class Kind:
    suffix: str  # the dataset's name is "<body slug>-<suffix>"
    frequency: str


KINDS = (
    Kind("budget", Dataset.Frequency.ANNUAL),
    Kind("payments", Dataset.Frequency.IRREGULAR),
    Kind("subsidies", Dataset.Frequency.ANNUAL),
    Kind("contracts", Dataset.Frequency.IRREGULAR),
)


def absolute(path: str) -> str:
    """The public address of `path`: resources are links, and a link is a whole URL (Resource.url)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def licence_of(body: PublicBody) -> Licence:
    """The licence a new spending dataset of `body` takes: the one most of its datasets use, else the catalogue's
    default for new datasets (opendata.admin_forms.DEFAULT_LICENCE)."""
    used = Counter(Dataset.objects.filter(body=body).values_list("licence_id", flat=True))
    if used:
        return Licence.objects.get(pk=used.most_common(1)[0][0])
    return Licence.objects.filter(slug=DEFAULT_LICENCE).first() or Licence.objects.order_by("position").first()


def _years(kind: str, body: PublicBody) -> tuple[int | None, int | None]:
    if kind == "budget":
        records = BudgetLine.objects.filter(body=body)
    elif kind == "contracts":
        records = ContractingProcess.objects.filter(body=body)
    else:
        records = Payment.objects.filter(
            body=body, kind=Payment.Kind.SUBSIDY if kind == "subsidies" else Payment.Kind.PAYMENT
        )
    span = records.aggregate(start=Min("fiscal_year"), end=Max("fiscal_year"), any=Max("pk"))
    if span["any"] is None:
        return None, None
    return span["start"], span["end"]


def _texts(kind: str, body: PublicBody) -> dict[str, str]:
    """The dataset's title and description in each language (gettext, the body's name in that language)."""
    fields = {}
    for code in LANGUAGES:
        with override(code):
            name = {"body": body.name}
            titles = {
                "budget": _("Budget of %(body)s: voted, amended and executed") % name,
                "payments": _("Payments of %(body)s") % name,
                "subsidies": _("Subsidies granted by %(body)s") % name,
                "contracts": _("Public contracts of %(body)s (Open Contracting)") % name,
            }
            notes = {
                "budget": _("Every budget line by fiscal year and stage, by function and economic nature."),
                "payments": _("Payments one by one: date, supplier, amount, purpose and budget line."),
                "subsidies": _("Subsidies to associations and others: beneficiary, amount and purpose."),
                "contracts": _("Tenders, awards and contracts in the Open Contracting Data Standard (OCDS 1.1)."),
            }
            fields[f"title_{code}"] = titles[kind]
            if kind in ("payments", "subsidies"):
                notes[kind] += " " + _("Private persons are never named.")
            fields[f"notes_{code}"] = notes[kind]
    return fields


# The contracts' OCDS packages, served by the contracts' REST API (opendata.spending.api).
OCDS_PACKAGES = (
    ("/api/v1/contracts/release-package.json", gettext_lazy("OCDS release package")),
    ("/api/v1/contracts/record-package.json", gettext_lazy("OCDS record package")),
)
EXPORT_OF = {"budget": "budget-lines", "payments": "payments", "subsidies": "subsidies"}
EXPORT_TITLES = {
    "budget": gettext_lazy("Budget lines"),
    "payments": gettext_lazy("Payments"),
    "subsidies": gettext_lazy("Subsidies"),
}


def _resources(kind: str, body: PublicBody) -> list[dict]:
    """What the dataset links to: {url, format, label} each, the label a lazy text."""
    if kind == "contracts":
        return [
            {"url": absolute(f"{path}?body={body.slug}"), "format": "JSON", "label": label}
            for path, label in OCDS_PACKAGES
        ]
    resources = []
    for format in ("csv", "xlsx", "json"):
        url = absolute(reverse("spending_downloads:export", args=[body.slug, EXPORT_OF[kind], format]))
        resources.append({"url": url, "format": format.upper(), "label": EXPORT_TITLES[kind]})
    url = absolute(reverse("spending_downloads:datapackage", args=[body.slug]))
    resources.append({"url": url, "format": "JSON", "label": gettext_lazy("Fiscal Data Package")})
    return resources


@transaction.atomic
def publish_spending_datasets(body: PublicBody) -> list[Dataset]:
    """Create or update the catalogue datasets of `body`'s spending data, one per kind it has; return them.

    A new dataset is published at once; an existing one keeps its status and licence. Idempotent.
    """
    datasets = []
    themes = list(Theme.objects.filter(code__in=THEMES))
    for kind in KINDS:
        start, end = _years(kind.suffix, body)
        if start is None:
            continue
        name = f"{body.slug}-{kind.suffix}"[:100]
        dataset = Dataset.objects.filter(name=name).first()
        new = dataset is None
        if dataset is None:
            dataset = Dataset(name=name, body=body, licence=licence_of(body))
        fields = {
            **_texts(kind.suffix, body),
            "frequency": kind.frequency,
            "temporal_start": datetime.date(start, 1, 1) if start else None,
            "temporal_end": datetime.date(end, 12, 31) if end else None,
        }
        update_if_changed(dataset, fields)
        if {theme.pk for theme in themes} - set(dataset.themes.values_list("pk", flat=True)):
            dataset.themes.add(*themes)
        _keep_resources(dataset, _resources(kind.suffix, body))
        if new:
            dataset.publish(note="publish_spending_datasets")
        datasets.append(dataset)
    return datasets


def _keep_resources(dataset: Dataset, wanted: list[dict]) -> None:
    """Make the dataset's links those of `wanted`, in order, found again by their address."""
    existing = {resource.url: resource for resource in dataset.resources.all()}
    for position, spec in enumerate(wanted):
        resource = existing.get(spec["url"]) or Resource(dataset=dataset, url=spec["url"])
        names = {}
        for code in LANGUAGES:
            with override(code):
                names[f"name_{code}"] = _("%(what)s (%(format)s)") % {"what": spec["label"], "format": spec["format"]}
        update_if_changed(resource, {"position": position, "format": spec["format"], **names})
