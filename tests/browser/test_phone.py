"""On a 375-pixel phone every page fits its width: wide tables scroll inside their own box, nothing spills."""

from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from opendata.models import Resource

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
    paths = [
        "/ar/",
        "/ar/decisions/",
        "/ar/data/",
        f"/ar/data/{dataset.name}/",
        f"/ar/data/{dataset.name}/resources/{resource.uuid}/",
        f"/fr/data/{dataset.name}/resources/{resource.uuid}/",
        f"/ar/data/{dataset.name}/resources/{resource.uuid}/?x={quote(resource.datastore_fields[0]['id'])}#chart",
        "/ar/bodies/commune-blida/",
        "/ar/accounts/signup/",
    ]
    too_wide = {}
    for path in paths:
        assert phone.goto(path).ok, path
        if (extra := overflow(phone)) > 0:
            too_wide[path] = extra
    assert too_wide == {}
