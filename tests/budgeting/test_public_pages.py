"""The public pages of a budgeting cycle as visitors read them: the cycles, a cycle's calendar, budgets and rules,
its projects (filters, map, set-aside reasons), a project's page, following it, checking a receipt code, and the
results with their files; and what the public never sees (cycles in preparation, costs before their phase, any
count of votes before the results are published)."""

import hashlib
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opendata.spending.models import Payment, Supplier
from participation.budgeting import results, services
from participation.budgeting.models import (
    BudgetGroup,
    CountingRule,
    Cycle,
    Follow,
    Phase,
    Project,
    ProjectStatus,
    Result,
)
from tests.cms.builders import council, decision, session
from tests.ratelimits import rate_limits

from .conftest import project, resident

LANGUAGES = ("ar", "fr", "en")


def url(language: str, cycle, tail: str = "") -> str:
    return f"/{language}/budgeting/{cycle.slug}/{tail}"


def publish(cycle, manager, ballots: list[list]) -> list[Result]:
    """Each of `ballots` (projects of the north's budget) cast by a resident of the north, then the results counted
    and published by the greedy rule (results.py; its own tests check the count)."""
    north = ballots[0][0].budget.district
    for number, chosen in enumerate(ballots):
        voter = resident(f"voter{number}@example.org", cycle.body, north, f"PUB{number:06d}")
        services.cast_ballot(cycle, voter, {"nord": {item.pk: 1 for item in chosen}})
    Cycle.objects.filter(pk=cycle.pk).update(counting_rule=CountingRule.GREEDY)
    cycle.refresh_from_db()
    services.move_cycle(cycle, Phase.BALLOT_REVIEW, by=manager)
    rows = results.publish_results(cycle, manager)
    cycle.refresh_from_db()
    return rows


def greedy_ballots(north: list) -> list[list]:
    """Votes in the north: the 100,000 project 4, the 150,000 one 3, the 200,000 one 2 (budget 300,000: the first
    two are funded, 50,000 is left and the third is passed over)."""
    return [north[:2]] * 3 + [north[2:]] * 2 + [north[:1]]


