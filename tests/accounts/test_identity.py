"""Identity verification: one identity per person across accounts, the number never stored."""

import pytest

from portal.accounts.identity import VerificationRefused, identity_hash, normalise_identity_number, verify_person
from portal.accounts.models import IdentityConflict, Verification, is_verified
from tests.factories import PublicBodyFactory, UserFactory


@pytest.fixture
def commune(db):
    return PublicBodyFactory(slug="commune-verif")


def test_the_number_is_read_as_any_card_writes_it():
    assert normalise_identity_number(" bk 48-29.13 ") == "BK482913"
    assert normalise_identity_number("١٢٣٤٥٦") == "123456"
    assert identity_hash("bk482913") == identity_hash("BK 482 913")


def test_a_verified_person_keeps_only_a_keyed_hash(commune):
    user = UserFactory()
    verify_person(user, "BK482913", commune)
    stored = Verification.objects.get(user=user)
    assert "482913" not in stored.identity_hash
    assert len(stored.identity_hash) == 64
    assert is_verified(user)


def test_the_hash_depends_on_the_key(settings):
    settings.IDENTITY_HASH_KEY = "one key"
    first = identity_hash("BK482913")
    settings.IDENTITY_HASH_KEY = "another key"
    assert identity_hash("BK482913") != first


def test_a_second_account_with_the_same_identity_is_refused_and_flagged(commune):
    first, second = UserFactory(), UserFactory()
    verify_person(first, "BK482913", commune)
    with pytest.raises(VerificationRefused):
        verify_person(second, "bk 482 913", commune)
    assert not is_verified(second)
    conflict = IdentityConflict.objects.get()
    assert (conflict.user, conflict.existing_user) == (second, first)


def test_an_account_is_verified_once_and_a_number_is_required(commune):
    user = UserFactory()
    with pytest.raises(VerificationRefused):
        verify_person(user, "  ", commune)
    verify_person(user, "BK482913", commune)
    with pytest.raises(VerificationRefused):
        verify_person(user, "ZZ000000", commune)


def test_an_anonymous_or_inactive_person_is_not_verified(commune):
    from django.contrib.auth.models import AnonymousUser

    assert not is_verified(AnonymousUser())
    user = UserFactory()
    verify_person(user, "BK482913", commune)
    user.is_active = False
    assert not is_verified(user)
