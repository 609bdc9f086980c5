"""Staff roles reach the body they are granted on and every body below it, nothing else."""

from portal.bodies.auth import get_bodies_with_role, has_any_role, has_role
from portal.bodies.models import Role, RoleGrant
from portal.bodies.services import grant_role, revoke_role
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory


class HasRoleTestCase:
    def test_it_inherits_down_the_tree(self, region, commune, department, other_region):
        user = RoleGrantFactory(body=region, role=Role.PUBLISHER).user
        assert has_role(user, Role.PUBLISHER, region)
        assert has_role(user, Role.PUBLISHER, commune)
        assert has_role(user, Role.PUBLISHER, department)
        assert not has_role(user, Role.PUBLISHER, other_region)

    def test_it_does_not_inherit_up_the_tree(self, region, commune, department):
        user = RoleGrantFactory(body=department, role=Role.PUBLISHER).user
        assert has_role(user, Role.PUBLISHER, department)
        assert not has_role(user, Role.PUBLISHER, commune)
        assert not has_role(user, Role.PUBLISHER, region)

    def test_it_keeps_roles_apart(self, commune):
        user = RoleGrantFactory(body=commune, role=Role.PUBLISHER).user
        assert not has_role(user, Role.BUDGET_MANAGER, commune)

    def test_it_gives_administrators_every_role(self, commune, department):
        user = RoleGrantFactory(body=commune, role=Role.ADMINISTRATOR).user
        for role in Role:
            assert has_role(user, role, department)

    def test_it_refuses_anonymous_and_inactive_users(self, commune):
        from django.contrib.auth.models import AnonymousUser

        user = RoleGrantFactory(body=commune, role=Role.PUBLISHER).user
        user.is_active = False
        assert not has_role(user, Role.PUBLISHER, commune)
        assert not has_role(AnonymousUser(), Role.PUBLISHER, commune)

    def test_it_lists_the_bodies_where_a_role_is_held(self, region, commune, department, other_region):
        user = RoleGrantFactory(body=commune, role=Role.PUBLISHER).user
        sibling = PublicBodyFactory(parent=region, slug="commune-voisine")
        bodies = set(get_bodies_with_role(user, Role.PUBLISHER))
        assert bodies == {commune, department}
        assert sibling not in bodies

    def test_it_lists_nothing_for_a_citizen(self, commune):
        assert not get_bodies_with_role(UserFactory(), Role.PUBLISHER).exists()


class RoleGroupsTestCase:
    def test_it_opens_the_admin_to_granted_staff(self, commune):
        user = UserFactory()
        assert not user.has_perm("wagtailadmin.access_admin")
        grant = RoleGrant.objects.create(user=user, body=commune, role=Role.PUBLISHER)
        user = type(user).objects.get(pk=user.pk)
        assert user.has_perm("wagtailadmin.access_admin")
        assert user.groups.filter(name="Role: publisher").exists()

        grant.delete()
        user = type(user).objects.get(pk=user.pk)
        assert not user.has_perm("wagtailadmin.access_admin")

    def test_it_keeps_the_group_while_another_grant_of_the_role_remains(self, commune, other_region):
        user = UserFactory()
        first = RoleGrant.objects.create(user=user, body=commune, role=Role.PUBLISHER)
        RoleGrant.objects.create(user=user, body=other_region, role=Role.PUBLISHER)
        first.delete()
        assert user.groups.filter(name="Role: publisher").exists()

    def test_it_uses_one_group_per_role_whatever_the_language(self, commune, other_region):
        from django.contrib.auth.models import Group
        from django.utils import translation

        user = UserFactory()
        with translation.override("fr"):
            RoleGrant.objects.create(user=user, body=commune, role=Role.MODERATOR)
        with translation.override("ar"):
            grant = RoleGrant.objects.create(user=user, body=other_region, role=Role.MODERATOR)
            RoleGrant.objects.filter(user=user, body=commune).get().delete()
            grant.delete()
        assert Group.objects.filter(name__startswith="Role: moderator").count() == 1
        assert not user.groups.exists()


class RoleGrantRemovalTestCase:
    """However a grant goes (its body deleted, a bulk delete), the rights it gave go with it."""

    def held_groups(self, user):
        return set(type(user).objects.get(pk=user.pk).groups.values_list("name", flat=True))

    def test_it_takes_admin_access_away_when_the_body_is_deleted(self, client, region):
        body = PublicBodyFactory(parent=region, slug="commune-fermee")
        user = RoleGrantFactory(body=body, role=Role.ADMINISTRATOR).user
        assert "Role: administrator" in self.held_groups(user)
        assert "publisher · commune-fermee" in self.held_groups(user)

        body.delete()

        assert not RoleGrant.objects.filter(user=user).exists()
        assert self.held_groups(user) == set()
        user = type(user).objects.get(pk=user.pk)
        assert not user.has_perm("wagtailadmin.access_admin")
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/ar/accounts/login/")

    def test_it_takes_the_groups_away_on_a_bulk_delete(self, commune, other_region):
        user = UserFactory()
        RoleGrantFactory(user=user, body=commune, role=Role.PUBLISHER)
        RoleGrantFactory(user=user, body=other_region, role=Role.MODERATOR)

        RoleGrant.objects.filter(user=user, role=Role.PUBLISHER).delete()

        assert self.held_groups(user) == {"Role: moderator"}

    def test_it_keeps_nothing_when_the_person_is_deleted(self, commune):
        user = RoleGrantFactory(body=commune, role=Role.PUBLISHER).user
        user.delete()
        assert not RoleGrant.objects.exists()

    def test_it_moves_the_rights_with_a_grant_handed_to_someone_else(self, commune):
        grant = RoleGrantFactory(body=commune, role=Role.PUBLISHER)
        first, second = grant.user, UserFactory()
        grant.user = second
        grant.save()
        assert self.held_groups(first) == set()
        assert "Role: publisher" in self.held_groups(second)


class GrantAndRevokeTestCase:
    def test_granting_twice_keeps_one_grant_and_revoking_takes_the_rights_away(
        self, commune, department, administrator
    ):
        user = UserFactory()
        first = grant_role(user, commune, Role.PUBLISHER, by=administrator)
        assert grant_role(user, commune, Role.PUBLISHER) == first
        assert first.granted_by == administrator
        assert has_any_role(user, [Role.EDITOR, Role.PUBLISHER], department)
        assert user.groups.filter(name="Role: publisher").exists()
        assert revoke_role(user, commune, Role.PUBLISHER) is True
        assert revoke_role(user, commune, Role.PUBLISHER) is False
        assert not has_any_role(user, [Role.EDITOR, Role.PUBLISHER], department)
        assert not user.groups.filter(name="Role: publisher").exists()
