"""The proposals' staff screens: spaces and categories kept to the administrator's bodies, the proposals of one's
bodies (overdue answers first) and each move through a proposal's screen."""

import datetime
import re

import pytest
from django.contrib.messages import constants, get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from participation.proposals import services
from participation.proposals.models import Answer, Category, ModerationEntry, Proposal, Space, Status
from portal.bodies.models import Role
from portal.workflow import history
from tests.factories import DistrictFactory, PublicBodyFactory, RoleGrantFactory, square
from tests.staff import login_with_second_factor

from .conftest import write


def staff_client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    login_with_second_factor(client, user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"proposals_admin:{name}", args=args)


def errors_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]


def logged(proposal: Proposal, action: str):
    return ModelLogEntry.objects.filter(object_id=str(proposal.pk), action=action)


@pytest.fixture
def administrator(body):
    return RoleGrantFactory(body=body, role=Role.ADMINISTRATOR, user__email="head@example.org").user


@pytest.fixture
def other_space(other_body):
    return Space.objects.create(body=other_body, slug="idees-tipaza", title_ar="اقتراحات تيبازة")


def space_payload(body, **fields) -> dict:
    return {
        "body": body.pk,
        "slug": "budget-2027",
        "title_ar": "ميزانية 2027",
        "support_threshold": 50,
        "answer_days": 45,
        "opens_on": "2026-01-01",
        "currency": "DZD",
        **fields,
    }


@pytest.mark.django_db
class SpacesAdminTestCase:
    def test_it_lists_and_creates_the_spaces_of_the_administrators_bodies_only(
        self, administrator, space, other_space, body, north
    ):
        client = staff_client(administrator)
        listing = client.get(reverse("proposal_spaces:index"))
        assert listing.status_code == 200
        assert {item.pk for item in listing.context["object_list"]} == {space.pk}

        response = client.post(reverse("proposal_spaces:add"), space_payload(body, districts=[north.pk]))

        assert response.status_code == 302
        created = Space.objects.get(slug="budget-2027")
        assert created.body == body and list(created.districts.all()) == [north]

    def test_it_refuses_a_district_of_another_body(self, administrator, body, other_body):
        foreign = DistrictFactory(body=other_body, slug="ailleurs", boundary=square(4.0, 36.0))
        client = staff_client(administrator)
        response = client.post(reverse("proposal_spaces:add"), space_payload(body, districts=[foreign.pk]))
        assert response.status_code == 200
        assert "districts" in response.context["form"].errors
        assert not Space.objects.filter(slug="budget-2027").exists()

    def test_it_refuses_a_district_of_the_administrators_other_body(self, administrator, space, other_body, south):
        """An administrator of two bodies still gives a space only its own body's districts."""
        RoleGrantFactory(body=other_body, role=Role.ADMINISTRATOR, user=administrator)
        theirs = DistrictFactory(body=other_body, slug="ailleurs", boundary=square(4.0, 36.0))
        client = staff_client(administrator)
        edit = client.get(reverse("proposal_spaces:edit", args=[space.pk]))
        assert set(edit.context["form"].fields["districts"].queryset) == set(space.body.districts.all())
        payload = space_payload(space.body, slug=space.slug, districts=[south.pk, theirs.pk])
        response = client.post(reverse("proposal_spaces:edit", args=[space.pk]), payload)
        assert response.status_code == 200
        assert not space.districts.exists()

    def test_it_refuses_a_space_closing_before_it_opens(self, administrator, body):
        client = staff_client(administrator)
        response = client.post(reverse("proposal_spaces:add"), space_payload(body, closes_on="2025-12-31"))
        assert "closes_on" in response.context["form"].errors

    def test_it_edits_and_deletes_its_own_space_and_closes_the_doors_of_another(
        self, administrator, space, other_space, body
    ):
        client = staff_client(administrator)
        response = client.post(
            reverse("proposal_spaces:edit", args=[space.pk]), space_payload(body, slug=space.slug, title_ar="جديد")
        )
        assert response.status_code == 302
        assert Space.objects.get(pk=space.pk).title_ar == "جديد"
        for name in ("edit", "delete", "inspect", "history"):
            assert client.get(reverse(f"proposal_spaces:{name}", args=[other_space.pk])).status_code == 404, name
        assert client.post(reverse("proposal_spaces:delete", args=[other_space.pk])).status_code == 404
        empty = Space.objects.create(body=body, slug="vide", title_ar="فارغ")
        assert client.post(reverse("proposal_spaces:delete", args=[empty.pk])).status_code == 302
        assert not Space.objects.filter(pk=empty.pk).exists()

    def test_it_manages_the_categories_of_its_spaces_only(self, administrator, space, other_space):
        client = staff_client(administrator)
        payload = {"space": space.pk, "slug": "voirie", "name_ar": "الطرق"}
        assert client.post(reverse("proposal_categories:add"), payload).status_code == 302
        assert Category.objects.filter(space=space, slug="voirie").exists()
        forged = client.post(reverse("proposal_categories:add"), {**payload, "space": other_space.pk})
        assert "space" in forged.context["form"].errors
        assert not Category.objects.filter(space=other_space).exists()

    def test_spaces_are_for_administrators_not_moderators(self, moderator, space):
        client = staff_client(moderator)
        assert client.get(reverse("proposal_spaces:index")).status_code in (302, 403)
        assert client.get(reverse("proposal_spaces:edit", args=[space.pk])).status_code in (302, 403, 404)


