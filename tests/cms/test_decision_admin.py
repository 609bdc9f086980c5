"""Publishing a decision in the Wagtail admin: drafts, validation, approval by the body's publishers."""

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.models import DecisionPage
from tests.cms.builders import council, session
from tests.factories import PublicBodyFactory, RoleGrantFactory
from tests.staff import login_with_second_factor


@pytest.fixture
def session_page(commune):
    return session(council(commune, slug="apc-test"))


def decision_form(**overrides):
    data = {
        "title": "Budget supplémentaire 2025",
        "slug": "budget-2025",
        "reference": "2025/017",
        "decision_date": "2025-03-10",
        "agenda_item": "3",
        "summary": "Le conseil adopte le budget supplémentaire.",
        "full_text": streamfield([]),
        "outcome": "adopted",
        "votes_for": 24,
        "votes_against": 3,
        "votes_abstain": 2,
        "legal_basis": "Loi n° 11-10 relative à la commune",
        "execution_status": "not_started",
        "member_votes": inline_formset([]),
        "attachments": inline_formset([]),
        **overrides,
    }
    return nested_form_data(data)


def add_url(session_page):
    return reverse("wagtailadmin_pages:add", args=["cms", "decisionpage", session_page.pk])


class DecisionAdminTestCase:
    def test_it_lets_a_publisher_publish_a_decision(self, client, commune, session_page):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        login_with_second_factor(client, publisher)
        response = client.post(add_url(session_page), {**decision_form(), "action-publish": "publish"})
        assert response.status_code == 302
        page = DecisionPage.objects.get(reference="2025/017")
        assert page.live
        assert page.body == commune

    def test_an_arabic_title_gives_the_address_of_the_reference(self, client, commune, session_page):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        login_with_second_factor(client, publisher)
        title = "المصادقة على الميزانية الإضافية لسنة 2025 الخاصة بالبلدية"
        # The slug a browser's script makes of the title: Arabic letters, hundreds of characters once encoded.
        form = decision_form(title=title, slug="المصادقة-على-الميزانية-الإضافية-لسنة-2025-الخاصة-بالبلدية")
        response = client.post(add_url(session_page), {**form, "action-publish": "publish"})
        assert response.status_code == 302
        page = DecisionPage.objects.get(reference="2025/017")
        assert page.slug == "2025-017"
        assert page.url.endswith("/2025-017/")

    def test_a_latin_address_staff_typed_is_kept(self, client, commune, session_page):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        login_with_second_factor(client, publisher)
        response = client.post(add_url(session_page), {**decision_form(), "action-publish": "publish"})
        assert response.status_code == 302
        assert DecisionPage.objects.get().slug == "budget-2025"

    def test_votes_left_empty_are_unknown(self, client, commune, session_page):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        login_with_second_factor(client, publisher)
        form = decision_form(votes_for="", votes_against="", votes_abstain="", outcome="postponed")
        response = client.post(add_url(session_page), {**form, "action-publish": "publish"})
        assert response.status_code == 302
        assert DecisionPage.objects.get().votes_cast is None

    def test_it_offers_the_topics_of_the_decisions_language_as_boxes(self, client, commune, session_page):
        from wagtail.models import Locale

        from cms.models import Topic

        arabic = Locale.objects.get(language_code="ar")
        french = Locale.objects.get_or_create(language_code="fr")[0]
        Topic.objects.create(locale=arabic, slug="budget", name="الميزانية")
        Topic.objects.create(locale=french, slug="budget", name="Budget")
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        login_with_second_factor(client, publisher)
        html = client.get(add_url(session_page)).content.decode()
        assert 'type="checkbox" name="topics"' in html
        assert "الميزانية" in html and ">Budget<" not in html

    def test_it_shows_a_tally_error_instead_of_saving(self, client, commune, session_page):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        login_with_second_factor(client, publisher)
        response = client.post(add_url(session_page), {**decision_form(votes_for=10), "action-publish": "publish"})
        assert response.status_code == 200
        assert "votes_for" in response.context["form"].errors
        assert not DecisionPage.objects.exists()

    def test_it_shows_a_reused_reference_as_a_form_error(self, client, commune, session_page):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        login_with_second_factor(client, publisher)
        client.post(add_url(session_page), {**decision_form(), "action-publish": "publish"})
        response = client.post(add_url(session_page), {**decision_form(slug="autre"), "action-publish": "publish"})
        assert response.status_code == 200
        assert "reference" in response.context["form"].errors
        assert DecisionPage.objects.count() == 1

    def test_it_sends_an_editors_draft_for_approval(self, client, commune, session_page):
        editor = RoleGrantFactory(body=commune, role="editor").user
        login_with_second_factor(client, editor)
        response = client.post(add_url(session_page), {**decision_form(), "action-submit": "submit"})
        assert response.status_code == 302
        page = DecisionPage.objects.get(reference="2025/017")
        assert not page.live
        assert (
            WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk)).status == "in_progress"
        )

    def test_it_refuses_publishers_of_another_body(self, client, session_page):
        stranger = RoleGrantFactory(body=PublicBodyFactory(slug="ailleurs"), role="publisher").user
        login_with_second_factor(client, stranger)
        response = client.post(add_url(session_page), {**decision_form(), "action-publish": "publish"})
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
        assert not DecisionPage.objects.exists()


class RollCallMembersTestCase:
    def member(self, body, name):
        import datetime

        from cms.models import CouncilMember

        return CouncilMember.objects.create(body=body, name_ar=name, term_start=datetime.date(2021, 11, 27))

    def votes(self, *members):
        return inline_formset([{"member": member.pk, "vote": "for"} for member in members])

    def test_it_refuses_a_member_of_another_council(self, client, commune, other_region, session_page):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        login_with_second_factor(client, publisher)
        stranger = self.member(other_region, "عضو غريب")
        data = {**decision_form(member_votes=self.votes(stranger)), "action-publish": "publish"}
        response = client.post(add_url(session_page), data)
        assert response.status_code == 200
        errors = response.context["form"].formsets["member_votes"].forms[0].errors
        assert errors["member"] == ["اختر عضوًا من أعضاء هذا المجلس."]  # the admin in the portal's first language
        assert not DecisionPage.objects.exists()

    def test_it_records_the_councils_own_members(self, client, commune, session_page):
        publisher = RoleGrantFactory(body=commune, role="publisher").user
        login_with_second_factor(client, publisher)
        own = self.member(commune, "عضو المجلس")
        data = {**decision_form(member_votes=self.votes(own)), "action-publish": "publish"}
        response = client.post(add_url(session_page), data)
        assert response.status_code == 302
        assert [vote.member for vote in DecisionPage.objects.get().member_votes.all()] == [own]
