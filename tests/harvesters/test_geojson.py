"""GeoJSON districts: the domain import (portal.bodies.importing) and the harvest kind that calls it."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from harvesters.kinds import KINDS
from harvesters.kinds.base import ObjectFailure, SourceFailure
from harvesters.models import HarvestObject, HarvestSource
from portal.bodies.importing import DistrictFileError, import_districts
from portal.bodies.models import District

from .servers import Reply

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "geojson"
COLLECTION = json.loads((FIXTURES / "districts.geojson").read_text(encoding="utf-8"))
MAPPING = {"columns": {"slug": "code", "name_ar": "nom_ar", "name_fr": "nom_fr", "population": "pop"}}
KIND = KINDS["geojson"]


def source_of(body, **fields) -> HarvestSource:
    fields.setdefault("slug", "districts")
    fields.setdefault("mapping", MAPPING)
    return HarvestSource._default_manager.create(kind="geojson", name="SIG", body=body, target="districts", **fields)


def harvest(source: HarvestSource) -> list:
    results = []
    for item in KIND.gather(source, ""):
        obj, _created = HarvestObject.objects.get_or_create(source=source, remote_id=item.remote_id, guid=item.guid)
        try:
            results.append(KIND.import_object(source, obj, item.content))
        except ObjectFailure as failure:
            results.append(failure)
    return results


@pytest.mark.django_db
class ImportDistrictsTestCase:
    def test_it_creates_districts_by_slug_reports_a_bad_geometry_and_again_changes_nothing(self, commune):
        report = import_districts(COLLECTION, body=commune, mapping=MAPPING)
        assert (report.created, report.slugs) == (2, ["el-nour", "bab-el-oued"])
        [error] = report.errors
        assert (error.row, error.reference, error.message) == (
            3,
            "douar-sud",
            "The boundary is empty or crosses itself.",
        )
        district = District.objects.get(slug="el-nour")
        assert (district.name_ar, district.name_fr, district.population) == ("حي النور", "Cité El Nour", 12500)
        assert District.objects.get(slug="bab-el-oued").population == 8300
        again = import_districts(COLLECTION, body=commune, mapping=MAPPING)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    def test_a_changed_name_updates_its_district(self, commune):
        import_districts(COLLECTION, body=commune, mapping=MAPPING)
        changed = json.loads(json.dumps(COLLECTION))
        changed["features"][0]["properties"]["nom_ar"] = "حي النور الجديد"
        report = import_districts(changed, body=commune, mapping=MAPPING)
        assert (report.updated, report.unchanged) == (1, 1)
        assert District.objects.get(slug="el-nour").name_ar == "حي النور الجديد"

    def test_what_is_not_a_collection_or_a_district_is_said(self, commune):
        with pytest.raises(DistrictFileError):
            import_districts({"type": "Feature"}, body=commune)
        feature = {"type": "Feature", "properties": {"slug": "x", "population": "beaucoup"}, "geometry": None}
        [error] = import_districts({"type": "FeatureCollection", "features": [feature]}, body=commune).errors
        assert "no Arabic name" in error.message and "“beaucoup” is not a whole number" in error.message
        assert "Polygon" in error.message
        assert not District.objects.exists()


@pytest.mark.django_db
class GeoJsonKindTestCase:
    def test_each_feature_is_an_object_and_a_bad_geometry_fails_its_own(self, serve, commune):
        server = serve(
            {
                "/districts.geojson": Reply(
                    (FIXTURES / "districts.geojson").read_bytes(), content_type="application/geo+json"
                )
            }
        )
        source = source_of(commune, url=f"{server.url}/districts.geojson")
        KIND.check(source)
        items = list(KIND.gather(source, ""))
        assert [item.remote_id for item in items] == ["Q-01", "Q-02", "Q-03"]
        first, second, third = harvest(source)
        assert (first.outcome, first.record) == ("created", District.objects.get(slug="el-nour"))
        assert second.outcome == "created"
        assert isinstance(third, ObjectFailure) and "crosses itself" in str(third)
        KIND.withdraw(source, HarvestObject.objects.get(remote_id="Q-01"))
        assert District.objects.count() == 2  # withdrawn in our records only: the district stays

    def test_an_uploaded_collection_without_ids_is_known_by_its_slugs(self, commune):
        collection = json.loads(json.dumps(COLLECTION))
        for feature in collection["features"]:
            del feature["id"]
        upload = SimpleUploadedFile("quartiers.geojson", json.dumps(collection).encode())
        source = source_of(commune, upload=upload)
        KIND.check(source)
        assert [item.remote_id for item in KIND.gather(source, "")] == ["el-nour", "bab-el-oued", "douar-sud"]

    def test_it_refuses_drafts_bad_mappings_and_what_is_not_geojson(self, serve, commune):
        with pytest.raises(ValidationError) as error:
            KIND.check(source_of(commune, url="https://example.org/d.geojson", publish=False))
        assert "publish" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            KIND.check(
                source_of(commune, slug="m", url="https://example.org/d.geojson", mapping={"columns": {"code": "x"}})
            )
        assert "mapping" in error.value.message_dict
        server = serve({"/page": Reply(b"<html></html>", content_type="text/html"), "/list": Reply(b"[]")})
        for path in ("/page", "/list"):
            with pytest.raises(SourceFailure):
                list(KIND.gather(source_of(commune, slug=f"s{path[1:]}", url=f"{server.url}{path}"), ""))


@pytest.mark.django_db
class GeoJsonHarvestTestCase:
    def test_a_collection_is_harvested_feature_by_feature_with_the_bad_one_reported(self, serve, commune):
        from harvesters.models import HarvestJob
        from harvesters.runner import run_harvest

        server = serve({"/d.geojson": Reply((FIXTURES / "districts.geojson").read_bytes())})
        source = source_of(commune, url=f"{server.url}/d.geojson")
        job = run_harvest(source)
        assert (job.status, job.created, job.failed) == (HarvestJob.Status.FINISHED, 2, 1)
        [error] = job.errors.all()
        assert error.remote_id == "Q-03" and "crosses itself" in error.message
        assert set(District.objects.values_list("slug", flat=True)) == {"el-nour", "bab-el-oued"}
        assert run_harvest(source).unchanged == 2