@pytest.mark.django_db
class ProposalListTestCase:
    def test_it_lists_the_bodys_proposals_overdue_first_and_filters(self, publisher, space, author, other_space):
        today = timezone.localdate()
        recent = write(space, author, title="recent proposal")
        due_later = write(space, author, title="answer due later")
        late = write(space, author, title="answer overdue")
        Proposal.objects.filter(pk=due_later.pk).update(
            status=Status.THRESHOLD_REACHED, answer_due=today + datetime.timedelta(days=10)
        )
        Proposal.objects.filter(pk=late.pk).update(
            status=Status.THRESHOLD_REACHED, answer_due=today - datetime.timedelta(days=3)
        )
        draft = write(space, author, title="a draft", publish=False)
        theirs = write(other_space, author, title="another body")
        client = staff_client(publisher)

        html = client.get(url("index")).content.decode()

        shown = [p for p in (recent, due_later, late) if p.title in html]
        assert sorted(shown, key=lambda p: html.index(p.title)) == [late, due_later, recent]
        assert draft.title not in html and theirs.title not in html
        overdue = client.get(url("index"), {"overdue": "on"}).content.decode()
        assert late.title in overdue and due_later.title not in overdue and recent.title not in overdue
        published = client.get(url("index"), {"status": Status.PUBLISHED}).content.decode()
        assert recent.title in published and late.title not in published
        assert client.get(url("index"), {"space": other_space.pk}).status_code == 200  # not offered: no filter

    def test_it_is_for_staff_only(self, author, proposal):
        client = staff_client(author)  # no role: not even into the admin
        assert client.get(url("index")).status_code == 302
        assert client.get(url("proposal", proposal.pk)).status_code == 302
        assert client.post(url("hide", proposal.pk), {"hide-reason": "x"}).status_code == 302
        assert Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED

    def test_a_draft_is_nobodys_business(self, moderator, space, author):
        draft = write(space, author, publish=False)
        assert staff_client(moderator).get(url("proposal", draft.pk)).status_code == 404


