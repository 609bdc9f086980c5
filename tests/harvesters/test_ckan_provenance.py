"""Where a harvested dataset came from: on its public page, in the CKAN API's `extras` and in DCAT, only for
harvested datasets, and without a query per dataset on listings."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from opendata.dcat import ADMS
from opendata.models import Dataset
from portal.models import Provenance
from tests.opendata.factories import DatasetFactory

pytestmark = pytest.mark.django_db
API = "/api/3/action/"
REMOTE = "https://data.example.org/dataset/budget_2024"


def harvested(dataset: Dataset, remote_id: str = "0a1b-2c3d") -> Provenance:
    return Provenance.objects.create(
        content_type=ContentType.objects.get_for_model(Dataset),
        object_id=str(dataset.pk),
        source_name="Portail régional",
        source_url="https://data.example.org",
        remote_id=remote_id,
        remote_url=REMOTE,
        harvested_at=timezone.now(),
    )


@pytest.fixture
def budget(commune):
    dataset = DatasetFactory(name="budget", body=commune, title_fr="Budget")
    harvested(dataset)
    return dataset


def extras(package: dict) -> dict:
    return {item["key"]: item["value"] for item in package["extras"]}


class DatasetPageTestCase:
    def test_it_says_where_a_harvested_dataset_came_from(self, client, budget):
        with translation.override("fr"):
            page = client.get("/fr/data/budget/").content.decode()
        assert "Portail régional" in page and "0a1b-2c3d" in page and f'href="{REMOTE}"' in page

    def test_it_says_nothing_of_a_dataset_made_here(self, client, commune):
        DatasetFactory(name="local", body=commune)
        assert 'class="provenance"' not in client.get("/fr/data/local/").content.decode()


class CkanExtrasTestCase:
    def test_package_show_gives_ckanext_harvests_extras(self, client, budget):
        package = client.get(f"{API}package_show", {"id": "budget"}).json()["result"]
        assert (
            extras(package).items()
            >= {
                "harvest_source_title": "Portail régional",
                "harvest_source_url": "https://data.example.org",
                "guid": "0a1b-2c3d",
                "harvest_url": REMOTE,
            }.items()
        )

    def test_a_dataset_made_here_has_none(self, client, commune):
        DatasetFactory(name="local", body=commune)
        package = client.get(f"{API}package_show", {"id": "local"}).json()["result"]
        assert not {"harvest_source_title", "guid", "harvest_url"} & set(extras(package))

    def test_package_search_reads_the_provenances_in_one_query(self, client, commune, no_page_cache):
        def count() -> tuple[int, list[dict]]:
            with CaptureQueriesContext(connection) as queries:
                results = client.get(f"{API}package_search", {"rows": 100}).json()["result"]["results"]
            return len(queries), results

        for number in range(3):
            harvested(DatasetFactory(name=f"first-{number}", body=commune), f"id-{number}")
        few, _results = count()
        for number in range(3, 30):
            harvested(DatasetFactory(name=f"more-{number}", body=commune), f"id-{number}")
        many, results = count()
        assert many == few
        assert sorted(extras(package)["guid"] for package in results) == sorted(f"id-{n}" for n in range(30))


class DcatTestCase:
    def parse(self, response) -> Graph:
        assert response.status_code == 200
        return Graph().parse(data=response.content, format="turtle")

    def test_the_dataset_names_its_source_and_remote_identifier(self, client, budget):
        graph = self.parse(client.get("/catalog/datasets/budget.ttl"))
        node = next(graph.subjects(DCTERMS.source, URIRef(REMOTE)))
        identifier = graph.value(node, ADMS.identifier)
        assert graph.value(identifier, SKOS.notation) == Literal("0a1b-2c3d")

    def test_the_catalogue_too_and_not_for_datasets_made_here(self, client, budget, commune):
        DatasetFactory(name="local", body=commune)
        graph = self.parse(client.get("/catalog.ttl"))
        assert len(list(graph.subject_objects(ADMS.identifier))) == 1
        assert len(list(graph.subject_objects(DCTERMS.source))) == 1
