"""The spending import reads what finance systems export: encodings, delimiters, numbers as people write them,
workbooks with formulas and merged cells, wide files with a column per year, Arabic labels and digits."""

import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation

from opendata.spending.importing import import_spending
from opendata.spending.models import BudgetLine, Payment
from portal.dates import read_date
from portal.money import NotAnAmount, amount_reader, parse_amount, read_amount

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "decimal", "amount"),
    [
        ("1 234 567,89", ",", "1234567.89"),
        ("1\u00a0234\u00a0567,89", ",", "1234567.89"),
        ("1\u202f234,5", ",", "1234.5"),
        ("1.234.567,89", ",", "1234567.89"),
        ("1,234,567.89", ".", "1234567.89"),
        ("4 500 000 €", ",", "4500000"),
        ("1 250 DA", ",", "1250"),
        ("300 MAD", ".", "300"),
        ("د.ج 1200", ".", "1200"),
        ("(1 200,00)", ",", "-1200.00"),
        (" - ", ",", "0"),
        ("١٬٢٣٤٬٥٦٧٫٨٩", ",", "1234567.89"),
        ("۱۲۳", ".", "123"),
        ("-1 234,5", ",", "-1234.5"),
        ("12 34,50", ",", "1234.50"),
        ("1234.5", ".", "1234.5"),
    ],
)
def test_it_reads_amounts_as_finance_systems_write_them(text, decimal, amount):
    assert parse_amount(text, decimal) == Decimal(amount)
    assert amount_reader(decimal)(text) == read_amount(text, decimal)  # the fast path reads as the general one


@pytest.mark.parametrize(
    ("text", "day"),
    [("31/12/2024", "2024-12-31"), ("31-12-2024", "2024-12-31"), ("2024-12-31", "2024-12-31"), ("45657", "2024-12-31")],
)
def test_it_reads_day_first_iso_and_excel_dates(text, day):
    assert read_date(text, excel_serials=True).isoformat() == day


@pytest.mark.parametrize("text", ["12 abc", "1,5", "douze", "", "1 250 XYZ"])
def test_it_refuses_what_is_not_an_amount(text):
    with pytest.raises(NotAnAmount):
        parse_amount(text, ".")
    with pytest.raises(NotAnAmount):
        amount_reader(".")(text)


ARABIC_BUDGET = (
    "السنة;الباب;المادة;البيان;الاعتمادات\n"
    "2024;011;;أعباء التسيير;1500,50\n"
    "2024;011;6061;الماء والكهرباء;1000,25\n"
    "2024;011;6062;الغاز;500,25\n"
)
ARABIC_MAPPING = {
    "columns": {"year": "السنة", "function": "الباب", "economic": "المادة", "label": "البيان", "amount": "الاعتمادات"}
}
FRENCH_PAYMENTS = (
    "Date;Bénéficiaire;Montant;Objet\n"
    "31/12/2024;Société Générale des Eaux;4\u00a0500\u00a0000 €;Réfection du réseau d'eau\n"
    "15-03-2024;Association Élan;1 250,00 €;Subvention de fonctionnement\n"
)
FRENCH_MAPPING = {"columns": {"date": "Date", "supplier": "Bénéficiaire", "amount": "Montant", "purpose": "Objet"}}


def test_it_reads_a_windows_1256_arabic_budget_with_decimal_commas(tmp_path, commune):
    path = tmp_path / "budget.csv"
    path.write_bytes(ARABIC_BUDGET.encode("cp1256"))
    report = import_spending(path, body=commune, kind="budget", mapping=ARABIC_MAPPING)
    assert (report.created, report.errors, report.encoding) == (3, [], "windows-1256")
    line = BudgetLine.objects.get(economic_code="6061")
    assert (line.label, line.amount, line.currency, line.stage) == (
        "الماء والكهرباء",
        Decimal("1000.25"),
        "DZD",
        "voted",
    )
    assert BudgetLine.objects.get(economic_code="").function_code == "011"  # the leading zero kept


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("latin-1", ";"), ("utf-16", "\t"), ("utf-8-sig", ","), ("cp1252", ";")]
)
def test_it_reads_french_payments_in_every_encoding_and_delimiter(tmp_path, commune, encoding, delimiter):
    text = FRENCH_PAYMENTS.replace("€", "EUR") if encoding == "latin-1" else FRENCH_PAYMENTS
    if delimiter == ",":
        text = "\n".join(",".join(f'"{cell}"' for cell in line.split(";")) for line in text.splitlines())
    path = tmp_path / "paiements.csv"
    path.write_bytes(text.replace(";", delimiter).encode(encoding))
    report = import_spending(path, body=commune, kind="payments", mapping=FRENCH_MAPPING)
    assert (report.created, report.errors) == (2, [])
    payment = Payment.objects.get(supplier__name="Société Générale des Eaux")
    assert (payment.amount, payment.currency, str(payment.date)) == (Decimal("4500000"), "EUR", "2024-12-31")
    assert str(Payment.objects.get(supplier__name="Association Élan").date) == "2024-03-15"


