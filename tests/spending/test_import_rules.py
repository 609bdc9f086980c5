"""What the spending import refuses, reports and never does: bad mappings and rows, repeated rows, totals that do
not add up, a second import of the same file, an import that fails half-way."""

from decimal import Decimal

import pytest
from django.utils import translation

from opendata.models import Dataset
from opendata.spending.importing import import_spending
from opendata.spending.models import BudgetLine, ClassificationCode, Payment, SpendingPolicy, Supplier
from portal.importing import MappingError

pytestmark = pytest.mark.django_db

PAYMENTS = (
    "Date;Fournisseur;NIF;Montant;Objet;Article\n"
    "31/12/2024;SARL Alpha;000 123 456;1 250,50;Fournitures;6061\n"
    "02/01/2024;Association Nour;;5 000,00;Subvention;6574\n"
    "31/12/2024;SARL Alpha;000 123 456;1 250,50;Fournitures;6061\n"
)
MAPPING = {
    "columns": {
        "date": "Date", "supplier": "Fournisseur", "supplier_id": "NIF", "amount": "Montant", "purpose": "Objet",
        "economic": "Article",
    }
}  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def write(tmp_path, text: str, name: str = "file.csv"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_a_mapping_naming_a_missing_column_is_refused_with_the_files_columns(tmp_path, commune):
    path = write(tmp_path, PAYMENTS)
    with pytest.raises(MappingError) as refused:
        import_spending(path, body=commune, kind="payments", mapping={"columns": {"amount": "Somme", "date": "Date"}})
    assert "'Somme'" in str(refused.value)
    assert "'Fournisseur', 'NIF', 'Montant'" in str(refused.value)
    assert not Payment.objects.exists() and not Supplier.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("31/12/2024;X;;12 abc;;6061", "“12 abc” is not an amount"),
        ("31/12/2024;X;;-40,00;;6061", "the amount “-40,00” is negative"),
        ("31/12/2024;X;;(40,00);;6061", "the amount “(40,00)” is negative"),
        ("31/12/2024;X;;40,001;;6061", "“40,001” has more than two decimals"),
        ("31/12/2024;X;;40,00;;9999", "the code “9999” is not in the By economic nature classification"),
        ("32/12/2024;X;;40,00;;6061", "“32/12/2024” is not a date"),
        ("31/12/2024;;;40,00;;6061", "no supplier or beneficiary"),
        ("31/12/2024;X;;40,00 XYZ;;6061", "“40,00 XYZ” is not an amount"),
    ],
)
def test_a_bad_row_is_rejected_with_its_line_and_why(tmp_path, commune, row, message):
    ClassificationCode.objects.create(scheme="economic", code="6061")
    ClassificationCode.objects.create(body=commune, scheme="economic", code="6574")
    path = write(tmp_path, PAYMENTS + row + "\n")
    report = import_spending(path, body=commune, kind="payments", mapping=MAPPING)
    assert (report.created, report.repeated) == (2, [4])
    assert [error.row for error in report.errors] == [5]
    assert message in report.errors[0].message


def test_a_currency_is_required_and_iso_4217_shaped(tmp_path, commune):
    commune.country = "XX"  # no currency known for the body's country
    commune.save()
    path = write(tmp_path, "Fournisseur;Montant;Devise;Année\nA;10;;2024\nB;10;dinars;2024\nC;10;mad;2024\nD;10 €;;\n")
    mapping = {"columns": {"supplier": "Fournisseur", "amount": "Montant", "currency": "Devise", "year": "Année"}}
    report = import_spending(path, body=commune, kind="subsidies", mapping=mapping)
    assert [(error.row, error.message) for error in report.errors] == [
        (2, "no currency: the row, its amount and the import name none, and the body has no currency"),
        (3, "“dinars” is not an ISO 4217 currency code (DZD, MAD, EUR…)"),
        (5, "no fiscal year: the row and the import name none"),
    ]
    assert list(Payment.objects.values_list("currency", "kind")) == [("MAD", "subsidy")]
    SpendingPolicy.objects.create(body=commune, currency="TND")
    report = import_spending(path, body=commune, kind="subsidies", mapping=mapping, year=2023)
    assert report.created == 2 and report.unchanged == 1
    assert dict(Payment.objects.values_list("supplier__name", "currency")) == {"A": "TND", "C": "MAD", "D": "EUR"}


