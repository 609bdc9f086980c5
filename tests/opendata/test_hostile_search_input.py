"""Blank and null parameters, huge and engine-syntax queries: a clear 4xx or an answer, never a server error."""

import pytest

from tests.cms.builders import council, decision, session
from tests.opendata.factories import DatasetFactory, loaded_resource

pytestmark = pytest.mark.django_db

HUGE_Q = "budget " * 10_000  # 69,999 characters once trimmed: past SQLite's LIKE pattern limit (50,000 bytes)
# Search-engine and SQL syntax, control characters: each is only words to look for.
HOSTILE_WORDS = ['"a', "a*", '"', "(", ")", "-", "NEAR", "AND", "a:b", "^", "\x00", "\x1b[31m", 'title:"x" OR 1=1']


@pytest.fixture
def catalogue(commune):
    dataset = DatasetFactory(body=commune, name="budget-2025")
    resource = loaded_resource([{"poste": "Voirie", "montant": "100"}], dataset=dataset)
    return dataset, resource


class CkanBlankAndNullParametersTestCase:
    @pytest.mark.parametrize(
        ("action", "params"),
        [
            ("package_search", {"rows": " "}),
            ("package_search", {"start": " "}),
            ("package_search", {"facet.field": "null"}),
            ("package_search", {"fq_list": "null"}),
            ("package_search", {"facet.limit": " "}),
            ("organization_list", {"limit": " ", "offset": " "}),
            ("group_list", {"limit": " "}),
            ("package_list", {"limit": " ", "offset": " "}),
            ("datastore_search", {"limit": " ", "offset": " "}),
        ],
    )
    def test_it_answers_blank_and_null_values(self, client, catalogue, action, params):
        if action == "datastore_search":
            params = {**params, "resource_id": str(catalogue[1].uuid)}
        response = client.get(f"/api/3/action/{action}", params)
        assert response.status_code == 200, response.content
        assert response.json()["success"] is True

    def test_it_refuses_a_word_where_a_number_goes(self, client, catalogue):
        response = client.get("/api/3/action/package_list", {"offset": "null"})
        assert response.status_code == 409
        assert response.json()["error"]["offset"] == ["Invalid integer"]

    @pytest.mark.parametrize("body", [{"rows": None}, {"facet.field": None}, {"fq_list": None}, {"start": None}])
    def test_it_answers_json_nulls(self, client, catalogue, body):
        response = client.post("/api/3/action/package_search", body, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["success"] is True


class HugeQueryTestCase:
    def test_package_search_refuses_it_in_ckans_shape(self, client, catalogue):
        response = client.get("/api/3/action/package_search", {"q": HUGE_Q})
        assert response.status_code == 409
        assert response.json()["error"]["__type"] == "Validation Error"
        assert "q" in response.json()["error"]

    def test_organization_list_refuses_it(self, client, catalogue):
        response = client.get("/api/3/action/organization_list", {"q": HUGE_Q})
        assert response.status_code == 409

    def test_datastore_search_refuses_it(self, client, catalogue):
        response = client.get("/api/3/action/datastore_search", {"resource_id": str(catalogue[1].uuid), "q": HUGE_Q})
        assert response.status_code == 409

    def test_rows_download_refuses_it(self, client, catalogue):
        response = client.get(f"/download/{catalogue[1].uuid}/rows.csv", {"q": HUGE_Q})
        assert response.status_code == 400

    @pytest.mark.parametrize("path", ["/api/v1/decisions/", "/api/v1/datasets/"])
    def test_rest_api_refuses_it_as_a_problem(self, client, catalogue, path):
        response = client.get(path, {"q": HUGE_Q})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"

    @pytest.mark.parametrize("path", ["/fr/decisions/", "/fr/data/"])
    def test_pages_say_the_words_are_too_many(self, client, catalogue, path):
        response = client.get(path, {"q": HUGE_Q})
        assert response.status_code == 200
        assert "comporte au plus 500 caractères (actuellement 69999)" in response.content.decode()


class EngineSyntaxTestCase:
    @pytest.fixture
    def decisions(self, commune):
        decision(session(council(commune, slug="apc")), reference="2025/001", title="Budget primitif")

    @pytest.mark.parametrize("words", HOSTILE_WORDS)
    @pytest.mark.parametrize(
        "path",
        ["/fr/decisions/", "/fr/data/", "/api/v1/decisions/", "/api/v1/datasets/", "/api/3/action/package_search"],
    )
    def test_it_searches_for_the_words(self, client, catalogue, decisions, path, words):
        response = client.get(path, {"q": words})
        if "\x00" in words:  # no database keeps a NUL: refused in each interface's own way
            expected = {"/api/3/action/package_search": 409, "/api/v1/decisions/": 400, "/api/v1/datasets/": 400}
            assert response.status_code == expected.get(path, 200), path
        else:
            assert response.status_code == 200, (path, words, response.content[:300])
