"""The API documentation: a light page in the visitor's language, for the REST, CKAN and DCAT doors."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("ar", "البيانات المفتوحة للبرامج: الواجهات البرمجية"),
        ("fr", "Les données ouvertes pour les programmes : les API"),
    ],
)
def test_it_explains_every_door_in_the_visitors_language(client, language, heading):
    response = client.get(f"/{language}/api/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in html
    assert f"<h1>{heading}</h1>" in html
    for door in ("/api/v1/decisions/", "/api/3/action/", "catalog.ttl", "rows.csv", "/api/schema/", "/api/explorer/"):
        assert door in html
    assert len(response.content) < 40_000  # Swagger UI weighed 2 MB
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


def test_the_old_address_leads_to_it(client):
    response = client.get("/api/docs/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302 and response.url == "/fr/api/"
