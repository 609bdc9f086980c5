from playwright.sync_api import Page, expect

from .support import visit


def test_it_serves_the_arabic_home_page_right_to_left(page: Page):
    visit(page, "/ar/")

    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    expect(page.locator(".brand__body")).to_have_text("بلدية البليدة")
    expect(page.get_by_role("heading", level=1)).to_have_text("بوابة بلدية البليدة المفتوحة")
