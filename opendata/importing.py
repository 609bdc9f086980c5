"""The import of one dataset's metadata from elsewhere (a harvested CKAN or DCAT catalogue).

`import_dataset` writes a `DatasetRecord` through the admin's own forms (`DatasetForm`, `ResourceForm`): what
staff could not save, a harvest cannot either. The record's values are matched to the portal's (licence, themes,
frequency); what cannot be matched or read (a date that is not a date) is left out and said in
`record.problems`, and the dataset is still imported. Nothing is written when the record says what the dataset
already says: the forms' own `has_changed` compares, so a second harvest changes no `modified_at`, writes no
audit entry. The status changes only by the dataset's workflow moves.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.bodies.models import PublicBody
from portal.models import Provenance

from .admin_forms import DatasetForm, ResourceForm
from .models import Dataset, Licence, Theme, publishes

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
NOT_SPECIFIED = "notspecified"  # CKAN's licence id for "licence not specified", loaded by a migration
FREQUENCY_URI = "http://publications.europa.eu/resource/authority/frequency/"


@dataclass
class ResourceRecord:
    """One distribution of a harvested dataset: a link (its file is fetched only when the source asks)."""

    url: str
    name: dict[str, str] = field(default_factory=dict)  # language code ("ar", "fr", "en", or "" unknown) → text
    description: dict[str, str] = field(default_factory=dict)
    format: str = ""  # "CSV", "XLSX", … ("" when the source gives none: guessed from the media type or address)
    media_type: str = ""


@dataclass
class DatasetRecord:
    """A dataset as a remote catalogue describes it, in the portal's terms; the harvest kinds build it."""

    name: str  # the remote's slug or identifier; made a valid, free slug on import
    title: dict[str, str]  # language code → text ("" for a text in an unknown language)
    notes: dict[str, str] = field(default_factory=dict)
    licence: str = ""  # an identifier, URL or title the portal's licences are matched against
    tags: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)  # theme codes, slugs or DCAT-AP theme URIs
    frequency: str = ""  # a Dataset.Frequency value or a DCAT frequency URI
    temporal_start: str = ""  # ISO dates; a value that is not a date is reported and left out
    temporal_end: str = ""
    spatial: str = ""
    version: str = ""
    contact_email: str = ""
    resources: list[ResourceRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what was malformed and left out, reported with the object


class DatasetRefused(ValueError):
    """The record cannot become a dataset (the portal's forms refuse it); the message says why in plain words."""


class _Harvest:
    """Who the forms check a harvest's writes against: the source was declared for its body by staff allowed to,
    so the harvest may write that body's datasets whoever started the run (a schedule has no one)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None


HARVEST = _Harvest()


# Matching the remote's values to ours ------------------------------------------------------------------------


def _key(text: str) -> str:
    """Letters and digits only, lower-case: "CC-BY-4.0", "cc_by_4_0" and "CC BY 4.0" are one key."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _url_key(text: str) -> str:
    parts = urlsplit(text.strip())
    return (parts.netloc.removeprefix("www.") + parts.path.rstrip("/")).casefold()


# What catalogues call our licences (CKAN's default list, data.gouv.fr, the EU licence vocabulary), by _key.
LICENCE_ALIASES = {
    "ccby": "cc-by-4.0",
    "ccattribution": "cc-by-4.0",
    "ccby40": "cc-by-4.0",
    "ccbysa": "cc-by-sa-4.0",
    "ccbysa40": "cc-by-sa-4.0",
    "cc0": "cc-zero",
    "cc010": "cc-zero",
    "cczero": "cc-zero",
    "odbl": "odc-odbl",
    "odbl10": "odc-odbl",
    "odcodbl10": "odc-odbl",
    "frlo": "etalab-2.0",
    "lo20": "etalab-2.0",
    "lov2": "etalab-2.0",
    "licenceouverte20": "etalab-2.0",
    "notspecified": NOT_SPECIFIED,
    "licensenotspecified": NOT_SPECIFIED,
    "otherclosed": "other-closed",
}


def match_licence(value: str) -> Licence | None:
    """Return the licence `value` names (an identifier, an address or a title, as catalogues write them)."""
    value = value.strip()
    if not value:
        return None
    licences = list(Licence.objects.all())
    by_key = {_key(licence.slug): licence for licence in licences}
    key = _key(value)
    if "://" in value:
        by_url = {_url_key(licence.url): licence for licence in licences if licence.url}
        if found := by_url.get(_url_key(value)):
            return found
        key = _key(PurePosixPath(urlsplit(value).path).name)  # the EU vocabulary's …/licence/CC_BY_4_0
    if found := by_key.get(key) or by_key.get(_key(LICENCE_ALIASES.get(key, ""))):
        return found
    for licence in licences:
        if key in {_key(getattr(licence, f"title_{code}")) for code in LANGUAGE_CODES} - {""}:
            return licence
    return None


def match_themes(values: list[str]) -> tuple[list[Theme], list[str]]:
    """Return the themes named by code, slug, name or DCAT-AP theme address, and the values that name none."""
    themes = list(Theme.objects.all())
    keys: dict[str, Theme] = {}
    for theme in themes:
        for text in (theme.code, theme.slug, theme.uri, *(getattr(theme, f"name_{c}") for c in LANGUAGE_CODES)):
            if text:
                keys.setdefault(_key(text), theme)
    found, unknown = [], []
    for value in values:
        key = _key(PurePosixPath(urlsplit(value).path).name if "://" in value else value)
        theme = keys.get(key)
        if theme is None:
            unknown.append(value)
        elif theme not in found:
            found.append(theme)
    return found, unknown


# Frequencies as CKAN extras, DCAT (EU vocabulary, Dublin Core's collection frequencies) and ISO 8601 write them.
FREQUENCY_ALIASES = {
    "continuous": "UPDATE_CONT",
    "continual": "UPDATE_CONT",
    "realtime": "UPDATE_CONT",
    "day": "DAILY",
    "week": "WEEKLY",
    "month": "MONTHLY",
    "quarter": "QUARTERLY",
    "annually": "ANNUAL",
    "yearly": "ANNUAL",
    "year": "ANNUAL",
    "irregular": "IRREG",
    "asneeded": "IRREG",
    "punctual": "IRREG",
    "never": "NEVER",
    "notplanned": "NEVER",
    "unknown": "UNKNOWN",
    "rp1d": "DAILY",
    "p1d": "DAILY",
    "rp1w": "WEEKLY",
    "p1w": "WEEKLY",
    "rp1m": "MONTHLY",
    "p1m": "MONTHLY",
    "rp3m": "QUARTERLY",
    "p3m": "QUARTERLY",
    "rp1y": "ANNUAL",
    "p1y": "ANNUAL",
}


def match_frequency(value: str) -> str | None:
    """Return the Dataset.Frequency `value` names ("" for none given), None when it names none."""
    value = value.strip()
    if not value:
        return ""
    if "://" in value:
        value = PurePosixPath(urlsplit(value).path).name or urlsplit(value).fragment
    key = _key(value)
    for frequency in Dataset.Frequency:
        if key in (_key(frequency.value), _key(frequency.name)):
            return frequency.value
    return FREQUENCY_ALIASES.get(key)


def read_iso_date(value: str) -> date | None:
    """Return the date an ISO date or date-time begins with ("2023-05-01T10:00:00Z"), None when it is none."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*", value)
    if match is None:
        match = re.fullmatch(r"\s*(\d{4})\s*", value)  # a year alone: its first day
        if match is None:
            return None
        return date(int(match[1]), 1, 1)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")


def place_languages(texts: dict[str, str]) -> dict[str, str]:
    """`{ar, fr, en}` from texts by language; a text of unknown language ("" or a language the portal lacks) goes
    to Arabic when written in Arabic letters, else to the first Latin-script language, else to the first empty one."""
    placed = {code: (texts.get(code) or "").strip() for code in LANGUAGE_CODES}
    for code, text in texts.items():
        text = (text or "").strip()
        if code in LANGUAGE_CODES or not text or text in placed.values():
            continue
        latin = [c for c in LANGUAGE_CODES if c != "ar"]
        wanted = ["ar"] if ARABIC_LETTERS.search(text) else latin
        free = [c for c in wanted if not placed[c]] or [c for c in LANGUAGE_CODES if not placed[c]]
        if free:
            placed[free[0]] = text
    return placed


FORMATS_BY_MEDIA_TYPE = {
    "text/csv": "CSV",
    "application/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/json": "JSON",
    "application/geo+json": "GEOJSON",
    "application/vnd.geo+json": "GEOJSON",
    "application/pdf": "PDF",
    "application/zip": "ZIP",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/html": "HTML",
    "application/rdf+xml": "RDF",
}
EXTENSIONS = {"csv", "tsv", "xlsx", "xls", "ods", "json", "geojson", "pdf", "zip", "xml", "kml", "shp", "txt", "rdf"}


def guess_format(resource: ResourceRecord) -> str:
    """The resource's format: as given, else from its media type, else from its address's extension ("" if none)."""
    given = resource.format.strip()
    if "://" in given:  # DCAT gives formats as addresses (…/file-type/CSV, …/media-types/text/csv)
        given = FORMATS_BY_MEDIA_TYPE.get(urlsplit(given).path.split("media-types/")[-1]) or given.rsplit("/")[-1]
    if given:
        return given.removeprefix(".").upper()[:20]
    media_type = resource.media_type.split(";")[0].strip().casefold()
    if media_type.rsplit("/")[-1].casefold() and media_type in FORMATS_BY_MEDIA_TYPE:
        return FORMATS_BY_MEDIA_TYPE[media_type]
    extension = PurePosixPath(urlsplit(resource.url).path).suffix.removeprefix(".").casefold()
    return extension.upper() if extension in EXTENSIONS else ""


def free_name(record: DatasetRecord, titles: dict[str, str]) -> str:
    """A free identifier from the remote's name ("Budget_2024" → "budget_2024"), else from a Latin title, else
    "dataset"; "-2", "-3"… when taken. Names in Arabic letters are not valid in addresses (a SlugField)."""
    base = ""
    for text in (record.name, titles.get("fr", ""), titles.get("en", "")):
        if base := slugify(text)[:90].strip("-_"):
            break
    base = base or "dataset"
    taken = set(Dataset.objects.filter(name__startswith=base).values_list("name", flat=True))
    name, number = base, 2
    while name in taken:
        name = f"{base}-{number}"
        number += 1
    return name


# Import -------------------------------------------------------------------------------------------------------


def _tags_text(names: list[str]) -> str:
    # taggit reads a comma-separated list; quotes keep names with spaces or commas whole.
    return ", ".join('"{}"'.format(name.replace('"', "")) for name in names)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The fields a harvest leaves empty, with the reason in record.problems, when the form refuses their value.
OPTIONAL_FIELDS = ("temporal_start", "temporal_end", "spatial", "version", "contact_email", "frequency")


def _dataset_data(record: DatasetRecord, body: PublicBody, dataset: Dataset | None) -> dict:
    """The DatasetForm's data for `record`, noting in record.problems what it leaves out."""
    label = record.name or record.title.get("", "")
    titles = place_languages(record.title)
    notes = place_languages(record.notes)
    if not any(titles.values()):  # CKAN shows a dataset without a title by its name
        titles = place_languages({"": record.name})
    data: dict = {
        "name": dataset.name if dataset else free_name(record, titles),
        "body": body.pk,
        "status": dataset.status if dataset else Dataset.Status.DRAFT,
        **{f"title_{code}": _clip(text, 255) for code, text in titles.items()},
        **{f"notes_{code}": text for code, text in notes.items()},
        "spatial": _clip(record.spatial.strip(), 255),
        "version": record.version.strip(),
        "contact_email": record.contact_email.strip().removeprefix("mailto:"),
        "tags": _tags_text(sorted({tag.strip()[:100] for tag in record.tags if tag.strip()})),
    }
    licence = match_licence(record.licence)
    if licence is None:
        licence = Licence.objects.filter(slug=NOT_SPECIFIED).first()
        if licence is None:
            raise DatasetRefused(
                _("The licence “%(licence)s” is not one of the portal's.") % {"licence": record.licence}
            )
        if record.licence.strip():
            record.problems.append(
                _("The licence “%(licence)s” of dataset %(dataset)s is not one of the portal's: “not specified”.")
                % {"licence": record.licence, "dataset": label}
            )
    data["licence"] = licence.pk
    themes, unknown = match_themes(record.themes)
    data["themes"] = [theme.pk for theme in themes]
    if unknown:
        record.problems.append(
            _("The themes %(themes)s of dataset %(dataset)s are not the portal's: left out.")
            % {"themes": ", ".join(f"“{value}”" for value in unknown), "dataset": label}
        )
    frequency = match_frequency(record.frequency)
    if frequency is None:
        record.problems.append(
            _("The update frequency “%(value)s” of dataset %(dataset)s is not one the portal knows: left out.")
            % {"value": record.frequency, "dataset": label}
        )
    data["frequency"] = frequency or Dataset.Frequency.UNKNOWN
    for key in ("temporal_start", "temporal_end"):
        text = getattr(record, key).strip()
        day = read_iso_date(text) if text else None
        if text and day is None:
            record.problems.append(
                _("The date “%(value)s” of dataset %(dataset)s is not a date: left out.")
                % {"value": text, "dataset": label}
            )
        data[key] = day.isoformat() if day else ""
    if data["temporal_start"] and data["temporal_end"] and data["temporal_start"] > data["temporal_end"]:
        record.problems.append(
            _("The period covered by dataset %(dataset)s ends before it starts: left out.") % {"dataset": label}
        )
        data["temporal_start"] = data["temporal_end"] = ""
    return data


def _dataset_form(record: DatasetRecord, data: dict, dataset: Dataset | None) -> DatasetForm:
    """The bound, valid form; a value of an optional field that the form refuses is left out and reported."""
    form = DatasetForm(data=data, instance=dataset, for_user=HARVEST)
    if form.is_valid():
        return form
    refused = [name for name in form.errors if name in OPTIONAL_FIELDS]
    if refused and len(refused) == len(form.errors):
        for name in refused:
            record.problems.append(
                _("The %(field)s “%(value)s” of dataset %(dataset)s is refused (%(reason)s): left out.")
                % {
                    "field": form.fields[name].label,
                    "value": data[name],
                    "dataset": record.name,
                    "reason": " ".join(form.errors[name]),
                }
            )
            data[name] = Dataset.Frequency.UNKNOWN if name == "frequency" else ""
        form = DatasetForm(data=data, instance=dataset, for_user=HARVEST)
        if form.is_valid():
            return form
    raise DatasetRefused(_form_message(form))


def _form_message(form) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else name}: {' '.join(messages)}"
        for name, messages in form.errors.items()
    )


