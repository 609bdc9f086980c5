"""The search server down: the search says so, the rest of the portal works, /healthz reports it."""

import socket

import pytest
from django.utils.html import escape
from django.utils.translation import gettext, override

from tests.cms.builders import home_page
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