def test_a_total_that_is_not_the_sum_of_its_lines_is_imported_with_a_warning(tmp_path, commune):
    path = write(
        tmp_path,
        "Année;Chapitre;Article;Montant\n2024;011;;1 500\n2024;011;6061;1 000\n2024;011;6062;400\n"
        "2024;012;;300\n2024;0121;;100\n2024;0122;;200\n",
    )
    mapping = {"columns": {"year": "Année", "function": "Chapitre", "economic": "Article", "amount": "Montant"}}
    report = import_spending(path, body=commune, kind="budget", mapping=mapping)
    assert report.created == 6
    assert [(warning.row, warning.reference) for warning in report.warnings] == [(2, "011")]
    assert "the total 1500.00 is not the sum of the lines below it (1400.00)" in report.warnings[0].message
    assert "1 warnings" in report.summary()
    assert BudgetLine.objects.get(function_code="011", economic_code="").amount == Decimal("1500")  # not fixed


def test_a_voted_line_is_never_negative_an_amended_one_may_be(tmp_path, commune):
    path = write(
        tmp_path, "Année;Article;Étape;Montant\n2024;6061;voté;-10\n2024;6061;amended;-10\n2024;6062;executed;5\n"
    )
    mapping = {"columns": {"year": "Année", "economic": "Article", "stage": "Étape", "amount": "Montant"}}
    report = import_spending(path, body=commune, kind="budget", mapping=mapping)
    assert [(error.row, error.message) for error in report.errors] == [
        (2, "the amount “-10” is negative"),
        (4, "a Budget (voted or amended lines) file holds no Executed lines"),
    ]
    assert list(BudgetLine.objects.values_list("stage", "amount")) == [("amended", Decimal("-10.00"))]


def test_an_earlier_lines_identity_with_other_values_is_rejected(tmp_path, commune):
    path = write(tmp_path, "Année;Article;Montant\n2024;6061;10\n2024;6061;20\n")
    report = import_spending(
        path,
        body=commune,
        kind="budget",
        mapping={"columns": {"year": "Année", "economic": "Article", "amount": "Montant"}},
    )
    assert report.created == 1 and [error.row for error in report.errors] == [3]
    assert "an earlier line has the same year, stage, direction, section and codes" in report.errors[0].message


def test_importing_the_same_file_again_changes_nothing_and_a_changed_row_is_updated(tmp_path, commune):
    path = write(tmp_path, PAYMENTS)
    first = import_spending(path, body=commune, kind="payments", mapping=MAPPING)
    assert (first.created, first.updated, first.unchanged, first.repeated) == (2, 0, 0, [4])
    stamps = list(Payment.objects.order_by("pk").values_list("updated_at", flat=True))
    again = import_spending(path, body=commune, kind="payments", mapping=MAPPING)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Payment.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert Supplier.objects.count() == 2
    assert Supplier.objects.get(name="SARL Alpha").key == "id:000123456"
    # The import published the body's payments in the catalogue, once.
    assert list(Dataset.objects.filter(body=commune).values_list("name", flat=True)) == ["commune-test-payments"]


def test_a_failed_import_leaves_the_previous_figures_intact(tmp_path, commune):
    path = write(tmp_path, "Année;Article;Montant\n2024;6061;10\n2024;6062;20\n")
    mapping = {"columns": {"year": "Année", "economic": "Article", "amount": "Montant"}}
    import_spending(path, body=commune, kind="budget", mapping=mapping)
    changed = write(tmp_path, "Année;Article;Montant\n2024;6061;11\n2024;6062;21\n2024;6063;31\n", "changed.csv")

    def fail_after_the_first_batch(rows, seconds):
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        import_spending(
            changed, body=commune, kind="budget", mapping=mapping, batch_size=1, progress=fail_after_the_first_batch
        )
    assert dict(BudgetLine.objects.values_list("economic_code", "amount")) == {"6061": 10, "6062": 20}
    nothing = write(tmp_path, "Année;Article;Montant\n2024;6061;onze\n", "nothing.csv")
    report = import_spending(nothing, body=commune, kind="budget", mapping=mapping)
    assert (report.created, report.updated, report.unchanged, len(report.errors)) == (0, 0, 0, 1)
    assert dict(BudgetLine.objects.values_list("economic_code", "amount")) == {"6061": 10, "6062": 20}
