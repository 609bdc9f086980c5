"""The public site: language prefixes, right to left in Arabic, the switcher keeps the page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.usefixtures("demo")


def switcher_links(content: str) -> dict[str, str]:
    nav = re.search(r'<nav class="language-switcher".*?</nav>', content, re.S).group(0)
    return dict((lang, href) for href, lang in re.findall(r'<a href="([^"]+)" lang="(\w+)"', nav))


class HomePageTestCase:
    def test_it_answers_in_arabic_right_to_left(self, client):
        response = client.get("/ar/")
        content = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="ar" dir="rtl">' in content
        assert "بوابة بلدية البليدة المفتوحة" in content
        assert "بلدية البليدة" in content  # the body's name in the header

    @pytest.mark.parametrize(
        ("language", "title"), [("fr", "Portail ouvert de la commune de Blida"), ("en", "Blida open council portal")]
    )
    def test_it_answers_left_to_right_in_french_and_english(self, client, language, title):
        content = client.get(f"/{language}/").content.decode()
        assert f'<html lang="{language}" dir="ltr">' in content
        assert title in content

    @pytest.mark.parametrize(
        ("accept", "target"), [("fr-FR,fr;q=0.9", "/fr/"), ("en-GB", "/en/"), ("de-DE", "/ar/"), ("", "/ar/")]
    )
    def test_it_sends_the_root_to_the_visitors_language(self, client, accept, target):
        response = client.get("/", headers={"accept-language": accept} if accept else {})
        assert response.status_code == 302
        assert response["Location"] == target

    def test_it_answers_404_for_an_unknown_language(self, client):
        response = client.get("/xx/", follow=True)
        assert response.status_code == 404

    def test_it_lists_the_legal_pages_in_the_footer(self, client):
        content = client.get("/fr/").content.decode()
        for title in ("Mentions légales", "Données personnelles", "Déclaration d&#x27;accessibilité"):
            assert title in content

    def test_it_shows_the_latest_open_data_and_the_way_to_the_apis(self, client):
        content = client.get("/fr/").content.decode()
        section = content.split('<section aria-labelledby="datasets-title">')[1].split("</section>")[0]
        assert section.count('class="card dataset-card"') == 3
        assert 'href="/fr/api/"' in section
        assert 'href="/fr/data/"' in content.split('id="sections-title"')[1]

    def test_its_query_count_is_bounded(self, client, no_page_cache):
        client.get("/ar/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/ar/")
        # Site, locale, page and its translations, the latest decisions with topics and sessions, settings, the
        # latest datasets with their resources; the body's name, the menu and the footer come from the cache.
        assert len(queries) <= 12, [query["sql"] for query in queries]


class LanguageSwitcherTestCase:
    def test_it_links_each_page_to_its_translation(self, client):
        links = switcher_links(client.get("/ar/privacy/").content.decode())
        assert links == {"ar": "/ar/privacy/", "fr": "/fr/privacy/", "en": "/en/privacy/"}
        assert "Données personnelles" in client.get(links["fr"]).content.decode()

    def test_it_keeps_django_views_and_their_query(self, client):
        links = switcher_links(client.get("/ar/bodies/commune-blida/?tab=map").content.decode())
        assert links["fr"] == "/fr/bodies/commune-blida/?tab=map"
        assert client.get(links["fr"]).status_code == 200

    def test_it_marks_the_current_language(self, client):
        content = client.get("/fr/bodies/").content.decode()
        assert '<a href="/fr/bodies/" lang="fr" hreflang="fr" aria-current="true">' in content

    def test_it_announces_the_alternates_to_search_engines(self, client):
        content = client.get("/fr/").content.decode()
        assert '<link rel="alternate" hreflang="ar" href="/ar/">' in content


class DemoNewsTestCase:
    def test_the_menu_leads_to_the_news_and_the_project_map(self, client):
        nav = client.get("/fr/").content.decode().split('class="main-nav"')[1].split("</nav>")[0]
        assert ">Actualités</a>" in nav and ">Carte des projets</a>" in nav

    def test_the_lighting_decision_shows_the_pages_that_mention_it(self, client):
        from cms.models import DecisionPage

        decision = DecisionPage.objects.get(reference="02/2025", locale__language_code="fr")
        html = client.get(decision.url).content.decode()
        mentions = html.split('id="mentions-title"')[1].split("</section>")[0]
        assert "L&#x27;éclairage public passe au LED : les travaux commencent" in mentions
        assert "Carte des projets" in mentions
        article = client.get("/fr/news/eclairage-led-travaux/").content.decode()
        assert 'href="/fr/data/eclairage-public/"' in article
        assert f'href="{decision.url}"' in article
