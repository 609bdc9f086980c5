"""Council pages stay in their body's hands: no moving a council elsewhere, no peeking at other bodies' drafts."""

import pytest
from wagtail.models import Page
from wagtail.test.utils.form_data import rich_text

from cms.models import CouncilIndexPage
from tests.cms.builders import council, decision, session
from tests.factories import PublicBodyFactory, RoleGrantFactory
from tests.staff import login_with_second_factor


@pytest.fixture
def neighbour(other_region):
    return PublicBodyFactory(parent=other_region, slug="commune-voisine", name_ar="بلدية مجاورة")


@pytest.fixture
def publisher(client, commune):
    user = RoleGrantFactory(body=commune, role="publisher", user__email="publisher@example.org").user
    login_with_second_factor(client, user)
    return user


@pytest.fixture
def draft_elsewhere(neighbour):
    """A draft decision of another body, its title not yet public."""
    page = decision(session(council(neighbour, slug="apc-voisine")), reference="2025/099", title="Projet confidentiel")
    page.unpublish()
    return Page.objects.get(pk=page.pk)


def council_form(page, **fields):
    return {
        "title": page.title,
        "slug": page.slug,
        "body": page.body_id,
        "members_in_office": page.members_in_office,
        "intro": rich_text(""),
        **fields,
    }


class CouncilBodyTestCase:
    def test_it_refuses_to_move_a_council_to_another_body(self, client, publisher, council_page, commune, neighbour):
        response = client.post(f"/admin/pages/{council_page.pk}/edit/", council_form(council_page, body=neighbour.pk))
        assert response.status_code == 200
        assert "body" in response.context["form"].errors
        page = CouncilIndexPage.objects.get(pk=council_page.pk)
        assert page.body == commune
        assert page.get_latest_revision_as_object().body == commune

    def test_it_offers_only_the_bodies_the_person_publishes_for(
        self, client, publisher, council_page, commune, department
    ):
        response = client.get(f"/admin/pages/{council_page.pk}/edit/")
        assert response.status_code == 200
        assert set(response.context["form"].fields["body"].queryset) == {commune, department}

    def test_it_keeps_a_move_within_the_persons_bodies(self, client, publisher, council_page, department):
        response = client.post(f"/admin/pages/{council_page.pk}/edit/", council_form(council_page, body=department.pk))
        assert response.status_code == 302
        assert CouncilIndexPage.objects.get(pk=council_page.pk).get_latest_revision_as_object().body == department


class OtherBodiesDraftsTestCase:
    def test_it_keeps_their_titles_out_of_the_chooser_search(self, client, publisher, draft_elsewhere):
        response = client.get("/admin/choose-page/search/", {"q": "confidentiel"})
        assert response.status_code == 200
        assert "Projet confidentiel" not in response.content.decode()

    def test_it_keeps_their_titles_out_of_the_chooser_listing(self, client, publisher, draft_elsewhere):
        response = client.get(f"/admin/choose-page/{draft_elsewhere.get_parent().pk}/")
        assert response.status_code == 200
        assert "Projet confidentiel" not in response.content.decode()

    def test_it_still_lists_the_persons_own_drafts(self, client, publisher, council_page):
        page = decision(session(council_page), reference="2025/098", title="Brouillon maison")
        page.unpublish()
        response = client.get("/admin/choose-page/search/", {"q": "maison"})
        assert "Brouillon maison" in response.content.decode()

    @pytest.mark.parametrize(
        ("view", "status"),
        [
            ("history", 302),
            ("edit", 302),
            ("view_draft", 302),
            ("revisions/compare/live...earliest", 404),
            ("usage", 302),
        ],
    )
    def test_it_closes_their_page_views(self, client, publisher, draft_elsewhere, view, status):
        # Wagtail sends a person without the permission back to the dashboard; its comparison of revisions
        # answers 404.
        response = client.get(f"/admin/pages/{draft_elsewhere.pk}/{view}/")
        assert response.status_code == status
        if status == 302:
            assert response["Location"] == "/admin/"
        assert "Projet confidentiel" not in response.content.decode()


class OtherBodiesDocumentsTestCase:
    def make_document(self, title, user=None):
        from django.core.files.base import ContentFile

        from cms.models import CouncilDocument

        return CouncilDocument.objects.create(
            title=title, file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="doc.pdf"), uploaded_by_user=user
        )

    def test_it_keeps_another_bodys_draft_attachments_out_of_the_chooser(
        self, client, publisher, draft_elsewhere, settings, tmp_path
    ):
        from cms.models import DecisionAttachment

        settings.MEDIA_ROOT = tmp_path
        hidden = self.make_document("Annexe secrète")
        DecisionAttachment.objects.create(page_id=draft_elsewhere.pk, document=hidden)
        own = self.make_document("Mon annexe", user=publisher)
        response = client.get("/admin/documents/chooser/")
        assert response.status_code == 200
        html = response.json()["html"]
        assert own.title in html
        assert hidden.title not in html
