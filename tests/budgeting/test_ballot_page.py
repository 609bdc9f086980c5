"""The ballot page without JavaScript: the voter's budgets and projects under each ballot rule, the review step
that checks the ballot (and keeps it as a draft), the refusals with the services' messages, the confirmation, the
receipt shown once; and who is refused the ballot, and why."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation.budgeting import services
from participation.budgeting.models import (
    Ballot,
    BallotDraft,
    BallotRule,
    Budget,
    BudgetGroup,
    Cycle,
    Project,
    ProjectStatus,
    VoterRecord,
)
from portal.accounts.identity import verify_person
from tests.factories import UserFactory
from tests.ratelimits import rate_limits

from .conftest import resident


def ballot_url(cycle, language: str = "en") -> str:
    return f"/{language}/budgeting/{cycle.slug}/ballot/"


def voted_url(cycle, language: str = "en") -> str:
    return f"/{language}/budgeting/{cycle.slug}/ballot/receipt/"


def rule(cycle, **fields) -> Cycle:
    """Change the cycle's rules in the table (the model refuses it once voting is open, as it should)."""
    Cycle.objects.filter(pk=cycle.pk).update(**fields)
    cycle.refresh_from_db()
    return cycle


def chosen(*projects) -> list[str]:
    return [str(project.pk) for project in projects]


@pytest.fixture
def voter_client(client, voter):
    client.force_login(voter)
    return client


def error_of(response) -> str:
    match = re.search(r'id="ballot-error"><p>(.*?)</p>', response.content.decode(), re.S)
    return match.group(1) if match else ""


# What the voter sees -----------------------------------------------------------------------------------------


def test_the_ballot_shows_the_voters_district_and_the_city_wide_budget(voter_client, voting, projects):
    response = voter_client.get(ballot_url(voting))
    page = response.content.decode()
    assert response.status_code == 200
    assert [section.budget.slug for section in response.context["sections"]] == ["nord", "ville"]
    for item in projects["nord"] + projects["ville"]:
        assert f'name="choice-nord" value="{item.pk}"' in page or f'name="choice-ville" value="{item.pk}"' in page
    for item in projects["sud"]:
        assert item.title not in page
    assert 'type="checkbox"' in page
    assert "<span data-count>0</span> of 3 chosen" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "js/budgeting-ballot.js" in page


def test_a_knapsack_ballot_shows_what_is_chosen_and_what_is_left(voter_client, voting, projects):
    rule(voting, ballot_rule=BallotRule.KNAPSACK)
    page = voter_client.get(ballot_url(voting)).content.decode()
    assert 'data-amount="300000.00"' in page
    assert 'data-cost="100000.00"' in page
    assert '<span class="amount" data-left>300,000\u00a0DA</span>' in page


def test_a_choose_one_ballot_has_radios_and_a_cumulative_one_number_inputs(voter_client, voting, projects):
    rule(voting, ballot_rule=BallotRule.CHOOSE_ONE)
    page = voter_client.get(ballot_url(voting)).content.decode()
    assert 'type="radio"' in page and "None of these" in page
    rule(voting, ballot_rule=BallotRule.CUMULATIVE, points=10, max_points_per_project=6)
    page = voter_client.get(ballot_url(voting)).content.decode()
    first = projects["nord"][0]
    assert f'type="number" name="points-nord-{first.pk}"' in page
    assert "<span data-points-left>10</span>" in page


# Choose, review, confirm ------------------------------------------------------------------------------------