def _resource_data(resource: ResourceRecord, dataset: Dataset, position: int) -> dict:
    names = place_languages({code: _clip(text, 255) for code, text in resource.name.items()})
    descriptions = place_languages(resource.description)
    format = guess_format(resource)
    if not any(names.values()) and not format:
        names[settings.LANGUAGE_CODE] = _clip(PurePosixPath(urlsplit(resource.url).path).name or resource.url, 255)
    return {
        "dataset": dataset.pk,
        "position": position,
        **{f"name_{code}": text for code, text in names.items()},
        **{f"description_{code}": text for code, text in descriptions.items()},
        "url": resource.url.strip(),
        "format": format,
        "declared_schema": "",
    }


def _sync_resources(record: DatasetRecord, dataset: Dataset, user) -> bool:
    """Create, change and remove the dataset's resources to match the record's; return whether any changed.

    An existing resource is matched by its address (in order, for two with one address). A resource the form
    refuses (an address that is not one) is left out and reported.
    """
    existing = list(dataset.resources.order_by("position", "pk"))
    changed = False
    position = 0
    kept: set[int] = set()
    for item in record.resources:
        match = next((r for r in existing if r.pk not in kept and r.url == item.url.strip()), None)
        data = _resource_data(item, dataset, position)
        # A link whose file was fetched (the DataStore) holds versions, and the form refuses a link on such a
        # resource: the address matched, so it is not changing, and the form checks the rest.
        holds_files = match is not None and match.versions.exists()
        link = match.url if match is not None else ""  # the form writes its data on the instance it checks
        if holds_files:
            data["url"] = ""
        form = ResourceForm(data=data, instance=match, for_user=HARVEST)
        if not form.is_valid():
            if match is not None:  # kept as it is: a change the form refuses never costs the resource
                kept.add(match.pk)
            record.problems.append(
                _("A resource of dataset %(dataset)s is left out: %(reason)s")
                % {"dataset": record.name, "reason": _form_message(form)}
            )
            continue
        position += 1
        if match is not None:
            kept.add(match.pk)
            if not set(form.changed_data) - ({"url"} if holds_files else set()):
                continue
        saved = form.save(commit=False)
        if holds_files:
            saved.url = link
        saved.save()
        log(instance=saved, action="wagtail.edit" if match else "wagtail.create", user=user, content_changed=True)
        changed = True
    for resource in existing:
        if resource.pk not in kept:
            log(instance=resource, action="wagtail.delete", user=user)
            resource.delete()
            changed = True
    return changed