@pytest.mark.django_db
class AnswerTestCase:
    def test_a_publisher_answers_and_the_answer_is_logged(self, publisher, proposal):
        client = staff_client(publisher)
        page = client.get(url("proposal", proposal.pk)).content.decode()
        assert f'action="{url("answer", proposal.pk)}"' in page
        data = {"answer-outcome": Status.ACCEPTED, "answer-text": "سيتم تركيب الإنارة.", "answer-language": "ar"}

        response = client.post(url("answer", proposal.pk), data)

        assert response.status_code == 302 and response.url == url("proposal", proposal.pk)
        proposal.refresh_from_db()
        assert proposal.status == Status.ACCEPTED
        answer = Answer.objects.get(proposal=proposal)
        assert (answer.status, answer.text, answer.by, answer.language) == (
            Status.ACCEPTED,
            "سيتم تركيب الإنارة.",
            publisher,
            "ar",
        )
        assert logged(proposal, "proposals.answer.accepted").filter(user=publisher).exists()
        assert history(proposal).last().to_status == Status.ACCEPTED
        page = client.get(url("proposal", proposal.pk)).content.decode()
        assert "سيتم تركيب الإنارة." in page

    @pytest.mark.parametrize(
        "data",
        [
            {"answer-outcome": Status.REJECTED, "answer-text": "   ", "answer-language": "ar"},
            {"answer-outcome": Status.MERGED, "answer-text": "نص", "answer-language": "ar"},
            {"answer-outcome": Status.ACCEPTED, "answer-text": "نص", "answer-language": "xx"},
        ],
    )
    def test_it_refuses_a_bad_answer(self, publisher, proposal, data):
        response = staff_client(publisher).post(url("answer", proposal.pk), data)
        assert response.status_code == 302 and errors_of(response)
        assert not Answer.objects.exists()
        assert Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED

    def test_a_moderator_may_not_answer(self, moderator, proposal):
        data = {"answer-outcome": Status.ACCEPTED, "answer-text": "نعم", "answer-language": "ar"}
        client = staff_client(moderator)
        assert f'action="{url("answer", proposal.pk)}"' not in client.get(url("proposal", proposal.pk)).content.decode()
        assert client.post(url("answer", proposal.pk), data).status_code == 403
        assert not Answer.objects.exists()

    def test_the_moves_are_post_only_and_need_the_csrf_token(self, publisher, proposal):
        client = staff_client(publisher, enforce_csrf_checks=True)
        assert client.get(url("answer", proposal.pk)).status_code == 405
        data = {"answer-outcome": Status.EVALUATING, "answer-text": "قيد الدراسة.", "answer-language": "ar"}
        assert client.post(url("answer", proposal.pk), data).status_code == 403
        page = client.get(url("proposal", proposal.pk)).content.decode()
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", page, flags=re.S)
        assert forms and all('name="csrfmiddlewaretoken"' in form for form in forms)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        assert client.post(url("answer", proposal.pk), {**data, "csrfmiddlewaretoken": token}).status_code == 302
        assert Proposal.objects.get(pk=proposal.pk).status == Status.EVALUATING


@pytest.mark.django_db
class ModerationMovesTestCase:
    def test_a_moderator_hides_with_a_reason_and_restores(self, moderator, proposal):
        client = staff_client(moderator)
        refused = client.post(url("hide", proposal.pk), {"hide-reason": "  "})
        assert errors_of(refused) and Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED

        client.post(url("hide", proposal.pk), {"hide-reason": "إعلان تجاري"})

        proposal.refresh_from_db()
        assert proposal.status == Status.MODERATION
        assert ModerationEntry.objects.filter(proposal=proposal, action="hide_proposal", reason="إعلان تجاري").exists()
        assert logged(proposal, "proposals.hide").exists()
        page = client.get(url("proposal", proposal.pk)).content.decode()
        assert f'action="{url("restore", proposal.pk)}"' in page

        client.post(url("restore", proposal.pk), {"restore-reason": ""})

        assert Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED
        assert logged(proposal, "proposals.restore").exists()

    def test_a_publisher_may_not_hide(self, publisher, proposal):
        assert staff_client(publisher).post(url("hide", proposal.pk), {"hide-reason": "x"}).status_code == 403
        assert Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED


