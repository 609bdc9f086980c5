import datetime
import uuid

import pytest
from modelsearch.backends import get_search_backend
from osmem_server import OsmemError, OsmemServer

from cms.models import NewsArticlePage, NewsIndexPage, StandardPage
from search.indexing import refresh_entries
from tests.cms.builders import council, decision, home_page, publish, session, translate
from tests.conftest import require_service
from tests.opendata.factories import DatasetFactory, ResourceFactory


@pytest.fixture
def council_page(commune):
    """The commune's council (an Arabic page tree under the home page)."""
    return council(commune, slug="apc-test")


@pytest.fixture
def records(council_page, commune):
    """A few public records of every kind, Arabic and French, and some that are not public; indexed."""
    sitting = session(council_page, date=datetime.date(2025, 6, 30))
    budget = decision(
        sitting,
        reference="2025/14",
        title="المصادقة على الميزانية الإضافية لسنة 2025",
        summary="صادق المجلس الشعبي البلدي على الميزانية الإضافية بعد دراسة الاعتمادات.",
    )
    lighting = decision(
        sitting,
        reference="2025/15",
        title="أشغال الإنارة العمومية بحي النصر",
        summary="تخصيص اعتماد لأشغال الإنارة العمومية وصيانة الشبكة.",
    )
    translate(
        lighting,
        "fr",
        title="Travaux d'éclairage public au quartier En-Nasr",
        summary="Un crédit pour les travaux d'éclairage public et l'entretien du réseau.",
    )
    news_index = publish(home_page("ar").add_child(instance=NewsIndexPage(title="الأخبار", slug="news")))
    water = publish(
        news_index.add_child(
            instance=NewsArticlePage(
                title="انقطاع المياه الصالحة للشرب يوم الأحد",
                slug="water-cut",
                date=datetime.date(2025, 7, 2),
                intro="تعلم البلدية المواطنين بانقطاع المياه لأشغال الصيانة.",
            )
        )
    )
    about = publish(
        home_page("ar").add_child(
            instance=StandardPage(title="عن البلدية", slug="about", intro="تاريخ البلدية ومصالحها الإدارية.")
        )
    )
    spending = DatasetFactory(
        name="depenses-2024",
        body=commune,
        title_ar="نفقات التسيير لسنة 2024",
        title_fr="Dépenses de fonctionnement 2024",
        notes_fr="Les dépenses de la commune, par chapitre.",
    )
    ResourceFactory(dataset=spending, format="XLSX")
    draft = DatasetFactory(name="brouillon", body=commune, title_fr="Dépenses secrètes brouillon", status="draft")
    withdrawn = DatasetFactory(name="retire", body=commune, title_fr="Dépenses retirées", status="withdrawn")
    refresh_entries()
    return {
        "budget": budget,
        "lighting": lighting,
        "water": water,
        "about": about,
        "spending": spending,
        "draft": draft,
        "withdrawn": withdrawn,
    }


@pytest.fixture(scope="session")
def osmem_server():
    """osmem-server, the in-memory OpenSearch of osmem-server's wheel, once per session (replaces its plugin's).

    Skipped where its bundled binary cannot run (another platform, no exec permission), failed in CI.
    """
    try:
        server = OsmemServer.start(japanese=False)
    except (OsmemError, OSError) as error:
        require_service("osmem-server", False, f"its binary did not start ({error}); set OSMEM_SERVER_BIN")
    yield server
    server.close()


def opensearch_backend(url: str, settings, *, timeout: int = 5) -> dict:
    """The portal's settings for an OpenSearch server at `url` (portal/settings/base.py), with an index prefix
    of its own."""
    return {
        "default": {
            "BACKEND": "wagtail.search.backends.opensearch3",
            "URLS": [url],
            "INDEX_PREFIX": f"test_{uuid.uuid4().hex[:8]}_",
            "TIMEOUT": timeout,
            "INDEX_SETTINGS": settings.SEARCH_INDEX_SETTINGS,
        }
    }


@pytest.fixture
def opensearch(osmem_clone, settings):
    """The search on a fresh copy of osmem-server (the plugin's `osmem_clone`); returns the backend."""
    settings.WAGTAILSEARCH_BACKENDS = opensearch_backend(osmem_clone.url, settings)
    return get_search_backend()
