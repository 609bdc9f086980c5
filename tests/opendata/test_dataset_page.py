"""A dataset's public page: its metadata and licence in plain words, its files and their versions, the API call."""

import datetime
import json
import re

import pytest
from defusedxml import ElementTree as ET
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opendata.models import Dataset, Licence, Resource
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file
from tests.sitemaps import NAMESPACE, sitemap_pages, sitemap_text

PAGE = "/fr/data/budget-2025/"


@pytest.fixture
def budget(commune):
    commune.email = "contact@apc-test.example"
    commune.save()
    return DatasetFactory(
        name="budget-2025",
        body=commune,
        title_fr="Budget communal 2025",
        title_ar="ميزانية البلدية 2025",
        notes_fr="Les recettes et les dépenses votées.\nPar chapitre.",
        themes=["economy"],
        tags=["budget"],
        frequency=Dataset.Frequency.ANNUAL,
        temporal_start=datetime.date(2025, 1, 1),
        temporal_end=datetime.date(2025, 12, 31),
        spatial="Centre-ville",
        version="2.1",
    )


@pytest.fixture
def table(budget):
    """A CSV resource with two versions (the second is current) and 1 234 downloads."""
    resource = ResourceFactory(dataset=budget, name_fr="Budget par chapitre", format="CSV")
    add_file(resource, b"chapitre,montant\n1,10\n", filename="budget-v1.csv")
    add_file(resource, b"chapitre,montant\n" + b"1,10.50\n" * 200, filename="budget-v2.csv")
    Resource.objects.filter(pk=resource.pk).update(download_count=1234)
    resource.refresh_from_db()
    return resource


def jsonld(response) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    assert match, "no JSON-LD in the page"
    return json.loads(match.group(1))


