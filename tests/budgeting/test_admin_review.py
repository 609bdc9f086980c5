"""The review of projects in the admin: the list per cycle, putting a project on the ballot at a cost or setting
it aside with reasons (locked once voting opens), projects added by staff or made from an accepted proposal, and
every door closed to a budget manager of another body."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from participation.budgeting import services
from participation.budgeting.models import Budget, Cycle, Phase, Project, ProjectStatus
from participation.proposals import services as proposal_services
from participation.proposals.models import Proposal, Space
from participation.proposals.models import Status as ProposalStatus
from portal.workflow import history

from .admin_support import errors_of, logged, queries_of, staff_client, url
from .conftest import INSIDE_NORTH, OUTSIDE, project, resident


@pytest.fixture
def submitted(cycle, budgets):
    return project(cycle, budgets["nord"], "حديقة الحي", cost=None, status=ProjectStatus.SUBMITTED, estimated_cost=90)


def review(outcome: str, cost: str = "", note: str = "") -> dict:
    return {"review-outcome": outcome, "review-cost": cost, "review-note": note}


def accepted_proposal(body, title="ملعب جواري للحي") -> Proposal:
    """An accepted proposal of a space of `body`."""
    space = Space.objects.create(body=body, slug=f"idees-{body.slug}", title_ar="اقتراحات")
    author = resident(f"author-{body.slug}@example.org", body)
    draft = proposal_services.Draft(title=title, text="نقترح ملعبا جواريا.", language="ar")
    proposal = proposal_services.write(space, author, draft)
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.ACCEPTED)
    proposal.refresh_from_db()
    return proposal


@pytest.mark.django_db
class ProjectListTestCase:
    def test_it_lists_the_cycles_projects_filtered_by_status_and_budget(self, manager, cycle, projects, submitted):
        client = staff_client(manager)

        everything = client.get(url("projects", cycle.pk)).context["page"]
        waiting = client.get(url("projects", cycle.pk), {"status": ProjectStatus.SUBMITTED}).context["page"]
        city = client.get(url("projects", cycle.pk), {"budget": projects["ville"][0].budget_id}).context["page"]

        assert everything.paginator.count == 10
        assert list(waiting) == [submitted]
        assert set(city) == set(projects["ville"])

    def test_the_list_costs_the_same_queries_however_many_projects(self, manager, cycle, budgets, body):
        client = staff_client(manager)
        project(cycle, budgets["nord"], "أول", proposal=accepted_proposal(body))
        few = queries_of(client, url("projects", cycle.pk))
        for n in range(10):
            project(cycle, budgets["ville"], f"مشروع {n}")
        assert queries_of(client, url("projects", cycle.pk)) == few

    def test_a_budget_of_another_cycle_does_not_filter(self, manager, cycle, projects, other_body):
        other = Cycle.objects.create(
            body=other_body,
            slug="autre",
            title_ar="آخر",
            voting_opens_at=cycle.voting_opens_at,
            voting_closes_at=cycle.voting_closes_at,
        )
        theirs = Budget.objects.create(cycle=other, slug="x", name_ar="س", amount=10)
        response = staff_client(manager).get(url("projects", cycle.pk), {"budget": theirs.pk})
        assert "budget" in response.context["filters"].errors
        assert response.context["page"].paginator.count == 9


@pytest.mark.django_db
class ReviewTestCase:
    def test_a_manager_puts_a_project_on_the_ballot_at_a_cost(self, manager, submitted):
        client = staff_client(manager)
        assert client.get(url("project", submitted.pk)).context["review_form"] is not None

        response = client.post(url("review", submitted.pk), review("feasible", "85000.50", "Coût vérifié"))

        assert response.status_code == 302 and not errors_of(response)
        submitted.refresh_from_db()
        assert (submitted.status, submitted.cost) == (ProjectStatus.FEASIBLE, Decimal("85000.50"))
        assert logged(submitted, "budgeting.review.accept").filter(user=manager).exists()
        assert history(submitted).last().by == manager

    def test_a_manager_sets_a_project_aside_with_the_reasons(self, manager, submitted):
        response = staff_client(manager).post(url("review", submitted.pk), review("set_aside", note="Hors compétence"))
        assert not errors_of(response)
        submitted.refresh_from_db()
        assert (submitted.status, submitted.review_note) == (ProjectStatus.SET_ASIDE, "Hors compétence")

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (review("set_aside"), "The reasons is empty."),
            (review("feasible"), "A project on the ballot needs its cost."),
            (review("feasible", "300000.01"), "This project costs more than its whole budget (300,000\u00a0DA)."),
        ],
    )
    def test_it_refuses_a_review_the_service_refuses(self, manager, submitted, data, message):
        response = staff_client(manager).post(url("review", submitted.pk), data)
        assert errors_of(response) == [message]
        assert Project.objects.get(pk=submitted.pk).status == ProjectStatus.SUBMITTED

    def test_it_refuses_a_malformed_review(self, manager, submitted):
        response = staff_client(manager).post(url("review", submitted.pk), review("maybe", "-4"))
        assert len(errors_of(response)) == 2
        assert Project.objects.get(pk=submitted.pk).status == ProjectStatus.SUBMITTED

    def test_costs_are_locked_once_voting_opens(self, manager, voting, projects):
        on_ballot = projects["nord"][0]
        client = staff_client(manager)
        page = client.get(url("project", on_ballot.pk))
        assert page.context["review_form"] is None
        assert url("review", on_ballot.pk) not in page.content.decode()

        forged = client.post(url("review", on_ballot.pk), review("feasible", "1000", "moins cher"))

        assert errors_of(forged) == ["Projects cannot be reviewed once voting has opened."]
        assert Project.objects.get(pk=on_ballot.pk).cost == Decimal(100_000)


@pytest.mark.django_db
class AddProjectTestCase:
    def payload(self, budget, **fields) -> dict:
        data = {"title": "مكتبة الحي", "description": "مكتبة صغيرة", "language": "ar", "budget": budget.pk}
        return {**data, **fields}

    def test_a_manager_adds_a_project_during_the_submission(self, manager, cycle, budgets, north):
        longitude, latitude = INSIDE_NORTH
        data = self.payload(budgets["nord"], longitude=longitude, latitude=latitude, estimated_cost="50000")

        response = staff_client(manager).post(url("add_project", cycle.pk), data)

        added = Project.objects.get(title="مكتبة الحي")
        assert response.status_code == 302 and response.url == url("project", added.pk)
        assert (added.status, added.budget, added.district, added.author) == (
            ProjectStatus.SUBMITTED,
            budgets["nord"],
            north,
            None,
        )
        assert added.signature() == cycle.body.name
        assert logged(added, "budgeting.add").filter(user=manager).exists()

    def test_a_budget_of_another_cycle_is_refused(self, manager, cycle, other_body):
        other = Cycle.objects.create(
            body=other_body,
            slug="autre",
            title_ar="آخر",
            voting_opens_at=cycle.voting_opens_at,
            voting_closes_at=cycle.voting_closes_at,
        )
        theirs = Budget.objects.create(cycle=other, slug="x", name_ar="س", amount=10)
        response = staff_client(manager).post(url("add_project", cycle.pk), self.payload(theirs))
        assert "budget" in response.context["form"].errors
        assert not Project.objects.filter(title="مكتبة الحي").exists()

    def test_a_point_outside_the_budgets_district_is_refused(self, manager, cycle, budgets):
        longitude, latitude = OUTSIDE
        data = self.payload(budgets["nord"], longitude=longitude, latitude=latitude)
        response = staff_client(manager).post(url("add_project", cycle.pk), data)
        [error] = response.context["form"].non_field_errors()
        assert error.startswith("The point on the map is outside the territory of ")
        assert not Project.objects.filter(title="مكتبة الحي").exists()

    def test_staff_add_no_project_once_voting_opens(self, manager, voting, budgets):
        client = staff_client(manager)
        assert not client.get(url("projects", voting.pk)).context["may_add"]
        response = client.post(url("add_project", voting.pk), self.payload(budgets["nord"]))
        assert response.context["form"].non_field_errors() == [
            "Staff add projects during the submission of projects and the technical review."
        ]

    def test_the_service_checks_who_adds_and_when(self, manager, other_manager, cycle, budgets):
        draft = services.ProjectDraft(title="x", description="y", language="ar", budget=budgets["ville"])
        with pytest.raises(PermissionDenied):
            services.add_project(cycle, other_manager, draft)
        services.move_cycle(cycle, Phase.COSTS)
        with translation.override("en"), pytest.raises(services.BudgetingRefused, match="submission of projects"):
            services.add_project(cycle, manager, draft)
        assert not Project.objects.exists()


@pytest.mark.django_db
class FromProposalTestCase:
    def test_a_manager_turns_an_accepted_proposal_into_a_project(self, manager, cycle, budgets, body):
        proposal = accepted_proposal(body)
        client = staff_client(manager)
        offered = client.get(url("from_proposal", cycle.pk)).context["form"].fields["proposal"].queryset
        assert list(offered) == [proposal]

        response = client.post(
            url("from_proposal", cycle.pk),
            {"proposal": proposal.pk, "budget": budgets["ville"].pk, "note": "Projet du budget participatif 2027"},
        )

        made = Project.objects.get(proposal=proposal)
        assert response.status_code == 302 and response.url == url("project", made.pk)
        assert (made.status, made.budget, made.title) == (ProjectStatus.SUBMITTED, budgets["ville"], proposal.title)
        assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.CONVERTED
        assert logged(made, "budgeting.from_proposal").filter(user=manager).exists()
        assert (
            reverse("proposals_admin:proposal", args=[proposal.pk])
            in client.get(url("project", made.pk)).content.decode()
        )

    def test_only_accepted_proposals_of_the_bodys_spaces_are_offered_and_accepted(
        self, manager, cycle, budgets, body, other_body
    ):
        theirs = accepted_proposal(other_body, "اقتراح تيبازة")
        ours = accepted_proposal(body)
        Proposal.objects.filter(pk=ours.pk).update(status=ProposalStatus.PUBLISHED)
        client = staff_client(manager)
        assert not client.get(url("from_proposal", cycle.pk)).context["form"].fields["proposal"].queryset.exists()

        for proposal in (theirs, ours):
            forged = client.post(
                url("from_proposal", cycle.pk), {"proposal": proposal.pk, "budget": budgets["ville"].pk, "note": "x"}
            )
            assert "proposal" in forged.context["form"].errors
        assert not Project.objects.filter(proposal__isnull=False).exists()
        assert Proposal.objects.get(pk=theirs.pk).status == ProposalStatus.ACCEPTED

    def test_a_proposal_needs_the_note(self, manager, cycle, budgets, body):
        proposal = accepted_proposal(body)
        response = staff_client(manager).post(
            url("from_proposal", cycle.pk), {"proposal": proposal.pk, "budget": budgets["ville"].pk, "note": ""}
        )
        assert "note" in response.context["form"].errors
        assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.ACCEPTED


@pytest.mark.django_db
class OtherBodyReviewDoorsTestCase:
    def test_every_door_of_a_project_is_closed(self, other_manager, cycle, budgets, submitted, body):
        proposal = accepted_proposal(body)
        client = staff_client(other_manager)
        assert client.get(url("project", submitted.pk)).status_code == 403
        assert client.post(url("review", submitted.pk), review("feasible", "100")).status_code == 403
        added = {"title": "x", "description": "y", "language": "ar", "budget": budgets["nord"].pk}
        assert client.post(url("add_project", cycle.pk), added).status_code == 403
        converted = {"proposal": proposal.pk, "budget": budgets["ville"].pk, "note": "x"}
        assert client.post(url("from_proposal", cycle.pk), converted).status_code == 403
        assert Project.objects.get(pk=submitted.pk).status == ProjectStatus.SUBMITTED
        assert Project.objects.count() == 1
        assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.ACCEPTED
