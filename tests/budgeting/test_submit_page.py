"""Submitting a project through the page: a verified resident, during the submission phase, with a point on the
map and a budget (their district's or the city-wide one); the refusals shown in the form; robots, floods and
forged requests turned away."""

import pytest
from django.test import Client

from participation.budgeting import services
from participation.budgeting.models import Follow, Phase, Project
from tests.factories import MembershipFactory, OrganisationFactory
from tests.ratelimits import rate_limits

from .conftest import INSIDE_NORTH, INSIDE_SOUTH, OUTSIDE


def submit_url(cycle, language: str = "en") -> str:
    return f"/{language}/budgeting/{cycle.slug}/submit/"


def form_data(**fields) -> dict:
    data = {
        "title": "Un terrain de jeux",
        "description": "Pour les enfants du quartier.",
        "budget": "",
        "longitude": str(INSIDE_NORTH[0]),
        "latitude": str(INSIDE_NORTH[1]),
        "estimated_cost": "80000",
        "website": "",
    }
    return {**data, **fields}


def errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(error) for field_errors in form.errors.values() for error in field_errors)


@pytest.fixture
def voter_client(client, voter):
    client.force_login(voter)
    return client


def test_a_resident_submits_a_project_placed_on_the_map(cycle, voter, north, budgets):
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter)
    assert client.post(submit_url(cycle), form_data()).status_code == 403  # no token
    page = client.get(submit_url(cycle))
    assert "js/point-picker.js" in page.content.decode() and 'id="districts-geojson"' in page.content.decode()
    response = client.post(submit_url(cycle), {**form_data(), "csrfmiddlewaretoken": str(page.context["csrf_token"])})
    made = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/budgeting/{cycle.slug}/projects/{made.pk}/"
    assert made.budget == budgets["nord"] and made.district == north
    assert str(made.estimated_cost) == "80000.00" and made.language == "en" and made.author == voter
    assert Follow.objects.filter(project=made, user=voter).exists()
    assert "Un terrain de jeux" in client.get(response["Location"]).content.decode()


def test_the_budget_offered_is_the_voters_districts_or_the_city_wide_one(voter_client, cycle, budgets):
    form = voter_client.get(submit_url(cycle)).context["form"]
    assert {budget.slug for budget in form.fields["budget"].queryset} == {"nord", "ville"}
    response = voter_client.post(submit_url(cycle), form_data(budget=budgets["ville"].pk))
    assert response.status_code == 302 and Project.objects.get().budget == budgets["ville"]


def test_another_districts_budget_cannot_be_chosen(voter_client, cycle, budgets):
    response = voter_client.post(submit_url(cycle), form_data(budget=budgets["sud"].pk))
    assert response.status_code == 200 and "budget" in response.context["form"].errors
    assert not Project.objects.exists()


def test_a_point_in_another_district_than_the_budgets_is_refused_with_the_services_message(
    voter_client, cycle, budgets
):
    response = voter_client.post(
        submit_url(cycle),
        form_data(budget=budgets["nord"].pk, longitude=str(INSIDE_SOUTH[0]), latitude=str(INSIDE_SOUTH[1])),
    )
    assert "The point on the map is not in the district of this budget." in errors(response)
    response = voter_client.post(submit_url(cycle), form_data(longitude=str(OUTSIDE[0]), latitude=str(OUTSIDE[1])))
    assert "outside the territory" in errors(response)
    assert 'role="alert"' in response.content.decode()
    assert not Project.objects.exists()


def test_bad_input_is_shown_in_the_form(voter_client, cycle):
    response = voter_client.post(submit_url(cycle), form_data(title="", longitude="3.01", latitude=""))
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert "longitude and the latitude" in errors(response)
    response = voter_client.post(submit_url(cycle), form_data(estimated_cost="-5"))
    assert "estimated_cost" in response.context["form"].errors


def test_a_title_with_markup_is_kept_as_text_and_escaped(voter_client, cycle):
    title = '<script>alert("x")</script>'
    response = voter_client.post(submit_url(cycle), form_data(title=title))
    assert Project.objects.get().title == title
    page = voter_client.get(response["Location"]).content.decode()
    assert title not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_an_unverified_account_is_sent_to_verification(client, cycle, unverified):
    client.force_login(unverified)
    page = client.get(submit_url(cycle)).content.decode()
    assert "#verification" in page and 'name="title"' not in page
    response = client.post(submit_url(cycle), form_data())
    assert "Only verified residents can submit projects" in errors(response)
    assert not Project.objects.exists()


def test_outside_the_submission_phase_no_form_is_offered_and_posts_are_refused(voter_client, cycle):
    services.move_cycle(cycle, Phase.REVIEW)
    page = voter_client.get(submit_url(cycle)).content.decode()
    assert "does not take projects now" in page and 'name="title"' not in page
    response = voter_client.post(submit_url(cycle), form_data())
    assert "does not take projects now" in errors(response)
    assert not Project.objects.exists()


def test_submitting_needs_an_account(client, cycle):
    response = client.get(submit_url(cycle))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_robot_filling_the_hidden_field_is_refused(voter_client, cycle):
    response = voter_client.post(submit_url(cycle), form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert not Project.objects.exists()


def test_submissions_are_rate_limited(voter_client, cycle):
    with rate_limits(**{"budgeting.project": "2/h"}):
        statuses = [voter_client.post(submit_url(cycle), form_data(title=f"Projet {n}")).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert Project.objects.count() == 2


def test_the_form_reads_right_to_left_in_arabic(voter_client, cycle):
    page = voter_client.get(submit_url(cycle, "ar")).content.decode()
    assert 'dir="rtl"' in page and 'class="honeypot"' in page


def test_a_member_submits_on_behalf_of_their_association(voter_client, cycle, voter):
    association = MembershipFactory(user=voter).organisation
    stranger = OrganisationFactory()
    assert 'name="organisation"' in voter_client.get(submit_url(cycle)).content.decode()
    response = voter_client.post(submit_url(cycle), form_data(organisation=stranger.pk))
    assert "organisation" in response.context["form"].errors
    response = voter_client.post(submit_url(cycle), form_data(organisation=association.pk))
    made = Project.objects.get()
    assert made.organisation == association
    assert association.name in voter_client.get(response["Location"]).content.decode()
