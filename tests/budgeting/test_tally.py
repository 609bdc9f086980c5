"""Counting the vote: the real elections' official winners come out, MES and Phragmén agree with pabutools, each
round is explained with a code, and `manage.py pb_tally` prints the winners or the line of a bad file."""

import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.management import CommandError, call_command
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen

from participation.budgeting.pabulib import PbProject, PbVote, read_pb, to_pabutools, write_pb
from participation.budgeting.tally import CODES, RULES, tally

from .pabulib_files import ASSEN, MOKOTOW, SWIECIE, TOULOUSE, real_file


def official(name: str) -> tuple[object, object, set[str]]:
    election = read_pb(real_file(name))
    instance, profile = to_pabutools(election, multiprofile=True)
    return instance, profile, {project.project_id for project in election.projects if project.selected in (1, 2)}


def test_greedy_gives_the_official_winners_of_warsaw_mokotow():
    instance, profile, winners = official(MOKOTOW)

    outcome = tally(instance, profile, "greedy")

    assert set(outcome.selected) == winners
    assert outcome.used == sum(project.cost for project in instance if project.name in winners)
    assert outcome.used <= outcome.budget


@pytest.mark.parametrize("name", [SWIECIE, ASSEN])
def test_mes_add1_gives_the_official_winners(name):
    instance, profile, winners = official(name)

    outcome = tally(instance, profile, "mes-add1")

    assert set(outcome.selected) == winners


def test_a_greedy_completion_of_mes_would_change_the_assen_result():
    instance, profile, winners = official(ASSEN)
    outcome = tally(instance, profile, "mes-add1")
    chosen = [project for project in instance if project.name in outcome.selected]

    completed = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, initial_budget_allocation=chosen)

    assert set(outcome.selected) == winners
    assert {project.name for project in completed} - winners == {"7"}


def test_mes_add1_agrees_with_pabutools_round_by_round():
    # Świecie agrees too, but pabutools takes 5 to 20 s there; its official winners are checked above.
    instance, profile, _ = official(ASSEN)

    mes = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)

    assert tally(instance, profile, "mes-add1").selected == [project.name for project in mes]


@pytest.mark.parametrize("name", [SWIECIE, ASSEN])
def test_phragmen_agrees_with_pabutools_on_real_elections(name):
    instance, profile, _ = official(name)

    phragmen = sequential_phragmen(instance, profile)

    assert sorted(tally(instance, profile, "phragmen").selected) == sorted(project.name for project in phragmen)


def random_election(seed: int) -> tuple[Instance, ApprovalProfile]:
    """A small election with round costs and few voters, so that ties are frequent."""
    rng = random.Random(seed)
    projects = [Project(f"p{number}", rng.choice([10, 20, 20, 30, 40, 50])) for number in range(rng.randint(3, 8))]
    instance = Instance(projects, budget_limit=rng.choice([60, 80, 100, 130]))
    ballots = [ApprovalBallot([project]) for project in projects]  # everyone's project has a supporter
    for _ in range(rng.randint(3, 30)):
        ballots.append(ApprovalBallot(rng.sample(projects, rng.randint(1, len(projects)))))
    return instance, ApprovalProfile(ballots, instance=instance)


@pytest.mark.parametrize("seed", range(40))
def test_mes_add1_and_phragmen_agree_with_pabutools_on_random_elections(seed):
    instance, profile = random_election(seed)

    mes = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
    phragmen = sequential_phragmen(instance, profile)

    assert tally(instance, profile, "mes-add1").selected == [project.name for project in mes]
    assert sorted(tally(instance, profile, "phragmen").selected) == sorted(project.name for project in phragmen)


@pytest.mark.parametrize("rule", RULES)
def test_toulouse_tallies_under_every_rule_but_the_slow_one(rule):
    if rule == "mes-add1":
        pytest.skip("1,617 MES runs, about 20 s: bench/budgeting_tally.py times it")
    instance, profile, _ = official(TOULOUSE)

    outcome = tally(instance, profile, rule, threshold="0.01")

    assert outcome.selected
    assert outcome.used <= outcome.budget
    json.dumps(outcome.as_json())


