"""The cycles' staff screens: the list of one's bodies' cycles, the cycle's form (rules locked from voting on),
its budgets and groups, its phase moves, its history, counting the results, and every door closed to a budget
manager of another body."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from participation.budgeting import services
from participation.budgeting.models import Budget, BudgetGroup, CountingRule, Cycle, PaperBallot, Phase
from portal.bodies.models import Role
from portal.workflow import history
from tests.factories import DistrictFactory, RoleGrantFactory, UserFactory, square

from .admin_support import errors_of, logged, queries_of, staff_client, url
from .conftest import open_voting


@pytest.fixture
def administrator(body):
    return RoleGrantFactory(body=body, role=Role.ADMINISTRATOR, user__email="head@example.org").user


@pytest.fixture
def other_cycle(other_body):
    now = timezone.now()
    return Cycle.objects.create(
        body=other_body,
        slug="tipaza-2027",
        title_ar="ميزانية تيبازة",
        voting_opens_at=now + timedelta(days=30),
        voting_closes_at=now + timedelta(days=40),
    )


def cycle_payload(body=None, **fields) -> dict:
    data = {
        "slug": "blida-2028",
        "title_ar": "الميزانية التشاركية 2028",
        "title_fr": "Budget participatif 2028",
        "currency": "DZD",
        "voting_opens_at": "2028-03-01 08:00",
        "voting_closes_at": "2028-03-15 20:00",
        "ballot_rule": "approval",
        "max_projects": "3",
        "counting_rule": CountingRule.MES_ADD1,
        **fields,
    }
    if body is not None:
        data["body"] = body.pk
    return data


def edit_payload(cycle: Cycle, **fields) -> dict:
    """What the edit form sends back for `cycle` before voting (every field, as shown)."""
    data = cycle_payload(slug=cycle.slug, title_ar=cycle.title_ar, title_fr=cycle.title_fr)
    data["voting_opens_at"] = timezone.localtime(cycle.voting_opens_at).strftime("%Y-%m-%d %H:%M")
    data["voting_closes_at"] = timezone.localtime(cycle.voting_closes_at).strftime("%Y-%m-%d %H:%M")
    data["max_projects"] = str(cycle.max_projects or "")
    return {**data, **fields}


def texts_payload(cycle: Cycle, **fields) -> dict:
    """What a browser sends once voting opened: the locked fields are disabled, so not sent."""
    data = {"slug": cycle.slug, "title_ar": cycle.title_ar, "title_fr": cycle.title_fr, "title_en": ""}
    return {**data, **fields}


def budgets_payload(budgets: list[dict], groups: list[dict] = (), *, initial_budgets=0, initial_groups=0) -> dict:
    data = {
        "budgets-TOTAL_FORMS": str(len(budgets)),
        "budgets-INITIAL_FORMS": str(initial_budgets),
        "groups-TOTAL_FORMS": str(len(groups)),
        "groups-INITIAL_FORMS": str(initial_groups),
    }
    for prefix, rows in (("budgets", budgets), ("groups", groups)):
        for index, row in enumerate(rows):
            for name, value in row.items():
                data[f"{prefix}-{index}-{name}"] = value
    return data


def existing_budgets(cycle: Cycle) -> list[dict]:
    return [
        {
            "id": str(budget.pk),
            "slug": budget.slug,
            "name_ar": budget.name_ar,
            "district": str(budget.district_id or ""),
            "amount": str(budget.amount),
        }
        for budget in cycle.budgets.order_by("pk")
    ]


def ballot_review(cycle: Cycle) -> Cycle:
    return services.move_cycle(cycle, Phase.BALLOT_REVIEW)


@pytest.mark.django_db
class CycleListTestCase:
    def test_it_lists_the_cycles_of_the_managers_bodies_only(self, manager, cycle, other_cycle):
        response = staff_client(manager).get(url("index"))
        assert response.status_code == 200
        assert list(response.context["page"]) == [cycle]
        assert other_cycle.title_ar not in response.content.decode()

    def test_the_list_costs_the_same_queries_however_many_cycles(self, manager, cycle, body):
        client = staff_client(manager)
        few = queries_of(client, url("index"))
        for n in range(5):
            Cycle.objects.create(
                body=body,
                slug=f"blida-{n}",
                title_ar=f"دورة {n}",
                voting_opens_at=cycle.voting_opens_at,
                voting_closes_at=cycle.voting_closes_at,
            )
        assert queries_of(client, url("index")) == few

    def test_an_administrator_and_a_superuser_see_them_too(self, administrator, cycle, other_cycle):
        assert list(staff_client(administrator).get(url("index")).context["page"]) == [cycle]
        boss = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
        assert set(staff_client(boss).get(url("index")).context["page"]) == {cycle, other_cycle}

    def test_it_is_for_budget_managers(self, officer, voter, cycle):
        assert staff_client(officer).get(url("index")).status_code == 403
        assert staff_client(officer).get(url("cycle", cycle.pk)).status_code == 403
        assert staff_client(voter).get(url("index")).status_code == 302  # not into the admin at all

    def test_the_menu_shows_what_each_role_may_open(self, manager, officer, voter, cycle):
        def menu(user) -> set[str]:
            html = staff_client(user).get("/admin/").content.decode()
            return {name for name in ("index", "paper") if f'"url": "{url(name)}"' in html}

        assert menu(manager) == {"index", "paper"}
        assert menu(officer) == {"paper"}


@pytest.mark.django_db
class CycleFormTestCase:
    def test_a_manager_creates_a_cycle_of_their_body(self, manager, body):
        response = staff_client(manager).post(url("add"), cycle_payload(body, min_spend_share="0.50"))

        created = Cycle.objects.get(slug="blida-2028")
        assert response.status_code == 302 and response.url == url("budgets", created.pk)
        assert (created.body, created.phase, created.min_spend_share) == (body, Phase.DRAFT, Decimal("0.50"))
        assert logged(created, "wagtail.create").filter(user=manager).exists()

    def test_the_form_offers_and_accepts_only_the_managers_bodies(self, manager, body, other_body):
        client = staff_client(manager)
        assert list(client.get(url("add")).context["form"].fields["body"].queryset) == [body]

        forged = client.post(url("add"), cycle_payload(other_body))

        assert forged.status_code == 200 and "body" in forged.context["form"].errors
        assert not Cycle.objects.filter(slug="blida-2028").exists()

    def test_it_refuses_rules_that_do_not_hold(self, manager, body):
        response = staff_client(manager).post(
            url("add"),
            cycle_payload(body, ballot_rule="cumulative", counting_rule="greedy-threshold", threshold="1.5"),
        )
        errors = response.context["form"].errors
        assert {"points", "threshold"} <= set(errors)
        assert not Cycle.objects.filter(slug="blida-2028").exists()

    def test_a_manager_edits_rules_before_voting(self, manager, cycle):
        response = staff_client(manager).post(
            url("edit", cycle.pk), edit_payload(cycle, ballot_rule="knapsack", title_en="Participatory budget")
        )
        assert response.status_code == 302
        cycle.refresh_from_db()
        assert (cycle.ballot_rule, cycle.title_en) == ("knapsack", "Participatory budget")
        assert logged(cycle, "wagtail.edit").filter(user=manager).exists()

    def test_rules_are_shown_read_only_once_voting_opens(self, manager, voting):
        form = staff_client(manager).get(url("edit", voting.pk)).context["form"]
        assert all(form.fields[name].disabled for name in Cycle.RULE_FIELDS)
        assert not form.fields["title_ar"].disabled and not form.fields["costs_at"].disabled

    def test_texts_still_change_during_voting(self, manager, voting):
        response = staff_client(manager).post(url("edit", voting.pk), texts_payload(voting, title_en="Budget 2027"))
        assert response.status_code == 302
        assert Cycle.objects.get(pk=voting.pk).title_en == "Budget 2027"

    def test_a_forged_post_changing_the_rules_during_voting_is_refused(self, manager, voting):
        before = Cycle.objects.filter(pk=voting.pk).values(*Cycle.RULE_FIELDS).get()
        forged = texts_payload(voting, ballot_rule="knapsack", voting_closes_at="2030-01-01 00:00", title_en="X")

        response = staff_client(manager).post(url("edit", voting.pk), forged)

        assert response.status_code == 200
        errors = " ".join(response.context["form"].non_field_errors())
        assert "cannot change once voting has opened" in errors and "(Ballot rule, Voting closes)" in errors
        assert Cycle.objects.filter(pk=voting.pk).values(*Cycle.RULE_FIELDS).get() == before
        assert Cycle.objects.get(pk=voting.pk).title_en == ""


@pytest.mark.django_db
class BudgetsTestCase:
    def test_a_manager_adds_budgets_and_a_group(self, manager, cycle, north):
        client = staff_client(manager)
        rows = existing_budgets(cycle)
        data = budgets_payload(
            [*rows, {"slug": "nord-2", "name_ar": "الشمال 2", "district": str(north.pk), "amount": "250000.50"}],
            [{"name_ar": "المواضيع", "max_budgets": "2"}],
            initial_budgets=len(rows),
        )

        response = client.post(url("budgets", cycle.pk), data)

        assert response.status_code == 302
        added = Budget.objects.get(cycle=cycle, slug="nord-2")
        assert (added.district, added.amount) == (north, Decimal("250000.50"))
        group = BudgetGroup.objects.get(cycle=cycle)
        assert group.max_budgets == 2
        # The group is offered to the budgets once it exists.
        offered = client.get(url("budgets", cycle.pk)).context["budgets"].forms[0].fields["group"].queryset
        assert list(offered) == [group]

    def test_a_district_of_another_body_is_refused(self, manager, cycle, other_body):
        foreign = DistrictFactory(body=other_body, slug="ailleurs", boundary=square(4.0, 36.0))
        client = staff_client(manager)
        offered = client.get(url("budgets", cycle.pk)).context["budgets"].forms[0].fields["district"].queryset
        assert foreign not in offered
        rows = existing_budgets(cycle)
        data = budgets_payload(
            [*rows, {"slug": "ailleurs", "name_ar": "خارج", "district": str(foreign.pk), "amount": "1000"}],
            initial_budgets=len(rows),
        )

        response = client.post(url("budgets", cycle.pk), data)

        assert response.status_code == 200
        assert not Budget.objects.filter(slug="ailleurs").exists()

    def test_a_budget_of_another_cycle_cannot_be_edited_through_this_one(self, manager, cycle, other_cycle):
        theirs = Budget.objects.create(cycle=other_cycle, slug="tout", name_ar="الكل", amount=1000)
        rows = existing_budgets(cycle)
        rows[0] = {**rows[0], "id": str(theirs.pk), "amount": "5"}
        staff_client(manager).post(url("budgets", cycle.pk), budgets_payload(rows, initial_budgets=len(rows)))
        assert Budget.objects.get(pk=theirs.pk).amount == Decimal(1000)

    def test_a_group_of_another_cycle_is_refused(self, manager, cycle, other_cycle):
        theirs = BudgetGroup.objects.create(cycle=other_cycle, name_ar="مجموعة")
        rows = existing_budgets(cycle)
        rows[0]["group"] = str(theirs.pk)
        response = staff_client(manager).post(url("budgets", cycle.pk), budgets_payload(rows, initial_budgets=3))
        assert "group" in response.context["budgets"].forms[0].errors
        assert not Budget.objects.filter(group=theirs).exists()

    def test_an_amount_must_be_more_than_zero(self, manager, cycle):
        rows = existing_budgets(cycle)
        rows[0]["amount"] = "0"
        response = staff_client(manager).post(url("budgets", cycle.pk), budgets_payload(rows, initial_budgets=3))
        assert response.status_code == 200
        assert response.context["budgets"].forms[0].errors["amount"]

    def test_budgets_are_read_only_and_a_forged_post_refused_once_voting_opens(self, manager, voting, budgets):
        client = staff_client(manager)
        page = client.get(url("budgets", voting.pk))
        assert page.context["locked"] and "budgets-TOTAL_FORMS" not in page.content.decode()
        rows = existing_budgets(voting)
        rows[0]["amount"] = "999999"
        new = {"slug": "extra", "name_ar": "إضافي", "district": "", "amount": "10"}
        forged = budgets_payload([*rows, new], initial_budgets=len(rows))
        forged["budgets-1-DELETE"] = "on"

        response = client.post(url("budgets", voting.pk), forged)

        assert response.status_code == 200
        assert "Budgets cannot change once voting has opened." in response.content.decode()
        assert {b.slug: b.amount for b in voting.budgets.all()} == {s: b.amount for s, b in budgets.items()}


@pytest.mark.django_db
class PhasesTestCase:
    def test_a_manager_moves_the_cycle_and_the_history_shows_it(self, manager, cycle):
        client = staff_client(manager)
        page = client.get(url("cycle", cycle.pk))
        offered = {move["phase"] for move in page.context["moves"]}
        assert Phase.REVIEW in offered and Phase.RESULTS not in offered and Phase.DRAFT not in offered

        response = client.post(url("move", cycle.pk), {"phase": Phase.REVIEW, "note": "Fin des dépôts"})

        assert response.status_code == 302 and not errors_of(response)
        assert Cycle.objects.get(pk=cycle.pk).phase == Phase.REVIEW
        assert history(cycle).last().by == manager
        assert logged(cycle, "budgeting.phase").filter(user=manager).exists()
        shown = client.get(url("history", cycle.pk))
        assert "Fin des dépôts" in shown.content.decode()
        latest = shown.context["page"][0]
        assert (latest.action, latest.user, latest.object_id) == ("budgeting.phase", manager, str(cycle.pk))

    def test_the_history_gathers_the_audit_trail_of_the_cycles_records(self, manager, officer, cycle, projects):
        services.review_project(projects["nord"][0], manager, feasible=False, cost=None, note="Hors budget")
        voting = open_voting(cycle)
        other = Cycle.objects.create(
            body=voting.body,
            slug="autre",
            title_ar="دورة أخرى",
            voting_opens_at=voting.voting_opens_at,
            voting_closes_at=voting.voting_closes_at,
        )
        services.move_cycle(other, Phase.INFORMATION, by=manager)
        paper, _code = services.enter_paper_ballot(
            voting,
            officer,
            identity_number="PAPER0001",
            station="Mairie",
            district=None,
            choices={"ville": {projects["ville"][0].pk: 1}},
        )

        page = staff_client(manager).get(url("history", voting.pk))

        shown = {(entry.content_type.model, entry.object_id, entry.action) for entry in page.context["page"]}
        assert {
            ("paperballot", str(paper.pk), "budgeting.paper.enter"),
            ("project", str(projects["nord"][0].pk), "budgeting.review.set_aside"),
            ("cycle", str(voting.pk), "budgeting.phase"),
        } <= shown
        assert {object_id for model, object_id, _action in shown if model == "cycle"} == {str(voting.pk)}
        assert paper.identity_hash not in page.content.decode()

    def test_a_move_not_offered_is_refused(self, manager, cycle):
        client = staff_client(manager)
        for phase in (Phase.RESULTS, Phase.DRAFT, "nowhere"):
            response = client.post(url("move", cycle.pk), {"phase": phase})
            assert errors_of(response), phase
        assert Cycle.objects.get(pk=cycle.pk).phase == Phase.SUBMISSION

    def test_voting_cannot_open_without_a_budget(self, manager, other_cycle, other_manager):
        services.move_cycle(other_cycle, Phase.SUBMISSION)
        client = staff_client(other_manager)
        response = client.post(url("move", other_cycle.pk), {"phase": Phase.VOTING})
        assert errors_of(response) == ["Voting cannot open before the cycle has a budget."]
        assert Cycle.objects.get(pk=other_cycle.pk).phase == Phase.SUBMISSION


@pytest.mark.django_db
class PublishTestCase:
    def test_the_button_shows_in_the_ballot_review_once_no_paper_ballot_is_pending(
        self, manager, officer, voting, projects
    ):
        services.enter_paper_ballot(
            voting,
            officer,
            identity_number="PAPER0001",
            station="Mairie",
            district=None,
            choices={"ville": {projects["ville"][0].pk: 1}},
        )
        client = staff_client(manager)
        assert url("publish", voting.pk) not in client.get(url("cycle", voting.pk)).content.decode()
        ballot_review(voting)

        page = client.get(url("cycle", voting.pk))
        assert url("publish", voting.pk) not in page.content.decode()
        assert page.context["publish_refusal"] == "1 paper ballot still awaits a second officer's check."

        refused = client.post(url("publish", voting.pk))

        assert errors_of(refused) == ["1 paper ballot still awaits a second officer's check."]
        assert Cycle.objects.get(pk=voting.pk).phase == Phase.BALLOT_REVIEW
        PaperBallot.objects.update(status=PaperBallot.Status.REJECTED)
        assert url("publish", voting.pk) in client.get(url("cycle", voting.pk)).content.decode()

    def test_results_are_not_counted_before_the_ballot_review(self, manager, voting):
        response = staff_client(manager).post(url("publish", voting.pk))
        assert errors_of(response) == ["Results are counted during the ballot review, once voting has closed."]
        assert Cycle.objects.get(pk=voting.pk).phase == Phase.VOTING

    def test_a_manager_counts_and_publishes(self, manager, voting, voter, south_voter, projects):
        pytest.importorskip("participation.budgeting.results")
        services.cast_ballot(
            voting, voter, {"nord": {projects["nord"][0].pk: 1}, "ville": {projects["ville"][0].pk: 1}}
        )
        services.cast_ballot(voting, south_voter, {"sud": {projects["sud"][1].pk: 1}})
        ballot_review(voting)

        response = staff_client(manager).post(url("publish", voting.pk))

        assert response.status_code == 302 and not errors_of(response)
        assert Cycle.objects.get(pk=voting.pk).phase == Phase.RESULTS
        assert voting.results.count() == voting.budgets.count()


@pytest.mark.django_db
class OtherBodyDoorsTestCase:
    """A budget manager of another body: every door of the cycle answers 403, and nothing changes."""

    def test_every_door_of_the_cycle_is_closed(self, other_manager, cycle):
        client = staff_client(other_manager)
        for name in ("cycle", "edit", "budgets", "history", "projects", "add_project", "from_proposal"):
            assert client.get(url(name, cycle.pk)).status_code == 403, name
        assert client.post(url("edit", cycle.pk), edit_payload(cycle, title_en="pirate")).status_code == 403
        assert client.post(url("budgets", cycle.pk), budgets_payload([])).status_code == 403
        assert client.post(url("move", cycle.pk), {"phase": Phase.REVIEW}).status_code == 403
        assert client.post(url("publish", cycle.pk)).status_code == 403
        cycle.refresh_from_db()
        assert (cycle.phase, cycle.title_en) == (Phase.SUBMISSION, "")

    def test_the_publish_door_is_closed_in_the_ballot_review(self, other_manager, voting):
        ballot_review(voting)
        assert staff_client(other_manager).post(url("publish", voting.pk)).status_code == 403
        assert Cycle.objects.get(pk=voting.pk).phase == Phase.BALLOT_REVIEW

    def test_a_polling_officer_opens_none_of_the_managers_doors(self, officer, cycle):
        client = staff_client(officer)
        for name in ("cycle", "edit", "budgets", "history", "projects"):
            assert client.get(url(name, cycle.pk)).status_code == 403, name
        assert client.post(url("move", cycle.pk), {"phase": Phase.REVIEW}).status_code == 403
