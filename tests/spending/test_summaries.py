"""opendata.spending.summaries: sums by stage, code, year and recipient, in the database, never across currencies."""

from decimal import Decimal

import pytest

from opendata.spending.models import BudgetLine, ClassificationCode, Payment, SpendingPolicy, Supplier
from opendata.spending.summaries import budget_summary, by_classification, by_year, top_recipients, totals

pytestmark = pytest.mark.django_db


def line(body, year, stage, function, amount, *, direction="expenditure", section="operating", label=""):
    record = BudgetLine(
        body=body, fiscal_year=year, stage=stage, direction=direction, section=section, function_code=function,
        label=label, amount=Decimal(amount), currency="DZD",
    )  # fmt: skip
    record.key = record.identity()
    record.save()
    return record


def pay(body, supplier, amount, *, year=2024, currency="DZD"):
    payment = Payment(body=body, supplier=supplier, fiscal_year=year, amount=Decimal(amount), currency=currency)
    payment.key = payment.identity()
    payment.save()
    return payment


def supplier(name, kind=Supplier.Kind.COMPANY):
    return Supplier.objects.create(name=name, kind=kind, key=Supplier.key_for(name))


def test_amounts_roll_up_to_the_level_asked_with_each_stage(commune):
    ClassificationCode.objects.create(scheme="functional", code="02", level=1, label_fr="Voirie", label_ar="الطرق")
    ClassificationCode.objects.create(scheme="functional", code="021", parent_code="02", level=2, label_fr="Routes")
    line(commune, 2024, "voted", "021", "1000.10")
    line(commune, 2024, "voted", "02", "500")
    line(commune, 2024, "executed", "021", "750.05")
    line(commune, 2024, "voted", "09", "3000", label="Écoles")
    line(commune, 2024, "voted", "", "7", label="Divers")

    figures = by_classification(commune, 2024, level=1)

    assert [(group.code, group.voted, group.executed) for group in figures] == [
        ("09", Decimal("3000"), None),
        ("02", Decimal("1500.10"), Decimal("750.05")),
        ("", Decimal("7"), None),
    ]
    assert figures[0].label == "Écoles"
    assert figures[1].execution_rate == Decimal("50.0")
    assert [group.code for group in by_classification(commune, 2024, level=2)][:2] == ["09", "021"]


def test_totals_and_years_keep_sections_and_stages_apart(commune):
    line(commune, 2023, "executed", "01", "10")
    line(commune, 2024, "voted", "01", "100")
    line(commune, 2024, "voted", "01", "40", section="investment")
    line(commune, 2024, "voted", "01", "900", direction="revenue")

    year = totals(commune, 2024)

    assert year[("expenditure", "", "DZD")].voted == Decimal("140")
    assert year[("expenditure", "investment", "DZD")].voted == Decimal("40")
    assert year[("revenue", "", "DZD")].voted == Decimal("900")
    assert [(y, f.voted, f.executed) for y, f in by_year(commune)] == [
        (2023, None, Decimal("10")),
        (2024, Decimal("140"), None),
    ]


def test_private_persons_are_summed_never_ranked_or_named(commune):
    company, association = supplier("SARL Bâtir"), supplier("جمعية الأمل", Supplier.Kind.ASSOCIATION)
    person = supplier("Ahmed Benali", Supplier.Kind.INDIVIDUAL)
    pay(commune, company, "100")
    pay(commune, company, "50.50")
    pay(commune, association, "120")
    pay(commune, person, "999")
    pay(commune, person, "1")

    top, persons = top_recipients(Payment.objects.filter(body=commune))

    assert [(r.name, r.total, r.count) for r in top] == [
        ("SARL Bâtir", Decimal("150.50"), 2),
        ("جمعية الأمل", Decimal("120"), 1),
    ]
    assert [(r.supplier, r.total, r.count) for r in persons] == [(None, Decimal("1000"), 2)]


def test_a_body_that_aggregates_private_persons_lists_none_of_their_payments(commune):
    person = supplier("Ahmed Benali", Supplier.Kind.INDIVIDUAL)
    withheld = pay(commune, person, "10")
    assert list(Payment.objects.listed()) == [withheld]
    assert person.public_name != "Ahmed Benali"

    SpendingPolicy.objects.create(body=commune, individuals=SpendingPolicy.Individuals.AGGREGATE)

    assert list(Payment.objects.listed()) == []
    assert top_recipients(Payment.objects.all())[1][0].total == Decimal("10")


def test_the_summary_groups_in_one_query_and_never_adds_currencies(commune, django_assert_num_queries):
    line(commune, 2024, "voted", "01", "100")
    line(commune, 2024, "voted", "02", "20.25")
    other = line(commune, 2024, "voted", "03", "5")
    BudgetLine.objects.filter(pk=other.pk).update(currency="EUR")

    with django_assert_num_queries(1):
        rows = budget_summary(BudgetLine.objects.all(), ["year", "stage"])

    assert rows == [
        {"year": 2024, "stage": "voted", "currency": "DZD", "amount": Decimal("120.25"), "lines": 2},
        {"year": 2024, "stage": "voted", "currency": "EUR", "amount": Decimal("5"), "lines": 1},
    ]


def test_bodies_and_suppliers_totals_per_latest_year_body_and_currency(commune, other_region):
    from opendata.spending.summaries import bodies_with_figures, received_by

    line(commune, 2023, "voted", "01", "5")
    line(commune, 2024, "voted", "01", "100.5")
    line(commune, 2024, "executed", "01", "90")
    company = supplier("SARL Bâtir")
    pay(other_region, company, "7", year=2022, currency="MAD")
    pay(commune, company, "3.5", year=2024)
    pay(commune, company, "1.5", year=2024)

    bodies = {entry.body.slug: entry for entry in bodies_with_figures()}

    assert bodies["commune-test"].year == 2024
    assert [(f.voted, f.executed) for f in bodies["commune-test"].expenditure] == [(Decimal("100.5"), Decimal("90"))]
    assert bodies["region-voisine"].year == 2022 and bodies["region-voisine"].expenditure == []
    assert [(r.body.slug, r.year, r.total, r.count, r.currency) for r in received_by(company)] == [
        ("commune-test", 2024, Decimal("5"), 2, "DZD"),
        ("region-voisine", 2022, Decimal("7"), 1, "MAD"),
    ]


def test_a_purpose_never_names_the_private_person_paid(commune):
    person = supplier("Ahmed Ben-Ali", Supplier.Kind.INDIVIDUAL)
    payment = pay(commune, person, "10")
    payment.purpose = "Indemnité d'expropriation de M. AHMED Ben-Ali (parcelle 12, Ahmedia)"
    assert payment.public_purpose == "Indemnité d'expropriation de M. … … (parcelle 12, Ahmedia)"
    company = pay(commune, supplier("Ben-Ali SARL"), "10")
    company.purpose = "Travaux Ben-Ali"
    assert company.public_purpose == "Travaux Ben-Ali"
