"""The catalogue at scale: facet counts that agree with the filters, keyset pages, queries flat in the rows."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendata.models import Dataset, Licence
from tests.factories import PublicBodyFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory

LISTING = "/fr/data/"
SEARCH = "/api/3/action/package_search"
FAMILIES = ["organization", "groups", "tags", "res_format", "license_id"]
NEXT = re.compile(r'rel="next" href="\?([^"]*)"')


def package_search(client, **params) -> dict:
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.content[:300]
    return response.json()["result"]


def names(response) -> list[str]:
    return [dataset.name for dataset in response.context["datasets"]]


@pytest.fixture
def catalogue(commune, department):
    """Twelve datasets over two bodies, three themes, two licences, four keywords and three formats."""
    other = PublicBodyFactory(parent=department, slug="service-eau", name_fr="Service de l'eau")
    themes = [["economy"], ["economy", "health"], ["education"], []]
    licences = [Licence.objects.get(slug="cc-by-4.0"), Licence.objects.get(slug="odc-odbl")]
    for number in range(12):
        dataset = DatasetFactory(
            name=f"jeu-{number:02d}",
            body=[commune, department, other][number % 3],
            themes=themes[number % 4],
            tags=[f"mot-{number % 4}", f"mot-{number % 3}"],
            licence=licences[number % 2],
        )
        for format in [["CSV"], ["CSV", "CSV", "PDF"], ["JSON"], []][number % 4]:
            ResourceFactory(dataset=dataset, format=format)


class FacetCountsTestCase:
    @pytest.mark.parametrize(
        "fq",
        [
            "",
            "groups:economy res_format:CSV",
            "organization:commune-test -license_id:odc-odbl",
            "tags:mot-1 OR tags:mot-2",
        ],
    )
    def test_it_counts_what_each_value_as_a_filter_would_return(self, client, catalogue, fq):
        result = package_search(client, fq=fq, rows=0, **{"facet.field": json.dumps(FAMILIES), "facet.limit": -1})
        assert any(result["facets"].values())
        for family, counts in result["facets"].items():
            for value, count in counts.items():
                narrowed = f'({fq or "*:*"}) AND {family}:"{value}"'
                assert package_search(client, fq=narrowed, rows=0)["count"] == count, (family, value)
        assert result["count"] == package_search(client, fq=fq, rows=1000)["count"]

    def test_the_listing_counts_each_value_as_adding_it_to_the_filters_would(self, client, catalogue):
        filtered = "?theme=economy&format=csv&licence=cc-by-4.0"
        page = client.get(LISTING + filtered)
        for group in page.context["facets"]:
            if group["param"] in ("theme", "format", "licence"):
                continue  # ticked facets: a further value of them widens the listing (OR), which its count is not
            for option in group["options"]:
                narrowed = client.get(LISTING + filtered + f"&{option['param']}={option['value']}")
                assert narrowed.context["count"] == option["count"], (group["param"], option["value"])

    def test_the_listing_and_package_search_count_alike(self, client, catalogue):
        page = client.get(LISTING + "?theme=economy&format=csv")
        result = package_search(client, fq="groups:economy res_format:CSV", **{"facet.field": json.dumps(FAMILIES)})
        assert page.context["count"] == result["count"]
        listed = {
            group["param"]: {o["value"]: o["count"] for o in group["options"]} for group in page.context["facets"]
        }
        assert listed["tag"] == result["facets"]["tags"]
        assert listed["body"] == result["facets"]["organization"]


class KeysetPagingTestCase:
    @pytest.fixture
    def many(self, commune):
        for number in range(47):
            DatasetFactory(name=f"jeu-{number:02d}", body=commune)
        # Datasets changed at the same instant: the order still holds (the primary key settles it).
        same = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        Dataset.objects.filter(name__in=[f"jeu-{number:02d}" for number in range(10, 30)]).update(modified_at=same)

    def follow(self, client, address: str) -> list[list[str]]:
        pages = []
        while True:
            response = client.get(address)
            assert response.status_code == 200
            pages.append(names(response))
            found = NEXT.search(response.content.decode())
            if found is None:
                return pages
            address = LISTING + "?" + found[1].replace("&amp;", "&")
            assert "after=" in address

    def test_it_follows_the_next_links_without_repeating_or_skipping_a_dataset(self, client, many):
        pages = self.follow(client, LISTING)
        assert [len(page) for page in pages] == [20, 20, 7]
        listed = [name for page in pages for name in page]
        expected = list(Dataset.objects.order_by("-modified_at", "-pk").values_list("name", flat=True))
        assert listed == expected
        # The numbered pages (offset) give the same order.
        assert names(client.get(LISTING + "?page=2")) == pages[1]
        assert names(client.get(LISTING + "?page=3")) == pages[2]

    def test_it_keeps_the_filters_and_the_page_number_in_the_next_link(self, client, many):
        DatasetFactory.create_batch(3, body=PublicBodyFactory(slug="ailleurs"))
        pages = self.follow(client, LISTING + "?body=commune-test")
        assert sum(len(page) for page in pages) == 47
        response = client.get(LISTING + "?body=commune-test")
        assert "body=commune-test&amp;page=2&amp;after=" in response.content.decode()

    def test_a_cursor_continues_after_its_dataset_even_when_datasets_change_meanwhile(self, client, many):
        first = client.get(LISTING)
        link = LISTING + "?" + NEXT.search(first.content.decode())[1].replace("&amp;", "&")
        Dataset.objects.filter(name=names(first)[0]).update(
            modified_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
        )
        assert names(client.get(link)) == names(client.get(LISTING + "?page=2"))

    @pytest.mark.parametrize(
        "cursor",
        ["garbage", "1-", "-1-2", "999999999999999999-1", "1" * 60, "1764950400000000-1\x00", "١٢٣-٤"],
    )
    def test_a_bad_cursor_gives_the_page_its_number_names(self, client, many, cursor):
        response = client.get(LISTING, {"after": cursor, "page": "2"})
        assert response.status_code == 200
        assert names(response) == names(client.get(LISTING + "?page=2"))
        assert names(client.get(LISTING, {"after": cursor})) == names(client.get(LISTING))

    def test_the_title_order_pages_by_number(self, client, many):
        first = client.get(LISTING + "?sort=title")
        assert 'rel="next" href="?sort=title&amp;page=2"' in first.content.decode()

    def test_package_search_start_pages_as_ckan_does(self, client, many):
        everything = [package["name"] for package in package_search(client, rows=1000)["results"]]
        pages = [package_search(client, start=start, rows=10)["results"] for start in range(0, 50, 10)]
        assert [package["name"] for page in pages for package in page] == everything
        assert package_search(client, start=1000)["results"] == []
        assert package_search(client, start=45, rows=10)["count"] == 47


class QueryCountTestCase:
    def test_100_rows_cost_the_queries_of_10(self, client, catalogue, commune, no_page_cache):
        for number in range(100):
            dataset = DatasetFactory(body=commune, themes=["economy", "health"], tags=[f"t{number}", "commun"])
            ResourceFactory(dataset=dataset, format="CSV")
            ResourceFactory(dataset=dataset, format="PDF")
        facets = {"facet.field": json.dumps(FAMILIES)}

        def queries(**params) -> int:
            package_search(client, **facets, **params)  # the whole catalogue's counts, kept from then on
            with CaptureQueriesContext(connection) as captured:
                result = package_search(client, **facets, **params)
            assert len(result["results"]) == params["rows"]
            assert all(package["resources"] and package["groups"] for package in result["results"][:50])
            return len(captured)

        assert queries(rows=10) == queries(rows=100)
        assert queries(rows=10, fq="res_format:CSV") == queries(rows=100, fq="res_format:CSV")
        assert queries(rows=10, start=90) == queries(rows=10)