def test_a_voter_chooses_reviews_confirms_and_sees_the_receipt_once(voter_client, voting, voter, projects):
    north, city = projects["nord"], projects["ville"]
    review = voter_client.post(
        ballot_url(voting), {"action": "review", "choice-nord": chosen(*north[:2]), "choice-ville": chosen(city[0])}
    )
    page = review.content.decode()
    assert review.status_code == 200
    assert "Review my ballot" in page and 'value="confirm"' in page
    assert north[0].title in page and city[0].title in page and north[2].title not in page
    assert "Left:" not in page  # approval: no money to count
    draft = BallotDraft.objects.get(cycle=voting, user=voter)
    assert draft.choices == {"nord": {str(north[0].pk): 1, str(north[1].pk): 1}, "ville": {str(city[0].pk): 1}}
    assert not Ballot.objects.exists()

    # Back to the choices: the draft is there.
    page = voter_client.get(ballot_url(voting)).content.decode()
    assert f'value="{north[0].pk}" id="project-{north[0].pk}" data-cost="100000.00" checked' in page

    confirm = voter_client.post(
        ballot_url(voting), {"action": "confirm", "choice-nord": chosen(*north[:2]), "choice-ville": chosen(city[0])}
    )
    assert confirm.status_code == 302 and confirm["Location"] == voted_url(voting)
    assert VoterRecord.objects.filter(cycle=voting, user=voter).count() == 1
    assert Ballot.objects.count() == 2
    assert not BallotDraft.objects.exists()

    shown = voter_client.get(voted_url(voting))
    code = re.search(r'id="receipt-code">([A-Z0-9-]+)<', shown.content.decode()).group(1)
    assert Ballot.objects.filter(receipt_digest=services.receipt_digest(code)).count() == 2
    assert shown["Cache-Control"].startswith("max-age=0") or "no-cache" in shown["Cache-Control"]
    again = voter_client.get(voted_url(voting)).content.decode()
    assert code not in again and "shown already" in again

    second = voter_client.get(ballot_url(voting)).content.decode()
    assert "You have voted in this cycle already" in second
    assert f"/en/budgeting/{voting.slug}/receipt/" in second
    assert 'name="action"' not in second


def test_the_review_refuses_more_projects_than_the_rule_allows(voter_client, voting, projects):
    rule(voting, max_projects=2)
    response = voter_client.post(ballot_url(voting), {"action": "review", "choice-nord": chosen(*projects["nord"])})
    assert response.status_code == 200
    assert error_of(response) == "Choose at most 2 projects in “Nord”."
    assert 'value="confirm"' not in response.content.decode()
    # The choices stay ticked so that the voter only unticks one.
    for item in projects["nord"]:
        assert re.search(rf'id="project-{item.pk}" data-cost="[\d.]+" checked', response.content.decode())


def test_the_review_refuses_a_knapsack_ballot_over_the_budget(voter_client, voting, projects):
    rule(voting, ballot_rule=BallotRule.KNAPSACK)
    response = voter_client.post(ballot_url(voting), {"action": "review", "choice-nord": chosen(*projects["nord"])})
    assert "cost 450,000\u00a0DA, more than its 300,000\u00a0DA" in error_of(response)
    response = voter_client.post(ballot_url(voting), {"action": "review", "choice-nord": chosen(*projects["nord"][:2])})
    assert error_of(response) == "" and 'value="confirm"' in response.content.decode()
    assert "50,000\u00a0DA" in response.content.decode()  # left of 300,000 after 100,000 + 150,000


def test_confirming_refuses_what_the_review_would_have_refused(voter_client, voting, voter, projects):
    rule(voting, ballot_rule=BallotRule.KNAPSACK)
    response = voter_client.post(ballot_url(voting), {"action": "confirm", "choice-nord": chosen(*projects["nord"])})
    assert response.status_code == 200 and "more than its" in error_of(response)
    assert not VoterRecord.objects.exists() and not Ballot.objects.exists()


def test_an_empty_ballot_is_refused(voter_client, voting, projects):
    response = voter_client.post(ballot_url(voting), {"action": "review"})
    assert error_of(response) == "The ballot is empty: choose at least one project."


def test_a_choose_one_ballot_with_two_choices_is_refused(voter_client, voting, projects):
    rule(voting, ballot_rule=BallotRule.CHOOSE_ONE)
    response = voter_client.post(ballot_url(voting), {"action": "review", "choice-nord": chosen(*projects["nord"][:2])})
    assert error_of(response) == "Choose one project in “Nord”."
    response = voter_client.post(
        ballot_url(voting), {"action": "review", "choice-nord": ["", str(projects["nord"][0].pk)]}
    )
    assert 'value="confirm"' in response.content.decode()


