"""The demo's participatory budgets in Blida: three districts and a city-wide budget; a cycle in voting whose demo
voters can log in and vote; a closed cycle counted by equal shares from a few hundred ballots and explained; an
earlier cycle's winners followed on the map. Loaded twice, nothing new."""

import io
import tomllib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from participation.budgeting import services
from participation.budgeting.demo import CLOSED, DEMO_VOTERS, EARLIER, VOTING, demo_uuid
from participation.budgeting.models import (
    Ballot,
    BallotChoice,
    Budget,
    Cycle,
    Follow,
    Milestone,
    PaperBallot,
    Phase,
    Project,
    ProjectStatus,
    Result,
    VoterRecord,
)
from portal.accounts.demo import CITIZEN_EMAIL, DEMO_PASSWORD
from portal.accounts.models import Notification, User, is_verified


def test_three_districts_and_a_city_wide_budget_in_each_cycle(demo):
    for slug in (VOTING.slug, CLOSED.slug, EARLIER.slug):
        budgets = Budget.objects.filter(cycle__slug=slug)
        assert budgets.filter(district__isnull=False).count() == 3
        assert budgets.filter(district__isnull=True).count() == 1
        assert Cycle.objects.get(slug=slug).body.slug == "commune-blida"


def test_the_cycle_in_voting_has_projects_in_both_languages_on_the_map(demo):
    cycle = Cycle.objects.get(slug=VOTING.slug)
    assert cycle.is_voting_open() and cycle.ballot_rule == "approval" and cycle.max_projects == 3
    on_ballot = Project.objects.filter(cycle=cycle, status=ProjectStatus.FEASIBLE)
    assert on_ballot.count() == 12
    assert set(on_ballot.values_list("language", flat=True)) == {"ar", "fr"}
    for project in on_ballot.exclude(district=None):
        assert services.locate(cycle, project.longitude, project.latitude) == project.district
    set_aside = Project.objects.get(cycle=cycle, status=ProjectStatus.SET_ASIDE)
    assert set_aside.review_note  # the reasons, published


def test_demo_voters_log_in_and_vote_once(demo, client):
    cycle = Cycle.objects.get(slug=VOTING.slug)
    districts = set()
    for email, _first, _last, district, _number in DEMO_VOTERS:
        voter = User.objects.get(email=email)
        assert is_verified(voter) and voter.verification.district.slug == district
        assert not services.has_voted(cycle, voter)
        districts.add(district)
    assert len(districts) == 3
    assert client.login(email=DEMO_VOTERS[0][0], password=DEMO_PASSWORD)
    voter = User.objects.get(email=DEMO_VOTERS[0][0])
    data = client.get(f"/api/v1/budgeting/cycles/{cycle.uuid}/ballot/").json()
    assert [budget["slug"] for budget in data["budgets"]] == ["bab-dzair", "ville"]
    first = data["budgets"][0]["projects"][0]["number"]
    receipt = services.cast_ballot(cycle, voter, {"bab-dzair": {first: 1}})
    assert services.find_ballots(cycle, receipt).count() == 1


def test_the_closed_cycle_has_a_few_hundred_ballots_online_and_on_paper(demo):
    cycle = Cycle.objects.get(slug=CLOSED.slug)
    assert cycle.counting_rule == "mes-add1"
    voters = VoterRecord.objects.filter(cycle=cycle)
    assert 250 <= voters.count() <= CLOSED.ballots
    assert voters.filter(channel="paper").count() == PaperBallot.objects.filter(cycle=cycle, status="counted").count()
    assert voters.filter(channel="paper").exists()
    # Every ballot holds between one and three projects of its own budget.
    for ballot in Ballot.objects.filter(cycle=cycle).prefetch_related("choices__project")[:100]:
        projects = [choice.project for choice in ballot.choices.all()]
        assert 1 <= len(projects) <= 3
        assert all(project.budget_id == ballot.budget_id for project in projects)
    assert not BallotChoice.objects.filter(ballot__cycle=cycle, project__status=ProjectStatus.SET_ASIDE).exists()


def test_the_closed_cycle_is_counted_by_equal_shares_and_explained(demo, client):
    cycle = Cycle.objects.get(slug=CLOSED.slug)
    assert cycle.phase == Phase.RESULTS
    results = Result.objects.filter(cycle=cycle)
    assert results.count() == 4
    for result in results:
        assert result.rule == "mes-add1" and result.ballots > 0 and result.rounds and result.pb_sha256
        assert result.money_used <= result.budget.amount
    assert Project.objects.filter(cycle=cycle, status=ProjectStatus.SELECTED).exists()
    data = client.get(f"/api/v1/budgeting/cycles/{cycle.uuid}/results/").json()
    assert data["published"] and all(budget["rounds"] for budget in data["budgets"])


def test_the_earlier_cycles_winners_are_followed_on_the_map(demo, client):
    cycle = Cycle.objects.get(slug=EARLIER.slug)
    assert cycle.phase == Phase.IMPLEMENTATION
    followed = Project.objects.filter(cycle=cycle, status=ProjectStatus.SELECTED, milestones__isnull=False).distinct()
    assert followed.count() >= 3
    assert Milestone.objects.filter(project__cycle=cycle).exclude(photo="").exists()
    assert followed.filter(progress=100).exists() or followed.filter(progress__gt=0).exists()
    page = client.get(reverse("budgeting:works")).content.decode()
    for project in followed:
        assert project.title in page
    geojson = client.get(reverse("budgeting:works_geojson")).json()
    assert {feature["properties"]["id"] for feature in geojson["features"]} >= set(
        followed.values_list("pk", flat=True)
    )


def test_ids_are_the_same_on_every_machine_and_the_conformance_run_names_the_voting_cycle(demo):
    assert Cycle.objects.get(slug=VOTING.slug).uuid == demo_uuid(VOTING.slug)
    config = tomllib.loads((Path(settings.BASE_DIR) / "schemathesis.toml").read_text())
    [ballot] = [entry for entry in config["operations"] if entry.get("include-path", "").endswith("/ballot/")]
    assert Cycle.objects.get(uuid=ballot["parameters"]["uuid"]).is_voting_open()
    [project] = [entry for entry in config["operations"] if "budgeting/projects" in entry.get("include-path", "")]
    assert Project.objects.public().get(uuid=project["parameters"]["uuid"]).cycle.slug == VOTING.slug


def test_notifications_were_silenced(demo):
    citizen = User.objects.get(email=CITIZEN_EMAIL)
    assert Follow.objects.filter(user=citizen, project__cycle__slug=EARLIER.slug).exists()
    assert not Notification.objects.filter(subject__startswith="B-").exists()


def test_loading_twice_adds_nothing(demo):
    models = (Cycle, Budget, Project, VoterRecord, Ballot, BallotChoice, PaperBallot, Result, Milestone, User)
    counts = [model.objects.count() for model in models]
    call_command("load_demo", stdout=io.StringIO())
    assert [model.objects.count() for model in models] == counts
