"""The demo catalogue of `load_demo`: datasets in Arabic and French whose files are in the DataStore, loaded once."""

import csv
import io
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from opendata import datastore
from opendata import demo as opendata_demo
from opendata.models import Dataset, Resource, ResourceVersion
from portal.accounts import demo as accounts_demo
from portal.bodies import demo as bodies_demo

COUNTED = [
    "opendata.Dataset",
    "opendata.Resource",
    "opendata.ResourceVersion",
    "opendata.TaggedDataset",
    "taggit.Tag",
]
TABULAR = ("CSV", "XLSX")


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


@pytest.fixture
def catalogue(db):
    """The demo catalogue and the bodies and staff it needs, without the rest of the demo (its pages)."""
    for demo in (bodies_demo, accounts_demo, opendata_demo):
        demo.load(StringIO())


def resource_of(dataset_name: str, position: int = 0) -> Resource:
    return Resource.objects.get(dataset__name=dataset_name, position=position)


@pytest.mark.django_db
class LoadDemoCatalogueTestCase:
    def test_it_is_idempotent(self):
        output = StringIO()
        call_command("load_demo", stdout=output)
        assert "datasets: 14 published, 15 in all" in output.getvalue()
        first = counts()
        modified = dict(Dataset.objects.values_list("name", "modified_at"))
        call_command("load_demo", stdout=StringIO())
        assert counts() == first
        assert dict(Dataset.objects.values_list("name", "modified_at")) == modified

    def test_it_loads_every_tabular_resource_into_the_datastore(self, catalogue):
        tabular = Resource.objects.filter(format__in=TABULAR).select_related("current_version")
        assert tabular.count() >= 14
        for resource in tabular:
            version = resource.current_version
            assert version.status == ResourceVersion.Status.LOADED, (resource, version.error)
            assert resource.datastore_version_id == version.pk
            assert resource.datastore_rows == version.rows_loaded > 0, resource

    def test_its_datasets_speak_arabic_and_french(self, catalogue):
        datasets = Dataset.objects.published()
        assert datasets.count() >= 12
        for dataset in datasets:
            assert dataset.title_ar and dataset.title_fr, dataset.name
            assert dataset.notes_ar and dataset.notes_fr, dataset.name
            assert dataset.themes.exists() and dataset.tags.exists(), dataset.name
            assert dataset.temporal_start <= dataset.temporal_end
        assert datasets.exclude(title_en="").count() >= 6
        assert {dataset.body.slug for dataset in datasets} >= {"commune-blida", "wilaya-blida", "commune-sale"}
        assert Dataset.objects.get(name="etals-marche-couvert").status == Dataset.Status.DRAFT

    def test_the_2025_budget_keeps_its_first_version(self, client, catalogue):
        budget = resource_of("budget-commune-blida")
        assert list(budget.versions.values_list("number", "original_name")) == [
            (2, "budget-2025.csv"),
            (1, "budget-2025.csv"),
        ]
        first = client.get(f"/download/{budget.uuid}/v1/")
        current = client.get(f"/download/{budget.uuid}/")
        assert b"".join(first.streaming_content) != b"".join(current.streaming_content)
        line = datastore.search(budget, filters={"article": "602"})["records"][0]
        assert Decimal(line["montant_dzd"]) == Decimal("49326000.25")  # the corrected amount, in the DataStore

    def test_it_reads_semicolons_decimal_commas_and_windows_1256(self, catalogue):
        budget_2026 = resource_of("budget-commune-blida", 1)
        amounts = {field.id: field.type for field in datastore.fields_of(budget_2026)}
        assert amounts["montant_dzd"] == "number"
        record = datastore.search(budget_2026, filters={"article": "701"})["records"][0]
        assert Decimal(record["montant_dzd"]) == Decimal("10753050.52")

        civil = resource_of("statistiques-etat-civil")
        assert civil.current_version.dialect.get("encoding", "").lower() in ("cp1256", "windows-1256")
        assert [field.id for field in datastore.fields_of(civil)] == [
            "السنة",
            "الشهر",
            "الولادات",
            "عقود الزواج",
            "الوفيات",
        ]
        assert civil.datastore_rows == 72

    def test_its_rows_download_as_utf8_csv(self, client, catalogue):
        civil = resource_of("statistiques-etat-civil")
        response = client.get(f"/download/{civil.uuid}/rows.csv?bom=1")
        text = b"".join(response.streaming_content).decode("utf-8")
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
        assert rows[0] == ["السنة", "الشهر", "الولادات", "عقود الزواج", "الوفيات"]
        assert len(rows) == 73

    def test_it_has_a_workbook_a_declared_schema_a_link_and_a_document(self, client, catalogue):
        execution = resource_of("execution-budget-2025")
        assert execution.current_version.original_name.endswith(".xlsx")
        assert execution.datastore_rows == 52

        communes = resource_of("communes-wilaya-blida")
        assert datastore.search(communes, filters={"commune_fr": "Blida"})["records"][0]["code"] == "0901"

        link = resource_of("communes-wilaya-blida", 1)
        assert link.url == "https://www.ons.dz/" and not link.versions.exists()
        assert client.get(f"/download/{link.uuid}/")["Location"] == "https://www.ons.dz/"

        note = resource_of("budget-commune-blida", 2)
        assert note.current_version.status == ResourceVersion.Status.STORED
        assert client.get(f"/download/{note.uuid}/")["Content-Type"] == "application/pdf"
