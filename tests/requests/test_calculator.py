"""The public deadline calculator: its API (RFC 9457 problems for bad input, rate-limited) and its page."""

import pytest
from django.urls import reverse

from participation.requests.models import BodyLaw, Law
from tests.factories import PublicBodyFactory
from tests.ratelimits import rate_limits

pytestmark = pytest.mark.django_db

API = "/api/v1/information-requests/deadline/"


def get(client, language="en", **params):
    return client.get(API, params, HTTP_ACCEPT_LANGUAGE=language)


def assert_problem(response, parameter: str):
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["title"]) == (400, "Bad Request")
    assert list(problem["errors"]) == [parameter]
    assert problem["errors"][parameter][0]


def test_the_url_is_named():
    assert reverse("information-requests-deadline") == API
    assert reverse("information_requests:deadline").endswith("/information-requests/deadline/")


def test_answer_shape(client):
    response = get(client, law="ma-31-13", received="2026-03-17")
    assert response.status_code == 200
    assert response.json() == {
        "law": "ma-31-13",
        "received": "2026-03-17",
        "due": "2026-04-15",
        "skipped": [{"date": "2026-03-20", "name": "Eid al-Fitr", "estimated": True}],
    }


def test_urgent_and_language(client):
    response = get(client, language="fr", law="ma-31-13", received="2026-03-18", urgent="true")
    assert response.json()["due"] == "2026-03-24"
    assert response.json()["skipped"] == [
        {"date": "2026-03-20", "name": "Fête de la rupture du jeûne", "estimated": True}
    ]
    # Tunisia's calendar has no French: English names.
    response = get(client, language="fr", law="tn-2016-22", received="2026-03-20")
    assert response.json()["skipped"] == [{"date": "2026-04-09", "name": "Martyrs' Day", "estimated": False}]


def test_a_body_names_its_law_and_its_country(client):
    algerian = PublicBodyFactory(country="DZ", slug="commune-alger")
    response = get(client, body="commune-alger", received="2026-06-05")
    assert response.json()["law"] == "default"
    assert response.json()["due"] == "2026-07-06"  # 5 July, Independence Day, is a Sunday holiday
    moroccan = PublicBodyFactory(country="MA", slug="commune-rabat")
    BodyLaw.objects.create(body=moroccan, law=Law.objects.get(code="tn-2016-22"))
    assert get(client, body="commune-rabat", received="2026-03-20").json()["law"] == "tn-2016-22"
    # A law without country needs a body: its country's days.
    assert_problem(get(client, law="default", received="2026-06-05"), "body")
    assert get(client, law="default", body=algerian.slug, received="2026-06-05").json()["due"] == "2026-07-06"
    # A body in a country the holidays library does not know: a problem, not a crash.
    PublicBodyFactory(country="QQ", slug="nowhere")
    assert_problem(get(client, body="nowhere", received="2026-06-05"), "body")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"law": "ma-99-99", "received": "2026-03-17"}, "law"),
        ({"law": "../../etc", "received": "2026-03-17"}, "law"),
        ({"received": "2026-03-17"}, "law"),
        ({"law": "ma-31-13"}, "received"),
        ({"law": "ma-31-13", "received": "17/03/2026"}, "received"),
        ({"law": "ma-31-13", "received": "2026-02-30"}, "received"),
        ({"law": "ma-31-13", "received": "2099-01-01"}, "received"),
        ({"law": "ma-31-13", "received": "2018-03-11"}, "received"),
        ({"law": "ma-31-13", "received": "2026-03-17", "urgent": "maybe"}, "urgent"),
        ({"body": "no-such-body", "received": "2026-03-17"}, "body"),
    ],
)
def test_bad_input_is_a_problem_naming_the_parameter(client, params, parameter):
    assert_problem(get(client, **params), parameter)


def test_future_and_pre_law_messages(client):
    future = get(client, law="ma-31-13", received="2099-01-01").json()
    assert "future" in future["errors"]["received"][0]
    before = get(client, law="ma-31-13", received="2018-03-11").json()
    assert "2018-03-12" in before["errors"]["received"][0]


@rate_limits(api="3/m")
def test_rate_limited(client):
    # Different dates: a repeated question is answered from the page cache (portal.caching), before the throttle.
    for day in (2, 3, 4):
        assert get(client, law="ma-31-13", received=f"2026-03-0{day}").status_code == 200
    response = get(client, law="ma-31-13", received="2026-03-05")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) >= 1


def test_in_the_openapi_document(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/information-requests/deadline/" in schema


# The page ------------------------------------------------------------------------------------------------


def page(client, language, **params):
    return client.get(f"/{language}/information-requests/deadline/", params)


def test_page_in_arabic(client):
    response = page(client, "ar", law="ma-31-13", received="2026-03-17")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert 'datetime="2026-04-15"' in html
    assert "عيد الفطر" in html
    assert 'datetime="2026-03-20"' in html


def test_page_in_french(client):
    # Urgent, Tue 17 March: Wed 18, Thu 19, (Eid Fri 20, weekend), Mon 23.
    html = page(client, "fr", law="ma-31-13", received="2026-03-17", urgent="on").content.decode()
    assert 'datetime="2026-03-23"' in html
    assert "Fête de la rupture du jeûne" in html


def test_page_empty_and_bad_input(client):
    html = page(client, "fr").content.decode()
    assert 'name="received"' in html and 'name="law"' in html
    assert "datetime=" not in html
    response = page(client, "en", law="ma-31-13", received="2099-01-01")
    assert response.status_code == 200
    assert "The date of receipt is in the future." in response.content.decode()
    response = page(client, "en", law="ma-31-13", received="2026-03-17", body="nowhere")
    assert "No public body has this address name." in response.content.decode()
