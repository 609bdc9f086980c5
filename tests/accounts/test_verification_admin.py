"""Resident verification in the admin: a moderator verifies an account at the counter, a second account with the
same document is refused and shown as a conflict, the choices stay within the moderator's bodies, and revoking is
logged."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.accounts.identity import VerificationRefused, identity_hash, verify_person
from portal.accounts.models import IdentityConflict, Verification
from portal.bodies.models import Role
from tests.factories import DistrictFactory, PublicBodyFactory, RoleGrantFactory, UserFactory, square
from tests.staff import login_with_second_factor

NUMBER = "109876543210"


def url(name: str, *args) -> str:
    return reverse(f"verifications_admin:{name}", args=args)


@pytest.fixture
def body(db):
    return PublicBodyFactory(name_fr="Commune de Blida", slug="blida")


@pytest.fixture
def other_body(db):
    return PublicBodyFactory(name_fr="Commune de Tipaza", slug="tipaza")


@pytest.fixture
def district(body):
    return DistrictFactory(body=body, slug="centre", boundary=square())


@pytest.fixture
def moderator(body):
    return RoleGrantFactory(body=body, role=Role.MODERATOR, user__email="moderator@example.org").user


@pytest.fixture
def client_of_moderator(moderator) -> Client:
    client = Client()
    login_with_second_factor(client, moderator)
    return client


@pytest.fixture
def resident(db):
    return UserFactory(email="karima@example.org")


def verify(client, email, body, number=NUMBER, **fields):
    return client.post(url("verify"), {"email": email, "identity_number": number, "body": body.pk, **fields})


@pytest.mark.django_db
class VerifyTestCase:
    def test_it_verifies_a_resident_without_keeping_the_number(
        self, client_of_moderator, moderator, resident, body, district
    ):
        response = verify(client_of_moderator, "KARIMA@example.org", body, "1098 7654 3210", district=district.pk)

        assert response.status_code == 302 and response.url == url("index")
        verification = Verification.objects.get(user=resident)
        assert (verification.body, verification.district, verification.verified_by) == (body, district, moderator)
        assert verification.identity_hash == identity_hash(NUMBER)
        assert ModelLogEntry.objects.filter(action="accounts.verify", user=moderator).exists()
        listing = client_of_moderator.get(url("index")).content.decode()
        assert resident.email in listing
        assert NUMBER not in listing and verification.identity_hash not in listing

    def test_a_second_account_with_the_same_number_is_refused_and_listed_as_a_conflict(
        self, client_of_moderator, resident, body
    ):
        verify(client_of_moderator, resident.email, body)
        twin = UserFactory(email="twin@example.org")

        response = verify(client_of_moderator, twin.email, body, "1098-7654-3210")

        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert not Verification.objects.filter(user=twin).exists()
        conflict = IdentityConflict.objects.get()
        assert (conflict.user, conflict.existing_user) == (twin, resident)
        page = client_of_moderator.get(url("conflicts"))
        assert list(page.context["page"]) == [conflict]
        assert twin.email in page.content.decode() and conflict.identity_hash not in page.content.decode()

    def test_verifying_twice_is_refused(self, client_of_moderator, resident, body):
        verify(client_of_moderator, resident.email, body)
        response = verify(client_of_moderator, resident.email, body, "999999999")
        assert response.context["form"].non_field_errors()
        assert Verification.objects.count() == 1

    @pytest.mark.parametrize(
        ("email", "number", "field"),
        [("nobody@example.org", NUMBER, "email"), ("karima@example.org", "", "identity_number")],
    )
    def test_it_refuses_bad_input(self, client_of_moderator, resident, body, email, number, field):
        response = verify(client_of_moderator, email, body, number)
        assert field in response.context["form"].errors
        assert not Verification.objects.exists()

    def test_a_too_short_number_is_refused_by_the_domain(self, client_of_moderator, resident, body):
        response = verify(client_of_moderator, resident.email, body, "12")
        assert response.context["form"].non_field_errors()
        assert not Verification.objects.exists()

    def test_a_body_of_another_moderator_is_refused_on_save(self, client_of_moderator, resident, body, other_body):
        offered = client_of_moderator.get(url("verify")).context["form"].fields["body"].queryset
        assert list(offered) == [body]

        response = verify(client_of_moderator, resident.email, other_body)

        assert response.status_code == 200 and "body" in response.context["form"].errors
        assert not Verification.objects.exists()

    def test_a_district_of_another_body_is_refused(self, client_of_moderator, moderator, resident, body, other_body):
        RoleGrantFactory(body=other_body, role=Role.MODERATOR, user=moderator)
        elsewhere = DistrictFactory(body=other_body, slug="ailleurs", boundary=square(4.0))
        response = verify(client_of_moderator, resident.email, body, district=elsewhere.pk)
        assert "district" in response.context["form"].errors
        assert not Verification.objects.exists()

    def test_it_needs_the_csrf_token(self, moderator, resident, body):
        client = Client(enforce_csrf_checks=True)
        login_with_second_factor(client, moderator)
        assert verify(client, resident.email, body).status_code == 403
        assert not Verification.objects.exists()


@pytest.mark.django_db
class RevokeTestCase:
    def test_it_revokes_with_an_entry_in_the_audit_log(self, client_of_moderator, moderator, resident, body):
        verification = verify_person(resident, NUMBER, body)
        assert client_of_moderator.get(url("revoke", verification.pk)).status_code == 405

        response = client_of_moderator.post(url("revoke", verification.pk))

        assert response.status_code == 302
        assert not Verification.objects.exists()
        entry = ModelLogEntry.objects.get(action="accounts.verification.revoke")
        assert entry.user == moderator and entry.object_id == str(verification.pk)

    def test_another_bodys_verification_is_closed(self, client_of_moderator, resident, other_body):
        theirs = verify_person(resident, NUMBER, other_body)
        assert resident.email not in client_of_moderator.get(url("index")).content.decode()
        assert client_of_moderator.post(url("revoke", theirs.pk)).status_code == 403
        assert Verification.objects.filter(pk=theirs.pk).exists()

    def test_another_bodys_conflicts_are_not_shown(self, client_of_moderator, resident, other_body):
        verify_person(resident, NUMBER, other_body)
        with pytest.raises(VerificationRefused):
            verify_person(UserFactory(email="twin@example.org"), NUMBER, other_body)
        assert IdentityConflict.objects.exists()
        assert list(client_of_moderator.get(url("conflicts")).context["page"]) == []


@pytest.mark.django_db
def test_the_screens_are_for_moderators(resident, body):
    publisher = RoleGrantFactory(body=body, role=Role.PUBLISHER, user__email="publisher@example.org").user
    client = Client()
    login_with_second_factor(client, publisher)
    for name in ("index", "verify", "conflicts"):
        assert client.get(url(name)).status_code == 403, name
    assert url("index") not in client.get("/admin/").content.decode()
