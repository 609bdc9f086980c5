"""Reading and writing Pabulib files: real elections read whole, bad files refused with the line at fault,
and what we write is read back the same by us and by pabutools."""

from decimal import Decimal
from fractions import Fraction

import pytest
from pabutools.election import ApprovalMultiProfile, CumulativeProfile, parse_pabulib
from pabutools.election.pabulib import parse_pabulib_from_string

from participation.budgeting.pabulib import PabulibError, PbProject, PbVote, read_pb, to_pabutools, write_pb

from .pabulib_files import ASSEN, MOKOTOW, SWIECIE, TOULOUSE, real_file

VALID = """META
key;value
description;Test vote
num_projects;3
num_votes;4
budget;100
vote_type;approval
PROJECTS
project_id;cost;name;votes;selected;category
p1;60;Benches;3;1;public space
p2;50.5;"Trees; many";2;0;urban greenery,environment
p3;40;Lights;1;1;
VOTES
voter_id;vote;age
v1;p1,p2;34
v2;p1;
v3;p1,p3;71
v4;p2;
"""

CUMULATIVE = """META
key;value
num_projects;2
num_votes;2
budget;10
vote_type;cumulative
max_sum_points;5
PROJECTS
project_id;cost
a;6
b;4
VOTES
voter_id;vote;points
1;a,b;3,2
2;b;5
"""


def described(project: PbProject) -> tuple:
    return (project.project_id, project.cost, project.name, project.votes, project.selected, project.extra)


