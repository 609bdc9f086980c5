import pytest
from playwright.sync_api import Page, expect

from .support import follow, visit


def switch_language(page: Page, code: str) -> None:
    follow(page, page.locator(f".language-switcher a[hreflang='{code}']"))


def expect_language(page: Page, code: str, direction: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.locator(f".language-switcher a[hreflang='{code}']")).to_have_attribute("aria-current", "true")


@pytest.mark.parametrize(
    ("path", "arabic_heading", "french_heading"),
    [
        ("/bodies/commune-blida/", "بلدية البليدة", "Commune de Blida"),
        ("/", "بوابة بلدية البليدة المفتوحة", "Portail ouvert de la commune de Blida"),
    ],
    ids=["body-page", "home-page"],
)
def test_it_keeps_the_page_when_switching_between_arabic_and_french(
    page: Page, live_server, path: str, arabic_heading: str, french_heading: str
):
    visit(page, f"/ar{path}")
    expect_language(page, "ar", "rtl")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(arabic_heading)

    switch_language(page, "fr")
    expect(page).to_have_url(f"{live_server.url}/fr{path}")
    expect_language(page, "fr", "ltr")
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    expect(heading).to_have_text(french_heading)

    switch_language(page, "ar")
    expect(page).to_have_url(f"{live_server.url}/ar{path}")
    expect_language(page, "ar", "rtl")
    expect(heading).to_have_text(arabic_heading)
