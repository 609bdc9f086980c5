"""A Content-Security-Policy on every answer: scripts from our origin or carrying the request's nonce."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from portal.settings.env import tiles_source
from tests.factories import DistrictFactory
from tests.staff import login_with_second_factor

EXECUTABLE = {None, "", "text/javascript", "module", "application/javascript"}


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


class InlineScripts(HTMLParser):
    """Collect the attributes of each inline script that a browser would run."""

    def __init__(self):
        super().__init__()
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") in EXECUTABLE:
            self.found.append(attributes)


def inline_scripts(response) -> list[dict]:
    parser = InlineScripts()
    parser.feed(response.content.decode())
    return parser.found


@pytest.fixture
def body_page(client, commune):
    DistrictFactory(body=commune)
    with translation.override("fr"):
        url = reverse("bodies:detail", args=[commune.slug])
    return client.get(url)


class ContentSecurityPolicyTestCase:
    def test_it_allows_only_own_and_nonced_scripts_on_a_public_page(self, body_page):
        assert body_page.status_code == 200
        policy = directives(body_page)
        nonce = re.fullmatch(r"'nonce-([A-Za-z0-9+/=]+)'", policy["script-src"][1]).group(1)
        assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]

    def test_it_puts_the_nonce_on_every_inline_script(self, body_page):
        nonce = directives(body_page)["script-src"][1].removeprefix("'nonce-").removesuffix("'")
        scripts = inline_scripts(body_page)
        assert len(scripts) == 1  # the district map's loader (django-leaflet)
        assert [script.get("nonce") for script in scripts] == [nonce]

    def test_it_allows_no_third_party_image_unless_the_operator_names_a_tile_server(self, body_page):
        # Settings are read once: the tile server named through the environment is covered by tiles_source below.
        assert directives(body_page)["img-src"] == ["'self'", "data:"]
        assert "openstreetmap" not in body_page.content.decode()

    def test_it_covers_the_api(self, client, db):
        response = client.get("/api/v1/decisions/")
        assert response.status_code == 200
        assert directives(response)["script-src"] == ["'self'"]
        assert directives(response)["default-src"] == ["'self'"]

    def test_it_puts_the_nonce_on_the_api_documentations_script(self, client, db):
        response = client.get("/api/explorer/")
        assert response.status_code == 200
        nonce = directives(response)["script-src"][1].removeprefix("'nonce-").removesuffix("'")
        scripts = inline_scripts(response)
        assert len(scripts) == 1  # Swagger UI's start-up (drf-spectacular)
        assert [script.get("nonce") for script in scripts] == [nonce]

    def test_it_covers_the_admin_with_its_own_script_rule(self, client, administrator):
        login_with_second_factor(client, administrator)
        response = client.get("/admin/")
        assert response.status_code == 200
        policy = directives(response)
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


class TilesSourceTestCase:
    def test_it_keeps_the_scheme_and_host(self):
        assert tiles_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"

    def test_it_turns_leaflets_subdomains_into_a_wildcard(self):
        assert tiles_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"

    def test_it_allows_tiles_from_the_portal_itself(self):
        assert tiles_source("/tiles/{z}/{x}/{y}.png") == "'self'"
