"""The public spending pages: overview with charts and tables, their downloads, payments, suppliers, contracts."""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.utils import translation

from opendata.spending.models import Award, ClassificationCode, ContractingProcess, SpendingPolicy, Supplier
from portal.money import format_money
from tests.ratelimits import rate_limits
from tests.spending.builders import line, pay, supplier

pytestmark = pytest.mark.django_db

PERSON = "Karim Personne-Privée"
XSS = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # pages and rate counters of another test never answer this one


@pytest.fixture
def figures(commune):
    ClassificationCode.objects.create(scheme="functional", code="007", label_fr="Eau", label_ar="الماء")
    line(commune, 2024, "voted", "007", "1234567.50")
    line(commune, 2024, "executed", "007", "1000000")
    line(commune, 2024, "voted", "02", "400000", section="investment", label=f"Voirie {XSS}")
    line(commune, 2023, "voted", "007", "900000")
    line(commune, 2024, "voted", "", "2000000", direction="revenue")
    company = supplier(f"SARL Bâtir {XSS}")
    pay(commune, company, "150000", purpose="Travaux")
    pay(commune, supplier("جمعية الأمل", Supplier.Kind.ASSOCIATION), "80000", kind="subsidy")
    pay(commune, supplier(PERSON, Supplier.Kind.INDIVIDUAL), "5000", purpose=f"Indemnité de {PERSON}")
    return company


def test_spending_pages_overview_in_arabic_and_french(client, figures):
    arabic = client.get("/ar/spending/commune-test/").content.decode()
    french = client.get("/fr/spending/commune-test/?year=2024").content.decode()

    assert 'dir="rtl"' in arabic
    with translation.override("ar"):
        assert format_money(Decimal("1234567.50"), "DZD") in arabic  # 1.234.567,50 د.ج
    with translation.override("fr"):
        assert format_money(Decimal("1234567.50"), "DZD") in french  # 1 234 567,50 DA
    for content in (arabic, french):
        assert content.count("<svg") >= 5 and "<table" in content and "<caption" in content
        assert 'class="treemap__tile' in content and "?year=2024&amp;download=functions&amp;format=xlsx" in content
    assert "Eau" in french and "الماء" in arabic  # the code list's label in the page's language


def test_spending_pages_year_selector_and_bad_addresses(client, figures):
    assert 'value="2023"' in client.get("/fr/spending/commune-test/").content.decode()
    assert client.get("/fr/spending/commune-test/?year=2023").status_code == 200
    assert client.get("/fr/spending/commune-test/?year=1999").status_code == 404
    assert client.get("/fr/spending/commune-test/?year=abc").status_code == 404
    assert client.get("/fr/spending/commune-test/?download=nothing&format=csv").status_code == 404
    assert client.get("/fr/spending/commune-test/?download=functions&format=exe").status_code == 404
    assert client.get("/fr/spending/no-such-body/").status_code == 404


