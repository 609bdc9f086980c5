"""In Arabic on a 375-pixel phone, a verified resident fills a knapsack ballot: the running total and what is left
of the budget follow each choice, a choice over the budget is refused with a message before anything is sent,
then the ballot is confirmed and the receipt code shown; the receipt page finds the ballot with that code."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from participation.budgeting import services
from participation.budgeting.models import (
    Ballot,
    BallotChoice,
    BallotRule,
    Budget,
    Cycle,
    Phase,
    Project,
    ProjectStatus,
)
from portal.accounts.identity import verify_person
from tests.factories import PASSWORD, DistrictFactory, PublicBodyFactory, UserFactory, square

from .support import assert_accessible, follow, visit

PHONE = {"width": 375, "height": 740}
EMAIL = "nadia@example.org"


@pytest.fixture
def cycle(live_server, transactional_db, django_db_serialized_rollback):
    """A commune with a district, a knapsack cycle open for voting with a 300,000 DA budget and three projects
    (100,000, 150,000 and 200,000 DA), and a verified resident of the district."""
    commune = PublicBodyFactory(name_ar="بلدية البليدة", name_fr="Commune de Blida", slug="blida-budget")
    north = DistrictFactory(body=commune, slug="nord", name_ar="حي الشمال", boundary=square(2.80, 36.40, 0.04))
    now = timezone.now()
    cycle = Cycle.objects.create(
        body=commune,
        slug="blida-2027",
        title_ar="الميزانية التشاركية 2027",
        ballot_rule=BallotRule.KNAPSACK,
        voting_opens_at=now - timedelta(hours=1),
        voting_closes_at=now + timedelta(days=7),
    )
    budget = Budget.objects.create(cycle=cycle, slug="nord", name_ar="ميزانية الشمال", district=north, amount=300_000)
    for title, cost in (("حديقة الأطفال", 100_000), ("إنارة الشارع", 150_000), ("ملعب جواري", 200_000)):
        Project.objects.create(
            cycle=cycle,
            budget=budget,
            title=title,
            description="وصف",
            language="ar",
            district=north,
            cost=Decimal(cost),
            status=ProjectStatus.FEASIBLE,
        )
    services.move_cycle(cycle, Phase.COSTS)
    services.move_cycle(cycle, Phase.VOTING)
    verify_person(UserFactory(email=EMAIL), "E2EPB0001", commune, district=north)
    return cycle


def signed_in(browser: Browser, live_server, next_path: str) -> Page:
    context = browser.new_context(
        base_url=live_server.url, locale="ar-DZ", timezone_id="Africa/Algiers", viewport=PHONE
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"/ar/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    follow(page, page.locator("main form [type=submit]:not([form])"), check=False)
    return page


def box(page: Page, title: str):
    return page.locator("li.ballot-option", has_text=title).locator("input[type=checkbox]")


def test_a_resident_fills_a_knapsack_ballot_on_a_phone_and_checks_the_receipt(browser, live_server, cycle):
    ballot = f"/ar/budgeting/{cycle.slug}/ballot/"
    page = signed_in(browser, live_server, ballot)
    expect(page).to_have_url(re.compile(rf"{ballot}$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(page)
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    total, left = page.locator("[data-total]"), page.locator("[data-left]")
    review = page.locator("#ballot-review")
    expect(review).to_be_disabled()  # an empty ballot cannot be reviewed

    box(page, "حديقة الأطفال").check()
    expect(total).to_have_text("100.000\u00a0د.ج")
    expect(left).to_have_text("200.000\u00a0د.ج")
    box(page, "إنارة الشارع").check()
    expect(total).to_have_text("250.000\u00a0د.ج")
    expect(left).to_have_text("50.000\u00a0د.ج")
    expect(review).to_be_enabled()

    # Over the budget: refused on the spot, with the reason, and the ballot cannot go on.
    box(page, "ملعب جواري").check()
    expect(total).to_have_text("450.000\u00a0د.ج")
    expect(left).to_have_text("-150.000\u00a0د.ج")
    problem = page.locator("[data-problem]")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("450.000\u00a0د.ج")
    expect(page.locator("#ballot-problem")).to_be_visible()  # why the button is disabled
    expect(review).to_be_disabled()
    assert_accessible(page)
    box(page, "ملعب جواري").uncheck()
    expect(problem).to_be_hidden()
    expect(review).to_be_enabled()

    follow(page, review)
    expect(page.locator("#ballot-summary")).to_contain_text("حديقة الأطفال")
    expect(page.locator("#ballot-summary")).not_to_contain_text("ملعب جواري")
    follow(page, page.locator("#ballot-confirm"))
    code = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert Ballot.objects.filter(cycle=cycle).count() == 1

    # Shown once: coming back shows no code.
    page.reload()
    expect(page.locator("#receipt-code")).to_have_count(0)

    page.goto(f"/ar/budgeting/{cycle.slug}/receipt/")
    page.locator("#id_code").fill(code.lower().replace("-", " "))
    follow(page, page.locator("main form.receipt-form [type=submit]"))
    answer = page.locator("#receipt-answer")
    expect(answer).to_contain_text("حديقة الأطفال")
    expect(answer).to_contain_text("إنارة الشارع")
    voter_id = services.find_ballots(cycle, code).get().voter_id
    expect(answer.locator(".voter-id")).to_have_text(voter_id)
    page.context.close()


def test_the_cycle_its_projects_and_a_project_fit_a_phone_in_arabic(browser, live_server, cycle):
    context = browser.new_context(
        base_url=live_server.url, locale="ar-DZ", timezone_id="Africa/Algiers", viewport=PHONE
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    placed = Project.objects.filter(cycle=cycle).first()
    Project.objects.filter(pk=placed.pk).update(longitude=2.82, latitude=36.42)
    for path in (
        "/ar/budgeting/",
        f"/ar/budgeting/{cycle.slug}/",
        f"/ar/budgeting/{cycle.slug}/projects/",
        f"/ar/budgeting/{cycle.slug}/projects/{placed.pk}/",
        f"/ar/budgeting/{cycle.slug}/receipt/",
        f"/ar/budgeting/{cycle.slug}/results/",
    ):
        visit(page, path)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    page.goto(f"/ar/budgeting/{cycle.slug}/projects/")
    expect(page.locator("#projects-map")).to_have_attribute("data-points", "1")
    context.close()


def test_approval_and_cumulative_ballots_count_as_the_voter_chooses(browser, live_server, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(ballot_rule=BallotRule.APPROVAL, max_projects=2)
    ballot = f"/ar/budgeting/{cycle.slug}/ballot/"
    page = signed_in(browser, live_server, ballot)
    count, review = page.locator("[data-count]"), page.locator("#ballot-review")
    box(page, "حديقة الأطفال").check()
    box(page, "إنارة الشارع").check()
    expect(count).to_have_text("2")
    expect(review).to_be_enabled()
    box(page, "ملعب جواري").check()
    expect(count).to_have_text("3")
    expect(page.locator("#ballot-problem")).to_be_visible()
    expect(review).to_be_disabled()

    Cycle.objects.filter(pk=cycle.pk).update(ballot_rule=BallotRule.CUMULATIVE, points=10, max_points_per_project=6)
    page.goto(ballot)
    points = page.locator("li.ballot-option input[type=number]")
    expect(points).to_have_count(3)
    points.nth(0).fill("6")
    points.nth(1).fill("3")
    expect(page.locator("[data-points-left]")).to_have_text("1")
    expect(review).to_be_enabled()
    points.nth(2).fill("2")
    expect(page.locator("[data-points-left]")).to_have_text("-1")
    expect(review).to_be_disabled()
    points.nth(2).fill("1")
    follow(page, review)
    follow(page, page.locator("#ballot-confirm"))
    expect(page.locator("#receipt-code")).to_be_visible()
    assert sorted(choice.points for choice in BallotChoice.objects.all()) == [1, 3, 6]
    page.context.close()
