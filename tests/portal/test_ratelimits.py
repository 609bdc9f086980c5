"""portal.ratelimits: named rates, the decorator's 429 page and the REST throttle, over the same counters."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from portal.ratelimits import RateLimited, limit, seconds_left
from tests.ratelimits import rate_limits

pytestmark = pytest.mark.django_db


@limit("api", group="tests.view")
def view(request):
    return HttpResponse("ok")


def request(address="192.0.2.1"):
    return RequestFactory().get("/anything/", REMOTE_ADDR=address)


@rate_limits(api="2/m")
def test_the_decorator_refuses_past_the_rate_and_the_page_says_when_to_come_back(client):
    assert view(request()).status_code == 200
    assert view(request()).status_code == 200
    with pytest.raises(RateLimited) as refusal:
        view(request())
    assert 0 < refusal.value.retry_after <= 60
    # The limit is per address.
    assert view(request("192.0.2.2")).status_code == 200


@rate_limits(api="1/m")
def test_a_limited_page_answers_429_in_the_visitors_language(client, no_page_cache):
    assert client.get("/catalog.ttl").status_code == 200
    response = client.get("/catalog.ttl", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 60
    assert 'dir="rtl"' in response.content.decode()
    assert "يرجى إعادة المحاولة بعد" in response.content.decode()


@rate_limits(api="1/m")
def test_each_door_counts_apart():
    assert seconds_left(request(), "api", group="tests.one") is None
    assert seconds_left(request(), "api", group="tests.two") is None
    assert seconds_left(request(), "api", group="tests.one") is not None


def test_a_rate_never_set_is_an_error_not_an_open_door():
    with pytest.raises(KeyError):
        seconds_left(request(), "no.such.rate")


@rate_limits(api="2/m")
def test_the_rest_api_throttles_the_decisions_with_a_problem_and_retry_after(client, no_page_cache):
    assert client.get("/api/v1/decisions/").status_code == 200
    assert client.get("/api/v1/sessions/").status_code == 200
    response = client.get("/api/v1/decisions/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert client.get("/api/v1/decisions/", REMOTE_ADDR="192.0.2.9").status_code == 200
