"""publish_spending_datasets: one catalogue dataset per body and kind of data, idempotent, in CKAN and DCAT."""

import datetime

import pytest
from django.core.management import call_command
from rdflib import Graph, URIRef

from opendata.models import Dataset, Licence, Resource
from opendata.spending.models import ContractingProcess
from opendata.spending.publishing import publish_spending_datasets

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"  # settings.WAGTAILADMIN_BASE_URL, which the resources' links start with


def test_it_publishes_one_dataset_per_kind_linking_to_the_exports(world, commune):
    ContractingProcess.objects.create(body=commune, ocid="ocds-abc-1", title="Route", fiscal_year=2022)

    datasets = publish_spending_datasets(commune)

    assert [dataset.name for dataset in datasets] == [
        "commune-test-budget", "commune-test-payments", "commune-test-subsidies", "commune-test-contracts",
    ]  # fmt: skip
    budget = datasets[0]
    assert budget.status == Dataset.Status.PUBLISHED
    assert (budget.temporal_start, budget.temporal_end) == (datetime.date(2023, 1, 1), datetime.date(2024, 12, 31))
    assert budget.licence.slug == "cc-by-4.0"
    assert {theme.code for theme in budget.themes.all()} == {"GOVE", "ECON"}
    assert all(budget.title_ar and budget.title_fr and budget.title_en for budget in datasets)
    assert [(resource.format, resource.url) for resource in budget.resources.order_by("position")] == [
        ("CSV", f"{SITE}/download/spending/commune-test/budget-lines.csv"),
        ("XLSX", f"{SITE}/download/spending/commune-test/budget-lines.xlsx"),
        ("JSON", f"{SITE}/download/spending/commune-test/budget-lines.json"),
        ("JSON", f"{SITE}/download/spending/commune-test/datapackage.json"),
    ]
    assert [resource.url for resource in datasets[3].resources.order_by("position")] == [
        f"{SITE}/api/v1/contracts/release-package.json?body=commune-test",
        f"{SITE}/api/v1/contracts/record-package.json?body=commune-test",
    ]


def test_running_it_again_changes_nothing_and_keeps_staff_choices(world, commune):
    first = publish_spending_datasets(commune)
    payments = first[1]
    payments.withdraw()
    Dataset.objects.filter(pk=payments.pk).update(licence=Licence.objects.get(slug="odc-odbl"))
    modified = {dataset.name: dataset.modified_at for dataset in Dataset.objects.all()}
    resources = set(Resource.objects.values_list("uuid", flat=True))

    call_command("publish_spending", body="commune-test", stdout=None)

    assert {dataset.name: dataset.modified_at for dataset in Dataset.objects.all()} == modified
    assert set(Resource.objects.values_list("uuid", flat=True)) == resources
    payments.refresh_from_db()
    assert payments.status == Dataset.Status.WITHDRAWN and payments.licence.slug == "odc-odbl"


def test_ckan_and_dcat_list_them(client, world, commune):
    publish_spending_datasets(commune)

    package = client.get("/api/3/action/package_show", {"id": "commune-test-budget"}).json()["result"]
    assert package["organization"]["name"] == "commune-test"
    assert f"{SITE}/download/spending/commune-test/budget-lines.csv" in [r["url"] for r in package["resources"]]

    graph = Graph().parse(data=client.get("/catalog.ttl").content.decode(), format="turtle")
    dcat = "http://www.w3.org/ns/dcat#"
    datasets = set(graph.objects(None, URIRef(dcat + "dataset")))
    assert URIRef("http://testserver/catalog/datasets/commune-test-subsidies") in datasets
    downloads = {str(url) for url in graph.objects(None, URIRef(dcat + "downloadURL"))}
    downloads |= {str(url) for url in graph.objects(None, URIRef(dcat + "accessURL"))}
    assert f"{SITE}/download/spending/commune-test/subsidies.xlsx" in downloads