def test_what_is_written_and_read_back_tallies_the_same():
    election = read_pb(real_file(SWIECIE))
    again = read_pb(write_pb(election.meta, election.projects, election.votes).encode())

    for rule in ("greedy", "mes-add1", "phragmen"):
        assert tally(*to_pabutools(again), rule).selected == tally(*to_pabutools(election), rule).selected


def small(costs: dict[str, int], ballots: list[str], budget: int = 100) -> tuple[object, object]:
    """An approval election: `ballots` are strings of one-letter project ids."""
    election_projects = [PbProject(project_id, Decimal(cost)) for project_id, cost in costs.items()]
    votes = [PbVote(str(number), tuple(ballot)) for number, ballot in enumerate(ballots)]
    text = write_pb({"budget": budget, "vote_type": "approval"}, election_projects, votes)
    return to_pabutools(read_pb(text.encode()))


def codes(outcome) -> list[tuple[str, str]]:
    return [(entry["code"], entry.get("project", "")) for entry in outcome.rounds]


def test_greedy_explains_each_project_in_order_of_votes():
    # f: 5 votes but costs more than the whole budget; a: 4 votes, b: 3, c: 2, d: 1, e: none.
    instance, profile = small(
        {"a": 60, "b": 50, "c": 30, "d": 10, "e": 5, "f": 500}, ["abcdf", "abcf", "abf", "a", "f", "f"]
    )

    outcome = tally(instance, profile, "greedy")

    assert outcome.selected == ["a", "c", "d"]
    assert codes(outcome) == [
        ("cost_exceeds_budget", "f"),
        ("funded", "a"),
        ("skipped_over_budget", "b"),
        ("funded", "c"),
        ("funded", "d"),
        ("no_votes", "e"),
    ]
    skipped = outcome.rounds[2]
    assert skipped == {
        "round": 3,
        "code": "skipped_over_budget",
        "project": "b",
        "votes": 3,
        "cost": "50",
        "remaining": "40",
    }
    assert (outcome.used, outcome.remaining) == (100, 0)


def test_greedy_breaks_ties_by_cost_then_id():
    instance, profile = small({"b": 20, "a": 20, "c": 10, "d": 90}, ["abcd", "abcd"])

    assert tally(instance, profile, "greedy").selected == ["c", "a", "b"]


def test_greedy_without_skipping_stops_at_the_first_project_that_does_not_fit():
    instance, profile = small({"a": 60, "b": 50, "c": 30}, ["abc", "abc", "ab", "a"])

    outcome = tally(instance, profile, "greedy-no-skip")

    assert outcome.selected == ["a"]
    assert codes(outcome) == [("funded", "a"), ("stopped_no_skip", "b"), ("not_reached", "c")]


def test_greedy_with_a_threshold_leaves_out_projects_below_the_share():
    instance, profile = small({"a": 60, "b": 30, "c": 10}, ["ab", "a", "a", "ab", "ac", "a", "a", "a", "a", "a"])

    outcome = tally(instance, profile, "greedy-threshold", threshold=Fraction(1, 5))

    assert outcome.selected == ["a", "b"]
    assert outcome.rounds[2] == {
        "round": 3,
        "code": "below_threshold",
        "project": "c",
        "votes": 1,
        "cost": "10",
        "required": "2",
        "remaining": "10",
    }
    assert tally(instance, profile, "greedy-threshold", threshold=0.1).selected == ["a", "b", "c"]


def test_mes_explains_the_voters_share_and_the_price_paid_per_vote():
    instance, profile, _ = official(ASSEN)

    outcome = tally(instance, profile, "mes-add1")

    start = outcome.rounds[0]
    assert start["code"] == "voter_budget"
    assert (start["voters"], start["initial_per_voter"], start["increments"]) == (84, "25000/21", 843)
    first = outcome.rounds[1]
    assert (first["code"], first["project"], first["votes"], first["cost"]) == ("funded", "3", 43, "7200")
    assert Fraction(first["price_per_vote"]) == Fraction(7200, 43)
    assert Fraction(first["effective_votes"]) == 43
    refused = [entry for entry in outcome.rounds if entry["code"] == "not_affordable_by_supporters"]
    assert {entry["project"] for entry in refused} == {"1", "4", "7", "8", "10"}
    assert all(Fraction(entry["supporters_money"]) < Fraction(entry["cost"]) for entry in refused)
    assert outcome.as_json()["used"] == "76700"
    assert {entry["code"] for entry in outcome.rounds} <= set(CODES)


