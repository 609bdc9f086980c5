"""The verification page: a resident listed in the census gives their identity number, date of birth and phone,
receives a code by SMS, enters it, and is verified (method census, district and date of birth from the census).
An unknown number and a wrong date get the same answer; a second account with the same identity is refused and
flagged to staff; the page is rate-limited and has a honeypot."""

import io
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.accounts import sms
from portal.accounts.census import import_census
from portal.accounts.identity import identity_hash
from portal.accounts.models import IdentityConflict, Verification, is_verified
from tests.factories import DistrictFactory, PublicBodyFactory, UserFactory

NUMBER = "109876543210"


def verify_url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("accounts:verify")


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.SMS_BACKEND = "portal.accounts.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def body(db):
    return PublicBodyFactory(slug="blida", name_fr="Commune de Blida", name_en="Commune de Blida")


@pytest.fixture
def district(body):
    return DistrictFactory(body=body, slug="centre", name_fr="Centre-ville")


@pytest.fixture
def census(body, district):
    data = io.BytesIO(f"identity_number;district;born_on\n{NUMBER};centre;30/04/2001\n209876543210;;\n".encode())
    data.name = "census.csv"
    report = import_census(data, body)
    assert not report.refused
    return body


@pytest.fixture
def person(db):
    return UserFactory(email="karima@example.org")


@pytest.fixture
def client_of(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def ask_code(client, body, number=NUMBER, born_on="30/04/2001", phone="0661 23 45 67", **extra):
    data = {"step": "census", "body": body.pk, "identity_number": number, "born_on": born_on, "phone": phone}
    return client.post(verify_url(), {**data, **extra})


def enter_code(client, code=None):
    code = code or re.search(r"\d{6}", sms.outbox[-1].text).group()
    return client.post(verify_url(), {"step": "code", "code": code})


def test_a_resident_in_the_census_is_verified_by_code(client_of, person, census, district):
    page = client_of.get(verify_url("ar"))
    assert page.status_code == 200 and 'dir="rtl"' in page.content.decode()
    assert 'type="hidden" name="body"' in page.content.decode(), "the one body with a census is chosen"

    response = ask_code(client_of, census, number="1098 7654 3210")
    assert response.status_code == 302
    assert [message.phone for message in sms.outbox] == ["+213661234567"]
    code_page = client_of.get(verify_url()).content.decode()
    assert 'name="code"' in code_page and "+213" in code_page and "661234567" not in code_page

    response = enter_code(client_of)
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    verification = Verification.objects.get(user=person)
    assert verification.method == Verification.Method.CENSUS
    assert (verification.body, verification.district, verification.born_on) == (census, district, date(2001, 4, 30))
    assert verification.identity_hash == identity_hash(NUMBER)
    assert "already" in client_of.get(verify_url()).content.decode()


def test_an_unknown_number_and_a_wrong_date_of_birth_get_the_same_answer(client_of, person, census):
    unknown = ask_code(client_of, census, number="999999999999")
    wrong_date = ask_code(client_of, census, born_on="01/05/2001")
    assert unknown.status_code == wrong_date.status_code == 400

    def error(response):
        return re.search(r'role="alert">(.*?)</div>', response.content.decode(), re.S).group(1)

    assert error(unknown) == error(wrong_date)
    assert "town hall" in error(unknown) and "Commune de Blida" in error(unknown)
    assert sms.outbox == [] and not is_verified(person)


def test_a_census_without_a_date_of_birth_takes_any(client_of, person, census):
    assert ask_code(client_of, census, number="209876543210", born_on="1980-01-01").status_code == 302
    enter_code(client_of)
    verification = Verification.objects.get(user=person)
    assert verification.born_on is None and verification.district is None


def test_a_wrong_code_is_refused_and_the_account_stays_unverified(client_of, person, census):
    ask_code(client_of, census)
    code = re.search(r"\d{6}", sms.outbox[-1].text).group()
    response = enter_code(client_of, f"{(int(code) + 1) % 1000000:06d}")
    assert response.status_code == 400 and "4 attempts left" in response.content.decode()
    assert not is_verified(person)


def test_a_second_account_with_the_same_identity_is_refused_and_flagged(client_of, person, census):
    ask_code(client_of, census)
    enter_code(client_of)
    twin = UserFactory(email="twin@example.org")
    client = Client()
    client.force_login(twin)

    response = ask_code(client, census, phone="0771234567")

    assert response.status_code == 400 and "another account" in response.content.decode()
    assert len(sms.outbox) == 1, "no code is sent"
    conflict = IdentityConflict.objects.get()
    assert (conflict.user, conflict.existing_user) == (twin, person)
    assert not is_verified(twin)


def test_a_garbage_phone_is_refused(client_of, census):
    response = ask_code(client_of, census, phone="12")
    assert response.status_code == 400 and sms.outbox == []


def test_the_page_is_rate_limited(client_of, census, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verification.census": "2/h"}
    for _attempt in range(2):
        assert ask_code(client_of, census, number="999999999999").status_code == 400
    response = ask_code(client_of, census)
    assert response.status_code == 429 and sms.outbox == []


def test_a_robot_filling_the_honeypot_is_refused(client_of, census):
    assert ask_code(client_of, census, website="http://spam.example").status_code == 400
    assert sms.outbox == []


def test_several_bodies_with_a_census_are_offered(client_of, census):
    other = PublicBodyFactory(slug="tipaza", name_fr="Commune de Tipaza", name_en="Commune de Tipaza")
    data = io.BytesIO(b"identity_number\n555555555555\n")
    data.name = "c.csv"
    import_census(data, other)
    page = client_of.get(verify_url()).content.decode()
    assert "<select" in page and "Commune de Tipaza" in page


def test_the_page_needs_an_account(census):
    response = Client().get(verify_url())
    assert response.status_code == 302 and "login" in response.url


def test_a_census_imported_between_the_steps_keeps_the_persons_place(client_of, person, census, district):
    ask_code(client_of, census)
    data = io.BytesIO(f"identity_number;district\n{NUMBER};centre\n".encode())
    data.name = "census-2.csv"
    import_census(data, census)
    enter_code(client_of)
    assert is_verified(person)


def test_a_person_removed_from_the_census_between_the_steps_starts_again(client_of, person, census):
    ask_code(client_of, census)
    data = io.BytesIO(b"identity_number\n555555555555\n")
    data.name = "census-2.csv"
    import_census(data, census)
    page = client_of.get(verify_url()).content.decode()
    assert 'name="identity_number"' in page and not is_verified(person)


def test_a_new_code_can_be_asked_for_and_the_steps_restarted(client_of, person, census, settings):
    settings.VERIFICATION_CODE_RESEND_SECONDS = 0
    ask_code(client_of, census)
    assert client_of.post(verify_url(), {"step": "resend"}).status_code == 302
    assert len(sms.outbox) == 2 and sms.outbox[1].phone == "+213661234567"
    enter_code(client_of)  # the latest code
    assert is_verified(person)


def test_starting_again_forgets_the_pending_step(client_of, census):
    ask_code(client_of, census)
    assert client_of.post(verify_url(), {"step": "restart"}).status_code == 302
    assert 'name="identity_number"' in client_of.get(verify_url()).content.decode()


def test_the_account_page_leads_to_verification(client_of, census):
    with translation.override("en"):
        page = client_of.get(reverse("accounts:profile")).content.decode()
    assert verify_url("en") in page
