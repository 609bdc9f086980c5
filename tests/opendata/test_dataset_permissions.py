"""Who may manage which datasets: editors and publishers of a body and of the bodies above it; Wagtail agrees."""

import pytest
from django.contrib.auth.models import AnonymousUser
from wagtail.permissions import policy_registry

from opendata import permissions
from opendata.models import Dataset, Licence, ProblemReport, Resource, Theme
from portal.bodies.models import Role
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory

DRAFT, PUBLISHED, WITHDRAWN = Dataset.Status.DRAFT, Dataset.Status.PUBLISHED, Dataset.Status.WITHDRAWN


@pytest.fixture
def commune_b(region):
    return PublicBodyFactory(parent=region, slug="commune-b")


def fresh(user):
    """The user as a new request sees them (policies remember roles on the user object)."""
    return type(user).objects.get(pk=user.pk)


class ManagedBodiesTestCase:
    def test_it_lets_editors_and_publishers_manage_their_body_and_those_below(self, commune, department, commune_b):
        for role in (Role.EDITOR, Role.PUBLISHER, Role.ADMINISTRATOR):
            user = RoleGrantFactory(body=commune, role=role).user
            assert set(permissions.get_managed_bodies(user)) == {commune, department}
            assert permissions.can_manage_body(user, department)
            assert not permissions.can_manage_body(user, commune_b)

    def test_it_gives_other_roles_nothing(self, commune):
        for role in (Role.BUDGET_MANAGER, Role.MODERATOR, Role.INFORMATION_OFFICER):
            user = RoleGrantFactory(body=commune, role=role).user
            assert not permissions.get_managed_bodies(user).exists()
            assert not permissions.can_manage_body(user, commune)

    def test_it_gives_citizens_and_anonymous_visitors_nothing(self, commune, citizen):
        for user in (citizen, AnonymousUser()):
            assert not permissions.get_managed_bodies(user).exists()
            assert not permissions.can_manage_body(user, commune)

    def test_it_lists_only_the_datasets_reports_and_resources_of_managed_bodies(self, commune, department, commune_b):
        editor = RoleGrantFactory(body=commune, role=Role.EDITOR).user
        mine, below, theirs = (DatasetFactory(body=body) for body in (commune, department, commune_b))
        assert set(permissions.get_editable_datasets(editor)) == {mine, below}
        ResourceFactory(dataset=theirs)
        resource = ResourceFactory(dataset=below)
        assert list(permissions.get_editable_resources(editor)) == [resource]
        ProblemReport.objects.create(dataset=theirs, kind="other", message="…")
        report = ProblemReport.objects.create(dataset=mine, kind="other", message="…")
        assert list(permissions.get_visible_problem_reports(editor)) == [report]

    def test_it_lists_each_dataset_once_for_someone_with_both_roles(self, region, commune):
        user = RoleGrantFactory(body=region, role=Role.EDITOR).user
        RoleGrantFactory(body=commune, role=Role.PUBLISHER, user=user)
        dataset = DatasetFactory(body=commune)
        assert list(permissions.get_editable_datasets(user)) == [dataset]


class StatusTestCase:
    @pytest.mark.parametrize(
        ("role", "old", "new", "allowed"),
        [
            (Role.EDITOR, None, DRAFT, True),
            (Role.EDITOR, None, PUBLISHED, False),
            (Role.EDITOR, DRAFT, PUBLISHED, False),
            (Role.EDITOR, PUBLISHED, PUBLISHED, True),
            (Role.EDITOR, PUBLISHED, WITHDRAWN, False),
            (Role.EDITOR, PUBLISHED, DRAFT, False),
            (Role.EDITOR, WITHDRAWN, DRAFT, False),
            (Role.PUBLISHER, None, PUBLISHED, True),
            (Role.PUBLISHER, DRAFT, PUBLISHED, True),
            (Role.PUBLISHER, PUBLISHED, WITHDRAWN, True),
            (Role.PUBLISHER, WITHDRAWN, PUBLISHED, True),
            (Role.ADMINISTRATOR, DRAFT, PUBLISHED, True),
        ],
    )
    def test_it_keeps_publishing_to_publishers(self, commune, role, old, new, allowed):
        user = RoleGrantFactory(body=commune, role=role).user
        assert permissions.can_set_status(user, commune, old, new) is allowed

    def test_it_refuses_every_status_outside_the_users_bodies(self, commune, commune_b):
        publisher = RoleGrantFactory(body=commune, role=Role.PUBLISHER).user
        assert not permissions.can_set_status(publisher, commune_b, None, DRAFT)
        assert not permissions.can_set_status(publisher, commune_b, DRAFT, PUBLISHED)

    def test_it_lets_editors_delete_drafts_only(self, commune):
        editor = RoleGrantFactory(body=commune, role=Role.EDITOR).user
        publisher = RoleGrantFactory(body=commune, role=Role.PUBLISHER).user
        draft, published = DatasetFactory(body=commune, status=DRAFT), DatasetFactory(body=commune, status=PUBLISHED)
        assert permissions.can_delete_dataset(editor, draft)
        assert not permissions.can_delete_dataset(editor, published)
        assert permissions.can_delete_dataset(publisher, published)