class DatasetPageTestCase:
    def test_it_shows_the_metadata(self, client, budget):
        response = client.get(PAGE)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Budget communal 2025</h1>" in html
        assert "<p>Les recettes et les dépenses votées.<br>Par chapitre.</p>" in html
        assert "Commune de Test" in html
        assert "Économie et finances" in html
        assert 'href="/fr/data/?theme=economy"' in html
        assert 'href="/fr/data/?tag=budget"' in html
        assert "Annuel" in html
        assert "1 janvier 2025" in html and "31 décembre 2025" in html
        assert "Centre-ville" in html
        assert '<dd><span dir="ltr">2.1</span></dd>' in html
        assert 'href="mailto:contact@apc-test.example"' in html

    def test_it_says_the_licence_in_plain_words_and_whether_it_is_open(self, client, budget, commune):
        html = client.get(PAGE).content.decode()
        assert "Creative Commons Attribution 4.0" in html
        assert "Vous pouvez copier, diffuser, modifier et réutiliser les données" in html
        assert '<span class="badge badge--open">' in html
        assert "badge--closed" not in html

        DatasetFactory(name="ferme", body=commune, licence=Licence.objects.get(slug="other-closed"))
        html = client.get("/ar/data/ferme/").content.decode()
        assert "غير مفتوحة (الاطلاع فقط)" in html
        assert "يمكنك الاطلاع على البيانات" in html
        assert '<span class="badge badge--closed">' in html
        assert "badge--open" not in html

    def test_it_lists_the_files_with_their_size_downloads_and_earlier_versions(self, client, table):
        html = client.get(PAGE).content.decode()
        current, first = table.versions.order_by("-number")
        assert "Budget par chapitre" in html
        assert f'href="/download/{table.uuid}/"' in html
        assert f'href="/download/{table.uuid}/v1/"' in html
        assert f'href="/download/{table.uuid}/v2/"' not in html  # the current file is the plain download
        assert "budget-v1.csv" in html
        assert "1\xa0234 téléchargements" in html
        assert "1,6\xa0Kio" in html  # 1 617 bytes, in French
        assert current.size == 1617

    def test_it_links_to_the_preview_only_for_tabular_resources(self, client, budget, table):
        link = ResourceFactory(dataset=budget, name_fr="Carte", format="html", url="https://example.org/carte")
        html = client.get(PAGE).content.decode()
        assert f'href="{link.get_absolute_url()}"' in html
        assert 'href="https://example.org/carte"' in html
        assert f'<a href="{table.get_absolute_url()}">Aperçu' not in html  # not in the DataStore

    def test_it_shows_the_api_calls_that_fetch_this_dataset(self, client, budget):
        html = client.get(PAGE).content.decode()
        assert ">http://testserver/api/3/action/package_show?id=budget-2025</code>" in html
        assert ">http://testserver/api/v1/datasets/budget-2025/</code>" in html
        assert re.search(r'<button type="button" class="copy-button" data-copy="api-ckan" hidden>', html)
        assert '<script src="/static/js/copy-button.js" defer></script>' in html

    def test_the_api_addresses_it_shows_answer_with_this_dataset(self, client, budget):
        rest = client.get("/api/v1/datasets/budget-2025/")
        assert rest.status_code == 200
        assert rest.json()["name"] == "budget-2025"
        ckan = client.get("/api/3/action/package_show?id=budget-2025")
        assert ckan.status_code == 200
        assert ckan.json()["result"]["name"] == "budget-2025"

    def test_it_links_to_dcat_and_the_data_package(self, client, budget):
        html = client.get(PAGE).content.decode()
        assert 'href="/catalog/datasets/budget-2025.ttl"' in html
        assert 'href="/catalog/datasets/budget-2025/datapackage.json"' in html
        assert 'href="/catalog/datasets/budget-2025.jsonld"' in html
        assert 'href="/catalog/datasets/budget-2025.rdf"' in html
        assert '<link rel="alternate" type="text/turtle" href="/catalog/datasets/budget-2025.ttl">' in html
        for address in ("/catalog/datasets/budget-2025.ttl", "/catalog/datasets/budget-2025/datapackage.json"):
            assert client.get(address).status_code == 200, address

    def test_it_describes_the_dataset_in_json_ld(self, client, table):
        data = jsonld(client.get(PAGE))
        assert data["@type"] == "Dataset"
        assert data["name"] == "Budget communal 2025"
        assert data["url"] == "http://testserver/fr/data/budget-2025/"
        assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
        assert data["creator"]["name"] == "Commune de Test"
        assert data["temporalCoverage"] == "2025-01-01/2025-12-31"
        assert data["distribution"] == [
            {
                "@type": "DataDownload",
                "name": "Budget par chapitre",
                "encodingFormat": "CSV",
                "contentUrl": f"http://testserver/download/{table.uuid}/",
                "contentSize": "1617",
            }
        ]

    def test_it_escapes_what_staff_typed(self, client, commune):
        DatasetFactory(name="piege", body=commune, title_fr="</script><script>alert(1)</script>", notes_fr="<b>x</b>")
        response = client.get("/fr/data/piege/")
        html = response.content.decode()
        assert "<script>alert(1)" not in html
        assert "<b>x</b>" not in html
        assert jsonld(response)["name"] == "</script><script>alert(1)</script>"

    def test_it_shows_the_title_in_another_language_with_its_lang_attribute(self, client, commune):
        DatasetFactory(name="arabe", body=commune, title_ar="حضور أعضاء المجلس", title_fr="", notes_fr="")
        html = client.get("/fr/data/arabe/").content.decode()
        assert '<h1 lang="ar" dir="rtl">حضور أعضاء المجلس</h1>' in html
        assert "<h1>حضور أعضاء المجلس</h1>" in client.get("/ar/data/arabe/").content.decode()

    def test_it_offers_the_problem_report_form_saying_the_email_stays_private(self, client, budget):
        html = client.get(PAGE).content.decode()
        assert 'action="/fr/data/budget-2025/report/#report"' in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert 'name="kind"' in html and 'name="message"' in html and 'name="email"' in html
        assert "jamais publiée" in html

    @pytest.mark.parametrize("status", [Dataset.Status.DRAFT, Dataset.Status.WITHDRAWN])
    def test_it_does_not_exist_for_the_public_unless_published(self, client, commune, status):
        dataset = DatasetFactory(name="cache", body=commune, status=status)
        resource = ResourceFactory(dataset=dataset)
        assert client.get("/fr/data/cache/").status_code == 404
        assert client.get(f"/fr/data/cache/resources/{resource.uuid}/").status_code == 404
        assert client.get("/fr/data/inconnu/").status_code == 404

    def test_its_query_count_does_not_grow_with_the_resources(
        self, client, budget, django_assert_max_num_queries, no_page_cache
    ):
        def count():
            client.get(PAGE)  # the page's frame, cached again after the writes
            with CaptureQueriesContext(connection) as queries:
                assert client.get(PAGE).status_code == 200
            return len(queries)

        def add(number):
            resource = ResourceFactory(dataset=budget, format="CSV")
            add_file(resource, b"a\n1\n", filename=f"v1-{number}.csv")
            add_file(resource, b"a\n2\n", filename=f"v2-{number}.csv")

        add(0)
        client.get(PAGE)
        few = count()
        for number in range(1, 25):
            add(number)
        assert count() == few
        with django_assert_max_num_queries(15):
            client.get(PAGE)


