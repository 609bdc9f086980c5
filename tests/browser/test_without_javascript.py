"""Pages without JavaScript (a blocked script, an old phone, a reader's choice): nothing blank, nothing dead."""

import pytest
from playwright.sync_api import Browser, Page, expect


@pytest.fixture
def bare_page(browser: Browser, live_server, demo):
    """A page in French with JavaScript off."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_body_page_draws_its_districts_without_javascript_or_tiles(bare_page: Page):
    assert bare_page.goto("/fr/bodies/commune-blida/").ok
    picture = bare_page.locator(".map svg.map-picture")
    expect(picture).to_be_visible()
    assert picture.locator("path.map-shape").count() >= 1
    expect(bare_page.locator(".map .leaflet-container-default")).to_be_hidden()
    box = picture.bounding_box()
    assert box is not None and box["height"] > 100


def test_copy_buttons_stay_hidden_when_they_cannot_copy(bare_page: Page):
    assert bare_page.goto("/fr/data/").ok
    bare_page.locator(".dataset-card a, .card a").first.click()
    expect(bare_page.locator("button.copy-button").first).to_be_hidden()
