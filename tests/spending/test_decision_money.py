"""Money and council decisions: a decision's page shows the money it authorised; figures link to their decision."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation

from opendata.spending.links import money_authorised_by
from opendata.spending.models import Supplier
from portal.money import format_money
from tests.cms.builders import council, decision, session
from tests.spending.builders import line, pay, supplier

pytestmark = pytest.mark.django_db
PERSON = "Samira Personne-Privée"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def council_page(commune):
    return council(commune, slug="apc-test")


@pytest.fixture
def decided(council_page, commune):
    page = decision(session(council_page), reference="07", title="Éclairage LED")  # year 2025
    company = supplier("EURL Lumière")
    pay(commune, company, "1000.25", year=2025, decision="07", purpose="Lampes")
    pay(commune, company, "500", year=2025, decision="07", kind="subsidy", currency="EUR")
    pay(commune, supplier(PERSON, Supplier.Kind.INDIVIDUAL), "40", year=2025, decision="07")
    pay(commune, company, "9999", year=2024, decision="07")  # before the decision: an earlier "07"
    pay(commune, company, "7777", year=2025, decision="08")
    line(commune, 2025, "voted", "08", "3000", decision="07")
    return page


def test_decision_money_page_shows_what_it_authorised(client, decided):
    content = client.get(decided.url).content.decode()

    with translation.override("ar"):
        assert format_money(Decimal("1040.25"), "DZD") in content  # payments and the private person's together
        assert format_money(Decimal("500"), "EUR") in content and format_money(Decimal("3000"), "DZD") in content
        assert (
            format_money(Decimal("9999"), "DZD") not in content and format_money(Decimal("7777"), "DZD") not in content
        )
    assert "EURL Lumière" in content and PERSON not in content


def test_decision_money_stops_at_the_next_decision_with_the_same_reference(council_page, decided, commune):
    later = session(council_page, date=datetime.date(2026, 2, 1))
    decision(later, reference="07", title="Autre", slug="07-2026")
    pay(commune, supplier("SARL Après"), "55", year=2026, decision="07")

    money = money_authorised_by(commune, "07", 2025)

    assert money.currency_totals == {"DZD": Decimal("1040.25"), "EUR": Decimal("500.00")}
    assert money_authorised_by(commune, "07", 2026).currency_totals == {"DZD": Decimal("55.00")}
    assert not money_authorised_by(commune, "99", 2025)


def test_decision_money_payments_link_to_their_decision(client, decided):
    listing = client.get("/ar/spending/commune-test/payments/?year=2025").content.decode()
    overview = client.get("/ar/spending/commune-test/?year=2025").content.decode()

    assert f'href="{decided.url}"' in listing
    assert f'href="{decided.url}"' in overview  # the decision that voted the year's lines
