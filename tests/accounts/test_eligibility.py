"""Who may vote in a body: verified, resident in the body or a body below it, in the district when one is
required, and of the minimum age on the day (a date of birth unknown is then not eligible)."""

from datetime import date

import pytest
from django.utils import translation

from portal.accounts.identity import (
    Eligibility,
    birthday_limit,
    eligibility,
    eligibility_message,
    eligible_verifications,
    verify_person,
)
from tests.factories import DistrictFactory, PublicBodyFactory, UserFactory


@pytest.fixture
def wilaya(db):
    return PublicBodyFactory(slug="wilaya-blida", kind="wilaya")


@pytest.fixture
def commune(wilaya):
    return PublicBodyFactory(slug="ouled-yaich", parent=wilaya)


@pytest.fixture
def centre(commune):
    return DistrictFactory(body=commune, slug="centre")


def resident(body, district=None, born_on=None):
    user = UserFactory()
    verify_person(user, f"{user.pk:012d}", body, district=district, born_on=born_on)
    return user


def test_an_unverified_account_is_not_eligible(commune):
    assert eligibility(UserFactory(), commune) == (False, Eligibility.NOT_VERIFIED)


def test_a_resident_of_a_body_below_is_eligible_above_and_not_elsewhere(wilaya, commune):
    person = resident(commune)
    assert eligibility(person, commune) == (True, Eligibility.ELIGIBLE)
    assert eligibility(person, wilaya) == (True, Eligibility.ELIGIBLE)
    assert eligibility(person, PublicBodyFactory(slug="tipaza")) == (False, Eligibility.NOT_RESIDENT)
    assert eligibility(resident(wilaya), commune) == (False, Eligibility.NOT_RESIDENT), "a body above is not below"


def test_a_district_when_required(commune, centre):
    other = DistrictFactory(body=commune, slug="gare")
    person = resident(commune, district=centre)
    assert eligibility(person, commune, district=centre) == (True, Eligibility.ELIGIBLE)
    assert eligibility(person, commune, district=other) == (False, Eligibility.OTHER_DISTRICT)
    assert eligibility(resident(commune), commune, district=centre) == (False, Eligibility.OTHER_DISTRICT)


def test_the_minimum_age_is_reached_on_the_birthday(commune):
    person = resident(commune, born_on=date(2008, 5, 20))
    assert eligibility(person, commune, min_age=18, on=date(2026, 5, 19)) == (False, Eligibility.TOO_YOUNG)
    assert eligibility(person, commune, min_age=18, on=date(2026, 5, 20)) == (True, Eligibility.ELIGIBLE)
    assert eligibility(person, commune, on=date(2020, 1, 1)) == (True, Eligibility.ELIGIBLE), "no minimum age"


def test_born_on_29_february(commune):
    person = resident(commune, born_on=date(2008, 2, 29))
    assert eligibility(person, commune, min_age=18, on=date(2026, 2, 28))[1] == Eligibility.TOO_YOUNG
    assert eligibility(person, commune, min_age=18, on=date(2026, 3, 1))[1] == Eligibility.ELIGIBLE


def test_an_unknown_date_of_birth_with_a_minimum_age_is_not_eligible(commune):
    person = resident(commune)
    assert eligibility(person, commune, min_age=16) == (False, Eligibility.AGE_UNKNOWN)
    assert eligibility(person, commune) == (True, Eligibility.ELIGIBLE)


@translation.override("en")
def test_every_reason_has_a_message():
    for reason in Eligibility:
        assert eligibility_message(reason)
    assert "town hall" in eligibility_message("age_unknown")


def test_the_electorate_is_counted_as_eligibility_decides(wilaya, commune, centre):
    on = date(2026, 5, 20)
    people = [
        resident(commune, district=centre, born_on=date(2008, 5, 20)),  # 18 that day
        resident(commune, district=centre, born_on=date(2008, 5, 21)),  # 17
        resident(commune, born_on=date(1980, 1, 1)),  # no district
        resident(commune, district=centre),  # date of birth unknown
        resident(PublicBodyFactory(slug="tipaza"), born_on=date(1980, 1, 1)),  # elsewhere
    ]
    for options in ({}, {"min_age": 18}, {"district": centre}, {"district": centre, "min_age": 18}):
        for body in (wilaya, commune):
            expected = {person.pk for person in people if eligibility(person, body, on=on, **options)[0]}
            counted = set(eligible_verifications(body, on=on, **options).values_list("user", flat=True))
            assert counted == expected, options


def test_a_leap_day_limit():
    assert birthday_limit(date(2028, 2, 29), 18) == date(2010, 2, 28)
    assert birthday_limit(date(2026, 5, 20), 18) == date(2008, 5, 20)
