"""GET /api/v1/search/: the search page's results for programs, DRF's pagination, in the OpenAPI document."""

import pytest

pytestmark = pytest.mark.django_db


class SearchAPITestCase:
    def test_it_answers_ranked_results_with_absolute_urls(self, client, records):
        response = client.get("/api/v1/search/", {"q": "الإنارة"})
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == 1
        assert data["next"] is None and data["previous"] is None
        [result] = data["results"]
        assert result == {
            "kind": "decision",
            "title": records["lighting"].title,
            "url": f"http://testserver{records['lighting'].url}",
            "snippet": "تخصيص اعتماد لأشغال الإنارة العمومية وصيانة الشبكة.",
            "language": "ar",
            "body": "commune-test",
            "date": "2025-06-30",
        }

    def test_the_snippet_is_plain_text(self, client, records):
        [result] = client.get("/api/v1/search/", {"q": "eclairage", "language": "fr"}).json()["results"]
        assert result["snippet"] == "Un crédit pour les travaux d'éclairage public et l'entretien du réseau."

    def test_it_filters_and_pages(self, client, records):
        data = client.get("/api/v1/search/", {"q": "اشغال", "page_size": "1"}).json()
        assert data["count"] == 2
        assert "page=2" in data["next"]
        second = client.get(data["next"]).json()
        assert second["previous"] is not None and second["next"] is None
        assert client.get("/api/v1/search/", {"q": "اشغال", "kind": "news"}).json()["count"] == 1
        assert client.get("/api/v1/search/", {"q": "eclairage", "language": "fr"}).json()["count"] == 1

    def test_it_refuses_bad_parameters_with_a_problem(self, client, records):
        for parameters in ({}, {"q": "x", "kind": "nothing"}, {"q": "x", "page": "0"}, {"q": "x" * 10_000}):
            response = client.get("/api/v1/search/", parameters)
            assert response.status_code == 400, parameters
            assert response["Content-Type"] == "application/problem+json"

    def test_it_answers_404_past_the_last_page(self, client, records):
        assert client.get("/api/v1/search/", {"q": "اشغال", "page": "100000"}).status_code == 404

    def test_it_is_in_the_openapi_document(self, client):
        schema = client.get("/api/schema/", {"format": "json"}).json()
        operation = schema["paths"]["/api/v1/search/"]["get"]
        assert {parameter["name"] for parameter in operation["parameters"]} >= {"q", "kind", "body", "language", "page"}
