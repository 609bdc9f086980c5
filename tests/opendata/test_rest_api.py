"""The catalogue's REST API (/api/v1/): datasets, resources and their rows, licences, themes, bodies; its schema."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from opendata.models import Dataset, Licence, ProblemReport
from search.indexing import refresh_entries
from tests.factories import PublicBodyFactory, RoleGrantFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file, loaded_resource
from tests.ratelimits import rate_limits

SITE = "http://testserver"
PROBLEM = "application/problem+json"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert {"type", "title", "status"} <= problem.keys()
    return problem


@pytest.fixture
def catalogue(commune, other_region):
    budget = DatasetFactory(
        name="budget",
        body=commune,
        title_ar="الميزانية",
        title_fr="Budget communal",
        title_en="",
        themes=["economy"],
        tags=["finances"],
        temporal_start=datetime.date(2024, 1, 1),
    )
    add_file(ResourceFactory(dataset=budget, format="CSV"), b"a,b\n1,2\n")
    roads = DatasetFactory(name="roads", body=commune, title_fr="Routes", themes=["transport"], tags=["voirie"])
    ResourceFactory(dataset=roads, format="PDF", url="https://example.org/roads.pdf")
    schools = DatasetFactory(
        name="schools",
        body=other_region,
        title_fr="Écoles",
        licence=Licence.objects.get(slug="odc-odbl"),
        themes=["education"],
    )
    ResourceFactory(dataset=schools, format="XLSX")
    draft = DatasetFactory(name="draft", body=commune, status=Dataset.Status.DRAFT, title_fr="Budget brouillon")
    return {"budget": budget, "roads": roads, "schools": schools, "draft": draft}


@pytest.mark.django_db
class DatasetListTestCase:
    def test_it_lists_published_datasets(self, client, catalogue):
        response = client.get("/api/v1/datasets/")
        assert sorted(names(response)) == ["budget", "roads", "schools"]
        assert response.json()["count"] == 3
        assert {"count", "next", "previous", "results"} == response.json().keys()

    def test_it_searches_words(self, client, catalogue):
        refresh_entries()  # the search index (written after commits, which tests roll back)
        assert names(client.get("/api/v1/datasets/", {"q": "budget"})) == ["budget"]
        assert names(client.get("/api/v1/datasets/", {"q": "الميزانية"})) == ["budget"]

    def test_it_filters_like_the_listing(self, client, catalogue):
        assert names(client.get("/api/v1/datasets/", {"body": "region-voisine"})) == ["schools"]
        assert names(client.get("/api/v1/datasets/", {"theme": "transport"})) == ["roads"]
        assert names(client.get("/api/v1/datasets/", {"format": "csv"})) == ["budget"]
        assert names(client.get("/api/v1/datasets/", {"licence": "odc-odbl"})) == ["schools"]
        assert names(client.get("/api/v1/datasets/", {"tag": "voirie"})) == ["roads"]
        assert names(client.get("/api/v1/datasets/", {"body": "nowhere"})) == []

    def test_values_of_one_filter_add_up_and_filters_narrow(self, client, catalogue):
        response = client.get("/api/v1/datasets/?theme=transport&theme=education&sort=name")
        assert names(response) == ["roads", "schools"]
        assert names(client.get("/api/v1/datasets/?theme=transport&theme=education&body=commune-test")) == ["roads"]

    def test_it_sorts(self, client, catalogue):
        assert names(client.get("/api/v1/datasets/", {"sort": "name"})) == ["budget", "roads", "schools"]
        fr = client.get("/api/v1/datasets/", {"sort": "title", "language": "fr"})
        assert names(fr) == ["budget", "roads", "schools"]

    def test_it_refuses_an_unknown_sort(self, client, catalogue):
        problem = assert_problem(client.get("/api/v1/datasets/", {"sort": "password"}), 400)
        assert "sort" in problem["errors"]

    def test_it_pages(self, client, catalogue):
        first = client.get("/api/v1/datasets/", {"page_size": 2, "sort": "name"})
        assert names(first) == ["budget", "roads"]
        assert first.json()["previous"] is None
        second = client.get(first.json()["next"])
        assert names(second) == ["schools"]
        assert second.json()["next"] is None
        assert second.json()["previous"] == f"{SITE}/api/v1/datasets/?page_size=2&sort=name"

    @pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "٣"])
    def test_a_malformed_page_is_a_400_problem(self, client, catalogue, page):
        response = client.get("/api/v1/datasets/", {"page": page}, headers={"accept-language": "fr"})
        assert_problem(response, 400)
        assert response.json()["errors"] == {"page": ["Un nombre entier d’au moins 1."]}

    def test_a_page_past_the_last_is_a_404_problem(self, client, catalogue):
        assert_problem(client.get("/api/v1/datasets/", {"page": "99"}), 404)

    @pytest.mark.parametrize("path", ["/api/v1/decisions/", "/api/v1/themes/", "/api/v1/organizations/"])
    @pytest.mark.parametrize(("params", "parameter"), [({"page_size": "null"}, "page_size"), ({"page": "0"}, "page")])
    def test_every_listing_refuses_malformed_pages_alike(self, client, catalogue, path, params, parameter):
        response = client.get(path, params, headers={"accept-language": "fr"})
        assert_problem(response, 400)
        assert response.json()["errors"] == {parameter: ["Un nombre entier d’au moins 1."]}

    @pytest.mark.parametrize("path", ["/api/v1/licences/cc-by-4.0/", "/api/v1/datasets/"])
    def test_an_unknown_language_is_a_400_problem(self, client, catalogue, path):
        response = client.get(path, {"language": "AAA"})
        assert_problem(response, 400)
        assert list(response.json()["errors"]) == ["language"]

    def test_its_query_count_does_not_grow_with_the_datasets(self, client, commune, no_page_cache):
        def queries() -> int:
            with CaptureQueriesContext(connection) as context:
                assert client.get("/api/v1/datasets/").status_code == 200
            return len(context)

        def add():
            dataset = DatasetFactory(body=commune, themes=["economy"], tags=["a"])
            add_file(ResourceFactory(dataset=dataset), b"x\n1\n")

        add()
        few = queries()
        for _index in range(5):
            add()
        assert queries() == few


@pytest.mark.django_db
class DatasetDetailTestCase:
    def test_it_shows_a_dataset_with_its_translations(self, client, catalogue):
        response = client.get("/api/v1/datasets/budget/", HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200
        data = response.json()
        assert data["id"] == str(catalogue["budget"].uuid)
        assert data["title"] == "Budget communal"
        assert data["title_language"] == "fr"
        assert data["title_translated"] == {"ar": "الميزانية", "fr": "Budget communal"}
        assert data["organization"]["slug"] == "commune-test"
        assert data["licence"]["id"] == "cc-by-4.0"
        assert data["themes"][0]["uri"] == "http://publications.europa.eu/resource/authority/data-theme/ECON"
        assert data["tags"] == ["finances"]
        assert data["temporal"] == {"start": "2024-01-01", "end": None}
        assert data["dcat"] == f"{SITE}/catalog/datasets/budget.ttl"
        assert data["datapackage"] == f"{SITE}/catalog/datasets/budget/datapackage.json"
        modified = datetime.datetime.fromisoformat(data["modified"])
        assert modified.tzinfo is not None

    def test_the_language_parameter_wins(self, client, catalogue):
        data = client.get("/api/v1/datasets/budget/", {"language": "ar"}, HTTP_ACCEPT_LANGUAGE="fr").json()
        assert (data["title"], data["title_language"]) == ("الميزانية", "ar")

    def test_a_missing_language_falls_back(self, client, catalogue):
        data = client.get("/api/v1/datasets/budget/", {"language": "en"}).json()
        assert (data["title"], data["title_language"]) == ("Budget communal", "fr")

    def test_it_lists_the_resources(self, client, catalogue):
        resources = client.get("/api/v1/datasets/roads/").json()["resources"]
        assert len(resources) == 1
        assert resources[0]["is_link"] is True
        assert resources[0]["url"] == "https://example.org/roads.pdf"

    def test_drafts_are_not_found(self, client, catalogue):
        assert_problem(client.get("/api/v1/datasets/draft/"), 404)
        assert_problem(client.get("/api/v1/datasets/nothing/"), 404)
        assert "draft" not in names(client.get("/api/v1/datasets/", {"q": "brouillon"}))

    def test_the_publisher_of_a_draft_sees_no_more_than_the_public(self, client, catalogue, commune):
        client.force_login(RoleGrantFactory(body=commune, role="publisher").user)
        assert_problem(client.get("/api/v1/datasets/draft/"), 404)
        assert "draft" not in names(client.get("/api/v1/datasets/"))

    def test_problem_reports_never_show(self, client, catalogue):
        ProblemReport.objects.create(
            dataset=catalogue["budget"], kind="wrong_data", message="Erreur", email="reporter@example.org"
        )
        for url in ("/api/v1/datasets/budget/", "/api/v1/datasets/", "/catalog/datasets/budget.ttl"):
            response = client.get(url)
            assert response.status_code == 200
            assert b"reporter@example.org" not in response.content

    def test_odd_characters_stay_text(self, client, commune):
        title = '<script>alert("x")</script> ﷽ \u202e'
        DatasetFactory(name="odd", body=commune, title_fr=title)
        response = client.get("/api/v1/datasets/odd/", {"language": "fr"})
        assert response["Content-Type"] == "application/json"
        assert response.json()["title"] == title

    def test_it_refuses_writes(self, client, catalogue):
        assert_problem(client.post("/api/v1/datasets/", {}, content_type="application/json"), 405)
        assert_problem(client.delete("/api/v1/datasets/budget/"), 405)


@pytest.fixture
def table(commune):
    dataset = DatasetFactory(name="attendance", body=commune)
    return loaded_resource(
        [
            {"member": "Amina", "year": "2024", "rate": "0.95"},
            {"member": "Karim", "year": "2024", "rate": "0.80"},
            {"member": "Amina", "year": "2025", "rate": "1.00"},
        ],
        [{"name": "member", "type": "string"}, {"name": "year", "type": "integer"}, {"name": "rate", "type": "number"}],
        dataset=dataset,
    )


@pytest.mark.django_db
class ResourceTestCase:
    def test_it_shows_a_resource(self, client, table):
        data = client.get(f"/api/v1/resources/{table.uuid}/").json()
        assert data["id"] == str(table.uuid)
        assert data["dataset"] == "attendance"
        assert data["url"] == f"{SITE}/download/{table.uuid}/"
        assert data["sha256"] == table.current_version.sha256
        assert data["datastore_active"] is True
        assert data["columns"] == [
            {"id": "member", "type": "string"},
            {"id": "year", "type": "integer"},
            {"id": "rate", "type": "number"},
        ]
        assert data["rows"] == f"{SITE}/api/v1/resources/{table.uuid}/rows/"

    def test_resources_of_drafts_are_not_found(self, client, table):
        Dataset.objects.filter(pk=table.dataset_id).update(status=Dataset.Status.DRAFT)
        assert_problem(client.get(f"/api/v1/resources/{table.uuid}/"), 404)
        assert_problem(client.get(f"/api/v1/resources/{table.uuid}/rows/"), 404)

    def test_a_malformed_id_is_a_404_problem(self, client, db):
        assert_problem(client.get("/api/v1/resources/not-a-uuid/"), 404)

    def test_resources_are_not_listed_on_their_own(self, client, db):
        assert client.get("/api/v1/resources/").status_code == 404


@pytest.mark.django_db
class RowsTestCase:
    def test_it_returns_rows_with_exact_decimals(self, client, table):
        data = client.get(f"/api/v1/resources/{table.uuid}/rows/").json()
        assert data["count"] == 3
        assert data["next"] is None
        assert [field["id"] for field in data["fields"]] == ["_id", "member", "year", "rate"]
        assert data["results"][0] == {"_id": 1, "member": "Amina", "year": 2024, "rate": "0.95"}

    def test_it_filters_by_column(self, client, table):
        data = client.get(f"/api/v1/resources/{table.uuid}/rows/", {"filter_member": "Amina"}).json()
        assert [row["year"] for row in data["results"]] == [2024, 2025]
        data = client.get(f"/api/v1/resources/{table.uuid}/rows/", {"filters": '{"year": 2025}'}).json()
        assert [row["member"] for row in data["results"]] == ["Amina"]

    def test_it_searches_and_sorts(self, client, table):
        data = client.get(f"/api/v1/resources/{table.uuid}/rows/", {"q": "kar"}).json()
        assert [row["member"] for row in data["results"]] == ["Karim"]
        data = client.get(f"/api/v1/resources/{table.uuid}/rows/", {"sort": "rate desc"}).json()
        assert [row["rate"] for row in data["results"]] == ["1.00", "0.95", "0.80"]

    def test_it_pages_with_limit_and_offset(self, client, table):
        first = client.get(f"/api/v1/resources/{table.uuid}/rows/", {"limit": 2}).json()
        assert [row["_id"] for row in first["results"]] == [1, 2]
        second = client.get(first["next"]).json()
        assert [row["_id"] for row in second["results"]] == [3]
        assert second["next"] is None
        assert second["previous"] == f"{SITE}/api/v1/resources/{table.uuid}/rows/?limit=2&offset=0"

    @pytest.mark.parametrize(
        "params",
        [
            {"filter_nope": "x"},
            {"filters": "{not json"},
            {"filters": "[1, 2]"},
            {"filter_year": "deux mille"},
            {"sort": "nope desc"},
            {"fields": "member,nope"},
        ],
    )
    def test_a_bad_query_is_a_400_problem(self, client, table, params):
        problem = assert_problem(client.get(f"/api/v1/resources/{table.uuid}/rows/", params), 400)
        assert problem["detail"]

    @pytest.mark.parametrize("params", [{"limit": "-1"}, {"limit": "1000000"}, {"offset": "x"}])
    def test_bad_paging_is_a_400_problem(self, client, table, params):
        problem = assert_problem(client.get(f"/api/v1/resources/{table.uuid}/rows/", params), 400)
        assert set(problem["errors"]) <= {"limit", "offset"}

    def test_a_resource_without_rows_has_none(self, client, commune):
        resource = ResourceFactory(dataset=DatasetFactory(body=commune), format="PDF")
        assert_problem(client.get(f"/api/v1/resources/{resource.uuid}/rows/"), 404)

    def test_sql_in_a_filter_is_just_a_value(self, client, table):
        data = client.get(f"/api/v1/resources/{table.uuid}/rows/", {"filter_member": "x' OR '1'='1"}).json()
        assert data["count"] == 0


@pytest.mark.django_db
class ReferenceListsTestCase:
    def test_it_lists_licences(self, client, db):
        data = client.get("/api/v1/licences/", {"language": "fr"}).json()
        licences = {licence["id"]: licence for licence in data["results"]}
        assert licences["cc-by-4.0"]["is_open"] is True
        assert licences["other-closed"]["is_open"] is False
        assert licences["cc-by-4.0"]["title_language"] == "fr"
        assert set(licences["cc-by-4.0"]["title_translated"]) == {"ar", "fr", "en"}
        assert client.get("/api/v1/licences/cc-by-4.0/").status_code == 200

    def test_it_lists_themes_with_their_published_datasets(self, client, catalogue):
        themes = {theme["id"]: theme for theme in client.get("/api/v1/themes/", {"page_size": 100}).json()["results"]}
        assert len(themes) == 13
        assert themes["economy"]["code"] == "ECON"
        assert themes["economy"]["dataset_count"] == 1
        assert themes["health"]["dataset_count"] == 0

    def test_it_lists_bodies_that_publish(self, client, catalogue, department):
        PublicBodyFactory(slug="silent-body")
        DatasetFactory(body=department, status=Dataset.Status.DRAFT)
        organizations = client.get("/api/v1/organizations/").json()["results"]
        assert sorted(org["slug"] for org in organizations) == ["commune-test", "region-voisine"]
        commune = next(org for org in organizations if org["slug"] == "commune-test")
        assert commune["dataset_count"] == 2
        assert commune["datasets"] == f"{SITE}/api/v1/datasets/?body=commune-test"
        assert client.get(f"/api/v1/organizations/{commune['id']}/").status_code == 200
        assert_problem(client.get(f"/api/v1/organizations/{department.uuid}/"), 404)
        assert_problem(client.get("/api/v1/organizations/nope/"), 404)


@pytest.mark.django_db
class ThrottleTestCase:
    @rate_limits(api="2/m")
    def test_it_throttles_per_address_with_retry_after(self, client, catalogue):
        assert client.get("/api/v1/datasets/").status_code == 200
        assert client.get("/api/v1/themes/").status_code == 200
        problem = assert_problem(client.get("/api/v1/datasets/budget/"), 429)
        assert problem["detail"]
        response = client.get("/api/v1/licences/")
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 60
        assert client.get("/api/v1/datasets/", REMOTE_ADDR="10.1.2.3").status_code == 200


class SchemaTestCase:
    def test_the_catalogue_is_in_the_openapi_document(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        paths = schema["paths"]
        for path in (
            "/api/v1/datasets/",
            "/api/v1/datasets/{name}/",
            "/api/v1/resources/{uuid}/",
            "/api/v1/resources/{uuid}/rows/",
            "/api/v1/licences/",
            "/api/v1/themes/",
            "/api/v1/organizations/",
        ):
            assert path in paths, path
        assert "/api/v1/resources/" not in paths
        listed = {parameter["name"] for parameter in paths["/api/v1/datasets/"]["get"]["parameters"]}
        assert {"q", "body", "theme", "format", "licence", "tag", "sort", "page", "page_size"} <= listed
        rows = {parameter["name"] for parameter in paths["/api/v1/resources/{uuid}/rows/"]["get"]["parameters"]}
        assert {"q", "filters", "sort", "limit", "offset"} <= rows
        dataset = schema["components"]["schemas"]["Dataset"]["properties"]
        assert {"id", "name", "title", "title_language", "title_translated", "resources"} <= dataset.keys()

    @pytest.mark.django_db
    def test_the_schema_endpoint_serves_it(self, client):
        response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        assert b"/api/v1/datasets/" in response.content
