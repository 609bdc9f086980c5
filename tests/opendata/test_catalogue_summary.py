"""What the catalogue keeps until the next change of content: the counts without words (the listing's views,
`package_search` with or without `fq`, the REST API), under the query that counts them, and `package_search`'s
dataset dictionaries. The same answers as computing live, each filter, site address and language its own, and a
change shows at once, also one to a record a dataset only links to."""

import json

import pytest
from rest_framework.authtoken.models import Token

from opendata.catalogue import FACETS, DatasetSearch, search_datasets
from opendata.ckan.dictization import kept_package_dicts
from opendata.models import Dataset, Licence, Theme
from portal.bodies.models import Role
from tests.factories import RoleGrantFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file

FIVE_FACETS = json.dumps(list(FACETS))


@pytest.fixture
def catalogue(commune, department):
    budget = DatasetFactory(name="budget", body=commune, themes=["economy"], tags=["budget", "finance"])
    ResourceFactory(dataset=budget, format="CSV")
    ResourceFactory(dataset=budget, format="CSV")
    other_licence = Licence.objects.exclude(slug="cc-by-4.0").first()
    roads = DatasetFactory(
        name="roads", body=department, themes=["transport", "economy"], tags=["budget"], licence=other_licence
    )
    ResourceFactory(dataset=roads, format="GeoJSON")
    DatasetFactory(name="draft", body=commune, tags=["finance"], status=Dataset.Status.DRAFT)
    return budget, roads


def facets(client, **params) -> dict:
    answer = client.get("/api/3/action/package_search", {"facet.field": FIVE_FACETS, "rows": 0, **params}).json()
    return {"count": answer["result"]["count"], **answer["result"]["facets"]}


class CatalogueSummaryTestCase:
    @pytest.mark.parametrize(("mincount", "limit"), [(1, 50), (2, 50), (1, 1), (0, -1)])
    def test_it_counts_what_counting_live_counts(self, catalogue, mincount, limit):
        search = DatasetSearch(facet_fields=list(FACETS), facet_mincount=mincount, facet_limit=limit, rows=5)
        kept, live = search_datasets(search), search_datasets(search, Dataset.objects.published())
        assert (kept.count, kept.facets) == (live.count, live.facets)
        assert [dataset.name for dataset in kept.results] == [dataset.name for dataset in live.results]
        expected = {"budget": 2, "finance": 1} if mincount < 2 else {"budget": 2}
        assert kept.count == 2 and kept.facets["tags"] == dict(list(expected.items())[: max(0, limit) or None])

    def test_a_dataset_published_retagged_or_withdrawn_changes_the_counts_at_once(
        self, client, catalogue, commune, department
    ):
        budget, _roads = catalogue
        before = facets(client)
        assert before["count"] == 2 and before["res_format"] == {"CSV": 1, "GEOJSON": 1}
        draft = Dataset.objects.get(name="draft")
        draft.status = Dataset.Status.PUBLISHED
        draft.save()
        ResourceFactory(dataset=draft, format="XLSX")
        after = facets(client)
        assert after["count"] == 3 and after["tags"] == {"finance": 2, "budget": 2}
        assert after["res_format"] == {"CSV": 1, "GEOJSON": 1, "XLSX": 1}
        assert after["organization"] == {commune.slug: 2, department.slug: 1}
        budget.tags.add("eau")
        assert facets(client)["tags"]["eau"] == 1
        budget.status = Dataset.Status.WITHDRAWN
        budget.save()
        withdrawn = facets(client)
        assert withdrawn["count"] == 2 and "eau" not in withdrawn["tags"]

    def test_the_listing_shows_a_new_bodys_datasets_at_once(self, client, catalogue, other_region):
        client.get("/fr/data/")
        DatasetFactory(name="wilaya", body=other_region, title_fr="Jeu de la wilaya")
        page = client.get("/fr/data/").content.decode()
        assert "Jeu de la wilaya" in page and f'value="{other_region.slug}"' in page

    def test_each_filter_keeps_its_own_counts_until_a_change(self, client, catalogue, commune, department):
        facets(client)
        assert facets(client, fq=f"organization:{commune.slug}")["count"] == 1
        assert facets(client, fq=f"organization:{department.slug}")["count"] == 1
        assert facets(client, q="tags:finance")["count"] == 1
        assert facets(client, fq=f"organization:{commune.slug} res_format:CSV")["res_format"] == {"CSV": 1}
        DatasetFactory(name="more", body=commune, tags=["finance"])
        assert facets(client, fq=f"organization:{commune.slug}")["count"] == 2
        assert facets(client, fq=f"organization:{department.slug}")["count"] == 1
        assert facets(client, q="tags:finance")["count"] == 2
        listing = DatasetSearch(filters={"organization": [commune.slug]}, rows=5)
        assert search_datasets(listing).count == 2
        DatasetFactory(name="again", body=commune)
        assert search_datasets(listing).count == 3

    def test_once_kept_the_counts_cost_no_query(self, client, catalogue, django_assert_num_queries):
        facets(client)
        # The display names of the bodies, themes and licences counted; nothing counted again.
        with django_assert_num_queries(3):
            assert facets(client)["count"] == 2


def packages(client, headers=None, **params) -> dict[str, dict]:
    answer = client.get("/api/3/action/package_search", {"rows": 100, "lang": "fr", **params}, headers=headers).json()
    return {package["name"]: package for package in answer["result"]["results"]}


class KeptPackageDictsTestCase:
    def test_a_change_to_a_dataset_or_to_what_it_links_to_shows_at_once(self, client, catalogue, commune):
        budget, _roads = catalogue
        assert packages(client)["budget"]["organization"]["title"] == "Commune de Test"
        budget.title_fr = "Budget primitif"
        budget.save()
        assert packages(client)["budget"]["title"] == "Budget primitif"
        commune.name_fr = "Commune renommée"
        commune.save()
        assert packages(client)["budget"]["organization"]["title"] == "Commune renommée"
        Theme.objects.filter(slug="economy").update(name_fr="Économie locale")
        assert [group["title"] for group in packages(client)["budget"]["groups"]] == ["Économie locale"]
        resource = budget.resources.first()
        add_file(resource, b"a,b\n1,2\n")
        (changed,) = [item for item in packages(client)["budget"]["resources"] if item["id"] == str(resource.uuid)]
        assert changed["size"] == 8 and changed["url"].endswith(f"/download/{resource.uuid}/")

    def test_each_site_address_and_language_gets_its_own_dictionary(self, client, catalogue):
        french = packages(client)["budget"]
        assert packages(client, {"host": "localhost"})["budget"]["url"].startswith("http://localhost/")
        assert french["url"].startswith("http://testserver/")
        assert packages(client, lang="ar")["budget"]["title"] != french["title"]

    def test_a_draft_kept_for_its_editor_never_reaches_the_public(self, client, catalogue, commune):
        token = Token.objects.create(user=RoleGrantFactory(body=commune, role=Role.EDITOR).user).key
        assert "draft" in packages(client, {"authorization": token}, include_private="true")
        assert set(packages(client)) == {"budget", "roads"}

    def test_a_dataset_deleted_meanwhile_is_left_out(self, catalogue, rf):
        budget, roads = catalogue
        ids = [budget.pk, roads.pk]
        roads.delete()
        assert [package["name"] for package in kept_package_dicts(ids, rf.get("/").build_absolute_uri)] == ["budget"]
