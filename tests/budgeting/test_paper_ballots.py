"""Paper ballots: entered by one officer, counted once a second checks them, in the same register as online."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from participation.budgeting import services
from participation.budgeting.models import Ballot, Channel, PaperBallot, VoterRecord
from participation.budgeting.services import BudgetingRefused


def enter(cycle, officer, projects, number="VOTER0001", **kwargs):
    return services.enter_paper_ballot(
        cycle,
        officer,
        identity_number=number,
        station=kwargs.pop("station", "مدرسة الأمير عبد القادر"),
        district=kwargs.pop("district", projects["nord"][0].district),
        choices=kwargs.pop("choices", {"nord": {projects["nord"][0].pk: 1}}),
    )


def test_a_checked_paper_ballot_counts_and_leaves_no_trace_of_its_voter(voting, officer, second_officer, projects):
    paper, code = enter(voting, officer, projects)
    assert paper.status == PaperBallot.Status.PENDING and not Ballot.objects.exists()

    services.check_paper_ballot(paper, second_officer, accept=True)

    paper.refresh_from_db()
    assert paper.status == PaperBallot.Status.COUNTED and paper.checked_by == second_officer
    assert paper.choices == {} and paper.identity_hash == "" and paper.receipt_digest == ""
    ballot = services.find_ballots(voting, code).get()
    assert ballot.channel == Channel.PAPER
    assert [choice.project for choice in ballot.choices.all()] == [projects["nord"][0]]


def test_the_officer_who_entered_a_ballot_cannot_check_it(voting, officer, projects):
    paper, _code = enter(voting, officer, projects)
    with translation.override("en"), pytest.raises(BudgetingRefused, match="second officer"):
        services.check_paper_ballot(paper, officer, accept=True)


def test_a_ballot_is_checked_once(voting, officer, second_officer, manager, projects):
    paper, _code = enter(voting, officer, projects)
    services.check_paper_ballot(paper, second_officer, accept=True)
    with pytest.raises(BudgetingRefused):
        services.check_paper_ballot(paper, manager, accept=True)
    assert Ballot.objects.count() == 1


def test_who_voted_on_paper_cannot_vote_online_and_the_reverse(voting, voter, south_voter, officer, projects):
    enter(voting, officer, projects, number="VOTER0001")  # the voter fixture's identity number
    with translation.override("en"), pytest.raises(BudgetingRefused, match="already"):
        services.cast_ballot(voting, voter, {"nord": {projects["nord"][1].pk: 1}})

    services.cast_ballot(voting, south_voter, {"sud": {projects["sud"][0].pk: 1}})
    with translation.override("en"), pytest.raises(BudgetingRefused, match="already"):
        enter(
            voting,
            officer,
            projects,
            number="VOTER 0002",
            district=projects["sud"][0].district,
            choices={"sud": {projects["sud"][1].pk: 1}},
        )


def test_a_rejected_paper_ballot_frees_its_voter(voting, voter, officer, second_officer, projects):
    paper, _code = enter(voting, officer, projects)
    with pytest.raises(BudgetingRefused):
        services.check_paper_ballot(paper, second_officer, accept=False, reason="")
    services.check_paper_ballot(paper, second_officer, accept=False, reason="ورقة ممزقة")
    assert not VoterRecord.objects.exists() and not Ballot.objects.exists()
    assert services.cast_ballot(voting, voter, {"nord": {projects["nord"][0].pk: 1}})


def test_paper_ballots_follow_the_ballot_rule(voting, officer, projects):
    with translation.override("en"), pytest.raises(BudgetingRefused, match="not a budget of your district"):
        enter(voting, officer, projects, choices={"sud": {projects["sud"][0].pk: 1}})
    assert not VoterRecord.objects.exists()


def test_only_polling_officers_and_budget_managers_of_the_body_enter_or_check(
    voting, officer, other_manager, voter, projects
):
    with pytest.raises(PermissionDenied):
        enter(voting, other_manager, projects)
    with pytest.raises(PermissionDenied):
        enter(voting, voter, projects)
    paper, _code = enter(voting, officer, projects)
    with pytest.raises(PermissionDenied):
        services.check_paper_ballot(paper, other_manager, accept=True)


def test_no_paper_ballot_outside_voting_and_its_review(cycle, officer, projects):
    with translation.override("en"), pytest.raises(BudgetingRefused, match="during voting"):
        enter(cycle, officer, projects)
