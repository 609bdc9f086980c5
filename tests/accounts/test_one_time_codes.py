"""One-time codes by SMS: only a hash is kept; a code expires, dies after too many wrong attempts, replaces the one
before it, and sending is throttled per person and per phone."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from portal.accounts import sms
from portal.accounts.codes import CodeRefused, check_code, send_code
from portal.accounts.models import OneTimeCode
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def english():
    """Refusals are read in English here (the catalogues translate them; the tests match their words)."""
    with translation.override("en"):
        yield


PHONE = "0661 23 45 67"


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.SMS_BACKEND = "portal.accounts.sms.LocmemBackend"
    settings.VERIFICATION_CODE_MINUTES = 10
    settings.VERIFICATION_CODE_MAX_ATTEMPTS = 5
    settings.VERIFICATION_CODE_RESEND_SECONDS = 60
    settings.VERIFICATION_CODE_MAX_PER_DAY = 5
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def user(db):
    return UserFactory()


def last_code() -> str:
    return re.search(r"\d{6}", sms.outbox[-1].text).group()


def test_a_code_is_sent_and_only_its_hash_kept(user):
    record = send_code(user, PHONE, "verify")
    code = last_code()
    assert sms.outbox[-1].phone == "+213661234567" and "10" in sms.outbox[-1].text
    stored = [str(value) for value in OneTimeCode.objects.values_list().get()]
    assert not any(code in value or "661234567" in value for value in stored)
    assert record.expires_at - record.created_at == timedelta(minutes=10)

    check_code(user, code, "verify")
    with pytest.raises(CodeRefused, match="already used"):
        check_code(user, code, "verify")


def test_a_code_written_in_arabic_indic_digits_is_accepted(user):
    send_code(user, PHONE, "verify")
    check_code(user, last_code().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")), "verify")


def test_a_code_is_for_its_person_and_its_purpose(user):
    send_code(user, PHONE, "verify")
    code = last_code()
    with pytest.raises(CodeRefused):
        check_code(UserFactory(), code, "verify")
    with pytest.raises(CodeRefused):
        check_code(user, code, "another purpose")


def test_a_code_expires(user):
    send_code(user, PHONE, "verify")
    code = last_code()
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)),
        pytest.raises(CodeRefused, match="expired"),
    ):
        check_code(user, code, "verify")


def test_a_code_dies_after_five_wrong_attempts(user):
    send_code(user, PHONE, "verify")
    code = last_code()
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeRefused, match=f"{left} attempt"):
            check_code(user, wrong, "verify")
    with pytest.raises(CodeRefused, match="Too many wrong codes"):
        check_code(user, wrong, "verify")
    with pytest.raises(CodeRefused, match="expired or was already used"):
        check_code(user, code, "verify")  # even the right one, now


def test_a_new_code_replaces_the_one_before(user):
    send_code(user, PHONE, "verify")
    first = last_code()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        send_code(user, PHONE, "verify")
        second = last_code()
        if first != second:
            with pytest.raises(CodeRefused):
                check_code(user, first, "verify")
        check_code(user, second, "verify")


def test_codes_are_sent_at_most_once_a_minute(user):
    send_code(user, PHONE, "verify")
    with pytest.raises(CodeRefused, match="Wait"):
        send_code(user, PHONE, "verify")
    assert len(sms.outbox) == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        send_code(user, PHONE, "verify")
    assert len(sms.outbox) == 2


def test_codes_are_capped_per_day_per_person_and_per_phone(user):
    start = timezone.now()
    for minute in range(5):
        with time_machine.travel(start + timedelta(minutes=2 * minute)):
            send_code(user, PHONE, "verify")
    with time_machine.travel(start + timedelta(minutes=20)):
        with pytest.raises(CodeRefused, match="Too many codes"):
            send_code(user, "0771234567", "verify")  # another phone: the person's cap
        with pytest.raises(CodeRefused, match="Too many codes"):
            send_code(UserFactory(), PHONE, "verify")  # another account: the phone's cap
        send_code(UserFactory(), "0771234567", "verify")
    with time_machine.travel(start + timedelta(days=1, minutes=1)):
        send_code(user, PHONE, "verify")


def test_a_failing_gateway_does_not_count(user, settings):
    settings.SMS_BACKEND = "portal.accounts.sms.HttpBackend"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/send"
    with pytest.raises(CodeRefused, match="could not be sent"):
        send_code(user, PHONE, "verify")
    assert not OneTimeCode.objects.exists()
    settings.SMS_BACKEND = "portal.accounts.sms.LocmemBackend"
    send_code(user, PHONE, "verify")  # no wait imposed by the failed attempt