def test_a_cumulative_ballot_over_its_points_is_refused(voter_client, voting, projects):
    rule(voting, ballot_rule=BallotRule.CUMULATIVE, points=10, max_points_per_project=6)
    first, second = projects["nord"][:2]
    data = {"action": "review", f"points-nord-{first.pk}": "6", f"points-nord-{second.pk}": "5"}
    assert error_of(voter_client.post(ballot_url(voting), data)) == "You have 10 points to share in “Nord”."
    data[f"points-nord-{first.pk}"] = "7"
    data[f"points-nord-{second.pk}"] = "1"
    assert error_of(voter_client.post(ballot_url(voting), data)) == "Give at most 6 points to one project."
    data[f"points-nord-{first.pk}"] = "6"
    response = voter_client.post(ballot_url(voting), {**data, "action": "confirm"})
    assert response.status_code == 302


def test_a_ballot_that_is_not_well_formed_is_a_bad_request(voter_client, voting, projects):
    response = voter_client.post(ballot_url(voting), {"action": "review", "choice-nord": ["<b>x</b>"]})
    assert response.status_code == 400
    assert "<b>x</b>" not in response.content.decode()


def test_a_project_of_another_district_cannot_be_chosen(voter_client, voting, projects):
    south = projects["sud"][0]
    response = voter_client.post(ballot_url(voting), {"action": "confirm", "choice-nord": [str(south.pk)]})
    assert error_of(response) == f"Project {south.pk} is not on the ballot of “Nord”."
    # A budget of another district is not on the voter's ballot: what is sent for it is not read.
    response = voter_client.post(
        ballot_url(voting),
        {"action": "confirm", "choice-sud": [str(south.pk)], "choice-nord": chosen(projects["nord"][0])},
    )
    assert response.status_code == 302
    assert {ballot.budget.slug for ballot in Ballot.objects.all()} == {"nord"}


# Who may vote --------------------------------------------------------------------------------------------------


def test_an_unverified_account_is_sent_to_verification(client, voting, unverified):
    client.force_login(unverified)
    response = client.get(ballot_url(voting))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Verify your identity first" in page
    assert "/accounts/profile/#verification" in page or "#verification" in page
    assert client.post(ballot_url(voting), {"action": "confirm"}).status_code == 403
    assert not VoterRecord.objects.exists()


def test_a_resident_of_another_commune_is_refused(client, voting, outsider, projects):
    client.force_login(outsider)
    response = client.post(ballot_url(voting), {"action": "confirm", "choice-nord": chosen(projects["nord"][0])})
    assert response.status_code == 403
    assert "This vote is for the residents of another place." in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_cycle_with_a_minimum_age_refuses_a_voter_whose_age_is_unknown(voter_client, voting):
    rule(voting, min_age=16)
    response = voter_client.get(ballot_url(voting))
    assert response.status_code == 403
    assert "date of birth is not known" in response.content.decode()


def test_a_voter_under_the_minimum_age_is_refused(client, voting, body, north):
    young = UserFactory(email="young@example.org")
    verify_person(young, "YOUNG0001", body, district=north, born_on=timezone.localdate() - timedelta(days=15 * 365))
    rule(voting, min_age=16)
    client.force_login(young)
    response = client.get(ballot_url(voting))
    assert response.status_code == 403
    assert "under the minimum age" in response.content.decode()


def test_the_ballot_is_closed_outside_the_voting_window(voter_client, voting, projects):
    rule(voting, voting_closes_at=timezone.now() - timedelta(minutes=1))
    response = voter_client.post(ballot_url(voting), {"action": "confirm", "choice-nord": chosen(projects["nord"][0])})
    assert "Voting is not open" in response.content.decode()
    assert not Ballot.objects.exists()


def test_the_ballot_needs_an_account(client, voting):
    response = client.get(ballot_url(voting))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_second_account_of_the_same_person_sees_it_has_voted(voter_client, voting, voter, body, north, projects):
    voter_client.post(ballot_url(voting), {"action": "confirm", "choice-nord": chosen(projects["nord"][0])})
    twin = resident("twin@example.org", body, north, "TWIN00001")
    VoterRecord.objects.filter(user=voter).update(identity_hash=twin.verification.identity_hash)
    other = Client()
    other.force_login(twin)
    assert "You have voted in this cycle already" in other.get(ballot_url(voting)).content.decode()


