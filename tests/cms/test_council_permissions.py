"""Staff of one body draft, approve and publish only for that body (and the bodies below it)."""

import pytest
from wagtail.models import Page, WorkflowState

from tests.cms.builders import council, decision, session
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory


@pytest.fixture
def other_council(other_region):
    return council(PublicBodyFactory(parent=other_region, slug="ailleurs"), slug="apc-ailleurs")


def permissions(user, page):
    return Page.objects.get(pk=page.pk).permissions_for_user(user)


class CouncilPermissionsTestCase:
    def test_it_lets_an_editor_draft_but_not_publish(self, council_page, commune):
        editor = RoleGrantFactory(body=commune, role="editor").user
        assert permissions(editor, council_page).can_add_subpage()
        assert not permissions(editor, council_page).can_publish_subpage()

    def test_it_lets_a_publisher_publish_for_the_body_only(self, council_page, other_council, commune):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        assert permissions(publisher, council_page).can_publish_subpage()
        assert not permissions(publisher, other_council).can_add_subpage()

    def test_it_gives_a_regions_publisher_the_communes_below(self, region, council_page):
        publisher = RoleGrantFactory(body=region, role="publisher").user
        assert permissions(publisher, council_page).can_publish_subpage()

    def test_it_reaches_a_council_created_after_the_grant(self, commune):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        later = council(commune, slug="apc-later")
        assert permissions(publisher, later).can_publish_subpage()

    def test_it_withdraws_the_rights_with_the_grant(self, council_page, commune):
        grant = RoleGrantFactory(body=commune, role="publisher")
        grant.delete()
        assert not permissions(grant.user, council_page).can_add_subpage()

    def test_it_sends_submissions_to_the_bodys_publishers(self, council_page, commune):
        editor = RoleGrantFactory(body=commune, role="editor").user
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        outsider = RoleGrantFactory(body=PublicBodyFactory(slug="autre"), role="publisher").user
        page = decision(session(council_page), reference="2025/050")
        workflow = page.get_workflow()
        assert workflow is not None
        state = workflow.start(page, editor)
        task = state.current_task_state.task.specific
        assert state.status == WorkflowState.STATUS_IN_PROGRESS
        assert task.user_can_access_editor(page, publisher)
        assert publisher in [user for group in task.groups.all() for user in group.user_set.all()]
        assert outsider not in [user for group in task.groups.all() for user in group.user_set.all()]

    def test_the_approval_is_named_after_the_body_in_its_languages_and_kept_when_renamed(self, council_page, commune):
        from wagtail.models import Workflow

        from cms.permissions import set_up_council

        workflow, workflows = council_page.get_workflow(), Workflow.objects.count()
        assert workflow.name == f"{commune.name_ar} · {commune.name_fr}"
        assert "Approval" not in workflow.name and commune.slug not in workflow.name
        commune.name_fr = "Commune de Blida-Centre"
        commune.save()
        assert Workflow.objects.get(pk=workflow.pk).name == f"{commune.name_ar} · Commune de Blida-Centre"
        council_page.refresh_from_db()
        set_up_council(council_page)  # as when a council is added: the same workflow, not a new one
        assert Workflow.objects.count() == workflows
        assert council_page.get_workflow().pk == workflow.pk
        assert council_page.get_workflow().name == f"{commune.name_ar} · Commune de Blida-Centre"

    def test_it_lets_body_staff_upload_and_choose_documents(self, council_page, commune):
        from wagtail.documents import get_document_model
        from wagtail.permissions import policy_registry

        permission_policy = policy_registry.get_by_type(get_document_model())

        editor = RoleGrantFactory(body=commune, role="editor").user
        citizen = UserFactory()
        assert permission_policy.user_has_permission(editor, "add")
        assert permission_policy.user_has_permission(editor, "choose")
        assert not permission_policy.user_has_permission(citizen, "add")
