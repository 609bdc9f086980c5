"""Each published dataset's Frictionless data package: /catalog/datasets/<name>/datapackage.json."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from frictionless import Package

from opendata import ingest, services
from opendata.models import Dataset, ResourceVersion
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file, loaded_resource
from tests.ratelimits import rate_limits

SITE = "http://testserver"
SCHEMA_FIELDS = [{"name": "المرفق", "type": "string"}, {"name": "السعة", "type": "integer"}]


@pytest.fixture
def facilities(commune):
    dataset = DatasetFactory(
        name="facilities",
        body=commune,
        title_ar="المرافق العمومية",
        title_fr="Équipements publics",
        notes_fr="Liste des équipements",
        tags=["équipements"],
        version="2025.1",
    )
    table = loaded_resource(
        [{"المرفق": "مكتبة", "السعة": "120"}, {"المرفق": "ملعب", "السعة": "800"}],
        SCHEMA_FIELDS,
        dataset=dataset,
        name_fr="Équipements",
    )
    return {"dataset": dataset, "table": table}


def package(client, name: str = "facilities", **headers) -> dict:
    response = client.get(f"/catalog/datasets/{name}/datapackage.json", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.django_db
class DataPackageTestCase:
    def test_frictionless_accepts_it(self, client, facilities):
        descriptor = package(client)
        report = Package.validate_descriptor(descriptor)
        assert report.valid, report.flatten(["type", "note"])
        loaded = Package.from_descriptor(descriptor)
        assert loaded.name == "facilities"
        assert [field.name for field in loaded.resources[0].schema.fields] == ["المرفق", "السعة"]

    def test_it_describes_the_dataset(self, client, facilities):
        descriptor = package(client, HTTP_ACCEPT_LANGUAGE="fr")
        assert descriptor["name"] == "facilities"
        assert descriptor["id"] == facilities["dataset"].uuid.urn
        assert descriptor["title"] == "Équipements publics"
        assert descriptor["description"] == "Liste des équipements"
        assert descriptor["version"] == "2025.1"
        assert descriptor["keywords"] == ["équipements"]
        assert descriptor["homepage"] == f"{SITE}/ar/data/facilities/"
        assert descriptor["licenses"] == [
            {
                "name": "cc-by-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ]
        assert descriptor["contributors"][0]["role"] == "publisher"
        assert descriptor["contributors"][0]["title"] == "Commune de Test"

    def test_titles_follow_the_language_asked_for(self, client, facilities):
        assert package(client, HTTP_ACCEPT_LANGUAGE="ar")["title"] == "المرافق العمومية"

    def test_it_describes_a_loaded_resource_with_its_schema(self, client, facilities):
        table = facilities["table"]
        version = table.current_version
        resource = package(client, HTTP_ACCEPT_LANGUAGE="fr")["resources"][0]
        assert resource["name"] == str(table.uuid)
        assert resource["title"] == "Équipements"
        assert resource["path"] == f"{SITE}/download/{table.uuid}/"
        assert resource["format"] == "csv"
        assert resource["mediatype"] == "text/csv"
        assert resource["bytes"] == version.size
        assert resource["hash"] == f"sha256:{version.sha256}"
        assert resource["schema"] == {"fields": SCHEMA_FIELDS}
        assert package(client)["profile"] == "tabular-data-package"

    def test_it_gives_the_encoding_and_delimiter_found_at_upload(self, client, facilities):
        version = facilities["table"].current_version
        ResourceVersion.objects.filter(pk=version.pk).update(dialect={"encoding": "cp1256", "delimiter": ";"})
        resource = package(client)["resources"][0]
        assert resource["encoding"] == "windows-1256"
        assert resource["dialect"] == {"delimiter": ";"}
        assert Package.validate_descriptor(package(client)).valid

    def test_it_points_at_the_loaded_file_while_a_newer_one_waits(self, client, facilities):
        table = facilities["table"]
        loaded = table.current_version
        add_file(table, b"autre,chose\n1,2\n", filename="newer.csv")
        resource = package(client)["resources"][0]
        assert resource["path"] == f"{SITE}/download/{table.uuid}/v{loaded.number}/"
        assert resource["hash"] == f"sha256:{loaded.sha256}"
        assert resource["schema"] == {"fields": SCHEMA_FIELDS}
        assert client.get(resource["path"].removeprefix(SITE)).status_code == 200

    def test_it_lists_links_and_plain_files(self, client, facilities):
        dataset = facilities["dataset"]
        ResourceFactory(dataset=dataset, url="https://example.org/map.pdf", format="PDF", position=3)
        add_file(ResourceFactory(dataset=dataset, format="PDF", position=4), b"%PDF-1.4", filename="rapport.pdf")
        ResourceFactory(dataset=dataset, format="CSV", position=5)  # nothing uploaded yet: left out
        descriptor = package(client)
        paths = [resource["path"] for resource in descriptor["resources"]]
        assert len(paths) == 3
        assert paths[1] == "https://example.org/map.pdf"
        assert "schema" not in descriptor["resources"][2]
        assert descriptor["resources"][2]["mediatype"] == "application/pdf"
        assert descriptor["profile"] == "data-package"
        report = Package.validate_descriptor(descriptor)
        assert report.valid, report.flatten(["type", "note"])

    def test_a_really_ingested_windows_1256_file_makes_a_valid_package(self, client, commune):
        """The schema, encoding and delimiter that ingestion found describe the file as it was uploaded."""
        resource = ResourceFactory(dataset=DatasetFactory(name="spending", body=commune), format="CSV")
        content = (Path(__file__).parent / "files" / "spending_cp1256.csv").read_bytes()
        version = services.add_version(resource, ContentFile(content, name="spending.csv"))
        ingest.ingest_version(version)
        version.refresh_from_db()
        assert version.status == ResourceVersion.Status.LOADED, version.error
        descriptor = package(client, "spending")
        report = Package.validate_descriptor(descriptor)
        assert report.valid, report.flatten(["type", "note"])
        described = descriptor["resources"][0]
        assert described["encoding"] == "windows-1256"
        assert described["dialect"] == {"delimiter": ";"}
        assert [field["name"] for field in described["schema"]["fields"]] == ["البلدية", "المبلغ", "التاريخ", "الوصف"]
        assert described["hash"] == f"sha256:{version.sha256}"

    def test_a_dataset_without_resources_is_still_a_valid_package(self, client, commune):
        DatasetFactory(name="empty", body=commune)
        assert Package.validate_descriptor(package(client, "empty")).valid

    @pytest.mark.parametrize("status", [Dataset.Status.DRAFT, Dataset.Status.WITHDRAWN])
    def test_it_hides_unpublished_datasets(self, client, commune, status):
        DatasetFactory(name="hidden", body=commune, status=status)
        assert client.get("/catalog/datasets/hidden/datapackage.json").status_code == 404

    def test_it_answers_404_for_an_unknown_dataset(self, client, db):
        assert client.get("/catalog/datasets/nothing/datapackage.json").status_code == 404

    def test_odd_characters_stay_data(self, client, commune):
        title = '</script><img src=x onerror=alert(1)> "q" \\ ﷽'
        DatasetFactory(name="odd", body=commune, title_ar=title)
        response = client.get("/catalog/datasets/odd/datapackage.json")
        assert response.json()["title"] == title
        assert response["Content-Type"] == "application/json"

    @rate_limits(api="1/h")
    def test_it_is_rate_limited(self, client, facilities, no_page_cache):
        package(client)
        response = client.get("/catalog/datasets/facilities/datapackage.json")
        assert response.status_code == 429
        assert response["Retry-After"]
