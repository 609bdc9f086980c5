"""Amounts as councils export them: currency signs and codes, accounting dashes and parentheses, blank cells,
declared missing values; every database gives the same decimal text back."""

import pytest
from django.utils import translation

from opendata import datastore
from opendata.models import ResourceVersion
from tests.opendata.factories import ResourceFactory
from tests.opendata.test_ingest import upload

Status = ResourceVersion.Status


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def field(version, name) -> dict:
    return next(descriptor for descriptor in version.table_schema["fields"] if descriptor["name"] == name)


def column(resource, position: int) -> list:
    return [row[position] for row in datastore.iter_rows(resource)]


@pytest.mark.django_db
class CurrencyAmountsTestCase:
    def test_euros_with_grouped_digits_dashes_and_parentheses_are_numbers(self, django_capture_on_commit_callbacks):
        content = (
            "libellé;montant\n"
            "Voirie;4 500 000,00 €\n"
            "Cantine;1 250 €\n"
            "Fêtes; - \n"
            "Remboursement;(300,50) €\n"
            "Éclairage;€ 12 000,75\n"
        )
        resource = ResourceFactory()
        version = upload(resource, content.encode("cp1252"), "depenses.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert field(version, "montant") == {
            "name": "montant",
            "type": "number",
            "decimalChar": ",",
            "groupChar": " ",
            "bareNumber": False,
            "currency": "EUR",
        }
        assert column(resource, 1) == ["4500000.00", "1250", "0", "-300.50", "12000.75"]
        # Sorted as numbers, not as text ("1250" would come before "300" as text).
        ordered = datastore.search(resource, sort="montant asc")["records"]
        assert [record["libellé"] for record in ordered] == ["Remboursement", "Fêtes", "Cantine", "Éclairage", "Voirie"]

    @pytest.mark.parametrize(
        ("cells", "currency", "values"),
        [
            (["1 250 DA", "300 DA", "12 000,50 DA"], "DZD", ["1250", "300", "12000.50"]),
            (["12 000 د.ج", "7 500 دج", "-"], "DZD", ["12000", "7500", "0"]),
            (["300 MAD", "MAD 1 200", "45,5 DH"], "MAD", ["300", "1200", "45.5"]),
            (["1 500 DT", "200 TND", "—"], "TND", ["1500", "200", "0"]),
        ],
    )
    def test_dinars_dirhams_and_their_arabic_signs_are_numbers(
        self, cells, currency, values, django_capture_on_commit_callbacks
    ):
        content = "poste;montant\n" + "".join(f"p{n};{cell}\n" for n, cell in enumerate(cells))
        resource = ResourceFactory()
        version = upload(resource, content.encode(), "budget.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert field(version, "montant")["type"] == "number"
        assert field(version, "montant")["currency"] == currency
        assert column(resource, 1) == values

    def test_a_column_of_numbers_that_a_few_cells_keep_as_text_names_them(self, django_capture_on_commit_callbacks):
        rows = "".join(f"p{n};{n * 100}\n" for n in range(10))
        content = f"poste;montant\n{rows}p10;voir annexe\np11;n.c.\n"
        resource = ResourceFactory()
        version = upload(resource, content.encode(), "budget.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert field(version, "montant")["type"] == "string"
        assert (
            "Column “montant” is kept as text although it holds numbers: these cells are not numbers: "
            "row 12 “voir annexe”, row 13 “n.c.”."
        ) in version.validation_report["warnings"]

    def test_a_column_mixing_currencies_stays_text_and_says_so(self, django_capture_on_commit_callbacks):
        content = "poste;montant\na;1 200 DA\nb;300 €\nc;45 DA\nd;12 DA\ne;7 DA\n"
        resource = ResourceFactory()
        version = upload(resource, content.encode(), "budget.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert field(version, "montant")["type"] == "string"
        assert any("mixes currencies (DZD, EUR)" in warning for warning in version.validation_report["warnings"])
        assert column(resource, 1) == ["1 200 DA", "300 €", "45 DA", "12 DA", "7 DA"]

    def test_a_text_column_with_a_few_numbers_is_no_amount(self, django_capture_on_commit_callbacks):
        content = "rue;numéro\nA;12 rue des Oliviers\nB;3\nC;Place du 1er Novembre\n"
        resource = ResourceFactory()
        version = upload(resource, content.encode(), "rues.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert field(version, "numéro")["type"] == "string"
        assert version.validation_report["warnings"] == []


@pytest.mark.django_db
class MissingValuesTestCase:
    def test_blank_cells_of_spaces_leave_a_number_column_a_number(self, django_capture_on_commit_callbacks):
        content = "poste,montant\na,12.5\nb,   \nc,7\n"
        resource = ResourceFactory()
        version = upload(resource, content.encode(), "budget.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert field(version, "montant")["type"] == "number"
        assert column(resource, 1) == ["12.5", None, "7"]

    def test_the_schemas_missing_values_are_read_by_validation_and_by_the_load(
        self, django_capture_on_commit_callbacks
    ):
        schema = {
            "fields": [{"name": "poste", "type": "string"}, {"name": "montant", "type": "number"}],
            "missingValues": ["", "NA", "n.d."],
        }
        resource = ResourceFactory(declared_schema=schema)
        content = b"poste,montant\na,12\nb,NA\nc,n.d.\nNA,3\n"
        version = upload(resource, content, "budget.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert list(datastore.iter_rows(resource)) == [("a", "12"), ("b", None), ("c", None), (None, "3")]

    def test_a_fields_own_missing_values_win_over_the_schemas(self, django_capture_on_commit_callbacks):
        schema = {
            "fields": [
                {"name": "poste", "type": "string", "missingValues": ["-"]},
                {"name": "montant", "type": "number"},
            ],
            "missingValues": ["", "NA"],
        }
        resource = ResourceFactory(declared_schema=schema)
        version = upload(resource, b"poste,montant\n-,NA\nNA,1\n", "b.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert list(datastore.iter_rows(resource)) == [(None, None), ("NA", "1")]


@pytest.mark.django_db
def test_every_database_gives_back_the_same_decimal_text(django_capture_on_commit_callbacks):
    content = "poste,taux\na,.03\nb,+5\nc,007.50\nd,-.5\ne,1.5e3\n"
    resource = ResourceFactory()
    version = upload(resource, content.encode(), "taux.csv", django_capture_on_commit_callbacks)
    assert version.status == Status.LOADED, version.error
    assert column(resource, 1) == ["0.03", "5", "7.50", "-0.5", "1500"]
    assert [record["taux"] for record in datastore.search(resource)["records"]] == ["0.03", "5", "7.50", "-0.5", "1500"]


@pytest.mark.django_db
def test_the_preview_shows_amounts_with_their_currency_alike_and_unbroken(client, django_capture_on_commit_callbacks):
    from tests.opendata.factories import DatasetFactory

    dataset = DatasetFactory(status="published", name="budget")
    resource = ResourceFactory(dataset=dataset)
    content = "poste;montant\nVoirie;349 237 000,25 DA\nCantine;21 000 DA\n"
    upload(resource, content.encode(), "budget.csv", django_capture_on_commit_callbacks)
    path = f"/{{}}/data/budget/resources/{resource.uuid}/"
    french = [row[1] for row in client.get(path.format("fr")).context["rows"]]
    assert french == [("349\xa0237\xa0000,25\xa0DA", True), ("21\xa0000,00\xa0DA", True)]
    arabic = [row[1][0] for row in client.get(path.format("ar")).context["rows"]]
    assert arabic == ["349.237.000,25\xa0د.ج", "21.000,00\xa0د.ج"]
