"""The CKAN API's reading actions for harvesters and DataStore clients: license_list,
current_package_list_with_resources, datastore_info, and datastore_search's records_format, distinct and q
without case or accents."""

import pytest

from opendata.models import Dataset
from tests.opendata.factories import DatasetFactory, loaded_resource

pytestmark = pytest.mark.django_db

API = "/api/3/action/"


def ok(response):
    assert response.status_code == 200, response.content
    assert response.json()["success"] is True
    return response.json()["result"]


@pytest.fixture
def spending(commune):
    return loaded_resource(
        [
            {"poste": "Dépense d'éclairage", "quartier": "Centre", "montant": "1200.50"},
            {"poste": "Voirie", "quartier": "Nord", "montant": "80"},
            {"poste": "DÉPENSE imprévue", "quartier": "Centre", "montant": "80"},
            {"poste": "مُحَمَّد", "quartier": "Nord", "montant": "5"},
        ],
        [
            {"name": "poste", "type": "string"},
            {"name": "quartier", "type": "string"},
            {"name": "montant", "type": "number"},
        ],
        dataset=DatasetFactory(body=commune),
    )


def search(client, resource, **params):
    return ok(
        client.post(
            f"{API}datastore_search", {"resource_id": str(resource.uuid), **params}, content_type="application/json"
        )
    )


class LicenseListTestCase:
    def test_it_lists_the_licences_a_dataset_may_take(self, client):
        licences = ok(client.get(f"{API}license_list"))
        by_id = {licence["id"]: licence for licence in licences}
        assert by_id["cc-by-4.0"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
        assert by_id["cc-by-4.0"]["is_okd_compliant"] is True
        assert {"id", "title", "url", "status", "od_conformance"} <= set(by_id["cc-by-4.0"])


class CurrentPackageListTestCase:
    def test_it_pages_the_published_datasets_last_modified_first(self, client, commune):
        for number in range(3):
            DatasetFactory(name=f"d{number}", body=commune)
        DatasetFactory(name="draft", body=commune, status=Dataset.Status.DRAFT)
        names = [package["name"] for package in ok(client.get(f"{API}current_package_list_with_resources"))]
        assert names == ["d2", "d1", "d0"]
        page = ok(client.get(f"{API}current_package_list_with_resources", {"limit": 1, "offset": 1}))
        assert [package["name"] for package in page] == ["d1"]
        assert "resources" in page[0]
        page = ok(client.get(f"{API}current_package_list_with_resources", {"limit": 2, "page": 2}))
        assert [package["name"] for package in page] == ["d0"]
        response = client.get(f"{API}current_package_list_with_resources", {"page": 0})
        assert response.status_code == 409


class DatastoreInfoTestCase:
    def test_it_gives_the_fields_and_the_row_count(self, client, spending):
        info = ok(client.get(f"{API}datastore_info", {"id": str(spending.uuid)}))
        assert [(field["id"], field["type"]) for field in info["fields"]] == [
            ("poste", "text"),
            ("quartier", "text"),
            ("montant", "numeric"),
        ]
        assert info["meta"]["count"] == spending.datastore_rows == 4

    def test_it_hides_a_draft_and_knows_no_other_resource(self, client, spending):
        Dataset.objects.filter(pk=spending.dataset.pk).update(status=Dataset.Status.DRAFT)
        assert client.get(f"{API}datastore_info", {"id": str(spending.uuid)}).status_code == 404
        assert client.get(f"{API}datastore_info", {"id": "nope"}).status_code == 404
        assert client.get(f"{API}datastore_info").status_code == 409


class DatastoreSearchFormatsTestCase:
    def test_lists(self, client, spending):
        result = search(client, spending, records_format="lists", fields="poste,montant", limit=2)
        assert result["records"] == [[1, "Dépense d'éclairage", "1200.50"], [2, "Voirie", "80"]]
        assert result["records_format"] == "lists"

    def test_csv_and_tsv(self, client, spending):
        result = search(client, spending, records_format="csv", fields="poste,montant", limit=2)
        assert result["records"] == "1,Dépense d'éclairage,1200.50\n2,Voirie,80\n"
        result = search(client, spending, records_format="tsv", fields=["quartier"], limit=1)
        assert result["records"] == "1\tCentre\n"

    def test_distinct(self, client, spending):
        result = search(client, spending, fields="quartier", distinct=True)
        assert result["records"] == [{"quartier": "Centre"}, {"quartier": "Nord"}]
        assert result["total"] == 2
        assert [field["id"] for field in result["fields"]] == ["quartier"]
        result = search(client, spending, fields=["quartier", "montant"], distinct=True, sort="montant desc")
        assert result["records"][0] == {"quartier": "Centre", "montant": "1200.50"}
        assert result["total"] == 4

    def test_distinct_sorts_only_by_what_it_selects(self, client, spending):
        response = client.get(
            f"{API}datastore_search",
            {"resource_id": str(spending.uuid), "fields": "quartier", "distinct": "true", "sort": "montant"},
        )
        assert response.status_code == 409


class DatastoreSearchAccentsTestCase:
    def test_q_ignores_case_and_accents(self, client, spending):
        result = search(client, spending, q="depense")
        assert [record["_id"] for record in result["records"]] == [1, 3]
        assert [record["_id"] for record in search(client, spending, q="ECLAIRAGE")["records"]] == [1]
        assert [record["_id"] for record in search(client, spending, q={"poste": "imprevue"})["records"]] == [3]

    def test_q_ignores_arabic_short_vowels(self, client, spending):
        assert [record["_id"] for record in search(client, spending, q="محمد")["records"]] == [4]

    def test_q_still_matches_as_written_and_escapes_wildcards(self, client, spending):
        assert [record["_id"] for record in search(client, spending, q="Dépense d'")["records"]] == [1]
        assert search(client, spending, q="%")["records"] == []
