"""Districts of a body from a GeoJSON FeatureCollection at an address or uploaded (a council's GIS export).

Each feature is one harvest object (its `id`, else the slug its properties give), its content the feature itself,
so that a changed boundary re-imports that district alone. It is written through
`portal.bodies.importing.import_districts` with the source's mapping (portal.importing.ColumnMapping over the
properties: `{"columns": {"slug": "code", "name_ar": "nom_ar", "population": "pop"}}`). A feature with a bad
geometry fails its object with the reason; the others are imported.

Districts have no status: a feature gone from the collection is withdrawn in the harvest's records only, and its
district is kept (projects and decisions point at districts, and a boundary does not stop existing because an
export left it out; staff delete a district by hand). They have no draft state either: such a source publishes at
once. Projects on the map arrive with issue 17 (budgeting) and are not harvested yet.
"""

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Target
from . import register
from .base import Gathered, Imported, ObjectFailure, SourceFailure, SourceKind
from .table import refuse_drafts

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..models import HarvestObject, HarvestSource


@register
class GeoJsonKind(SourceKind):
    name = "geojson"
    label = gettext_lazy("Maps (GeoJSON districts)")
    targets = (Target.DISTRICTS,)
    location = "file"
    needs_mapping = True

    def check(self, source: "HarvestSource") -> None:
        from portal.bodies.importing import district_mapping
        from portal.importing import MappingError

        if bool(source.url) == bool(source.upload) or source.folder:
            raise ValidationError(_("Give either the address of the GeoJSON file or the file itself."))
        if source.target != Target.DISTRICTS:
            raise ValidationError({"target": _("GeoJSON files bring districts.")})
        refuse_drafts(source, Target.DISTRICTS)
        try:
            district_mapping(source.mapping)
        except MappingError as error:
            raise ValidationError({"mapping": str(error)}) from None

    def gather(self, source: "HarvestSource", since: str) -> "Iterator[Gathered]":
        from portal.bodies.importing import district_mapping, feature_slug
        from portal.importing import MappingError

        collection = self.read_collection(source)
        features = collection.get("features") if isinstance(collection, dict) else None
        if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
            raise SourceFailure(_("The file is not a GeoJSON FeatureCollection."))
        if not isinstance(features, list):
            raise SourceFailure(_("The FeatureCollection has no list of “features”."))
        try:
            mapping = district_mapping(source.mapping)
        except MappingError as error:
            raise SourceFailure(str(error)) from None
        place = source.url or f"upload:{source.body.slug}/{source.upload.name}"
        for number, feature in enumerate(features, start=1):
            identifier = feature.get("id") if isinstance(feature, dict) else None
            remote_id = str(identifier) if identifier not in (None, "") else feature_slug(feature, mapping)
            # A feature without id or slug still gets an object, so that its failure is reported.
            remote_id = remote_id or f"#{number}"
            yield Gathered(remote_id=remote_id[:500], guid=f"{place}#{remote_id}", content=feature)

    @staticmethod
    def read_collection(source: "HarvestSource") -> Any:
        if source.url:
            from harvesters import network

            response = network.get(
                source.url, accept="application/geo+json, application/json", max_bytes=settings.HARVEST_MAX_BYTES
            )
            return response.json()
        if source.upload.size > settings.HARVEST_MAX_BYTES:
            raise SourceFailure(_("The uploaded file is larger than the harvests' limit."))
        with source.upload.open("rb") as upload:
            data = upload.read()
        try:
            return json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as error:
            raise SourceFailure(_("The uploaded file is not valid JSON: %(error)s.") % {"error": error}) from None

    def fetch(self, source: "HarvestSource", gathered: Gathered) -> Any:
        return gathered.content  # the collection carries its features whole

    def import_object(self, source: "HarvestSource", obj: "HarvestObject", content: Any) -> Imported:
        from portal.bodies.importing import import_districts
        from portal.bodies.models import District

        refuse_drafts(source, Target.DISTRICTS)
        report = import_districts(
            {"type": "FeatureCollection", "features": [content]}, body=source.body, mapping=source.mapping
        )
        if report.errors:
            raise ObjectFailure(
                _("The feature %(feature)s: %(error)s.") % {"feature": obj.remote_id, "error": report.errors[0].message}
            )
        district = District.objects.get(body=source.body, slug=report.slugs[0])
        outcome = "created" if report.created else "updated" if report.updated else "unchanged"
        return Imported(outcome, district, created=report.created, updated=report.updated, unchanged=report.unchanged)

    def withdraw(self, source: "HarvestSource", obj: "HarvestObject") -> None:
        """Nothing to take off: the district is kept (see the module's docstring)."""