def test_the_sitemap_lists_a_published_dataset_in_every_language(client, budget):
    content = sitemap_text(client)
    for language in ("ar", "fr", "en"):
        assert f"<loc>http://testserver/{language}/data/budget-2025/</loc>" in content
    assert 'hreflang="ar"' in content


def test_the_sitemap_is_an_index_of_pages_of_bounded_size(client, commune, settings):
    settings.SITEMAP_PAGE_SIZE = 2
    for number in range(5):
        DatasetFactory(name=f"set-{number}", body=commune)
    pages = sitemap_pages(client)
    datasets = [page for page in pages if b"/data/set-" in page]
    assert len(datasets) == 8  # five datasets in three languages, two addresses a page
    assert all(page.count(b"<url>") <= 2 for page in datasets)
    assert "/fr/data/set-4/" in "".join(page.decode() for page in datasets)


def test_the_sitemap_index_says_what_djangos_template_says(client, commune, settings, rf):
    from django.contrib.sitemaps import views as sitemap_views
    from django.contrib.sites.shortcuts import get_current_site

    from portal.urls import SITEMAPS

    settings.SITEMAP_PAGE_SIZE = 2
    for number in range(3):
        DatasetFactory(name=f"set-{number}", body=commune)
    ours = client.get("/sitemap.xml")
    request = rf.get("/sitemap.xml")
    request.site = get_current_site(request)
    django = sitemap_views.index(request, sitemaps=SITEMAPS, sitemap_url_name="sitemap-section").render()

    def entries(content):
        index = ET.fromstring(content)
        return [[(child.tag, child.text) for child in entry] for entry in index.iter(f"{NAMESPACE}sitemap")]

    assert ours["Content-Type"] == django["Content-Type"] and ours["X-Robots-Tag"] == django["X-Robots-Tag"]
    assert len(entries(ours.content)) >= 5  # the datasets' five pages at least, each dated
    assert entries(ours.content) == entries(django.content)


def test_the_sitemap_index_dates_each_section_by_its_latest_change(client, budget):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    dates = {
        entry.find(f"{NAMESPACE}loc").text.rsplit("/", 1)[-1]: entry.find(f"{NAMESPACE}lastmod")
        for entry in index.iter(f"{NAMESPACE}sitemap")
    }
    # The sitemap writes its dates in the portal's time zone: near midnight, UTC's date is another day.
    assert dates["sitemap-datasets.xml"].text.startswith(timezone.localdate(budget.modified_at).isoformat())