def test_spending_pages_table_downloads_are_exactly_the_table(client, figures):
    base = "/fr/spending/commune-test/?year=2024&download=functions&format="

    text = client.get(base + "csv").content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows[0]) == 7 and rows[0][0] == "Code"
    assert rows[1:] == [
        ["007", "Eau", "1234567.50", "", "1000000.00", "81.0", "DZD"],
        ["02", f"Voirie {XSS}", "400000.00", "", "", "", "DZD"],
    ]

    response = client.get(base + "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:3] == ["007", "Eau", 1234567.5] and values[2][0] == "02"

    document = json.loads(client.get(base + "json").content)
    assert document["records"][0] == {
        "code": "007", "label": "Eau", "voted": "1234567.50", "amended": None, "executed": "1000000.00",
        "execution_rate": "81.0", "currency": "DZD",
    }  # fmt: skip


def test_spending_pages_downloads_are_rate_limited(client, figures):
    url = "/fr/spending/commune-test/?year=2024&download=totals&format=json"
    with rate_limits(download="2/h"):
        assert [client.get(url).status_code for _request in range(3)] == [200, 200, 429]
        assert client.get("/fr/spending/commune-test/?year=2024").status_code == 200  # the page itself is not


def test_spending_pages_escape_names_and_labels_in_html_and_svg(client, figures):
    content = client.get("/fr/spending/commune-test/?year=2024").content.decode()
    assert XSS not in content
    assert "&lt;script&gt;" in content.split("<svg", 1)[1]  # the treemap's tooltip and the bars' labels


def test_spending_pages_never_name_a_private_person(client, figures, commune):
    person = Supplier.objects.get(kind=Supplier.Kind.INDIVIDUAL)
    urls = [
        "/fr/spending/",
        "/fr/spending/commune-test/?year=2024",
        "/fr/spending/commune-test/?year=2024&download=suppliers&format=csv",
        "/fr/spending/commune-test/payments/",
        "/fr/spending/commune-test/payments/?download=payments&format=json",
        "/fr/spending/commune-test/payments/?download=payments&format=csv",
        "/fr/spending/suppliers/?q=Karim",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert PERSON not in response.content.decode(), url
    listing = client.get("/fr/spending/commune-test/payments/").content.decode()
    assert "Personne physique (nom masqué)" in listing  # the French catalogue's "Private person (name withheld)"
    # Searching the listing by the person's name must not reveal the payment.
    assert "Indemnité" not in client.get("/fr/spending/commune-test/payments/?q=Karim").content.decode()
    assert client.get(f"/fr/spending/suppliers/{person.uuid}/").status_code == 404


def test_spending_pages_aggregate_policy_keeps_private_persons_in_totals_only(client, figures, commune):
    SpendingPolicy.objects.create(body=commune, individuals=SpendingPolicy.Individuals.AGGREGATE)

    listing = client.get("/fr/spending/commune-test/payments/").content.decode()
    rows = json.loads(client.get("/fr/spending/commune-test/payments/?download=payments&format=json").content)
    overview = client.get("/fr/spending/commune-test/?year=2024&download=suppliers&format=json")

    assert "Indemnité" not in listing and "Travaux" in listing
    assert [record["purpose"] for record in rows["records"]] == ["Travaux"]
    totals = {record["name"]: record["total"] for record in json.loads(overview.content)["records"]}
    assert totals[f"SARL Bâtir {XSS}"] == "150000.00" and "5000.00" in totals.values()


def test_spending_pages_supplier_search_and_page(client, figures, commune, other_region):
    pay(other_region, figures, "99.95", year=2023, currency="MAD")
    process = ContractingProcess.objects.create(body=commune, ocid="ocds-x-1", title="Route", fiscal_year=2024)
    Award.objects.create(process=process, award_id="A1", supplier=figures, value=Decimal("5000"), currency="DZD")

    found = client.get("/fr/spending/suppliers/?q=batir").content.decode()  # folded: no accent, any case
    assert "SARL Bâtir" in found
    assert "جمعية الأمل" in client.get("/ar/spending/suppliers/?q=الامل").content.decode()

    page = client.get(f"/fr/spending/suppliers/{figures.uuid}/").content.decode()
    with translation.override("fr"):
        assert format_money(Decimal("150000"), "DZD") in page and format_money(Decimal("99.95"), "MAD") in page
    assert "Région voisine" in page and "Route" in page

    contracts = client.get("/fr/spending/contracts/?body=commune-test&year=2024").content.decode()
    assert "Route" in contracts
    assert "Route" not in client.get("/fr/spending/contracts/?year=2020").content.decode()
    assert "SARL Bâtir" in client.get(f"/fr/spending/contracts/{process.uuid}/").content.decode()


@pytest.mark.parametrize("lines", [2, 40])
def test_spending_pages_overview_queries_do_not_grow_with_lines(client, figures, commune, lines,
                                                                django_assert_max_num_queries):  # fmt: skip
    for number in range(lines):
        line(commune, 2024, "voted", f"{number:03d}9", "10")
        pay(commune, supplier(f"Entreprise {number}"), "10")
    with django_assert_max_num_queries(24):
        assert client.get("/fr/spending/commune-test/?year=2024").status_code == 200
