import pytest
from django.utils import translation

from .plugin_kind import kind, remote  # noqa: F401  (fixtures)
from .servers import FixtureServer, files


@pytest.fixture(autouse=True)
def in_english():
    """Harvest messages are compared in English here (tests elsewhere run in Arabic by default; the Arabic and
    French catalogues are checked by tests/test_translations.py)."""
    with translation.override("en"):
        yield


@pytest.fixture
def local_hosts_allowed(settings):
    """The fixture servers listen on 127.0.0.1, which harvests refuse unless it is listed as an allowed host."""
    settings.HARVEST_ALLOWED_HOSTS = ["127.0.0.1"]
    return settings


@pytest.fixture
def serve(local_hosts_allowed):
    """Start a FixtureServer for `app` (or for a dict of path → Reply); stopped at the end of the test."""
    started = []

    def start(app) -> FixtureServer:
        server = FixtureServer(files(app) if isinstance(app, dict) else app).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)