# Every page, in every language --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_renders_in_each_language_right_to_left_in_arabic(client, voting, voter, projects, language):
    client.force_login(voter)
    first = projects["nord"][0]
    pages = [
        f"/{language}/budgeting/",
        url(language, voting),
        url(language, voting, "projects/"),
        url(language, voting, f"projects/{first.pk}/"),
        url(language, voting, "submit/"),
        url(language, voting, "ballot/"),
        url(language, voting, "ballot/receipt/"),
        url(language, voting, "receipt/"),
        url(language, voting, "results/"),
    ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        page = response.content.decode()
        assert f'lang="{language}"' in page
        assert ('dir="rtl"' in page) == (language == "ar"), address


def test_published_results_render_in_each_language(client, voting, projects, manager):
    publish(voting, manager, greedy_ballots(projects["nord"]))
    for language in LANGUAGES:
        page = client.get(url(language, voting, "results/")).content.decode()
        assert ('dir="rtl"' in page) == (language == "ar")
        assert projects["nord"][0].title in page and url(language, voting, "results/nord.pb") in page


def test_a_cycle_in_preparation_is_not_public(client, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.DRAFT)
    assert client.get(url("fr", cycle)).status_code == 404
    assert client.get(url("fr", cycle, "projects/")).status_code == 404
    assert cycle.title_fr not in client.get("/fr/budgeting/").content.decode()


# The cycles and a cycle's page ------------------------------------------------------------------------------------


def test_the_index_lists_public_cycles_with_phase_and_amounts_per_budget(client, cycle):
    page = client.get("/fr/budgeting/").content.decode()
    assert "Budget participatif 2027" in page
    assert "Dépôt des projets" in page
    assert "300\u00a0000\u00a0DA" in page and "1\u00a0000\u00a0000\u00a0DA" in page
    arabic = client.get("/ar/budgeting/").content.decode()
    assert "300.000\u00a0د.ج" in arabic


def test_the_cycle_page_shows_calendar_budgets_rules_and_links(client, cycle, budgets):
    group = BudgetGroup.objects.create(cycle=cycle, name_fr="Thèmes", name_en="Themes", name_ar="محاور", max_budgets=1)
    budgets["ville"].group = group
    budgets["ville"].save()
    Cycle.objects.filter(pk=cycle.pk).update(min_age=16)
    response = client.get(url("en", cycle))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="step"' in page  # the current phase is marked
    assert "Submission of projects" in page and "Voting" in page
    assert "Vote in 1 of these budgets." in page
    assert "Themes" in page
    assert "at least 16 years old" in page
    assert "at most 3" in page  # approval with max_projects=3, in plain words
    assert "Method of Equal Shares" in page
    assert url("en", cycle, "submit/") in page  # taking projects
    assert url("en", cycle, "receipt/") in page
    assert url("en", cycle, "ballot/") not in page  # voting not open
    assert url("en", cycle, "results/") not in page


def test_the_cycle_page_offers_the_ballot_while_voting_is_open(client, voting):
    page = client.get(url("en", voting)).content.decode()
    assert url("en", voting, "ballot/") in page
    assert url("en", voting, "submit/") not in page


# Projects -----------------------------------------------------------------------------------------------------------


def test_the_projects_list_filters_by_budget_district_and_status(client, voting, projects, north):
    response = client.get(url("fr", voting, "projects/"), {"budget": "nord"})
    titles = [item.title for item in response.context["page_obj"]]
    assert titles == [item.title for item in projects["nord"]]
    response = client.get(url("fr", voting, "projects/"), {"district": north.pk})
    assert {item.budget.slug for item in response.context["page_obj"]} == {"nord"}
    response = client.get(url("fr", voting, "projects/"), {"status": "set_aside"})
    assert list(response.context["page_obj"]) == []
    response = client.get(url("fr", voting, "projects/"), {"budget": "unknown"})
    assert response.status_code == 200  # an invalid filter is ignored, not an error


def test_the_projects_map_has_their_points_and_the_districts(client, cycle, budgets):
    placed = project(cycle, budgets["nord"], "حديقة الحي", "50000", longitude=3.01, latitude=36.41)
    response = client.get(url("fr", cycle, "projects/"))
    points = response.context["projects_geojson"]["features"]
    assert [feature["properties"]["url"] for feature in points] == [placed.get_absolute_url()]
    assert "votes" not in points[0]["properties"]
    assert len(response.context["districts_geojson"]["features"]) == 2
    page = response.content.decode()
    assert 'id="projects-geojson"' in page and "js/projects-map.js" in page


def test_set_aside_projects_show_their_published_reasons(client, cycle, budgets):
    project(cycle, budgets["sud"], "Piscine olympique", None, status=ProjectStatus.SET_ASIDE, review_note="Trop chère.")
    page = client.get(url("fr", cycle, "projects/")).content.decode()
    assert "Piscine olympique" in page and "Trop chère." in page


def test_costs_are_shown_only_from_the_costs_phase_on(client, cycle, budgets):
    item = project(cycle, budgets["nord"], "Éclairage public", "123456")
    hidden = "123\u00a0456\u00a0DA"
    assert hidden not in client.get(url("fr", cycle, "projects/")).content.decode()
    assert hidden not in client.get(url("fr", cycle, f"projects/{item.pk}/")).content.decode()
    services.move_cycle(cycle, Phase.COSTS)
    assert hidden in client.get(url("fr", cycle, "projects/")).content.decode()
    assert hidden in client.get(url("fr", cycle, f"projects/{item.pk}/")).content.decode()


def test_no_vote_count_is_shown_before_the_results_are_published(client, voting, voter, projects):
    first = projects["nord"][0]
    services.cast_ballot(voting, voter, {"nord": {first.pk: 1}})
    # Even a count stored on the project (as a mistaken script might leave it) stays hidden until publication.
    Project.objects.filter(pk=first.pk).update(votes=4321)
    for address in (
        url("en", voting, "projects/"),
        url("en", voting, f"projects/{first.pk}/"),
        url("en", voting, "results/"),
        url("en", voting),
    ):
        page = client.get(address).content.decode()
        assert "4,321" not in page and "4321" not in page, address
        assert not re.search(r"\d\s*votes?\b", page), address
    page = client.get(url("en", voting, "results/")).content.decode()
    assert "not published yet" in page
    assert client.get(url("en", voting, "results/nord.pb")).status_code == 404


def test_a_withdrawn_project_is_not_shown(client, cycle, budgets):
    gone = project(cycle, budgets["nord"], "Retiré", None, status=ProjectStatus.WITHDRAWN)
    assert client.get(url("fr", cycle, f"projects/{gone.pk}/")).status_code == 404
    assert "Retiré" not in client.get(url("fr", cycle, "projects/")).content.decode()


def test_a_project_of_another_cycle_is_not_found_under_this_one(client, cycle, body, budgets):
    other = Cycle.objects.create(
        body=body,
        slug="other-cycle",
        title_ar="دورة أخرى",
        voting_opens_at=cycle.voting_opens_at,
        voting_closes_at=cycle.voting_closes_at,
        phase=Phase.SUBMISSION,
    )
    item = project(cycle, budgets["nord"])
    assert client.get(url("fr", other, f"projects/{item.pk}/")).status_code == 404


def test_titles_and_texts_written_by_residents_are_escaped(client, cycle, budgets):
    item = project(
        cycle,
        budgets["nord"],
        '<script>alert("x")</script>',
        None,
        longitude=3.01,
        latitude=36.41,
        status=ProjectStatus.SET_ASIDE,
        review_note="<img src=x onerror=alert(1)>",
    )
    for address in (url("fr", cycle, "projects/"), url("fr", cycle, f"projects/{item.pk}/")):
        page = client.get(address).content.decode()
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;" in page or "\\u003Cscript\\u003E" in page
        assert "<img src=x" not in page


# A project's page ------------------------------------------------------------------------------------------------


def test_a_projects_page_shows_its_budget_review_and_history(client, cycle, budgets, manager):
    item = project(cycle, budgets["nord"], "Bibliothèque de quartier", None, status=ProjectStatus.SUBMITTED)
    services.review_project(item, manager, feasible=False, cost=None, note="Le terrain n'appartient pas à la commune.")
    page = client.get(url("fr", cycle, f"projects/{item.pk}/")).content.decode()
    assert "Bibliothèque de quartier" in page
    assert "Nord" in page
    assert "terrain n&#x27;appartient pas" in page
    assert 'class="timeline"' in page
    assert "Commune de Blida" in page  # the review is signed by the body, never by the manager's name
    assert "budget@example.org" not in page


def test_a_funded_projects_page_shows_its_result_and_works(client, voting, projects, manager):
    publish(voting, manager, greedy_ballots(projects["nord"]))
    funded = Project.objects.get(pk=projects["nord"][0].pk)
    services.record_progress(
        funded, manager, services.Progress(stage="works", progress=40, note="Les travaux ont commencé.", language="fr")
    )
    page = client.get(url("fr", voting, f"projects/{funded.pk}/")).content.decode()
    assert "Financé" in page or "Funded" in page
    assert "Les travaux ont commencé." in page
    assert 'value="40"' in page
    assert ">4<" in page  # its votes, once published


def test_following_a_project_needs_a_post_and_an_account(client, cycle, budgets, voter):
    item = project(cycle, budgets["nord"])
    address = url("fr", cycle, f"projects/{item.pk}/follow/")
    assert client.post(address).status_code == 302 and not Follow.objects.exists()  # to the sign-in page
    client.force_login(voter)
    assert client.get(address).status_code == 405
    assert client.post(address).status_code == 302
    assert Follow.objects.filter(project=item, user=voter).exists()
    assert "Stop following" in client.get(url("en", cycle, f"projects/{item.pk}/")).content.decode()
    client.post(address, {"action": "unfollow"})
    assert not Follow.objects.filter(project=item, user=voter).exists()


def test_following_is_refused_without_the_csrf_token(cycle, budgets, voter):
    item = project(cycle, budgets["nord"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter)
    assert client.post(url("fr", cycle, f"projects/{item.pk}/follow/")).status_code == 403
    assert not Follow.objects.exists()


# Receipts -------------------------------------------------------------------------------------------------------


def test_a_receipt_code_finds_its_ballot_with_the_voter_id_of_the_file(client, voting, voter, projects):
    first = projects["nord"][0]
    code = services.cast_ballot(voting, voter, {"nord": {first.pk: 1}})
    response = client.post(url("en", voting, "receipt/"), {"code": code.lower().replace("-", " ")})
    page = response.content.decode()
    assert "Your ballot is in the count" in page
    assert first.title in page
    assert services.find_ballots(voting, code).get().voter_id in page


def test_a_forged_receipt_code_finds_nothing(client, voting, voter, projects):
    services.cast_ballot(voting, voter, {"nord": {projects["nord"][0].pk: 1}})
    page = client.post(url("en", voting, "receipt/"), {"code": "AAAA-BBBB-CCCC"}).content.decode()
    assert "No ballot has this code" in page
    assert projects["nord"][0].title not in page


def test_guessing_receipt_codes_is_rate_limited(client, voting):
    with rate_limits(**{"budgeting.receipt": "3/m"}):
        statuses = [
            client.post(url("en", voting, "receipt/"), {"code": f"AAAA-BBBB-CCC{n}"}).status_code for n in range(5)
        ]
    assert statuses == [200, 200, 200, 429, 429]


def test_checking_a_receipt_needs_the_csrf_token(voting):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url("en", voting, "receipt/"), {"code": "AAAA-BBBB-CCCC"}).status_code == 403


# Results --------------------------------------------------------------------------------------------------------


def test_results_show_winners_money_used_rounds_and_the_file_with_its_checksum(client, voting, projects, manager):
    north = projects["nord"]
    rows = {row.budget.slug: row for row in publish(voting, manager, greedy_ballots(north))}
    response = client.get(url("en", voting, "results/"))
    page = response.content.decode()
    assert response.status_code == 200
    assert north[0].title in page and "Funded" in page and "Not funded" in page
    assert "250,000\u00a0DA" in page  # 100,000 + 150,000 used of 300,000
    assert rows["nord"].pb_sha256 in page
    assert "is funded (4 votes, 100,000\u00a0DA); 200,000\u00a0DA left." in page  # the rounds, in words
    assert "only 50,000\u00a0DA was left" in page
    download = client.get(url("en", voting, "results/nord.pb"))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == rows["nord"].pb_sha256
    assert client.get(url("en", voting, "results/nowhere.pb")).status_code == 404


def test_a_voter_finds_their_ballot_in_the_published_file_by_the_receipt(client, voting, voter, projects, manager):
    code = services.cast_ballot(voting, voter, {"nord": {projects["nord"][2].pk: 1}})
    publish(voting, manager, greedy_ballots(projects["nord"]))
    page = client.post(url("en", voting, "receipt/"), {"code": code}).content.decode()
    voter_id = re.search(r'class="voter-id">([0-9a-f]{16})<', page).group(1)
    content = b"".join(client.get(url("en", voting, "results/nord.pb")).streaming_content).decode()
    assert re.search(rf"^{voter_id};", content, re.M)


def queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_the_projects_list_makes_as_many_queries_for_many_projects(client, cycle, budgets):
    project(cycle, budgets["nord"], "Un", "1000", longitude=3.01, latitude=36.41)
    queries(client, url("fr", cycle, "projects/"))  # the caches of the first request (content types, settings)
    few = queries(client, url("fr", cycle, "projects/"))
    for number in range(10):
        project(
            cycle, budgets["sud" if number % 2 else "nord"], f"Projet {number}", "1000", longitude=3.03, latitude=36.41
        )
    queries(client, url("fr", cycle, "projects/"))  # the writes retired the cached page frame: once to fill it again
    assert queries(client, url("fr", cycle, "projects/")) == few


def test_a_funded_project_shows_its_payments_and_council_decisions(client, cycle, budgets, body, manager):
    supplier = Supplier.objects.create(key="name:sarl bati", name="SARL Bâti", kind=Supplier.Kind.COMPANY)
    paid = Payment.objects.create(
        body=body, supplier=supplier, fiscal_year=2027, amount=95_500, currency="DZD", key="M-42", purpose="Dallage"
    )
    funded = project(cycle, budgets["nord"], "ساحة الحي", "120000", status=ProjectStatus.SELECTED)
    services.link_payment(funded, paid, manager)
    held = session(council(body, slug="conseil-blida"))
    services.link_decision(funded, decision(held, reference="2027/014", title="Aménagement du square"), manager)
    page = client.get(url("fr", cycle, f"projects/{funded.pk}/")).content.decode()
    assert "95\u00a0500\u00a0DA" in page and "Dallage" in page and "Aménagement du square" in page


def test_an_imported_election_reads_on_the_public_pages(client, body):
    """A real election (Assen 2024, Method of Equal Shares) loaded by pb_import and published: its results, round
    by round, and its projects."""
    path = Path(__file__).resolve().parent / "data" / "pabulib" / "Netherlands_Assen_2024.pb"
    call_command("pb_import", str(path), "--body", body.slug, "--publish", stdout=StringIO())
    cycle = Cycle.objects.get()
    response = client.get(url("en", cycle, "results/"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Each voter&#x27;s equal share of the budget" in page  # the first round of the Method of Equal Shares
    assert page.count("<li>") >= cycle.projects.count()  # a sentence per project
    funded = cycle.projects.filter(status=ProjectStatus.SELECTED).first()
    assert client.get(url("en", cycle, f"projects/{funded.pk}/")).status_code == 200
    assert client.get(url("en", cycle, "projects/")).status_code == 200
