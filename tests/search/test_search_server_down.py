"""The search server down: the search says so, the rest of the portal works, /healthz reports it."""

import socket

import pytest
from django.utils.html import escape
from django.utils.translation import gettext, override

from portal.models import SearchEntry
from search import indexing
from tests.cms.builders import decision, home_page, session
from tests.search.conftest import opensearch_backend

UNAVAILABLE = "Search is unavailable for a moment. Please try again later; the rest of the portal works as usual."


def closed_port() -> int:
    """A port nothing listens on: one the system just gave us, closed again."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_down(db, settings):
    settings.WAGTAILSEARCH_BACKENDS = opensearch_backend(f"http://127.0.0.1:{closed_port()}", settings, timeout=1)
    home_page("ar")


class SearchServerDownTestCase:
    def test_it_says_search_is_unavailable(self, client, server_down):
        response = client.get("/ar/search/", {"q": "ميزانية"})
        assert response.status_code == 503
        with override("ar"):
            assert escape(gettext(UNAVAILABLE)) in response.content.decode()

    def test_it_answers_503_to_suggestions(self, client, server_down):
        response = client.get("/ar/search/suggestions/", {"q": "ميزا"})
        assert response.status_code == 503
        assert response.json() == {"suggestions": []}

    def test_it_keeps_the_rest_of_the_portal_working(self, client, server_down):
        assert client.get("/ar/").status_code == 200

    def test_it_reports_search_failing_in_healthz(self, client, server_down):
        response = client.get("/healthz")
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["search"]["ok"] is False
        assert checks["database"]["ok"] is True


class IndexingWhileServerDownTestCase:
    """Staff keep publishing and withdrawing: the entries stay right in the database, the server catches up
    with `update_index`."""

    def test_it_withdraws_a_record(self, council_page, settings):
        page = decision(session(council_page))
        indexing.refresh_entries(["decision"])  # on the database backend of the test settings
        settings.WAGTAILSEARCH_BACKENDS = opensearch_backend(f"http://127.0.0.1:{closed_port()}", settings, timeout=1)
        page.unpublish()
        assert not SearchEntry.objects.filter(kind="decision", record_id=str(page.pk)).exists()

    def test_it_writes_the_entries_of_a_record(self, council_page, server_down):
        page = decision(session(council_page))
        indexing.index_record("decision", str(page.pk))
        assert SearchEntry.objects.filter(kind="decision", record_id=str(page.pk)).exists()
