"""Text messages (SMS), behind one interface: `send_sms(phone, text)` hands the message to the backend named by
settings.SMS_BACKEND (a dotted path), as Django does for mail.

- `ConsoleBackend`, the default: prints the message (development, and a portal without a gateway yet).
- `HttpBackend`: POSTs the message, as JSON or as a form, to the gateway at SMS_HTTP_URL, with the field names
  and the authentication header the settings give (no provider is built in: each country has its own).
- `LocmemBackend`: keeps the messages in `outbox` (tests), like Django's mail outbox.

Numbers are Algerian (+213) or Moroccan (+212) mobile numbers, written as people write them (national with a
leading 0, or international with + or 00, Arabic-Indic digits, spaces, dashes, dots) and sent in E.164.
Messages are logged with the number masked.
"""

import logging
import re
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from portal.money import ascii_digits

logger = logging.getLogger(__name__)

# Country → (calling code, first digits of a mobile number after the trunk 0).
COUNTRIES = {"DZ": ("213", "567"), "MA": ("212", "67")}
NATIONAL_DIGITS = 9  # after the calling code, without the trunk 0, in both countries


class SmsError(RuntimeError):
    """The message could not be handed to the gateway; the message says why (for staff and the logs)."""


class InvalidPhone(ValueError):
    """The number is no mobile number this portal can text; the message says why, for the person."""


def normalise_phone(phone: str, country: str = "") -> str:
    """Return `phone` in E.164 ("+213661234567"); InvalidPhone when it is not an Algerian or Moroccan mobile.

    A national number (leading 0) is read in `country`, by default settings.SMS_DEFAULT_COUNTRY."""
    text = re.sub(r"[\s\-./()\u00a0]", "", ascii_digits(phone or ""))
    if not text:
        raise InvalidPhone(_("Enter a mobile phone number."))
    if text.startswith("00"):
        text = "+" + text[2:]
    if not re.fullmatch(r"\+?\d{9,15}", text):
        raise InvalidPhone(_("A phone number is written with digits only, for example 0661 23 45 67."))
    if text.startswith("+"):
        found = [(code, mobiles) for code, mobiles in COUNTRIES.values() if text[1:].startswith(code)]
        if not found:
            raise InvalidPhone(_("Only Algerian (+213) and Moroccan (+212) mobile numbers can receive codes."))
        code, mobiles = found[0]
        national = text[1 + len(code) :].removeprefix("0")
    else:
        code, mobiles = COUNTRIES.get((country or settings.SMS_DEFAULT_COUNTRY).upper(), COUNTRIES["DZ"])
        if not text.startswith("0"):
            raise InvalidPhone(_("Write the number with its leading 0, or with its country code (+213, +212)."))
        national = text[1:]
    if len(national) != NATIONAL_DIGITS:
        raise InvalidPhone(_("This number does not have the digits of a mobile number (0 and 9 digits)."))
    if national[0] not in mobiles:
        raise InvalidPhone(_("This is not a mobile number: codes are sent by SMS."))
    return f"+{code}{national}"


def masked(phone: str) -> str:
    """The number as logs show it: country code and the last two digits."""
    return phone[:4] + "•" * max(len(phone) - 6, 0) + phone[-2:]


@dataclass(frozen=True)
class Message:
    phone: str
    text: str


class BaseBackend(ABC):
    """The gateway interface: SMS_BACKEND names one of its implementations."""

    @abstractmethod
    def send(self, message: Message) -> None: ...


class ConsoleBackend(BaseBackend):
    """Prints each message on the standard output: a portal without a gateway still shows its codes."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message: Message) -> None:
        self.stream.write(f"SMS to {message.phone}: {message.text}\n")
        self.stream.flush()


outbox: list[Message] = []


class LocmemBackend(BaseBackend):
    """Keeps the messages in `portal.accounts.sms.outbox` (tests empty it)."""

    def send(self, message: Message) -> None:
        outbox.append(message)


class HttpBackend(BaseBackend):
    """POSTs each message to settings.SMS_HTTP_URL.

    The body is JSON (SMS_HTTP_FORMAT "json") or a form ("form"): the number under SMS_HTTP_PHONE_FIELD, the text
    under SMS_HTTP_TEXT_FIELD, plus SMS_HTTP_EXTRA_FIELDS (a sender name, an account). SMS_HTTP_AUTH_HEADER
    carries SMS_HTTP_AUTH_VALUE when set. A non-2xx answer, a timeout (SMS_HTTP_TIMEOUT seconds) or a network
    failure is an SmsError.
    """

    def send(self, message: Message) -> None:
        url = settings.SMS_HTTP_URL
        if not url:
            raise SmsError("SMS_HTTP_URL is not set: the HTTP gateway has nowhere to send.")
        fields = {
            **settings.SMS_HTTP_EXTRA_FIELDS,
            settings.SMS_HTTP_PHONE_FIELD: message.phone,
            settings.SMS_HTTP_TEXT_FIELD: message.text,
        }
        headers = {}
        if settings.SMS_HTTP_AUTH_VALUE:
            headers[settings.SMS_HTTP_AUTH_HEADER] = settings.SMS_HTTP_AUTH_VALUE
        as_json = settings.SMS_HTTP_FORMAT == "json"
        try:
            response = requests.post(
                url,
                json=fields if as_json else None,
                data=None if as_json else fields,
                headers=headers,
                timeout=settings.SMS_HTTP_TIMEOUT,
            )
        except requests.Timeout:
            raise SmsError(f"The SMS gateway did not answer within {settings.SMS_HTTP_TIMEOUT} s.") from None
        except requests.RequestException as error:
            raise SmsError(f"The SMS gateway cannot be reached: {type(error).__name__}.") from None
        if not 200 <= response.status_code < 300:
            raise SmsError(f"The SMS gateway answered {response.status_code}: {response.text[:200]}")


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, text: str) -> str:
    """Send `text` to `phone` through the configured backend; return the number as sent (E.164).

    InvalidPhone for a number that is no mobile number, SmsError when the gateway fails."""
    number = normalise_phone(phone)
    get_backend().send(Message(number, text))
    logger.info("SMS sent to %s", masked(number))
    return number
