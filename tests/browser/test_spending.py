"""The budget overview on a phone, in Arabic: the treemap and its table, right to left, nothing wider than the
screen (wide tables scroll inside their own box)."""

import pytest
from playwright.sync_api import Browser, expect

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser: Browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="ar-DZ"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_arabic_budget_overview_fits_a_phone(phone):
    assert phone.goto("/ar/spending/commune-blida/?year=2024").ok

    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    treemap = phone.locator("#functions svg.treemap__svg")
    expect(treemap).to_be_visible()
    box = treemap.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert phone.locator("#functions .treemap__tile").count() >= 5
    expect(phone.locator("#functions table caption")).to_be_attached()
    expect(phone.locator("#functions table tbody tr").first).to_contain_text("د.ج")
    # The largest function starts in the reading corner: the top right.
    first = phone.locator("#functions .treemap__tile").first.bounding_box()
    assert first is not None and abs(first["x"] + first["width"] - (box["x"] + box["width"])) < 2
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