def test_payments_keep_tabs_backslashes_and_missing_dates_as_written(tmp_path, commune):
    """What the database's bulk load would read otherwise (a tab, a backslash, "\\N") is stored as written."""
    path = tmp_path / "paiements.csv"
    rows = [["Date", "Bénéficiaire", "Montant", "Objet"], ["", "SARL Tab", "10,00", "a\tb \\N c:\\x"]]
    rows.append(["31/12/2024", "SARL Ligne", "20,00", "ligne\r\nsuivante"])
    path.write_text("\n".join(";".join(f'"{cell}"' for cell in row) for row in rows), encoding="utf-8")
    for created, unchanged in [(2, 0), (0, 2)]:  # imported, then again: nothing changed
        report = import_spending(path, body=commune, kind="payments", mapping=FRENCH_MAPPING, year=2024)
        assert (report.created, report.unchanged, report.errors) == (created, unchanged, [])
    stored = {payment.supplier.name: (payment.purpose, payment.date) for payment in Payment.objects.all()}
    assert stored["SARL Tab"] == ("a\tb \\N c:\\x", None)
    assert stored["SARL Ligne"][0] == "ligne\r\nsuivante"


def test_it_reads_a_workbook_with_a_merged_title_and_formulas(tmp_path, commune):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Budget primitif 2024 — Commune de Test"])
    sheet.merge_cells("A1:D1")
    sheet.append(["Chapitre", "Article", "Libellé", "Montant"])
    sheet.append(["011", "", "Charges à caractère général", "=SUM(D4:D5)"])
    sheet.append(["011", "6061", "Eau", 1000.5])
    sheet.append(["011", "6062", "Gaz", 499.5])
    sheet.append(["012", "", "Personnel", "=D7*2"])  # a formula whose value the file does not hold
    sheet.append(["", "", "", ""])
    path = tmp_path / "budget.xlsx"
    workbook.save(path)
    _cache_formula_value(path, "D3", "1500")  # as Excel writes it: the formula and its last value
    mapping = {"columns": {"function": "Chapitre", "economic": "Article", "label": "Libellé", "amount": "Montant"}}
    report = import_spending(path, body=commune, kind="budget", mapping=mapping, year=2024)
    assert report.created == 3
    assert [(error.row, error.message) for error in report.errors] == [(6, "the amount is empty")]
    assert BudgetLine.objects.get(function_code="011", economic_code="").amount == Decimal("1500")
    assert report.warnings == []  # 1500 = 1000.5 + 499.5


def _cache_formula_value(path, cell: str, value: str) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1<v>{value}</v>", sheet)
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_a_wide_file_becomes_one_line_per_year(tmp_path, commune):
    path = tmp_path / "comptes.csv"
    path.write_text("Article;Libellé;CA 2022;CA 2023\n6061;Eau;1 000,00;1 100,00\n6062;Gaz;;250,00\n", "utf-8")
    mapping = {"columns": {"economic": "Article", "label": "Libellé"}, "years": {"2022": "CA 2022", "2023": "CA 2023"}}
    report = import_spending(path, body=commune, kind="execution", mapping=mapping)
    assert (report.created, report.errors) == (3, [])
    lines = BudgetLine.objects.order_by("economic_code", "fiscal_year")
    assert [(line.economic_code, line.fiscal_year, line.amount, line.stage) for line in lines] == [
        ("6061", 2022, Decimal("1000.00"), "executed"),
        ("6061", 2023, Decimal("1100.00"), "executed"),
        ("6062", 2023, Decimal("250.00"), "executed"),
    ]


def test_it_reads_arabic_indic_digits_parentheses_and_dashes(tmp_path, commune):
    path = tmp_path / "execution.csv"
    path.write_text(
        'السنة,المادة,المبلغ,العملة\n٢٠٢٤,٦٠٦١,"١٬٢٣٤٫٥٠",د.ج\n٢٠٢٤,6062,"(1,200.00)",DZD\n٢٠٢٤,6063, - ,DZD\n',
        "utf-8",
    )
    mapping = {"columns": {"year": "السنة", "economic": "المادة", "amount": "المبلغ", "currency": "العملة"}}
    report = import_spending(path, body=commune, kind="execution", mapping=mapping)
    assert (report.created, report.errors) == (3, [])
    amounts = dict(BudgetLine.objects.values_list("economic_code", "amount"))
    assert amounts == {"6061": Decimal("1234.50"), "6062": Decimal("-1200.00"), "6063": Decimal("0")}
    assert set(BudgetLine.objects.values_list("fiscal_year", "currency")) == {(2024, "DZD")}
