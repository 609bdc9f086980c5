"""Under the Content-Security-Policy, the maps draw and the admin's editors run: the browser refuses nothing."""

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from cms.models import CouncilSessionPage, DecisionPage
from portal.bodies.models import PublicBody, Role
from tests.factories import RoleGrantFactory
from tests.staff import login_with_second_factor

# Registered before any page script runs (init scripts are not subject to the policy).
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def watched(page: Page) -> Page:
    page.add_init_script(COLLECT_VIOLATIONS)
    return page


class ContentSecurityPolicyTestCase:
    def test_it_draws_a_bodys_districts_on_the_map(self, watched: Page):
        response = watched.goto("/fr/bodies/commune-blida/")
        assert response is not None and response.ok
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
        expect(watched.locator("#districts-map.leaflet-container")).to_be_visible()
        expect(watched.locator("#districts-map path.leaflet-interactive").first).to_be_attached()
        # Tiles come from the tile server, which the browser here cannot resolve: allowed, never refused.
        assert violations(watched) == []

    def test_it_runs_the_api_documentation(self, watched: Page):
        response = watched.goto("/api/explorer/")
        assert response is not None and response.ok
        expect(watched.locator(".swagger-ui .info .title")).to_be_visible()
        expect(watched.locator(".swagger-ui .opblock").first).to_be_visible()
        assert violations(watched) == []

    def test_it_runs_the_admins_page_editors(self, watched: Page, live_server):
        staff = RoleGrantFactory(body=PublicBody.objects.get(slug="commune-blida"), role=Role.ADMINISTRATOR).user
        client = Client()
        login_with_second_factor(client, staff)
        watched.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        for model in (CouncilSessionPage, DecisionPage):
            edited = model.objects.filter(locale__language_code="fr").first() or model.objects.first()
            response = watched.goto(f"/admin/pages/{edited.pk}/edit/")
            assert response is not None and response.ok, f"{model.__name__}: {response and response.status}"
            expect(watched.locator("form#page-edit-form")).to_be_visible()
            assert violations(watched) == [], model.__name__