class WagtailPolicyTestCase:
    def test_it_registers_the_policies_with_wagtail(self):
        assert policy_registry.get_by_type(Dataset) is permissions.dataset_policy
        assert policy_registry.get_by_type(Resource) is permissions.resource_policy
        assert policy_registry.get_by_type(ProblemReport) is permissions.problem_report_policy

    def test_it_agrees_with_the_roles_on_the_model(self, commune, citizen):
        policy = policy_registry.get_by_type(Dataset)
        editor = RoleGrantFactory(body=commune, role=Role.EDITOR).user
        publisher = RoleGrantFactory(body=commune, role=Role.PUBLISHER).user
        assert policy.user_has_permission(fresh(editor), "add")
        assert policy.user_has_permission(fresh(editor), "change")
        assert not policy.user_has_permission(fresh(editor), "publish")
        assert policy.user_has_permission(fresh(publisher), "publish")
        assert not policy.user_has_any_permission(fresh(citizen), ["add", "change", "delete", "view"])
        assert not policy.user_has_permission(AnonymousUser(), "change")

    def test_it_agrees_with_the_roles_on_each_dataset(self, commune, commune_b):
        policy = policy_registry.get_by_type(Dataset)
        editor = RoleGrantFactory(body=commune, role=Role.EDITOR).user
        mine, theirs = DatasetFactory(body=commune, status=DRAFT), DatasetFactory(body=commune_b)
        published = DatasetFactory(body=commune, status=PUBLISHED)
        assert policy.user_has_permission_for_instance(fresh(editor), "change", mine)
        assert not policy.user_has_permission_for_instance(fresh(editor), "change", theirs)
        assert policy.user_has_permission_for_instance(fresh(editor), "delete", mine)
        assert not policy.user_has_permission_for_instance(fresh(editor), "delete", published)
        assert not policy.user_has_permission_for_instance(fresh(editor), "publish", mine)
        assert set(policy.instances_user_has_permission_for(fresh(editor), "change")) == {mine, published}

    def test_it_names_the_users_who_may_act_on_a_dataset(self, region, commune, commune_b, citizen):
        editor = RoleGrantFactory(body=commune, role=Role.EDITOR).user
        regional_publisher = RoleGrantFactory(body=region, role=Role.PUBLISHER).user
        stranger = RoleGrantFactory(body=commune_b, role=Role.PUBLISHER).user
        dataset = DatasetFactory(body=commune)
        policy = permissions.dataset_policy
        assert set(policy.users_with_permission_for_instance("change", dataset)) == {editor, regional_publisher}
        assert set(policy.users_with_permission_for_instance("publish", dataset)) == {regional_publisher}
        assert citizen not in policy.users_with_permission("change")
        assert stranger in policy.users_with_permission("change")

    def test_it_scopes_resources_and_reports_through_their_dataset(self, commune, commune_b):
        editor = fresh(RoleGrantFactory(body=commune, role=Role.EDITOR).user)
        mine = ResourceFactory(dataset=DatasetFactory(body=commune))
        theirs = ResourceFactory(dataset=DatasetFactory(body=commune_b))
        assert permissions.resource_policy.user_has_permission_for_instance(editor, "change", mine)
        assert not permissions.resource_policy.user_has_permission_for_instance(editor, "change", theirs)
        report = ProblemReport.objects.create(dataset=mine.dataset, kind="other", message="…")
        assert permissions.problem_report_policy.user_has_permission_for_instance(editor, "change", report)
        assert not permissions.problem_report_policy.user_has_permission(editor, "add")
        assert not permissions.problem_report_policy.user_has_permission_for_instance(editor, "delete", report)

    def test_it_keeps_reference_data_to_superusers(self, commune):
        publisher = RoleGrantFactory(body=commune, role=Role.PUBLISHER).user
        superuser = UserFactory(is_superuser=True)
        for model in (Licence, Theme):
            policy = policy_registry.get_by_type(model)
            assert not policy.user_has_any_permission(publisher, ["add", "change", "delete"])
            assert policy.user_has_permission(superuser, "change")
            assert list(policy.users_with_permission("change")) == [superuser]
