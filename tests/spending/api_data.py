"""The small spending world the API, export, publishing and search tests share, made per test.

Commune de Test lists its private persons' payments with the name withheld; Région voisine shows them only in
totals (SpendingPolicy AGGREGATE). Codes keep their leading zeros; one label looks like a spreadsheet formula.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from opendata.spending.models import BudgetLine, Payment, SpendingPolicy, Supplier

PRIVATE_NAME = "Ahmed Benali"
FORMULA_LABEL = '=HYPERLINK("http://evil.example","x")'


@dataclass
class World:
    company: Supplier
    association: Supplier
    person: Supplier
    lines: list[BudgetLine]
    payments: list[Payment]


def make_line(body, year, stage, function, economic, amount, *, direction="expenditure", label="", section="operating"):
    line = BudgetLine(
        body=body, fiscal_year=year, stage=stage, direction=direction, section=section, function_code=function,
        economic_code=economic, label=label, amount=Decimal(amount), currency="DZD", decision_reference="D-12/2024",
    )  # fmt: skip
    line.key = line.identity()
    line.save()
    return line


def make_payment(body, supplier, amount, *, kind="payment", year=2024, date=None, purpose="", currency="DZD"):
    payment = Payment(
        body=body, supplier=supplier, kind=kind, fiscal_year=year, date=date, amount=Decimal(amount),
        currency=currency, purpose=purpose, function_code="007", economic_code="02100", decision_reference="D-7",
    )  # fmt: skip
    payment.key = payment.identity()
    payment.save()
    return payment


def make_supplier(name, kind, identifier=""):
    return Supplier.objects.create(name=name, kind=kind, identifier=identifier, key=Supplier.key_for(name, identifier))


@pytest.fixture
def world(commune, other_region):
    SpendingPolicy.objects.create(body=commune, individuals=SpendingPolicy.Individuals.WITHHOLD_NAME)
    SpendingPolicy.objects.create(body=other_region, individuals=SpendingPolicy.Individuals.AGGREGATE, currency="MAD")
    company = make_supplier("SARL Bâtir Plus", Supplier.Kind.COMPANY, "NIF 0001")
    association = make_supplier("جمعية الأمل للطفولة", Supplier.Kind.ASSOCIATION)
    person = make_supplier(PRIVATE_NAME, Supplier.Kind.INDIVIDUAL)
    lines = [
        make_line(commune, 2023, "voted", "007", "02100", "1000.10", label="Voirie"),
        make_line(commune, 2024, "voted", "007", "02100", "2000.20", label="Voirie"),
        make_line(commune, 2024, "executed", "007", "02100", "1500.05", label="Voirie"),
        make_line(commune, 2024, "voted", "09", "011", "300.00", label=FORMULA_LABEL),
        make_line(commune, 2024, "voted", "", "70", "900.00", direction="revenue", label="Impôts"),
        make_line(other_region, 2024, "voted", "007", "02100", "5.00"),
    ]
    payments = [
        make_payment(commune, company, "1234.56", date="2024-03-01", purpose="Travaux de voirie"),
        make_payment(commune, person, "500.00", date="2024-04-01", purpose=f"Indemnité de {PRIVATE_NAME}"),
        make_payment(commune, association, "750.25", kind="subsidy", date="2024-05-01", purpose="Colonie"),
        make_payment(other_region, person, "80.00", date="2024-06-01", currency="MAD"),
        make_payment(other_region, company, "99.99", year=2023, date="2023-06-01", currency="MAD"),
    ]
    return World(company, association, person, lines, payments)
