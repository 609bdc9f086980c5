"""The budgeting REST API: cycles with their rules and budgets, projects with the public list's filters, results once
published, and the ballot of a voter authenticated by token or session, cast once."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from participation.budgeting import services
from participation.budgeting.models import (
    BallotRule,
    Budget,
    BudgetGroup,
    Cycle,
    Phase,
    ProjectStatus,
    Result,
    VoterRecord,
)
from tests.ratelimits import rate_limits

from .conftest import open_voting, project

pytestmark = pytest.mark.usefixtures("no_page_cache")

CYCLES = "/api/v1/budgeting/cycles/"
PROJECTS = "/api/v1/budgeting/projects/"


def cycle_url(cycle, tail: str = "") -> str:
    return f"{CYCLES}{cycle.uuid}/{tail}"


def token_client(user) -> Client:
    return Client(headers={"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"})


def put(client: Client, cycle, choices) -> object:
    return client.put(
        cycle_url(cycle, "ballot/"), {"choices": choices}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def publish(cycle, winners: dict) -> None:
    """Results as results.publish_results leaves them: Result rows, votes and statuses, the cycle at RESULTS."""
    for budget in cycle.budgets.all():
        chosen = winners.get(budget.slug, [])
        result = Result(
            cycle=cycle,
            budget=budget,
            rule=cycle.counting_rule,
            money_used=sum((p.cost for p in chosen), Decimal(0)),
            ballots=7,
            rounds=[{"code": "funded", "project": p.pk, "votes": 5, "cost": str(p.cost), "round": 1} for p in chosen],
            pb_sha256="ab" * 32,
        )
        result.pb_file.save(f"{budget.slug}.pb", ContentFile(b"META\nkey;value\n"), save=False)
        result.save()
        result.selected.set(chosen)
        for number, item in enumerate(budget.projects.all()):
            status = ProjectStatus.SELECTED if item in chosen else ProjectStatus.NOT_SELECTED
            type(item).objects.filter(pk=item.pk).update(status=status, votes=10 - number)
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.RESULTS)
    cycle.refresh_from_db()


class CycleTestCase:
    def test_it_lists_published_cycles_only(self, client, cycle, body):
        Cycle.objects.create(
            body=body,
            slug="brouillon",
            title_ar="مسودة",
            voting_opens_at=cycle.voting_opens_at,
            voting_closes_at=cycle.voting_closes_at,
        )
        data = client.get(CYCLES).json()
        assert set(data) == {"count", "next", "previous", "results"}
        assert [item["slug"] for item in data["results"]] == ["blida-2027"]

    def test_a_cycle_says_its_body_phase_dates_rules_and_budgets(self, client, cycle):
        item = client.get(cycle_url(cycle)).json()
        assert item["id"] == str(cycle.uuid)
        assert item["title"]["fr"] == "Budget participatif 2027"
        assert item["body"]["slug"] == "commune-blida-pb"
        assert (item["phase"], item["currency"]) == ("submission", "DZD")
        assert item["dates"]["voting_opens_at"] and item["dates"]["results_published_at"] is None
        assert item["rules"]["ballot_rule"] == "approval" and item["rules"]["max_projects"] == 3
        assert item["rules"]["counting_rule"] == "mes-add1" and item["rules"]["locked"] is False
        budgets = {budget["slug"]: budget for budget in item["budgets"]}
        assert budgets["nord"]["amount"] == "300000.00" and budgets["nord"]["currency"] == "DZD"
        assert budgets["nord"]["district"] == "nord" and budgets["ville"]["city_wide"] is True
        assert item["groups"] == [] and item["results_published"] is False

    def test_filters_by_body_and_phase(self, client, cycle):
        assert client.get(CYCLES, {"body": "commune-blida-pb"}).json()["count"] == 1
        assert client.get(CYCLES, {"body": "ailleurs"}).json()["count"] == 0
        assert client.get(CYCLES, {"phase": "voting"}).json()["count"] == 0
        response = client.get(CYCLES, {"phase": "nonsense"})
        assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"

    def test_an_unknown_or_draft_cycle_is_a_404_problem(self, client, cycle):
        Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.DRAFT)
        response = client.get(cycle_url(cycle))
        assert response.status_code == 404
        assert response.json()["status"] == 404


class ProjectTestCase:
    def test_filters_are_the_list_pages(self, client, projects, south):
        assert client.get(PROJECTS).json()["count"] == 9
        assert client.get(PROJECTS, {"cycle": "blida-2027", "budget": "nord"}).json()["count"] == 3
        assert client.get(PROJECTS, {"district": "sud"}).json()["count"] == 3
        assert client.get(PROJECTS, {"status": "feasible"}).json()["count"] == 9
        assert client.get(PROJECTS, {"status": "selected"}).json()["count"] == 0
        assert client.get(PROJECTS, {"cycle": "autre"}).json()["count"] == 0

    def test_a_project_says_its_costs_review_and_works(self, client, cycle, budgets):
        item = project(cycle, budgets["nord"], "Jardin", "120000", estimated_cost=Decimal("90000"), longitude=3.01)
        item.latitude = 36.41
        item.save()
        data = client.get(f"{PROJECTS}{item.uuid}/").json()
        assert (data["number"], data["reference"], data["cycle"]) == (item.pk, item.reference, str(cycle.uuid))
        assert (data["cost"], data["estimated_cost"], data["currency"]) == ("120000.00", "90000.00", "DZD")
        assert (data["budget"], data["district"]) == ("nord", "nord")
        assert data["point"] == {"type": "Point", "coordinates": [3.01, 36.41]}
        assert data["review"] == {"outcome": "feasible", "note": ""}
        assert (data["stage"], data["progress"], data["milestones"]) == ("not_started", 0, [])
        assert data["proposed_by"]["name"] == str(cycle.body.name)

    def test_reasons_of_a_project_set_aside_are_public(self, client, cycle, budgets, manager):
        item = project(cycle, budgets["sud"], "Piscine", None, status=ProjectStatus.SUBMITTED)
        assert client.get(f"{PROJECTS}{item.uuid}/").json()["review"]["outcome"] == "pending"
        services.review_project(item, manager, feasible=False, cost=None, note="Le terrain n'est pas communal.")
        data = client.get(f"{PROJECTS}{item.uuid}/").json()
        assert data["review"] == {"outcome": "set_aside", "note": "Le terrain n'est pas communal."}
        assert data["status"] == "set_aside"

    def test_withdrawn_projects_are_not_public(self, client, cycle, budgets):
        item = project(cycle, budgets["sud"], "Retiré", None, status=ProjectStatus.WITHDRAWN)
        assert client.get(f"{PROJECTS}{item.uuid}/").status_code == 404

    def test_votes_are_hidden_until_results_are_published(self, client, voting, projects):
        first = projects["nord"][0]
        type(first).objects.filter(pk=first.pk).update(votes=42)  # as if counted early
        assert client.get(f"{PROJECTS}{first.uuid}/").json()["votes"] is None
        publish(voting, {"nord": [first]})
        data = client.get(f"{PROJECTS}{first.uuid}/").json()
        assert data["votes"] == 10 and data["status"] == "selected"


class ResultsTestCase:
    def test_nothing_before_publication(self, client, voting):
        data = client.get(cycle_url(voting, "results/")).json()
        assert data == {"cycle": str(voting.uuid), "published": False, "published_at": None, "budgets": []}

    def test_winners_money_rule_rounds_and_the_ballots_file(self, client, voting, projects):
        publish(voting, {"nord": projects["nord"][:2], "ville": projects["ville"][:1]})
        data = client.get(cycle_url(voting, "results/")).json()
        assert data["published"] is True
        budgets = {budget["budget"]: budget for budget in data["budgets"]}
        nord = budgets["nord"]
        assert [winner["number"] for winner in nord["winners"]] == [p.pk for p in projects["nord"][:2]]
        assert nord["money_used"] == "250000.00" and nord["amount"] == "300000.00" and nord["currency"] == "DZD"
        assert (nord["rule"], nord["ballots"]) == ("mes-add1", 7)
        assert nord["ballots_file"].startswith("http://testserver/") and nord["ballots_file"].endswith(".pb")
        assert nord["ballots_file_sha256"] == "ab" * 32
        assert nord["rounds"][0]["code"] == "funded" and nord["rounds"][0]["explanation"]
        assert budgets["sud"]["winners"] == []


class BallotTestCase:
    def test_anonymous_is_a_401(self, client, voting):
        for response in (client.get(cycle_url(voting, "ballot/")), put(client, voting, {"nord": {}})):
            assert response.status_code == 401
            assert response["Content-Type"] == "application/problem+json"

    def test_the_voter_sees_their_budgets_projects_rules_and_draft(self, voting, voter, projects):
        services.save_draft(voting, voter, {"nord": {projects["nord"][0].pk: 1}})
        response = token_client(voter).get(cycle_url(voting, "ballot/"))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        data = response.json()
        assert (data["voting_open"], data["voted"]) == (True, False)
        assert data["rules"]["max_projects"] == 3
        assert [budget["slug"] for budget in data["budgets"]] == ["nord", "ville"]
        assert [p["number"] for p in data["budgets"][0]["projects"]] == [p.pk for p in projects["nord"]]
        assert data["budgets"][0]["projects"][0]["cost"] == "100000.00"
        assert data["draft"] == {"nord": {str(projects["nord"][0].pk): 1}}

    def test_the_session_authenticates_too(self, client, voting, voter):
        client.force_login(voter)
        assert client.get(cycle_url(voting, "ballot/")).status_code == 200

    def test_a_ballot_is_cast_once(self, voting, voter, projects):
        api = token_client(voter)
        response = put(api, voting, {"nord": {projects["nord"][0].pk: 1}, "ville": {projects["ville"][1].pk: 1}})
        assert response.status_code == 201
        receipt = response.json()["receipt"]
        assert [ballot.budget.slug for ballot in services.find_ballots(voting, receipt)] == ["nord", "ville"]
        again = put(api, voting, {"nord": {projects["nord"][1].pk: 1}})
        assert again.status_code == 409
        assert again["Content-Type"] == "application/problem+json" and again.json()["detail"]
        assert VoterRecord.objects.filter(cycle=voting).count() == 1
        assert api.get(cycle_url(voting, "ballot/")).json()["voted"] is True

    def test_a_ballot_costs_a_fixed_number_of_queries(self, voting, voter, projects, django_assert_num_queries):
        api = token_client(voter)
        choices = {"nord": {projects["nord"][0].pk: 1}, "ville": {projects["ville"][1].pk: 1}}
        # Token, cycle, the voter with their budgets and projects; the savepoint (the test's transaction is open), the
        # cycle's lock, the register row, the ballots, their choices and the draft (one statement on PostgreSQL,
        # where outside a transaction it needs no savepoint), the savepoint released.
        with django_assert_num_queries(6 if connection.vendor == "postgresql" else 10):
            assert put(api, voting, choices).status_code == 201

    def test_a_ballot_retires_no_cached_page(self, voting, voter, projects):
        # Running counts stay hidden until the results: no public page shows what a ballot writes.
        api = token_client(voter)
        before = getattr(connection, "pagecache_writes", 0)
        assert put(api, voting, {"nord": {projects["nord"][0].pk: 1}}).status_code == 201
        assert VoterRecord.objects.filter(cycle=voting).count() == 1
        assert getattr(connection, "pagecache_writes", 0) == before

    def test_a_group_of_budgets_limits_the_ballot(self, voting, voter, budgets, projects):
        # In the table: the model refuses a new group once voting is open, as it should.
        [group] = BudgetGroup.objects.bulk_create([BudgetGroup(cycle=voting, name_en="Themes", max_budgets=1)])
        Budget.objects.filter(pk__in=[budgets["nord"].pk, budgets["ville"].pk]).update(group=group)
        api = token_client(voter)
        response = put(api, voting, {"nord": {projects["nord"][0].pk: 1}, "ville": {projects["ville"][0].pk: 1}})
        assert response.status_code == 400
        assert response.json()["detail"] == "Vote in at most 1 budget of “Themes”."
        assert put(api, voting, {"ville": {projects["ville"][0].pk: 1}}).status_code == 201

    def test_another_districts_project_is_a_400(self, voting, voter, projects):
        response = put(token_client(voter), voting, {"nord": {projects["sud"][0].pk: 1}})
        assert response.status_code == 400
        assert "not on the ballot" in response.json()["detail"]
        response = put(token_client(voter), voting, {"sud": {projects["sud"][0].pk: 1}})
        assert response.status_code == 400
        assert not VoterRecord.objects.filter(cycle=voting).exists()

    def test_an_empty_or_malformed_ballot_is_a_400(self, voting, voter):
        api = token_client(voter)
        assert put(api, voting, {}).status_code == 400
        response = api.put(cycle_url(voting, "ballot/"), {"choices": "nord"}, content_type="application/json")
        assert response.status_code == 400 and response.json()["errors"]["choices"]

    def test_unverified_and_outsiders_are_a_403(self, voting, unverified, outsider, projects):
        for person in (unverified, outsider):
            api = token_client(person)
            assert api.get(cycle_url(voting, "ballot/")).status_code == 403
            response = put(api, voting, {"nord": {projects["nord"][0].pk: 1}})
            assert response.status_code == 403 and response.json()["detail"]

    def test_before_the_opening_is_a_409(self, cycle, voter, projects):
        response = put(token_client(voter), cycle, {"nord": {projects["nord"][0].pk: 1}})
        assert response.status_code == 409

    def test_the_ballot_put_is_rate_limited(self, voting, voter, projects):
        api = token_client(voter)
        with rate_limits(**{"budgeting.ballot": "1/m"}):
            assert put(api, voting, {"nord": {"x": 1}}).status_code == 400
            response = put(api, voting, {"nord": {projects["nord"][0].pk: 1}})
        assert response.status_code == 429 and response["Retry-After"]


@pytest.fixture
def knapsack(cycle, projects):
    Cycle.objects.filter(pk=cycle.pk).update(ballot_rule=BallotRule.KNAPSACK)
    cycle.refresh_from_db()
    return open_voting(cycle)


@pytest.fixture
def two_at_most(cycle, projects):
    Cycle.objects.filter(pk=cycle.pk).update(max_projects=2)
    cycle.refresh_from_db()
    return open_voting(cycle)


class ApprovalTestCase:
    def test_over_the_project_count_is_a_400(self, two_at_most, voter, projects):
        response = put(token_client(voter), two_at_most, {"nord": {p.pk: 1 for p in projects["nord"]}})
        assert response.status_code == 400
        assert "at most 2" in response.json()["detail"]

    def test_points_other_than_one_are_a_400(self, voting, voter, projects):
        response = put(token_client(voter), voting, {"nord": {projects["nord"][0].pk: 3}})
        assert response.status_code == 400


class KnapsackTestCase:
    def test_over_budget_is_a_400_with_the_services_message(self, knapsack, voter, projects):
        response = put(token_client(voter), knapsack, {"nord": {p.pk: 1 for p in projects["nord"]}})
        assert response.status_code == 400
        assert "more than its" in response.json()["detail"]
        assert put(token_client(voter), knapsack, {"nord": {projects["nord"][2].pk: 1}}).status_code == 201


class SchemaTestCase:
    def test_the_budgeting_api_is_in_the_openapi_document(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        paths = schema["paths"]
        for path in (
            "/api/v1/budgeting/cycles/",
            "/api/v1/budgeting/cycles/{uuid}/",
            "/api/v1/budgeting/cycles/{uuid}/results/",
            "/api/v1/budgeting/projects/",
            "/api/v1/budgeting/projects/{uuid}/",
        ):
            assert path in paths, path
        ballot = paths["/api/v1/budgeting/cycles/{uuid}/ballot/"]
        assert {"get", "put"} <= ballot.keys()
        assert {"201", "400", "401", "403", "409"} <= ballot["put"]["responses"].keys()
        listed = {parameter["name"] for parameter in paths["/api/v1/budgeting/projects/"]["get"]["parameters"]}
        assert {"cycle", "budget", "district", "status", "page", "page_size"} <= listed

    @pytest.mark.django_db
    def test_the_schema_endpoint_serves_it(self, client):
        response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        assert b"/api/v1/budgeting/cycles/{uuid}/ballot/" in response.content