def line_of(text: str, fragment: str) -> int:
    """Return the 1-based number of the first line of `text` containing `fragment`."""
    return next(number for number, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_it_reads_meta_projects_and_ballots():
    election = read_pb(VALID.encode())

    assert election.meta["description"] == "Test vote"
    assert election.budget == Decimal(100)
    assert [project.project_id for project in election.projects] == ["p1", "p2", "p3"]
    trees = election.project("p2")
    assert trees.cost == Decimal("50.5")
    assert trees.name == "Trees; many"
    assert (trees.votes, trees.selected, trees.funded) == (2, 0, False)
    assert trees.extra == {"category": "urban greenery,environment"}
    assert [(vote.voter_id, vote.projects) for vote in election.votes] == [
        ("v1", ("p1", "p2")),
        ("v2", ("p1",)),
        ("v3", ("p1", "p3")),
        ("v4", ("p2",)),
    ]
    assert election.votes[0].extra == {"age": "34"}
    assert election.votes[1].extra is None


@pytest.mark.parametrize(
    ("name", "projects", "votes"), [(MOKOTOW, 81, 11067), (SWIECIE, 22, 2553), (ASSEN, 14, 84), (TOULOUSE, 199, 4532)]
)
def test_it_reads_the_real_elections(name, projects, votes):
    election = read_pb(real_file(name))

    assert (len(election.projects), len(election.votes)) == (projects, votes)
    instance, profile = parse_pabulib(str(real_file(name)))
    assert {(project.project_id, Fraction(project.cost)) for project in election.projects} == {
        (project.name, Fraction(int(project.cost.numerator), int(project.cost.denominator))) for project in instance
    }
    assert [sorted(vote.projects) for vote in election.votes] == [
        sorted(project.name for project in ballot) for ballot in profile
    ]


def test_it_keeps_coordinates_and_official_winners():
    election = read_pb(real_file(MOKOTOW))

    project = election.project("1794")
    assert project.extra["latitude"] == "52.206076067186"
    assert project.extra["longitude"] == "21.024943613993"
    assert project.funded
    assert election.votes[0].extra == {"age": "67", "sex": "F", "voting_method": "internet"}
    assert not any(project.withdrawn for project in election.projects)


def test_it_tolerates_a_byte_order_mark_windows_line_ends_and_empty_cells_after_a_section():
    text = VALID.replace("\n", "\r\n").replace("PROJECTS", "PROJECTS;;")
    election = read_pb(b"\xef\xbb\xbf" + text.encode())

    assert len(election.votes) == 4


def test_it_reads_points_of_cumulative_ballots():
    election = read_pb(CUMULATIVE.encode())

    assert election.votes[0].points == (Decimal(3), Decimal(2))
    instance, profile = to_pabutools(election)
    assert isinstance(profile, CumulativeProfile)
    assert {project.name: points for project, points in profile[0].items()} == {"a": 3, "b": 2}


def test_it_marks_withdrawn_projects():
    election = read_pb(VALID.replace("p3;40;", "p3;999999999;").encode())

    assert election.project("p3").withdrawn


BAD_CASES = {
    # name: (change the valid file, fragment of the line at fault, words of the message)
    "no votes section": (lambda text: text[: text.index("VOTES")], "p3;40", "section VOTES is missing"),
    "votes before projects": (
        lambda text: text[: text.index("PROJECTS")] + text[text.index("VOTES") :],
        "VOTES",
        "section PROJECTS is missing before VOTES",
    ),
    "projects first": (lambda text: text[text.index("PROJECTS") :], "PROJECTS", "META is missing before PROJECTS"),
    "meta twice": (lambda text: text.replace("PROJECTS\n", "META\nkey;value\nPROJECTS\n"), 8, "twice or out"),
    "no budget": (lambda text: text.replace("budget;100\n", ""), "PROJECTS", "META lacks budget"),
    "no vote type": (lambda text: text.replace("vote_type;approval\n", ""), "PROJECTS", "META lacks vote_type"),
    "budget not a number": (lambda text: text.replace("budget;100", "budget;cent"), "budget;", "budget 'cent'"),
    "bad vote type": (lambda text: text.replace(";approval", ";ranked"), "vote_type", "vote_type 'ranked' is not"),
    "num_projects not a number": (lambda text: text.replace("num_projects;3", "num_projects;3.5"), "num_pro", "whole"),
    "project row too short": (lambda text: text.replace("p3;40;Lights;1;1;", "p3;40;Lights;1;1"), "p3;40", "5 fields"),
    "cost not a number": (lambda text: text.replace("p1;60;", "p1;sixty;"), "p1;sixty", "cost 'sixty' of project"),
    "negative cost": (lambda text: text.replace("p1;60;", "p1;-60;"), "p1;-60", "negative"),
    "project twice": (lambda text: text.replace("p3;40;", "p1;40;"), "p1;40", "project id 'p1' appears twice"),
    "unknown project": (lambda text: text.replace("v3;p1,p3", "v3;p1,p9"), "v3;", "unknown project 'p9'"),
    "voter twice": (lambda text: text.replace("v4;p2", "v1;p2"), "v1;p2;", "voter id 'v1' appears twice"),
    "ballot row too long": (lambda text: text.replace("v2;p1;", "v2;p1;;extra"), "v2;p1", "4 fields"),
    "num_projects wrong": (lambda text: text.replace("num_projects;3", "num_projects;4"), "num_projects", "3 projects"),
    "num_votes wrong": (lambda text: text.replace("num_votes;4", "num_votes;5"), "num_votes", "4 ballots"),
    "no vote column": (lambda text: text.replace("voter_id;vote;age", "voter_id;ballot;age"), "voter_id", "'vote'"),
    "no cost column": (lambda text: text.replace("project_id;cost;", "project_id;price;"), "project_id", "'cost'"),
    "empty file": (lambda text: "", None, "the file is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_it_names_the_line_of_a_bad_file(case, tmp_path):
    change, fragment, words = BAD_CASES[case]
    text = change(VALID)
    path = tmp_path / "bad.pb"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(PabulibError) as raised:
        read_pb(path)

    expected = fragment if isinstance(fragment, int) else 1 if fragment is None else line_of(text, fragment)
    assert raised.value.line == expected, str(raised.value)
    assert words in raised.value.message
    assert str(raised.value) == raised.value.message


@pytest.mark.parametrize(
    ("change", "fragment", "words"),
    [
        (lambda text: text.replace("1;a,b;3,2", "1;a,b;3,two"), "1;a,b", "points '3,two' of voter '1' are not"),
        (lambda text: text.replace("1;a,b;3,2", "1;a,b;3"), "1;a,b", "gives 1 points for 2 projects"),
        (lambda text: text.replace("voter_id;vote;points", "voter_id;vote"), "voter_id", "no 'points' column"),
    ],
)
def test_it_refuses_points_that_do_not_parse(change, fragment, words):
    text = change(CUMULATIVE)

    with pytest.raises(PabulibError) as raised:
        read_pb(text.encode())

    assert raised.value.line == line_of(text, fragment)
    assert words in raised.value.message


def test_it_names_the_line_of_a_byte_that_is_not_utf8():
    data = VALID.replace("Lights", "Lumi\u00e8res").encode("latin-1")

    with pytest.raises(PabulibError) as raised:
        read_pb(data)

    assert raised.value.line == line_of(VALID, "p3;40")
    assert "not UTF-8" in raised.value.message


def test_what_it_writes_reads_back_the_same():
    election = read_pb(VALID.encode())

    text = write_pb(election.meta, election.projects, election.votes)

    again = read_pb(text.encode())
    assert again.meta == election.meta
    assert [described(project) for project in again.projects] == [described(p) for p in election.projects]
    assert again.votes == election.votes
    instance, profile = parse_pabulib_from_string(text)
    assert {project.name: project.cost for project in instance} == {"p1": 60, "p2": Fraction(101, 2), "p3": 40}
    assert [sorted(project.name for project in ballot) for ballot in profile] == [
        ["p1", "p2"],
        ["p1"],
        ["p1", "p3"],
        ["p2"],
    ]


def test_it_counts_projects_and_ballots_when_writing():
    text = write_pb(
        {"budget": Decimal("1E+1"), "num_votes": 99, "vote_type": "cumulative"},
        [PbProject("a", Decimal("2.50")), PbProject("b", Decimal(8))],
        [PbVote("1", ("a", "b"), (Decimal(1), Decimal("0.5")))],
    )

    election = read_pb(text.encode())
    assert (election.meta["num_projects"], election.meta["num_votes"], election.meta["budget"]) == ("2", "1", "10")
    assert election.project("a").cost == Decimal("2.50")
    assert election.votes[0].points == (Decimal(1), Decimal("0.5"))
    instance, profile = parse_pabulib_from_string(text)
    assert {project.name: points for project, points in profile[0].items()} == {"a": 1, "b": Fraction(1, 2)}


def test_it_gives_pabutools_exact_costs_and_grouped_ballots():
    election = read_pb(VALID.encode())

    instance, profile = to_pabutools(election, multiprofile=True)

    assert instance.budget_limit == 100
    assert {project.name: project.cost for project in instance} == {"p1": 60, "p2": Fraction(101, 2), "p3": 40}
    assert all(not isinstance(project.cost, float) for project in instance)
    assert isinstance(profile, ApprovalMultiProfile)
    assert profile.num_ballots() == 4
    assert sorted(profile.values()) == [1, 1, 1, 1]
    assert {project.name for project in instance if "public space" in project.categories} == {"p1"}