def test_phragmen_explains_loads_and_where_it_stopped():
    instance, profile = small({"a": 60, "b": 50, "c": 30}, ["ab", "a", "bc", "c"])

    outcome = tally(instance, profile, "phragmen")

    assert outcome.selected == ["c", "a"]
    assert [entry["load"] for entry in outcome.rounds] == ["15", "30", "47.5"]
    assert codes(outcome)[-1] == ("stopped_over_budget", "b")


def test_greedy_counts_points_of_cumulative_ballots():
    projects = [PbProject("a", Decimal(6)), PbProject("b", Decimal(4)), PbProject("c", Decimal(5))]
    votes = [PbVote("1", ("a", "b"), (Decimal(1), Decimal("1.5"))), PbVote("2", ("a", "c"), (Decimal(1), Decimal(3)))]
    text = write_pb({"budget": 10, "vote_type": "cumulative"}, projects, votes)
    instance, profile = to_pabutools(read_pb(text.encode()))

    outcome = tally(instance, profile, "greedy")

    assert outcome.selected == ["c", "b"]
    assert [entry["votes"] for entry in outcome.rounds] == [3, 2, "1.5"]
    with pytest.raises(ValueError, match="mes-add1 needs approval ballots"):
        tally(instance, profile, "mes-add1")


def test_it_refuses_unknown_rules_and_missing_thresholds():
    instance, profile = small({"a": 10}, ["a"])

    with pytest.raises(ValueError, match="unknown rule"):
        tally(instance, profile, "borda")
    with pytest.raises(ValueError, match="needs a threshold"):
        tally(instance, profile, "greedy-threshold")
    with pytest.raises(ValueError, match="not between 0 and 1"):
        tally(instance, profile, "greedy-threshold", threshold=2)


def test_the_command_prints_the_winners(capsys):
    path = real_file(ASSEN)
    _, _, winners = official(ASSEN)

    call_command("pb_tally", str(path), "--rule", "mes-add1")

    lines = capsys.readouterr().out.split()
    assert lines[:2] == ["3", "9"]
    assert set(lines) == winners


def test_the_command_explains_rounds_and_prints_json(capsys):
    path = str(real_file(MOKOTOW))

    call_command("pb_tally", path, "--rule", "greedy-threshold", "--threshold", "0.1", "--explain")
    explained = capsys.readouterr().out
    call_command("pb_tally", path, "--rule", "greedy", "--json")
    data = json.loads(capsys.readouterr().out)

    assert "round 1: project 1794 (3425 votes, cost 750000) funded; 7947250 left" in explained
    assert "not eligible: below the 1106.7 votes required" in explained
    assert data["rule"] == "greedy"
    assert data["budget"] == "8697250"
    assert [entry["project"] for entry in data["rounds"] if entry["code"] == "funded"] == data["selected"]


def test_the_command_names_the_file_and_line_of_a_bad_file(tmp_path):
    path = tmp_path / "bad.pb"
    path.write_text(
        "META\nkey;value\nbudget;100\nnum_projects;1\nnum_votes;1\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost\na;ten\nVOTES\nvoter_id;vote\n1;a\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as raised:
        call_command("pb_tally", str(path), "--rule", "greedy")

    assert str(raised.value) == f"{path}:9: cost 'ten' of project 'a' is not a number"


def test_the_command_refuses_a_missing_file_and_a_bad_threshold(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("pb_tally", str(tmp_path / "none.pb"), "--rule", "greedy")
    with pytest.raises(CommandError, match="needs a threshold"):
        call_command("pb_tally", str(real_file(ASSEN)), "--rule", "greedy-threshold")
    with pytest.raises(CommandError, match="is not a number"):
        call_command("pb_tally", str(real_file(ASSEN)), "--rule", "greedy-threshold", "--threshold", "ten")
