"""A citizen on a phone searches in Arabic from the header: suggestions while typing, then the results page."""

import pytest
from playwright.sync_api import Browser, Page, expect

from .support import assert_accessible, follow, visit

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser: Browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="ar-DZ"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


class SearchTestCase:
    def test_suggestions_while_typing_lead_to_a_record(self, phone: Page):
        visit(phone, "/ar/")
        box = phone.locator("#header-search-q")
        box.press_sequentially("ميزاني", delay=40)  # no article, ta marbuta not typed yet
        suggestions = phone.locator(".header-search [role=listbox]")
        expect(suggestions).to_be_visible()
        # The best match first (a decision, or as SQLite ranks it the demo's request about the budget), each found
        # without the article and the ta marbuta typed: the decisions that write "الميزانية" among them.
        expect(suggestions.get_by_role("option").first).to_contain_text("ميزانية")
        expect(suggestions.get_by_role("option").filter(has_text="الميزانية").first).to_be_visible()
        expect(box).to_have_attribute("aria-expanded", "true")
        box.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", f"{suggestions.get_attribute('id')}-0")
        with phone.expect_navigation():
            box.press("Enter")
        expect(phone.locator("h1")).to_contain_text("ميزانية")
        assert_accessible(phone)

    def test_the_results_page_highlights_filters_and_fits_the_phone(self, phone: Page):
        visit(phone, "/ar/")
        phone.locator("#header-search-q").fill("ميزانيه")
        follow(phone, phone.locator(".header-search button"))
        expect(phone.locator("html")).to_have_attribute("dir", "rtl")
        expect(phone.locator(".search-results mark").first).to_be_visible()
        follow(phone, phone.locator(".facets a", has_text="مداولات المجلس").first)
        kinds = phone.locator(".search-results .card__kind")
        expect(kinds.first).to_be_visible()
        assert set(kinds.all_inner_texts()) == {"مداولات المجلس"}
        assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
