"""Import a body's districts from a GeoJSON FeatureCollection: the one import path for districts (the harvesters'
GeoJSON kind calls it).

Each feature is a district, found by its slug within the body (District's unique constraint) and written only when
a value differs (portal.importing.update_if_changed): importing the same collection again changes nothing. The
feature's properties are read under our field names through a ColumnMapping (`{"columns": {"slug": "code",
"name_ar": "nom_ar"}}`); without one, properties named as our fields are used. A feature without a slug or an
Arabic name, with a population that is not a whole number, or whose geometry is not a valid WGS 84 (Multi)Polygon
is reported with its number and left out; the others are written, each in a savepoint of its own.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.importing import ColumnMapping, ImportReport, RowError, assign_changed

from .models import District, PublicBody, validate_boundary

DISTRICT_FIELDS = ("slug", "name_ar", "name_fr", "name_en", "population")
SLUG_LENGTH = 100  # District.slug's max_length


class DistrictFileError(ValueError):
    """The data is not a GeoJSON FeatureCollection: nothing was imported."""


@dataclass
class DistrictImportReport(ImportReport):
    """The districts created, updated, unchanged and failed; `slugs` holds the slug of each feature written."""

    slugs: list[str] = field(default_factory=list)


def district_mapping(data: Any) -> ColumnMapping:
    """The mapping `data` (parsed JSON) describes for a district import; portal.importing.MappingError otherwise."""
    return ColumnMapping.from_data(data or {}, DISTRICT_FIELDS)


def feature_slug(feature: Any, mapping: ColumnMapping) -> str:
    """The slug a feature's properties give its district ("" when none)."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    value = mapping.apply(properties).get("slug") if isinstance(properties, dict) else None
    return slugify(str(value or ""))[:SLUG_LENGTH]


@transaction.atomic
def import_districts(
    collection: Any, *, body: PublicBody, mapping: ColumnMapping | dict | None = None
) -> DistrictImportReport:
    """Return the report of importing the features of `collection` (a parsed GeoJSON FeatureCollection) as the
    districts of `body`. Raise DistrictFileError, changing nothing, when it is no FeatureCollection."""
    if not isinstance(mapping, ColumnMapping):
        mapping = district_mapping(mapping)
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise DistrictFileError(_("This is not a GeoJSON FeatureCollection."))
    features = collection.get("features")
    if not isinstance(features, list):
        raise DistrictFileError(_("The FeatureCollection has no list of “features”."))
    report = DistrictImportReport()
    seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        slug = feature_slug(feature, mapping)
        try:
            values = _district_values(feature, mapping, slug)
            if slug in seen:
                raise ValidationError(_("feature %(number)s has the same slug") % {"number": seen[slug]})
            with transaction.atomic():
                outcome = _write(body, slug, values)
        except ValidationError as error:
            report.errors.append(RowError(number, slug, "; ".join(error.messages)))
            continue
        seen[slug] = number
        report.slugs.append(slug)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _district_values(feature: Any, mapping: ColumnMapping, slug: str) -> dict[str, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValidationError(_("not a GeoJSON Feature"))
    properties = feature.get("properties")
    values = mapping.apply(properties) if isinstance(properties, dict) else {}
    problems = []
    if not slug:
        problems.append(_("no slug (in Latin letters, digits or dashes)"))
    names = {name: str(values.get(name) or "").strip() for name in ("name_ar", "name_fr", "name_en")}
    if not names["name_ar"]:
        problems.append(_("no Arabic name"))
    population = values.get("population")
    if population in (None, ""):
        population = None
    elif isinstance(population, bool) or not str(population).strip().isdigit():
        problems.append(_("the population “%(value)s” is not a whole number") % {"value": population})
        population = None
    else:
        population = int(str(population).strip())
    try:
        validate_boundary(feature.get("geometry"))
    except ValidationError as error:
        problems.extend(error.messages)
    if problems:
        raise ValidationError("; ".join(str(problem) for problem in problems))
    return {**names, "population": population, "boundary": feature["geometry"]}


def _write(body: PublicBody, slug: str, values: dict[str, Any]) -> str:
    district = District.objects.filter(body=body, slug=slug).first()
    outcome = "updated"
    if district is None:
        district, outcome = District(body=body, slug=slug), "created"
    changed = assign_changed(district, values)  # a population not given (None) keeps the stored one
    if outcome == "updated" and not changed:
        return "unchanged"
    district.full_clean()
    district.save()
    return outcome
