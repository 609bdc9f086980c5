"""Casting a ballot online: the ballot rules, who may vote, one ballot per person, the receipt, the secret."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from participation.budgeting import ballots, services
from participation.budgeting.models import Ballot, BallotChoice, BallotDraft, BallotRule, Cycle, Phase, VoterRecord
from participation.budgeting.services import BudgetingRefused

from .conftest import resident


def ids(projects):
    return {project.pk: 1 for project in projects}


def refused(call, *args, **kwargs) -> str:
    with translation.override("en"), pytest.raises(BudgetingRefused) as refusal:
        call(*args, **kwargs)
    return str(refusal.value)


def test_a_resident_votes_in_their_district_and_city_wide_and_gets_a_receipt(voting, voter, projects):
    code = services.cast_ballot(voting, voter, {"nord": ids(projects["nord"][:2]), "ville": ids(projects["ville"][:1])})

    assert len(code) == 14 and code.count("-") == 2
    ballots = services.find_ballots(voting, code.lower().replace("-", " "))
    assert {ballot.budget.slug for ballot in ballots} == {"nord", "ville"}
    chosen = {choice.project_id for ballot in ballots for choice in ballot.choices.all()}
    assert chosen == {projects["nord"][0].pk, projects["nord"][1].pk, projects["ville"][0].pk}
    assert VoterRecord.objects.filter(cycle=voting, user=voter).count() == 1


def test_a_forged_receipt_finds_nothing(voting, voter, projects):
    services.cast_ballot(voting, voter, {"nord": ids(projects["nord"][:1])})
    assert not services.find_ballots(voting, "AAAA-BBBB-CCCC").exists()


def test_the_ballot_keeps_no_link_to_its_voter(voting, voter, projects):
    services.cast_ballot(voting, voter, {"nord": ids(projects["nord"][:1])})
    fields = {field.name for field in Ballot._meta.get_fields()}
    assert not fields & {"user", "voter", "identity_hash", "created_at", "voted_at"}
    assert not any(field.name in ("user", "voter") for field in BallotChoice._meta.get_fields())
    ballot = Ballot.objects.get()
    assert str(ballot.pk) != "1"  # a random key, not a sequence that would follow the register's order


def test_a_second_ballot_of_the_same_person_is_refused(voting, voter, projects):
    services.cast_ballot(voting, voter, {"nord": ids(projects["nord"][:1])})
    assert "voted in this cycle already" in refused(
        services.cast_ballot, voting, voter, {"nord": ids(projects["nord"][1:2])}
    )
    assert Ballot.objects.count() == 1


def test_the_same_identity_on_a_second_account_cannot_vote_again(voting, voter, body, north, projects):
    services.cast_ballot(voting, voter, {"nord": ids(projects["nord"][:1])})
    # Staff verified a second account with the same identity number before the first was known (a data fix):
    twin = resident("twin@example.org", body, north, "other-number")
    twin.verification.identity_hash = "x" * 64
    twin.verification.save()
    VoterRecord.objects.filter(user=voter).update(identity_hash="x" * 64)
    assert "voted in this cycle already" in refused(
        services.cast_ballot, voting, twin, {"nord": ids(projects["nord"][1:2])}
    )


@pytest.mark.parametrize(
    "make_voter, message",
    [
        (lambda body, north, other: resident("plain@example.org", other, None, "PLAIN0001"), "residents of"),
        (
            lambda body, north, other: __import__("tests.factories").factories.UserFactory(),
            "Verify your identity first",
        ),
    ],
)
def test_only_verified_residents_of_the_body_vote(voting, body, north, other_body, projects, make_voter, message):
    person = make_voter(body, north, other_body)
    assert message in refused(services.cast_ballot, voting, person, {"ville": ids(projects["ville"][:1])})


def test_a_project_of_another_district_is_refused(voting, voter, projects):
    assert "not a budget of your district" in refused(
        services.cast_ballot, voting, voter, {"sud": ids(projects["sud"][:1])}
    )
    assert "not on the ballot" in refused(services.cast_ballot, voting, voter, {"nord": ids(projects["sud"][:1])})


def test_a_cycle_read_by_hand_holds_what_the_orm_reads(voting):
    """ballots.read_cycle reads the row by hand, each field converted as the ORM converts it (dates, decimals)."""
    read = ballots.read_cycle(str(voting.uuid))
    stored = Cycle.objects.get(pk=voting.pk)
    fields = [field.attname for field in Cycle._meta.concrete_fields]
    assert [getattr(read, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert read.body.path == voting.body.path and read.is_voting_open()
    assert ballots.read_cycle("not-a-uuid") is None and ballots.read_cycle(str(uuid.uuid4())) is None
    Cycle.objects.filter(pk=voting.pk).update(phase=Phase.DRAFT)
    assert ballots.read_cycle(str(voting.uuid)) is None


def test_the_ids_a_ballot_names_are_read_as_the_checks_read_them(voting, voter, projects):
    first, second = (project.pk for project in projects["nord"][:2])
    # Arabic-Indic digits and spaces are numbers to int(), as they are to the checks; junk and out-of-range ids
    # are on no ballot.
    arabic = str(first).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    named = ballots.named_projects({"nord": {arabic: 1, f" {second} ": 1, "x": 1, str(2**70): 1, "-3": 1}})
    assert named == sorted([first, second])
    assert ballots.named_projects({"nord": {str(n): 1 for n in range(1, ballots.MOST_PROJECTS_NAMED + 2)}}) is None
    assert ballots.named_projects(["nord"]) == [] and ballots.named_projects({"nord": [first]}) == []

    code = services.cast_ballot(voting, voter, {"nord": {arabic: 1, f" {second} ": 1}})
    assert {choice.project_id for choice in services.find_ballots(voting, code).get().choices.all()} == {first, second}


def test_a_ballot_naming_more_ids_than_a_ballot_holds_is_refused_with_what_is_wrong(voting, voter, projects):
    many = {str(n): 1 for n in range(10**6, 10**6 + ballots.MOST_PROJECTS_NAMED + 1)}
    assert "not on the ballot" in refused(services.cast_ballot, voting, voter, {"nord": many})
    huge = {str(2**70): 1}
    assert "not on the ballot" in refused(services.cast_ballot, voting, voter, {"nord": huge})
    assert not VoterRecord.objects.exists()


def test_over_the_number_of_projects_is_refused(voting, voter, projects):
    Cycle.objects.filter(pk=voting.pk).update(max_projects=2)
    voting.refresh_from_db()
    assert "at most 2 projects" in refused(services.cast_ballot, voting, voter, {"nord": ids(projects["nord"])})
    assert not VoterRecord.objects.exists()


def test_knapsack_refuses_a_ballot_over_the_budget_and_under_the_least_share(voting, voter, projects):
    Cycle.objects.filter(pk=voting.pk).update(ballot_rule=BallotRule.KNAPSACK, min_spend_share="0.50")
    voting.refresh_from_db()
    # 100,000 + 150,000 + 200,000 = 450,000 > 300,000
    assert "more than its" in refused(services.cast_ballot, voting, voter, {"nord": ids(projects["nord"])})
    # 100,000 < half of 300,000
    assert "at least" in refused(services.cast_ballot, voting, voter, {"nord": ids(projects["nord"][:1])})
    assert services.cast_ballot(voting, voter, {"nord": ids(projects["nord"][::2])})


def test_cumulative_points(voting, voter, projects):
    Cycle.objects.filter(pk=voting.pk).update(ballot_rule=BallotRule.CUMULATIVE, points=5, max_points_per_project=3)
    voting.refresh_from_db()
    first, second, third = (project.pk for project in projects["nord"])
    assert "at most 3 points" in refused(services.cast_ballot, voting, voter, {"nord": {first: 4}})
    assert "5 points to share" in refused(services.cast_ballot, voting, voter, {"nord": {first: 3, second: 3}})
    code = services.cast_ballot(voting, voter, {"nord": {first: 3, second: 2, third: 0}})
    ballot = services.find_ballots(voting, code).get()
    assert {choice.project_id: choice.points for choice in ballot.choices.all()} == {first: 3, second: 2}


def test_choose_one(voting, voter, projects):
    Cycle.objects.filter(pk=voting.pk).update(ballot_rule=BallotRule.CHOOSE_ONE)
    voting.refresh_from_db()
    assert "Choose one project" in refused(services.cast_ballot, voting, voter, {"nord": ids(projects["nord"][:2])})


def test_an_empty_ballot_is_refused(voting, voter, projects):
    assert "empty" in refused(services.cast_ballot, voting, voter, {"nord": {}})


def test_no_vote_before_the_opening_or_after_the_close(voting, voter, projects):
    now = timezone.now()
    Cycle.objects.filter(pk=voting.pk).update(voting_opens_at=now + timedelta(hours=1))
    voting.refresh_from_db()
    assert "not open" in refused(services.cast_ballot, voting, voter, {"nord": ids(projects["nord"][:1])})
    Cycle.objects.filter(pk=voting.pk).update(voting_opens_at=now - timedelta(days=2), voting_closes_at=now)
    voting.refresh_from_db()
    assert "not open" in refused(services.cast_ballot, voting, voter, {"nord": ids(projects["nord"][:1])})


def test_a_minimum_age(voting, voter, projects):
    Cycle.objects.filter(pk=voting.pk).update(min_age=18)
    voting.refresh_from_db()
    assert "date of birth is not known" in refused(
        services.cast_ballot, voting, voter, {"nord": ids(projects["nord"][:1])}
    )
    today = timezone.localdate()
    voter.verification.born_on = today.replace(year=today.year - 18) + timedelta(days=1)
    voter.verification.save()
    assert "under the minimum age" in refused(services.cast_ballot, voting, voter, {"nord": ids(projects["nord"][:1])})
    voter.verification.born_on = today.replace(year=today.year - 18)
    voter.verification.save()
    assert services.cast_ballot(voting, voter, {"nord": ids(projects["nord"][:1])})


def test_confirming_deletes_the_draft(voting, voter, projects):
    services.save_draft(voting, voter, {"nord": ids(projects["nord"][:1])})
    services.cast_ballot(voting, voter, {"nord": ids(projects["nord"][:1])})
    assert not BallotDraft.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_ballots_of_one_person_count_once(voting, voter, projects):
    outcomes: list = []
    barrier = threading.Barrier(6)

    def vote(project):
        barrier.wait()
        try:
            outcomes.append(services.cast_ballot(voting, voter, {"nord": {project.pk: 1}}))
        except BudgetingRefused as refusal:
            outcomes.append(refusal)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(projects["nord"][n % 3],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(outcome, str) for outcome in outcomes) == 1
    assert Ballot.objects.count() == 1 and VoterRecord.objects.count() == 1