@pytest.mark.django_db
class MergeTestCase:
    def test_it_merges_a_duplicate_into_an_open_proposal_of_the_same_space(
        self, moderator, space, proposal, author, residents, other_space
    ):
        keeper = write(space, residents[0], title="إنارة الشارع الرئيسي")
        closed = write(space, residents[1], title="مقترح مسحوب")
        services.withdraw(closed, residents[1])
        elsewhere = write(other_space, author, title="مقترح في بلدية أخرى")
        services.support(proposal, residents[2])
        client = staff_client(moderator)
        form = client.get(url("proposal", proposal.pk)).context["move_forms"]
        offered = set(next(move for move in form if move["name"] == "merge")["form"].fields["into"].queryset)
        assert offered == {keeper}

        forged = client.post(url("merge", proposal.pk), {"merge-into": elsewhere.pk, "merge-reason": "مكرر"})
        assert errors_of(forged) and Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED
        client.post(url("merge", proposal.pk), {"merge-into": keeper.pk, "merge-reason": "مكرر"})

        proposal.refresh_from_db()
        keeper.refresh_from_db()
        assert proposal.status == Status.MERGED and proposal.merged_into == keeper
        assert keeper.supports.filter(user=residents[2]).exists() and keeper.supports_count == 1
        assert logged(proposal, "proposals.merge").exists()

    def test_it_needs_a_reason(self, moderator, space, proposal, residents):
        keeper = write(space, residents[0])
        response = staff_client(moderator).post(url("merge", proposal.pk), {"merge-into": keeper.pk})
        assert errors_of(response) and Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED


@pytest.mark.django_db
class ConvertTestCase:
    def test_a_budget_manager_converts_an_accepted_proposal(self, budget_manager, publisher, proposal):
        services.answer(proposal, publisher, Status.ACCEPTED, "مقبول", language="ar")
        client = staff_client(budget_manager)
        assert client.post(url("convert", proposal.pk), {"convert-note": ""}).status_code == 302
        assert Proposal.objects.get(pk=proposal.pk).status == Status.ACCEPTED

        client.post(url("convert", proposal.pk), {"convert-note": "Projet 12 du budget participatif 2027"})

        assert Proposal.objects.get(pk=proposal.pk).status == Status.CONVERTED
        assert logged(proposal, "proposals.convert").filter(user=budget_manager).exists()

    def test_only_budget_managers_convert_and_only_accepted_proposals(self, budget_manager, publisher, proposal):
        assert staff_client(budget_manager).post(url("convert", proposal.pk), {"convert-note": "x"}).status_code == 302
        assert Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED  # not accepted: refused
        services.answer(proposal, publisher, Status.ACCEPTED, "مقبول", language="ar")
        assert staff_client(publisher).post(url("convert", proposal.pk), {"convert-note": "x"}).status_code == 403


def test_the_space_form_takes_the_districts_of_the_bodies_below(administrator, space, body):
    """A district of a body below the space's body belongs to it (districts_of reads the tree the same way)."""
    department = PublicBodyFactory(parent=body, kind="department", slug="service-test")
    below = DistrictFactory(body=department, slug="sous", boundary=square(3.1, 36.5))
    client = staff_client(administrator)
    payload = space_payload(body, slug=space.slug, districts=[below.pk], title_ar=space.title_ar)
    assert client.post(reverse("proposal_spaces:edit", args=[space.pk]), payload).status_code == 302
    assert list(space.districts.all()) == [below]


@pytest.mark.django_db
class ProposalScreenTestCase:
    def test_it_shows_the_history_with_the_statuses_names_and_the_audit_log(self, moderator, proposal):
        services.hide_proposal(proposal, moderator, "إعلان")
        response = staff_client(moderator).get(url("proposal", proposal.pk))
        steps = [(event["from"], event["to"]) for event in response.context["history"]]
        assert steps == [
            (Status.DRAFT.label, Status.PUBLISHED.label),
            (Status.PUBLISHED.label, Status.MODERATION.label),
        ]
        assert [entry.action for entry in response.context["log_entries"]] == ["proposals.hide"]
        assert "إعلان" in response.content.decode()

    def test_only_moderators_see_the_authors_email(self, moderator, publisher, proposal, author):
        assert author.email in staff_client(moderator).get(url("proposal", proposal.pk)).content.decode()
        page = staff_client(publisher).get(url("proposal", proposal.pk)).content.decode()
        assert author.email not in page and proposal.signature() in page


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_2_or_6_proposals(publisher, space, author):
    client = staff_client(publisher)
    for _ in range(2):
        write(space, author)
    client.get(url("index"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("index"))
    for _ in range(4):
        write(space, author)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("index"))
    assert response.context["page"].paginator.count == 6
    assert len(many) == len(few)
