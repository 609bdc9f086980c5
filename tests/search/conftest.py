import uuid

import pytest
from modelsearch.backends import get_search_backend
from osmem_server import OsmemError, OsmemServer

from tests.cms.builders import council
from tests.conftest import require_service


@pytest.fixture
def council_page(commune):
    """The commune's council (an Arabic page tree under the home page)."""
    return council(commune, slug="apc-test")


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
