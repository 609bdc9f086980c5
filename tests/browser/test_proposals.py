"""In Arabic, a verified resident writes a proposal with a point clicked on the map and a photo; another verified
resident supports it and sees the count change; and the list and the proposal's page fit a 375-pixel phone."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from participation.proposals.models import Category, Proposal, Space
from tests.factories import PASSWORD, DistrictFactory, PublicBodyFactory, square
from tests.proposals.conftest import verified
from tests.proposals.support import jpeg

from .support import assert_accessible, follow, visit

TITLE = "تهيئة حديقة للأطفال في حي الشمال"
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def space(live_server, transactional_db, django_db_serialized_rollback):
    """A commune with two districts side by side, an open space with a category, two verified residents."""
    commune = PublicBodyFactory(name_ar="بلدية البليدة", name_fr="Commune de Blida", slug="blida-proposals")
    DistrictFactory(body=commune, slug="nord", name_ar="حي الشمال", boundary=square(2.80, 36.40, 0.04))
    DistrictFactory(body=commune, slug="sud", name_ar="حي الجنوب", boundary=square(2.84, 36.40, 0.04))
    space = Space.objects.create(
        body=commune, slug="iqtirahat", title_ar="اقتراحات سكان البليدة", title_fr="Idées", support_threshold=50
    )
    Category.objects.create(space=space, slug="hadaiq", name_ar="الحدائق", name_fr="Jardins")
    verified("salma@example.org", commune, "E2E00001")
    verified("karim@example.org", commune, "E2E00002")
    return space


def resident(browser: Browser, live_server, email: str, next_path: str, **options) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="ar-DZ", timezone_id="Africa/Algiers", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"/ar/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    follow(page, page.locator("main form [type=submit]:not([form])"), check=False)
    return page


def test_a_resident_proposes_with_a_point_and_a_photo_and_another_supports_it(browser, live_server, space):
    page = resident(browser, live_server, "salma@example.org", f"/ar/proposals/spaces/{space.slug}/new/")
    expect(page).to_have_url(re.compile(rf"/ar/proposals/spaces/{space.slug}/new/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(page)
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_text").fill("الأرض الفارغة قرب المدرسة تصلح حديقة يلعب فيها الأطفال بأمان.")
    page.locator("#id_category").select_option(label="الحدائق")
    # The map fits the two districts; a click a quarter of the way across lands in one of them.
    picker = page.locator("#point-map")
    picker.scroll_into_view_if_needed()
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.5})
    expect(page.locator("#id_longitude")).not_to_have_value("")
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.locator("#id_files").set_input_files([{"name": "ard.jpg", "mimeType": "image/jpeg", "buffer": jpeg(640, 480)}])
    follow(page, page.locator("main form.proposal-form [type=submit]"))
    proposal = Proposal.objects.get(title=TITLE)
    expect(page).to_have_url(f"{live_server.url}/ar/proposals/{proposal.pk}/")
    expect(page.locator("h1")).to_have_text(TITLE)
    assert proposal.district is not None and proposal.longitude is not None
    photo = page.locator(".photos img")
    expect(photo).to_have_count(1)
    assert photo.evaluate("image => image.complete && image.naturalWidth > 0")
    expect(page.locator("#support-title")).to_contain_text("0")
    page.context.close()

    other = resident(browser, live_server, "karim@example.org", f"/ar/proposals/{proposal.pk}/")
    expect(other.locator("#support-title")).to_contain_text("0")
    follow(other, other.locator("#support form button[type=submit]").first)
    expect(other.locator("#support-title")).to_contain_text("1")
    expect(other.locator("#support input[name=action][value=withdraw]")).to_have_count(1)
    proposal.refresh_from_db()
    assert proposal.supports_count == 1
    other.context.close()


def test_the_list_and_a_proposal_fit_a_phone(browser, live_server, space):
    page = resident(
        browser,
        live_server,
        "salma@example.org",
        f"/ar/proposals/spaces/{space.slug}/new/",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    page.locator("#id_title").fill("عنوان طويل جدا " * 8)
    page.locator("#id_text").fill("نص " * 300)
    page.locator("#id_longitude").fill("2.82")
    page.locator("#id_latitude").fill("36.42")
    follow(page, page.locator("main form.proposal-form [type=submit]"), check=False)
    proposal = Proposal.objects.get()
    for path in [
        "/ar/proposals/",
        f"/ar/proposals/{proposal.pk}/",
        f"/ar/proposals/spaces/{space.slug}/",
        "/ar/proposals/map/",
    ]:
        visit(page, path)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path
    # The map asked its GeoJSON for the area in view and placed the proposal.
    expect(page.locator("#proposals-map")).to_have_attribute("data-points", "1")
    page.context.close()
