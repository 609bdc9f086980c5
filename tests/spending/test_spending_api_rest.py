"""The spending REST API (/api/v1/budget-lines/, payments, subsidies, suppliers): filters, money, private persons."""

import pytest

from tests.spending.api_data import PRIVATE_NAME

pytestmark = pytest.mark.django_db


def get(client, url, params=None, status=200, **headers):
    response = client.get(url, params or {}, headers=headers or None)
    assert response.status_code == status, response.content
    return response


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 6),
        ({"body": "commune-test"}, 5),
        ({"body": "commune-test", "year": 2024}, 4),
        ({"kind": "executed"}, 1),
        ({"direction": "revenue"}, 1),
        ({"function": "007", "year": 2024}, 3),
        ({"function": "7"}, 0),
        ({"economic": "02100", "body": "region-voisine"}, 1),
        ({"section": "investment"}, 0),
    ],
)
def test_budget_lines_filter_like_the_pages(client, world, params, expected):
    assert get(client, "/api/v1/budget-lines/", params).json()["count"] == expected


def test_a_budget_line_has_its_codes_as_text_and_its_amount_as_a_decimal_string(client, world):
    body = get(client, "/api/v1/budget-lines/", {"body": "commune-test", "year": 2023}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    [line] = body["results"]
    assert line == {
        "uuid": str(world.lines[0].uuid),
        "body": "commune-test",
        "fiscal_year": 2023,
        "stage": "voted",
        "direction": "expenditure",
        "section": "operating",
        "function": "007",
        "economic": "02100",
        "label": "Voirie",
        "amount": "1000.10",
        "currency": "DZD",
        "decision": "D-12/2024",
    }
    assert get(client, f"/api/v1/budget-lines/{line['uuid']}/").json() == line


@pytest.mark.parametrize(
    ("params", "status"),
    [({"year": "99999"}, 400), ({"kind": "planned"}, 400), ({"page": "0"}, 400)],
)
def test_bad_filters_are_problems(client, world, params, status):
    response = get(client, "/api/v1/budget-lines/", params, status=status)
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"]) <= set(params)


def test_the_summary_sums_in_one_query_per_group_and_currency(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        body = get(
            client,
            "/api/v1/budget-lines/summary/",
            {"group_by": "function,year", "kind": "voted", "direction": "expenditure"},
        ).json()
    assert body["group_by"] == ["function", "year"]
    assert body["results"] == [
        {"function": "007", "year": 2023, "currency": "DZD", "amount": "1000.10", "lines": 1},
        {"function": "007", "year": 2024, "currency": "DZD", "amount": "2005.20", "lines": 2},
        {"function": "09", "year": 2024, "currency": "DZD", "amount": "300.00", "lines": 1},
    ]
    totals = get(client, "/api/v1/budget-lines/summary/", {"body": "commune-test", "year": 2024}).json()
    assert totals["results"] == [{"currency": "DZD", "amount": "4700.25", "lines": 4}]


def test_an_unknown_grouping_is_a_problem_naming_the_allowed_ones(client, world):
    response = get(client, "/api/v1/budget-lines/summary/", {"group_by": "year,colour,"}, status=400)
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert problem["status"] == 400
    [message] = problem["errors"]["group_by"]
    assert "colour" in message and "function" in message and "economic" in message


def test_payments_name_companies_and_never_private_persons(client, world):
    body = get(client, "/api/v1/payments/", {"body": "commune-test"}, accept_language="en").json()
    by_amount = {payment["amount"]: payment for payment in body["results"]}
    assert set(by_amount) == {"1234.56", "500.00"}
    assert by_amount["1234.56"]["supplier"] == {
        "uuid": str(world.company.uuid),
        "name": "SARL Bâtir Plus",
        "kind": "company",
    }
    assert by_amount["500.00"]["supplier"]["uuid"] is None
    assert by_amount["500.00"]["supplier"]["name"] == "Private person (name withheld)"
    assert by_amount["1234.56"]["function"] == "007" and by_amount["1234.56"]["decision"] == "D-7"


def test_a_body_that_aggregates_private_persons_lists_none_of_their_payments(client, world):
    body = get(client, "/api/v1/payments/", {"body": "region-voisine"}).json()
    assert [payment["amount"] for payment in body["results"]] == ["99.99"]
    person_payment = world.payments[3]
    get(client, f"/api/v1/payments/{person_payment.uuid}/", status=404)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": 2023}, ["99.99"]),
        ({"date_from": "2024-03-15"}, ["500.00"]),
        ({"date_to": "2024-03-15", "year": 2024}, ["1234.56"]),
        ({"decision": "D-7", "function": "007", "economic": "02100", "body": "commune-test"}, ["500.00", "1234.56"]),
    ],
)
def test_payment_filters(client, world, params, expected):
    assert [payment["amount"] for payment in get(client, "/api/v1/payments/", params).json()["results"]] == expected


def test_filtering_by_supplier_never_reaches_a_private_person(client, world):
    found = get(client, "/api/v1/payments/", {"supplier": str(world.company.uuid)}).json()["results"]
    assert sorted(payment["amount"] for payment in found) == ["1234.56", "99.99"]
    assert get(client, "/api/v1/payments/", {"supplier": str(world.person.uuid)}).json()["count"] == 0
    get(client, "/api/v1/payments/", {"supplier": "not-a-uuid"}, status=400)


def test_subsidies_are_their_own_listing(client, world):
    [subsidy] = get(client, "/api/v1/subsidies/").json()["results"]
    assert subsidy["supplier"]["name"] == "جمعية الأمل للطفولة" and subsidy["kind"] == "subsidy"
    assert subsidy["amount"] == "750.25"


def test_suppliers_have_totals_per_kind_and_currency_and_private_persons_are_never_listed(client, world):
    body = get(client, "/api/v1/suppliers/").json()
    assert sorted(supplier["name"] for supplier in body["results"]) == ["SARL Bâtir Plus", "جمعية الأمل للطفولة"]
    company = get(client, f"/api/v1/suppliers/{world.company.uuid}/").json()
    assert company["totals"] == [
        {"kind": "payment", "currency": "DZD", "amount": "1234.56", "count": 1},
        {"kind": "payment", "currency": "MAD", "amount": "99.99", "count": 1},
    ]
    assert company["payments"].endswith(f"/api/v1/payments/?supplier={world.company.uuid}")
    get(client, f"/api/v1/suppliers/{world.person.uuid}/", status=404)


@pytest.mark.parametrize(("q", "found"), [("الامل", 1), ("bâtir", 1), ("NIF 0001", 1), ("Benali", 0)])
def test_suppliers_are_found_by_name(client, world, q, found):
    assert get(client, "/api/v1/suppliers/", {"q": q}).json()["count"] == found


def test_no_response_ever_names_a_private_person(client, world):
    for url in ("/api/v1/payments/", "/api/v1/subsidies/", "/api/v1/suppliers/", "/api/v1/suppliers/?q=Ahmed"):
        assert PRIVATE_NAME not in get(client, url).content.decode()


@pytest.mark.parametrize("body", ["a\x00b", "x" * 101])
def test_a_hostile_body_filter_is_a_problem_not_an_error(client, world, body):
    response = get(client, "/api/v1/payments/", {"body": body}, status=400)
    assert set(response.json()["errors"]) == {"body"}
