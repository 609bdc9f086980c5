"""Results: counted from the published ballots' file by the declared rule, the official winners of real elections,
explained round by round, recomputable by anyone from the file and its SHA-256."""

import hashlib
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare

from participation.budgeting import results, services
from participation.budgeting.models import CountingRule, Cycle, Phase, ProjectStatus
from participation.budgeting.pabulib import read_pb
from participation.budgeting.services import BudgetingRefused

from .conftest import resident
from .pabulib_files import PABULIB_DATA as PABULIB


def official_winners(name: str) -> set[str]:
    election = read_pb(PABULIB / name)
    return {project.project_id for project in election.projects if project.selected in (1, 2)}


@pytest.mark.parametrize(
    "name, rule",
    [("Netherlands_Assen_2024.pb", "mes-add1"), ("Poland_Swiecie_2023.pb", "mes-add1")],
)
def test_an_imported_election_published_through_our_cycle_gives_the_official_winners(body, name, rule):
    out = StringIO()
    call_command("pb_import", str(PABULIB / name), "--body", body.slug, "--publish", stdout=out)
    cycle = Cycle.objects.get()
    assert cycle.counting_rule == rule and cycle.phase == Phase.RESULTS
    funded = {project.external_id for project in cycle.projects.filter(status=ProjectStatus.SELECTED)}
    assert funded == official_winners(name)
    assert " ".join(sorted(funded)) in out.getvalue()


def test_importing_the_same_file_twice_is_refused_unless_replaced(body):
    path = str(PABULIB / "Netherlands_Assen_2024.pb")
    call_command("pb_import", path, "--body", body.slug, stdout=StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("pb_import", path, "--body", body.slug, stdout=StringIO())
    call_command("pb_import", path, "--body", body.slug, "--replace", stdout=StringIO())
    assert Cycle.objects.get().ballots.count() == 84


def test_a_broken_file_is_refused_naming_its_line(body, tmp_path):
    broken = tmp_path / "broken.pb"
    broken.write_text(
        "META\nkey;value\nnum_projects;1\nnum_votes;1\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;abc\n"
    )
    with pytest.raises(CommandError, match=r"broken\.pb:9:"):
        call_command("pb_import", str(broken), "--body", body.slug, stdout=StringIO())
    assert not Cycle.objects.exists()


def cast(voting, voters, choices):
    for person, chosen in zip(voters, choices, strict=True):
        services.cast_ballot(voting, person, chosen)


@pytest.fixture
def counted(voting, body, north, projects, manager, django_capture_on_commit_callbacks):
    """Five north voters and one south voter have voted; voting closed; the results published (greedy)."""
    Cycle.objects.filter(pk=voting.pk).update(counting_rule=CountingRule.GREEDY)
    voting.refresh_from_db()
    north_voters = [resident(f"n{n}@example.org", body, north, f"NORTH{n:04d}") for n in range(5)]
    first, second, third = (project.pk for project in projects["nord"])
    cast(voting, north_voters, [{"nord": {first: 1, third: 1}}] * 3 + [{"nord": {second: 1, third: 1}}] * 2)
    Cycle.objects.filter(pk=voting.pk).update(phase=Phase.BALLOT_REVIEW)
    voting.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        published = results.publish_results(voting, manager)
    return {result.budget.slug: result for result in published}


def test_greedy_funds_by_votes_skipping_what_no_longer_fits(counted, projects):
    north = counted["nord"]
    first, second, third = projects["nord"]  # 100,000, 150,000, 200,000 of 300,000; votes 3, 2, 5
    assert set(north.selected.all()) == {third, first}
    assert north.money_used == 300_000 and north.ballots == 5
    codes = [(entry["code"], int(entry["project"])) for entry in north.rounds if "project" in entry]
    assert codes[:3] == [("funded", third.pk), ("funded", first.pk), ("skipped_over_budget", second.pk)]
    for project, votes, status in ((first, 3, "selected"), (second, 2, "not_selected"), (third, 5, "selected")):
        project.refresh_from_db()
        assert (project.votes, project.status) == (votes, status)
    assert counted["ville"].ballots == 0 and not counted["ville"].selected.exists()


def test_the_published_file_is_anonymous_and_anyone_recomputes_the_result(counted, voting, tmp_path):
    north = counted["nord"]
    data = north.pb_file.read()
    assert hashlib.sha256(data).hexdigest() == north.pb_sha256
    text = data.decode()
    assert "example.org" not in text and "NORTH" not in text
    path = tmp_path / "nord.pb"
    path.write_bytes(data)
    instance, profile = parse_pabulib(str(path))
    recomputed = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert {int(project.name) for project in recomputed} == {project.pk for project in north.selected.all()}
    out = StringIO()
    call_command("pb_tally", str(path), "--rule", "greedy", stdout=out)
    assert {int(line) for line in out.getvalue().split()} == {project.pk for project in north.selected.all()}


def test_a_voter_finds_their_ballot_in_the_published_file(voting, voter, projects, manager):
    code = services.cast_ballot(voting, voter, {"nord": {projects["nord"][1].pk: 1}})
    Cycle.objects.filter(pk=voting.pk).update(phase=Phase.BALLOT_REVIEW)
    voting.refresh_from_db()
    published = {result.budget.slug: result for result in results.publish_results(voting, manager)}
    ballot = services.find_ballots(voting, code).get()
    votes = {vote.voter_id: vote.projects for vote in read_pb(published["nord"].pb_file.read()).votes}
    assert votes[ballot.voter_id] == (str(projects["nord"][1].pk),)


def test_results_wait_for_the_ballot_review_and_every_paper_ballot(voting, manager, other_manager, officer, projects):
    with translation.override("en"), pytest.raises(BudgetingRefused, match="ballot review"):
        results.publish_results(voting, manager)
    services.enter_paper_ballot(
        voting,
        officer,
        identity_number="PAPER0001",
        station="المدرسة",
        district=projects["nord"][0].district,
        choices={"nord": {projects["nord"][0].pk: 1}},
    )
    Cycle.objects.filter(pk=voting.pk).update(phase=Phase.BALLOT_REVIEW)
    voting.refresh_from_db()
    with pytest.raises(PermissionDenied):
        results.publish_results(voting, other_manager)
    with translation.override("en"), pytest.raises(BudgetingRefused, match="paper ballots await"):
        results.publish_results(voting, manager)


def test_every_round_of_an_explanation_reads_as_a_sentence(counted):
    titles = {str(project.pk): project.title for project in counted["nord"].selected.all()}
    with translation.override("fr"):
        sentences = [results.explain(entry, "DZD", titles) for entry in counted["nord"].rounds]
    assert all(sentences) and not any("%(" in sentence for sentence in sentences)
    assert any(titles[str(project)] in " ".join(sentences) for project in titles)
