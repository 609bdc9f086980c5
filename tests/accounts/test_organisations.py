"""Associations: registration by a citizen, visibility before approval, members, staff decisions."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.accounts.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, RoleGrantFactory, UserFactory
from tests.staff import login_with_second_factor

REGISTER = "/fr/associations/register/"


def registration(body, **overrides):
    return {
        "name": "Association des riverains",
        "language": "fr",
        "description": "Propreté et éclairage du quartier.",
        "registration_number": "BL-2024-0001",
        "body": body.pk,
        **overrides,
    }


class RegisterOrganisationTestCase:
    def test_its_selects_say_what_to_choose(self, client, citizen, commune):
        client.force_login(citizen)
        html = client.get(REGISTER).content.decode()
        assert "---------" not in html
        assert '<option value="" selected>Choisir…</option>' in html

    def test_it_registers_a_pending_association_with_its_founder_as_manager(self, client, citizen, commune):
        client.force_login(citizen)
        response = client.post(REGISTER, registration(commune))
        organisation = Organisation.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/fr/associations/{organisation.slug}/"
        assert organisation.status == Organisation.Status.PENDING
        assert Membership.objects.get(organisation=organisation).user == citizen
        assert Membership.objects.get(organisation=organisation).role == Membership.Role.ADMIN

    def test_it_requires_an_account(self, client, commune):
        response = client.post(REGISTER, registration(commune))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert not Organisation.objects.exists()

    def test_it_shows_errors_for_missing_fields(self, client, citizen, commune):
        client.force_login(citizen)
        response = client.post(REGISTER, registration(commune, name="", registration_number=""))
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"name", "registration_number"}
        assert not Organisation.objects.exists()

    def test_it_escapes_a_script_in_the_name(self, client, citizen, commune):
        client.force_login(citizen)
        client.post(REGISTER, registration(commune, name='<script>alert("x")</script>'))
        content = client.get(Organisation.objects.get().get_absolute_url()).content.decode()
        assert '<script>alert("x")</script>' not in content
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content

    def test_it_limits_registrations_per_person(self, client, citizen, commune):
        client.force_login(citizen)
        for number in range(5):
            client.post(REGISTER, registration(commune, name=f"Association {number}"))
        response = client.post(REGISTER, registration(commune, name="Une de trop"))
        assert response.status_code == 429
        # The rate is five an hour: the page says when the hour's window ends.
        retry_after = int(response["Retry-After"])
        assert 0 < retry_after <= 3600
        minutes = -(-retry_after // 60)
        assert f"réessayer dans {minutes} minute" in response.content.decode()
        assert Organisation.objects.count() == 5


class OrganisationVisibilityTestCase:
    def test_it_hides_a_pending_association_from_the_public(self, client, commune):
        organisation = OrganisationFactory(body=commune, status=Organisation.Status.PENDING)
        assert client.get(organisation.get_absolute_url()).status_code == 404
        assert organisation.name not in client.get("/fr/associations/").content.decode()

    def test_it_shows_a_pending_association_to_its_members(self, client, commune):
        membership = MembershipFactory(organisation__body=commune, organisation__status=Organisation.Status.PENDING)
        client.force_login(membership.user)
        assert client.get(membership.organisation.get_absolute_url()).status_code == 200

    def test_it_lists_approved_associations_without_their_members(self, client, commune):
        membership = MembershipFactory(organisation__body=commune, user__first_name="Nadia", user__last_name="Secret")
        content = client.get(membership.organisation.get_absolute_url()).content.decode()
        assert membership.organisation.name in content
        assert "Secret" not in content
        assert membership.user.email not in content


class AddMemberTestCase:
    def url(self, organisation):
        return reverse("accounts:organisation_add_member", args=[organisation.slug])

    def test_it_lets_a_manager_add_a_member(self, client, commune):
        manager = MembershipFactory(organisation__body=commune, role=Membership.Role.ADMIN)
        newcomer = UserFactory(email="newcomer@example.org")
        client.force_login(manager.user)
        response = client.post(self.url(manager.organisation), {"email": "NEWCOMER@example.org"})
        assert response.status_code == 302
        assert Membership.objects.filter(organisation=manager.organisation, user=newcomer).exists()

    def test_it_says_the_same_for_an_unknown_address(self, client, commune):
        manager = MembershipFactory(organisation__body=commune, role=Membership.Role.ADMIN)
        UserFactory(email="known@example.org")
        client.force_login(manager.user)
        known = client.post(self.url(manager.organisation), {"email": "known@example.org"}, follow=True)
        unknown = client.post(self.url(manager.organisation), {"email": "unknown@example.org"}, follow=True)
        assert [str(m) for m in known.context["messages"]] == [str(m) for m in unknown.context["messages"]]

    def test_it_refuses_plain_members(self, client, commune):
        member = MembershipFactory(organisation__body=commune, role=Membership.Role.MEMBER)
        client.force_login(member.user)
        response = client.post(self.url(member.organisation), {"email": "x@example.org"})
        assert response.status_code == 403

    def test_it_hides_a_pending_association_from_outsiders(self, client, citizen, commune):
        organisation = OrganisationFactory(body=commune, status=Organisation.Status.PENDING)
        client.force_login(citizen)
        assert client.post(self.url(organisation), {"email": "x@example.org"}).status_code == 404

    def test_it_refuses_get(self, client, commune):
        manager = MembershipFactory(organisation__body=commune, role=Membership.Role.ADMIN)
        client.force_login(manager.user)
        assert client.get(self.url(manager.organisation)).status_code == 405


class OrganisationDecisionTestCase:
    @pytest.fixture
    def moderator(self, commune):
        return RoleGrantFactory(body=commune, role="moderator").user

    def decide(self, client, organisation, decision, reason=""):
        return client.post(
            reverse("organisations:decide", args=[organisation.pk]), {"decision": decision, "reason": reason}
        )

    def test_it_lets_an_administrator_approve_and_audits_it(self, client, administrator, commune):
        organisation = OrganisationFactory(body=commune, status=Organisation.Status.PENDING)
        login_with_second_factor(client, administrator)
        response = self.decide(client, organisation, "approve")
        assert response.status_code == 302
        organisation.refresh_from_db()
        assert organisation.status == Organisation.Status.APPROVED
        assert organisation.decided_by == administrator
        entry = ModelLogEntry.objects.get(object_id=str(organisation.pk), action="accounts.organisation.approve")
        assert entry.user == administrator

    def test_it_requires_a_reason_to_reject(self, client, administrator, commune):
        organisation = OrganisationFactory(body=commune, status=Organisation.Status.PENDING)
        login_with_second_factor(client, administrator)
        response = self.decide(client, organisation, "reject")
        assert response.status_code == 200
        assert "reason" in response.context["form"].errors
        organisation.refresh_from_db()
        assert organisation.status == Organisation.Status.PENDING

    def test_it_refuses_an_impossible_transition(self, client, administrator, commune):
        organisation = OrganisationFactory(body=commune, status=Organisation.Status.PENDING)
        login_with_second_factor(client, administrator)
        response = self.decide(client, organisation, "suspend", reason="Plaintes")
        assert response.status_code == 200
        organisation.refresh_from_db()
        assert organisation.status == Organisation.Status.PENDING

    def test_it_hides_associations_of_other_bodies(self, client, administrator, other_region):
        organisation = OrganisationFactory(body=other_region, status=Organisation.Status.PENDING)
        login_with_second_factor(client, administrator)
        assert self.decide(client, organisation, "approve").status_code == 404
        organisation.refresh_from_db()
        assert organisation.status == Organisation.Status.PENDING

    def test_it_lets_a_moderator_of_the_body_decide(self, client, moderator, commune):
        organisation = OrganisationFactory(body=commune, status=Organisation.Status.PENDING)
        login_with_second_factor(client, moderator)
        assert self.decide(client, organisation, "approve").status_code == 302
        organisation.refresh_from_db()
        assert organisation.status == Organisation.Status.APPROVED

    def test_it_refuses_staff_without_the_change_permission(self, client, commune):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        organisation = OrganisationFactory(body=commune, status=Organisation.Status.PENDING)
        login_with_second_factor(client, publisher)
        response = self.decide(client, organisation, "approve")
        assert response.status_code == 404
        organisation.refresh_from_db()
        assert organisation.status == Organisation.Status.PENDING


class OrganisationTransitionTestCase:
    def test_it_only_follows_the_transition_table(self, commune, administrator):
        organisation = OrganisationFactory(body=commune, status=Organisation.Status.PENDING)
        with pytest.raises(ValueError, match="cannot go from pending to suspended"):
            organisation.suspend(by=administrator, reason="x")
        organisation.approve(by=administrator)
        organisation.suspend(by=administrator, reason="Plaintes répétées")
        assert organisation.status == Organisation.Status.SUSPENDED
        assert organisation.status_reason == "Plaintes répétées"
