"""On a 375-pixel phone every page fits its width: wide tables scroll inside their own box, nothing spills."""

from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from opendata.models import Resource
from participation.requests.models import Case
from portal.accounts.demo import CITIZEN_EMAIL, DEMO_PASSWORD

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser: Browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_every_kind_of_page_fits_a_phone(phone: Page):
    # The demo's widest table: the one most likely to push a page sideways.
    published = Resource.objects.filter(datastore_version__isnull=False, dataset__status="published")
    resource = max(published.select_related("dataset"), key=lambda resource: len(resource.datastore_fields))
    dataset = resource.dataset
    appealed = Case.objects.filter(status="under_appeal").first()  # the demo's longest timeline
    paths = [
        "/ar/",
        "/ar/decisions/",
        "/ar/data/",
        f"/ar/data/{dataset.name}/",
        f"/ar/data/{dataset.name}/resources/{resource.uuid}/",
        f"/fr/data/{dataset.name}/resources/{resource.uuid}/",
        f"/ar/data/{dataset.name}/resources/{resource.uuid}/?x={quote(resource.datastore_fields[0]['id'])}#chart",
        "/ar/bodies/commune-blida/",
        "/ar/bodies/commune-sale/",
        "/ar/accounts/signup/",
        "/ar/information-requests/",
        f"/ar/information-requests/{appealed.reference}/",
        f"/fr/information-requests/{appealed.reference}/",
        "/ar/information-requests/deadline/?law=ma-31-13&received=2026-03-17",
    ]
    too_wide = {}
    for path in paths:
        assert phone.goto(path).ok, path
        if (extra := overflow(phone)) > 0:
            too_wide[path] = extra
    assert too_wide == {}


def test_the_request_form_fits_a_phone_in_arabic(phone: Page):
    phone.goto("/ar/accounts/login/?next=/ar/information-requests/new/")
    phone.locator("input[name=login]").fill(CITIZEN_EMAIL)
    phone.locator("input[name=password]").fill(DEMO_PASSWORD)
    with phone.expect_navigation():
        phone.locator("main form [type=submit]:not([form])").click()
    assert phone.url.endswith("/ar/information-requests/new/")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert overflow(phone) <= 0