# Protections ----------------------------------------------------------------------------------------------------


def test_confirming_without_the_csrf_token_is_refused(voting, voter, projects):
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter)
    response = client.post(ballot_url(voting), {"action": "confirm", "choice-nord": chosen(projects["nord"][0])})
    assert response.status_code == 403
    assert not Ballot.objects.exists()
    token = client.get(ballot_url(voting)).context["csrf_token"]
    response = client.post(
        ballot_url(voting),
        {"action": "confirm", "choice-nord": chosen(projects["nord"][0]), "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302


def test_ballot_posts_are_rate_limited(voter_client, voting, projects):
    with rate_limits(**{"budgeting.ballot": "2/m"}):
        statuses = [
            voter_client.post(
                ballot_url(voting), {"action": "review", "choice-nord": chosen(projects["nord"][0])}
            ).status_code
            for _ in range(3)
        ]
        assert voter_client.get(ballot_url(voting)).status_code == 200  # reading the ballot is not counted
    assert statuses == [200, 200, 429]


def test_an_arabic_ballot_reads_right_to_left(voter_client, voting, projects):
    page = voter_client.get(ballot_url(voting, "ar")).content.decode()
    assert 'dir="rtl"' in page and 'data-sign="د.ج"' in page and 'data-group-separator="."' in page


def test_the_ballot_makes_as_many_queries_for_many_projects(voter_client, voting, budgets, projects):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert voter_client.get(ballot_url(voting)).status_code == 200
        return len(captured)

    count()  # the caches of the first request (content types, settings)
    few = count()
    # Straight into the table: the model refuses new projects once voting is open, as it should.
    Project.objects.bulk_create(
        Project(
            cycle=voting,
            budget=budgets["nord"],
            title=f"Projet {number}",
            description="",
            language="fr",
            cost=1000,
            status=ProjectStatus.FEASIBLE,
        )
        for number in range(10)
    )
    count()  # the write retired the cached page frame (the menu, the footer): once to fill it again
    assert count() == few


def test_a_group_of_budgets_limits_how_many_a_voter_votes_in(voter_client, voting, budgets, projects):
    # In the table: the model refuses a new group once voting is open, as it should.
    [group] = BudgetGroup.objects.bulk_create(
        [BudgetGroup(cycle=voting, name_ar="محاور", name_en="Themes", max_budgets=1)]
    )
    Budget.objects.filter(pk__in=[budgets["nord"].pk, budgets["ville"].pk]).update(group=group)
    page = voter_client.get(ballot_url(voting)).content.decode()
    assert "“Themes”: vote in at most 1 of its budgets." in page
    assert f'data-group="{group.pk}"' in page
    both = {"choice-nord": chosen(projects["nord"][0]), "choice-ville": chosen(projects["ville"][0])}
    response = voter_client.post(ballot_url(voting), {"action": "review", **both})
    assert error_of(response) == "Vote in at most 1 budget of “Themes”."
    response = voter_client.post(ballot_url(voting), {"action": "confirm", "choice-ville": both["choice-ville"]})
    assert response.status_code == 302


def test_a_title_with_markup_is_escaped_on_the_ballot_and_its_review(voter_client, voting, budgets, projects):
    title = '<img src=x onerror="alert(1)">'
    # Straight into the table: the model refuses new projects once voting is open, as it should.
    Project.objects.bulk_create(
        [
            Project(
                cycle=voting,
                budget=budgets["nord"],
                title=title,
                description="",
                language="fr",
                cost=1000,
                status=ProjectStatus.FEASIBLE,
            )
        ]
    )
    planted = Project.objects.get(title=title)
    for response in (
        voter_client.get(ballot_url(voting)),
        voter_client.post(ballot_url(voting), {"action": "review", "choice-nord": [str(planted.pk)]}),
    ):
        page = response.content.decode()
        assert title not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