def import_dataset(
    record: DatasetRecord,
    *,
    body: PublicBody,
    dataset: Dataset | None = None,
    publish: bool = True,
    republish: bool = False,
    user=None,
) -> tuple[Dataset, str]:
    """Create `dataset` from `record` (or bring the existing `dataset` in line with it); return it and the outcome,
    "created", "updated" or "unchanged".

    A new dataset is published, or a draft when `publish` is False; an existing one keeps its status. A withdrawn
    one is published again only with `republish` (the harvest withdrew it and now sees it again), never when staff
    withdrew it (personal data found in it, say). `user` is who the audit log names
    (None for a schedule). Raises DatasetRefused when the portal's forms refuse the record.
    """
    data = _dataset_data(record, body, dataset)
    form = _dataset_form(record, data, dataset)
    with transaction.atomic():
        changed = dataset is None or form.has_changed()
        if changed:
            saved = form.save()
            log(instance=saved, action="wagtail.edit" if dataset else "wagtail.create", user=user, content_changed=True)
        else:
            saved = dataset
        assert saved is not None
        resources_changed = _sync_resources(record, saved, user)
        target = saved.status
        if publish and (dataset is None or (republish and saved.status == Dataset.Status.WITHDRAWN)):
            target = Dataset.Status.PUBLISHED
        if target != saved.status:
            saved.set_status(target, by=_mover(user, saved), note=_("Harvested."))
            changed = True
    if not (changed or resources_changed):
        return saved, "unchanged"
    saved.refresh_from_db()
    return saved, "created" if dataset is None else "updated"


def withdraw_dataset(dataset: Dataset, user=None) -> None:
    """Take a harvested dataset gone from its source off the public pages: a published one is withdrawn by its
    workflow move (its address stays, a later harvest that sees it again publishes it again); a draft, which the
    public never saw, stays a draft. Nothing is deleted."""
    if dataset.status == Dataset.Status.PUBLISHED:
        dataset.withdraw(by=_mover(user, dataset), note=_("Gone from its harvest source."))


def _mover(user, dataset: Dataset):
    """Who a harvest's status move is recorded as: `user` when they publish for the body, else no one (the
    harvest acts for the body whoever started it, and the workflow refuses a move to someone not allowed it)."""
    return user if user is not None and publishes(user, dataset) else None


def provenances(datasets: list[Dataset]) -> dict[int, Provenance]:
    """The provenance of each harvested one of `datasets` by primary key, in one query (none for no datasets)."""
    if not datasets:
        return {}
    rows = Provenance.objects.filter(
        content_type=ContentType.objects.get_for_model(Dataset), object_id__in=[str(d.pk) for d in datasets]
    )
    return {int(row.object_id): row for row in rows}
