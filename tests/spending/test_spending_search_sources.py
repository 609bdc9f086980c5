"""Suppliers, associations and contracting processes in the unified search; private persons never."""

import pytest
from django.utils import translation

from opendata.spending.models import Award, ContractingProcess, Supplier
from portal.models import SearchEntry
from search.indexing import refresh_entries
from search.services import SearchQuery, facet_labels, search
from tests.spending.api_data import PRIVATE_NAME

pytestmark = pytest.mark.django_db


def found(q: str, **filters) -> list[tuple[str, str]]:
    return [(hit.entry.kind, hit.entry.title) for hit in search(SearchQuery(q=q, **filters)).hits]


@pytest.fixture
def process(world, commune):
    process = ContractingProcess.objects.create(
        body=commune, ocid="ocds-abc-2024-1", title="Réfection de la route communale", fiscal_year=2024
    )
    Award.objects.create(process=process, award_id="1", supplier=world.company)
    Award.objects.create(process=process, award_id="2", supplier=world.person)
    return process


def test_an_association_is_found_by_its_arabic_name_without_article_or_hamza(world, process):
    refresh_entries(["supplier", "contract"])

    assert found("امل") == [("supplier", "جمعية الأمل للطفولة")]
    [entry] = SearchEntry.objects.filter(kind="supplier", record_id=str(world.association.pk))
    assert (entry.language, entry.url) == ("ar", f"/ar/spending/suppliers/{world.association.uuid}/")
    assert entry.body_id == world.payments[2].body_id  # paid by one body only: the body facet finds it


def test_a_contract_is_found_by_its_title_and_its_supplier_and_a_private_person_never(world, process):
    refresh_entries(["supplier", "contract"])

    assert found("route communale", kind="contract") == [("contract", "Réfection de la route communale")]
    assert ("contract", process.title) in found("Bâtir")
    [entry] = SearchEntry.objects.filter(kind="contract")
    assert entry.url == f"/fr/spending/contracts/{process.uuid}/"
    assert found("Benali") == []
    assert not SearchEntry.objects.filter(text__contains=PRIVATE_NAME).exists()
    with translation.override("en"):
        assert str(facet_labels("kind", ["supplier", "contract"])["supplier"]) == "Suppliers and associations"


def test_a_supplier_that_turns_out_to_be_a_private_person_leaves_the_search(world, process):
    refresh_entries(["supplier"])
    assert found("Bâtir", kind="supplier")

    world.company.kind = Supplier.Kind.INDIVIDUAL
    world.company.save()

    assert found("Bâtir", kind="supplier") == []
