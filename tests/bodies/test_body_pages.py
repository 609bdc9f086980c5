import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import DistrictFactory, PublicBodyFactory


class BodyListTestCase:
    def test_it_lists_the_tree(self, client, region, commune, department):
        response = client.get("/fr/bodies/")
        assert response.status_code == 200
        content = response.content.decode()
        assert content.index("Wilaya de Test") < content.index("Commune de Test") < content.index("Service technique")

    def test_its_query_count_does_not_grow_with_the_bodies(self, client, region, no_page_cache):
        def count_queries():
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/fr/bodies/").status_code == 200
            return len(queries)

        count_queries()  # the first request also loads the session and the site
        few = count_queries()
        for number in range(10):
            PublicBodyFactory(parent=region, slug=f"commune-{number}")
        count_queries()  # the writes retired the cached page frame: once to fill it again
        assert count_queries() == few


class BodyDetailTestCase:
    def test_it_shows_the_body_with_its_districts_on_a_map(self, client, commune, department):
        DistrictFactory(body=commune, name_fr="Bab Dzaïr", slug="bab-dzair")
        response = client.get("/fr/bodies/commune-test/")
        assert response.status_code == 200
        assert response.context["districts_geojson"]["features"][0]["properties"]["slug"] == "bab-dzair"
        content = response.content.decode()
        assert 'id="districts-geojson"' in content
        assert "leaflet.js" in content
        assert "Service technique" in content
        assert "Wilaya de Test" in content  # breadcrumb

    def test_it_shows_names_in_the_active_language(self, client, commune):
        assert "بلدية" in client.get("/ar/bodies/commune-test/").content.decode()
        assert "Municipality" in client.get("/en/bodies/commune-test/").content.decode()

    def test_it_falls_back_to_another_language_for_a_missing_name(self, client, region):
        PublicBodyFactory(parent=region, slug="sans-anglais", name_fr="Commune sans nom anglais", name_en="")
        content = client.get("/en/bodies/sans-anglais/").content.decode()
        assert '<h1 lang="fr">Commune sans nom anglais</h1>' in content

    @pytest.mark.parametrize(("language", "title"), [("fr", "Page introuvable"), ("ar", "الصفحة غير موجودة")])
    def test_it_answers_404_in_the_current_language(self, client, db, language, title):
        response = client.get(f"/{language}/bodies/no-such-body/")
        assert response.status_code == 404
        content = response.content.decode()
        assert f'<html lang="{language}"' in content
        assert title in content

    def test_it_escapes_html_in_names(self, client, region):
        PublicBodyFactory(parent=region, slug="xss", name_fr='<script>alert("x")</script>')
        content = client.get("/fr/bodies/xss/").content.decode()
        assert '<script>alert("x")</script>' not in content
        assert "&lt;script&gt;" in content
