"""The public catalogue listing: words, facets that combine, sort, pages, languages, flat query count."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendata.models import Dataset, Licence
from search.indexing import refresh_entries
from tests.factories import PublicBodyFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory

LISTING = "/fr/data/"


def names(response) -> list[str]:
    return [dataset.name for dataset in response.context["datasets"]]


def facet(response, param: str) -> dict[str, tuple[int, bool]]:
    """`{value: (count, checked)}` of one facet as the page lists it."""
    for group in response.context["facets"]:
        if group["param"] == param:
            return {option["value"]: (option["count"], option["checked"]) for option in group["options"]}
    return {}


@pytest.fixture
def budget(commune):
    dataset = DatasetFactory(
        name="budget-2025",
        body=commune,
        title_fr="Budget communal 2025",
        title_ar="ميزانية البلدية 2025",
        themes=["economy"],
        tags=["budget", "finances"],
    )
    ResourceFactory(dataset=dataset, format="csv")
    ResourceFactory(dataset=dataset, format="xlsx")
    return dataset


@pytest.fixture
def schools(department):
    dataset = DatasetFactory(
        name="ecoles",
        body=department,
        title_fr="Écoles primaires",
        title_ar="المدارس الابتدائية",
        themes=["education", "regions"],
        tags=["écoles"],
        licence=Licence.objects.get(slug="odc-odbl"),
    )
    ResourceFactory(dataset=dataset, format="geojson")
    return dataset


class CatalogueListingTestCase:
    def test_it_lists_only_published_datasets(self, client, budget, commune):
        DatasetFactory(name="brouillon", body=commune, status=Dataset.Status.DRAFT)
        DatasetFactory(name="retire", body=commune, status=Dataset.Status.WITHDRAWN)
        response = client.get(LISTING)
        assert response.status_code == 200
        assert names(response) == ["budget-2025"]
        assert response.context["count"] == 1
        assert "brouillon" not in response.content.decode()

    def test_it_filters_by_each_facet_and_combines_them(self, client, budget, schools, other_region):
        DatasetFactory(name="voisins", body=other_region, themes=["economy"])
        assert names(client.get(LISTING + "?theme=education")) == ["ecoles"]
        assert sorted(names(client.get(LISTING + "?theme=economy"))) == ["budget-2025", "voisins"]
        assert names(client.get(LISTING + "?body=service-technique")) == ["ecoles"]
        assert names(client.get(LISTING + "?format=csv")) == ["budget-2025"]
        assert names(client.get(LISTING + "?format=GEOJSON")) == ["ecoles"]
        assert names(client.get(LISTING + "?licence=odc-odbl")) == ["ecoles"]
        assert names(client.get(LISTING + "?tag=finances")) == ["budget-2025"]
        # Values of one facet widen the search, facets narrow it.
        assert sorted(names(client.get(LISTING + "?theme=education&theme=economy"))) == [
            "budget-2025",
            "ecoles",
            "voisins",
        ]
        assert names(client.get(LISTING + "?theme=economy&body=commune-test")) == ["budget-2025"]
        assert names(client.get(LISTING + "?theme=education&format=csv")) == []

    def test_it_finds_datasets_by_words_in_any_language(self, client, budget, schools):
        refresh_entries()  # the search index (written after commits, which tests roll back)
        assert names(client.get(LISTING + "?q=ميزانية")) == ["budget-2025"]
        assert names(client.get(LISTING + "?q=primaires")) == ["ecoles"]
        assert names(client.get(LISTING + "?q=budget+introuvable")) == []

    def test_it_counts_each_facet_value_and_ticks_the_chosen_ones(self, client, budget, schools):
        response = client.get(LISTING)
        assert facet(response, "theme") == {"economy": (1, False), "education": (1, False), "regions": (1, False)}
        assert facet(response, "format") == {"CSV": (1, False), "XLSX": (1, False), "GEOJSON": (1, False)}
        assert facet(response, "licence") == {"cc-by-4.0": (1, False), "odc-odbl": (1, False)}
        assert facet(response, "body") == {"commune-test": (1, False), "service-technique": (1, False)}

        assert facet(client.get(LISTING + "?format=csv"), "format") == {"CSV": (1, True), "XLSX": (1, False)}

        response = client.get(LISTING + "?theme=education&tag=inconnu")
        assert facet(response, "theme")["education"] == (0, True)
        assert facet(response, "tag") == {"inconnu": (0, True)}
        html = response.content.decode()
        assert re.search(r'<input type="checkbox" name="theme" value="education" id="[^"]+" checked>', html)
        assert "Éducation, culture et sport" in html  # the theme's name, not its slug

    def test_it_shows_the_filters_in_use_each_with_a_link_without_it(self, client, budget, schools):
        response = client.get(LISTING + "?q=budget&theme=economy&theme=education&page=1")
        active = {option["label"]: option["remove_query"] for option in response.context["active_filters"]}
        assert active == {
            "budget": "theme=economy&theme=education",
            "Économie et finances": "q=budget&theme=education",
            "Éducation, culture et sport": "q=budget&theme=economy",
        }
        assert 'href="?q=budget&amp;theme=education"' in response.content.decode()

    def test_it_sorts_by_title_or_by_last_change(self, client, commune):
        with time_machine.travel(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)):
            DatasetFactory(name="zebre", body=commune, title_fr="Zèbres", title_ar="")
        DatasetFactory(name="arbres", body=commune, title_fr="Arbres", title_ar="")
        assert names(client.get(LISTING)) == ["arbres", "zebre"]
        with time_machine.travel(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)):
            Dataset.objects.get(name="zebre").save()
        assert names(client.get(LISTING)) == ["zebre", "arbres"]
        assert names(client.get(LISTING + "?sort=title")) == ["arbres", "zebre"]
        assert names(client.get(LISTING + "?sort=modified")) == ["zebre", "arbres"]

    def test_it_pages_and_answers_bad_pages_without_error(self, client, commune):
        for number in range(25):
            DatasetFactory(name=f"jeu-{number:02d}", body=commune)
        first = client.get(LISTING)
        assert len(names(first)) == 20
        second = client.get(LISTING + "?page=2")
        assert len(names(second)) == 5
        assert not set(names(first)) & set(names(second))
        assert 'rel="next" href="?page=2&amp;after=' in first.content.decode()
        assert names(client.get(LISTING + "?page=abc")) == names(first)
        assert names(client.get(LISTING + "?page=-3")) == names(first)
        assert client.get(LISTING + "?page=9").status_code == 404

    def test_it_ignores_unknown_parameters_and_escapes_what_it_shows(self, client, budget):
        response = client.get(
            LISTING + "?sort=<script>&page=1&colour=red&theme=<script>alert(1)</script>&q=" + "x" * 500
        )
        assert response.status_code == 200
        assert "<script>alert(1)" not in response.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()

    def test_it_escapes_titles(self, client, commune):
        DatasetFactory(name="piege", body=commune, title_fr='<img src=x onerror="alert(1)">')
        html = client.get(LISTING).content.decode()
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html

    def test_it_shows_a_card_in_the_visitors_language_with_a_lang_attribute_when_it_falls_back(self, client, commune):
        DatasetFactory(name="arabe", body=commune, title_ar="حضور أعضاء المجلس", title_fr="", notes_fr="")
        with time_machine.travel(datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC)):
            Dataset.objects.get(name="arabe").save()
        html = client.get(LISTING).content.decode()
        assert re.search(
            r'<h3 class="card__title" lang="ar" dir="rtl"><a href="/fr/data/arabe/">حضور أعضاء المجلس', html
        )
        assert "14 mars 2025" in html
        assert "Creative Commons Attribution 4.0" in html
        arabic = client.get("/ar/data/").content.decode()
        assert re.search(r'<h3 class="card__title"><a href="/ar/data/arabe/">حضور أعضاء المجلس', arabic)
        assert "14 مارس، 2025" in arabic

    def test_it_lists_each_format_of_a_card_once(self, client, budget):
        ResourceFactory(dataset=budget, format="CSV")
        response = client.get(LISTING)
        card = response.content.decode().split('class="card dataset-card"')[1]
        assert card.count('<span class="badge">CSV</span>') == 1
        assert '<span class="badge">XLSX</span>' in card

    def test_it_links_to_the_whole_catalogue_exports(self, client, budget):
        html = client.get(LISTING).content.decode()
        assert 'href="/catalog/datasets.csv"' in html
        assert 'href="/catalog/datasets.jsonl"' in html
        assert 'href="/catalog.ttl"' in html
        for address in ("/catalog/datasets.csv", "/catalog/datasets.jsonl", "/catalog.ttl"):
            assert client.get(address).status_code == 200, address

    def test_its_navigation_link_leads_here(self, client, budget):
        assert '<a href="/fr/data/">' in client.get("/fr/decisions/").content.decode()

    def test_its_query_count_does_not_grow_with_the_results(
        self, client, commune, department, django_assert_max_num_queries, no_page_cache
    ):
        def count():
            client.get(LISTING)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(LISTING).status_code == 200
            return len(queries)

        def add(number):
            body = commune if number % 2 else PublicBodyFactory(parent=department)
            dataset = DatasetFactory(
                name=f"jeu-{number:02d}", body=body, themes=["economy", "health"], tags=[f"t{number}"]
            )
            ResourceFactory(dataset=dataset, format="CSV")
            ResourceFactory(dataset=dataset, format="PDF")

        add(0)
        client.get(LISTING)  # the site's settings, created on first use
        few = count()
        for number in range(1, 30):
            add(number)
        assert count() == few
        with django_assert_max_num_queries(20):
            client.get(LISTING + "?theme=economy&format=csv&q=jeu&sort=title")

    def test_it_answers_404_for_a_page_number_too_large_for_the_database(self, client, budget):
        assert client.get(LISTING + "?page=" + "9" * 30).status_code == 404
