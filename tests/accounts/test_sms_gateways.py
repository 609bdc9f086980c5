"""Text messages: numbers read as people write them (Algeria, Morocco), and the HTTP gateway tried against a real
local HTTP server: what it posts, and a clear SmsError when the gateway fails or is slow."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import translation

from portal.accounts import sms
from portal.accounts.sms import InvalidPhone, SmsError, normalise_phone, send_sms


@pytest.fixture(autouse=True)
def english():
    """Refusals are read in English here (the catalogues translate them; the tests match their words)."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("written", "country", "expected"),
    [
        ("0661 23 45 67", "DZ", "+213661234567"),
        ("+213 5-55-12-34-56", "DZ", "+213555123456"),
        ("00213 0771234567", "DZ", "+213771234567"),
        ("٠٦٦١٢٣٤٥٦٧", "DZ", "+213661234567"),
        ("06 12 34 56 78", "MA", "+212612345678"),
        ("+212 7.12.34.56.78", "DZ", "+212712345678"),
    ],
)
def test_numbers_are_read_as_people_write_them(written, country, expected):
    assert normalise_phone(written, country) == expected


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("", "Enter"),
        ("call me", "digits"),
        ("+33 6 12 34 56 78", "Only Algerian"),
        ("661234567", "leading 0"),
        ("0661 23 45", "digits"),
        ("021 23 45 67 8", "not a mobile"),  # a landline of Algiers
    ],
)
def test_garbage_is_refused_clearly(written, why):
    with pytest.raises(InvalidPhone, match=why):
        normalise_phone(written, "DZ")


def test_the_locmem_backend_keeps_an_outbox(settings):
    settings.SMS_BACKEND = "portal.accounts.sms.LocmemBackend"
    sms.outbox.clear()
    assert send_sms("0661234567", "Bonjour") == "+213661234567"
    assert sms.outbox == [sms.Message("+213661234567", "Bonjour")]


def test_the_console_backend_prints(settings, capsys):
    settings.SMS_BACKEND = "portal.accounts.sms.ConsoleBackend"
    send_sms("0661234567", "رمزك 123456")
    assert "SMS to +213661234567: رمزك 123456" in capsys.readouterr().out


class Gateway(BaseHTTPRequestHandler):
    """A gateway that records what it receives and answers with the server's `status` after its `delay`."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.received.append((self.path, dict(self.headers), body))
        time.sleep(self.server.delay)
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "quota exceeded"}' if self.server.status >= 400 else b'{"id": "42"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.received, server.status, server.delay = [], 200, 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "portal.accounts.sms.HttpBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.SMS_HTTP_FORMAT = "json"
    settings.SMS_HTTP_PHONE_FIELD, settings.SMS_HTTP_TEXT_FIELD = "to", "text"
    settings.SMS_HTTP_EXTRA_FIELDS = {"sender": "Baladiya"}
    settings.SMS_HTTP_AUTH_HEADER, settings.SMS_HTTP_AUTH_VALUE = "X-Api-Key", "secret-key"
    settings.SMS_HTTP_TIMEOUT = 1
    yield server
    server.shutdown()
    server.server_close()


def test_the_http_backend_posts_json_with_its_header(gateway):
    send_sms("0661 23 45 67", "رمزك 123456")
    [(path, headers, body)] = gateway.received
    assert path == "/send" and headers["X-Api-Key"] == "secret-key"
    assert json.loads(body) == {"sender": "Baladiya", "to": "+213661234567", "text": "رمزك 123456"}


def test_the_http_backend_posts_a_form_with_other_field_names(gateway, settings):
    settings.SMS_HTTP_FORMAT = "form"
    settings.SMS_HTTP_PHONE_FIELD, settings.SMS_HTTP_TEXT_FIELD = "msisdn", "message"
    send_sms("+212612345678", "Code 123456")
    [(_path, headers, body)] = gateway.received
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(body) == {"sender": ["Baladiya"], "msisdn": ["+212612345678"], "message": ["Code 123456"]}


def test_a_gateway_error_is_an_sms_error(gateway):
    gateway.status = 500
    with pytest.raises(SmsError, match="answered 500"):
        send_sms("0661234567", "Code")


def test_a_slow_gateway_is_an_sms_error(gateway):
    gateway.delay = 2
    with pytest.raises(SmsError, match="did not answer within 1 s"):
        send_sms("0661234567", "Code")


def test_an_unreachable_gateway_is_an_sms_error(settings):
    settings.SMS_BACKEND = "portal.accounts.sms.HttpBackend"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/send"  # the discard port: nothing listens
    with pytest.raises(SmsError, match="cannot be reached"):
        send_sms("0661234567", "Code")
