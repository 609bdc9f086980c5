"""What frames every page (the body the site speaks for, the main menu, the footer's pages) is read from the cache
until content changes: a page pays no query for it, and a change shows at once."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cms.models import NewsIndexPage, PortalSettings, StandardPage
from portal.bodies.models import PublicBody

pytestmark = pytest.mark.usefixtures("demo")


def main_menu(content: str) -> str:
    return content.split('class="main-nav"')[1].split("</nav>")[0]


def footer(content: str) -> str:
    return content.split('class="site-footer"')[1].split("</footer>")[0]


def page_html(client, path: str = "/fr/proposals/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


class SiteFrameTestCase:
    def test_it_shows_the_body_the_menu_and_the_footer_in_each_language(self, client, no_page_cache):
        french, arabic = page_html(client), page_html(client, "/ar/proposals/")
        assert ">Actualités</a>" in main_menu(french) and 'href="/fr/decisions/"' in main_menu(french)
        assert 'href="/ar/decisions/"' in main_menu(arabic) and "Actualités" not in main_menu(arabic)
        assert "Mentions légales" in footer(french) and "Mentions légales" not in footer(arabic)
        assert '<span class="brand__body" lang="fr">Commune de Blida</span>' in french
        assert "· Commune de Blida</title>" in french
        assert "بلدية البليدة" in arabic.split("</header>")[0]

    def test_once_cached_the_frame_costs_no_query(self):
        request = RequestFactory().get("/fr/proposals/")
        request.user = AnonymousUser()
        with translation.override("fr"):
            render_to_string("base.html", request=request)
            with CaptureQueriesContext(connection) as queries:
                content = render_to_string("base.html", request=request)
        assert ">Actualités</a>" in main_menu(content) and "Mentions légales" in footer(content)
        assert len(queries) == 0, [query["sql"] for query in queries]

    def test_a_menu_page_retitled_or_withdrawn_shows_at_once(self, client, no_page_cache):
        page_html(client)
        news = NewsIndexPage.objects.get(locale__language_code="fr")
        news.title = "Nouvelles de la commune"
        news.save_revision().publish()
        assert ">Nouvelles de la commune</a>" in main_menu(page_html(client))
        news.unpublish()
        assert "Nouvelles de la commune" not in main_menu(page_html(client))

    def test_a_page_taken_out_of_the_footer_goes_at_once(self, client, no_page_cache):
        assert "Mentions légales" in footer(page_html(client))
        StandardPage.objects.filter(locale__language_code="fr", title="Mentions légales").update(show_in_footer=False)
        assert "Mentions légales" not in footer(page_html(client))

    def test_the_bodys_new_name_and_another_body_show_at_once(self, client, no_page_cache):
        page_html(client)
        settings = PortalSettings.objects.get()
        PublicBody.objects.filter(pk=settings.body_id).update(name_fr="Commune de Blida (Wilaya de Blida)")
        assert "· Commune de Blida (Wilaya de Blida)</title>" in page_html(client)
        settings.body = None
        settings.save()
        content = page_html(client)
        assert "· Baladiya</title>" in content and "Commune de Blida" not in content.split("</header>")[0]
