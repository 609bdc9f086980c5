from django.test import RequestFactory

from portal.views import client_ip


def test_behind_the_proxy_the_client_is_the_address_the_proxy_reports():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="197.112.4.20")
    assert client_ip(request) == "197.112.4.20"


def test_without_the_proxy_header_the_client_is_the_connection():
    request = RequestFactory().get("/", REMOTE_ADDR="41.200.3.7")
    assert client_ip(request) == "41.200.3.7"
