"""A journalist works with the open-data catalogue: filter, open a dataset, preview, sort, chart, download.

In Arabic (right to left) the whole journey, then the same pages quickly in French; axe-core checks each
page. The data are made here with the open-data factories, so that the test knows every row.
Elements are found by their names and values, which do not depend on how far the catalogue is translated.
"""

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from opendata.models import Resource
from tests.opendata.factories import DatasetFactory, loaded_resource

from .support import assert_accessible, follow, visit

SCHEMA = [
    {"name": "الحي", "type": "string"},
    {"name": "الخدمة", "type": "string"},
    {"name": "المبلغ", "type": "number"},
]
SERVICES = ["الإنارة", "الطرقات", "النظافة"]
ROWS = [
    {"الحي": f"الحي {number % 6}", "الخدمة": SERVICES[number % 3], "المبلغ": f"{100 + number * 7}.25"}
    for number in range(90)
]
TITLE = "نفقات البلدية حسب الخدمة"


@pytest.fixture
def catalogue(live_server, transactional_db, django_db_serialized_rollback):
    """Two published datasets of a commune, one about the economy with its spending loaded in the DataStore."""
    from tests.factories import PublicBodyFactory

    commune = PublicBodyFactory(name_ar="بلدية البليدة", name_fr="Commune de Blida", slug="blida-e2e")
    spending = DatasetFactory(
        name="nafaqat-2025",
        body=commune,
        title_ar=TITLE,
        title_fr="Dépenses de la commune par service",
        themes=["economy"],
        tags=["ميزانية"],
    )
    DatasetFactory(name="madaris", body=commune, title_ar="المدارس الابتدائية", themes=["education"])
    return loaded_resource(ROWS, SCHEMA, dataset=spending, name_ar="النفقات 2025", name_fr="Dépenses 2025")


@pytest.fixture
def journalist(browser, live_server, catalogue):
    """A page of its own (no demo needed), in Arabic, allowed to use the clipboard."""
    context = browser.new_context(base_url=live_server.url, locale="ar-DZ", timezone_id="Africa/Algiers")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def resource_path(resource: Resource, language: str) -> str:
    return f"/{language}/data/nafaqat-2025/resources/{resource.uuid}/"


def amounts(page: Page) -> list[str]:
    return page.locator(".preview-table tbody tr td:nth-child(3)").all_inner_texts()


class OpenDataTestCase:
    def test_a_journalist_filters_previews_charts_and_downloads_in_arabic(self, journalist: Page, catalogue):
        page = journalist
        visit(page, "/ar/data/")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        cards = page.locator(".dataset-card")
        expect(cards).to_have_count(2)

        # Filter by theme: a plain GET form with a checkbox per theme.
        filters = page.locator("main").get_by_role("search")  # the header holds the site search
        filters.locator("input[name=theme][value=economy]").check()
        follow(page, filters.locator("button[type=submit]"))
        assert parse_qs(urlsplit(page.url).query)["theme"] == ["economy"]
        expect(cards).to_have_count(1)
        expect(page.locator(".active-filters .chip")).to_have_count(1)

        follow(page, cards.get_by_role("link", name=TITLE))
        expect(page).to_have_url(re.compile(r"/ar/data/nafaqat-2025/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(page.locator("code#api-ckan")).to_have_text(re.compile(r"/api/3/action/package_show\?id=nafaqat-2025$"))
        copy = page.locator("button[data-copy=api-ckan]")
        expect(copy).to_be_visible()  # the script enhanced it
        copy.click()
        expect(page.locator("[data-copy-status]")).not_to_be_empty()
        assert page.evaluate("navigator.clipboard.readText()").endswith("/api/3/action/package_show?id=nafaqat-2025")

        follow(page, page.locator(f'.resource-card a[href="{resource_path(catalogue, "ar")}"]').first)
        expect(page.locator(".preview-table tbody tr")).to_have_count(50)
        expect(page.locator(".results-count")).to_contain_text("90")

        # Sort by the amount, largest first: the header link sorts ascending, then descending.
        header = page.locator(".preview-table thead th").nth(2)
        follow(page, header.get_by_role("link"))
        expect(header).to_have_attribute("aria-sort", "ascending")
        assert amounts(page)[0] == "100,25"
        follow(page, header.get_by_role("link"))
        expect(header).to_have_attribute("aria-sort", "descending")
        assert amounts(page)[0] == "723,25"

        # A chart of the total amount per service: an SVG and its table of figures.
        chart = page.locator("form.chart-form")
        chart.locator("select[name=x]").select_option("الخدمة")
        chart.locator("select[name=y]").select_option("المبلغ")
        follow(page, chart.locator("button[type=submit]"))
        expect(page.locator("svg.bar-chart__svg rect")).to_have_count(3)
        expect(page.locator(".chart-table tbody tr")).to_have_count(3)
        # Right to left: the bars grow leftwards from the labels, which sit on the right.
        first_bar = page.locator("svg.bar-chart__svg rect").first.bounding_box()
        first_label = page.locator("svg.bar-chart__svg text.bar-chart__label").first.bounding_box()
        assert first_label["x"] > first_bar["x"] + first_bar["width"] - 1
        # The sort survived the chart.
        assert parse_qs(urlsplit(page.url).query)["sort"] == ["المبلغ desc"]

        # The CSV of the rows, in the preview's order.
        with page.expect_download() as started:
            page.locator(".download-buttons a").filter(has_text=re.compile(r"^CSV$")).click()
        download = started.value
        assert download.failure() is None
        rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
        assert rows[0] == ["الحي", "الخدمة", "المبلغ"]
        assert len(rows) == 91
        assert rows[1][2] == "723.25"
        assert Resource.objects.get(pk=catalogue.pk).download_count == 1

    def test_the_same_pages_in_french(self, journalist: Page, catalogue):
        page = journalist
        visit(page, "/fr/data/")
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        card = page.locator(".dataset-card").filter(has_text="Dépenses de la commune par service")
        follow(page, card.get_by_role("link"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Dépenses de la commune par service")
        follow(page, page.locator(f'.resource-card a[href="{resource_path(catalogue, "fr")}"]').first)
        expect(page.locator(".preview-table tbody tr")).to_have_count(50)
        assert amounts(page)[0] == "100,25"
        visit(page, resource_path(catalogue, "fr") + "?x=الحي")
        expect(page.locator("svg.bar-chart__svg rect")).to_have_count(6)
        first_bar = page.locator("svg.bar-chart__svg rect").first.bounding_box()
        first_label = page.locator("svg.bar-chart__svg text.bar-chart__label").first.bounding_box()
        assert first_label["x"] + first_label["width"] < first_bar["x"] + 1
        assert_accessible(page)
