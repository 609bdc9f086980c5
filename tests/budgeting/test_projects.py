"""Projects: residents submit them on the map, budget managers review them (costs, published reasons), accepted
proposals become projects, and funded ones are followed through their works."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import translation
from PIL import Image

from participation.budgeting import services
from participation.budgeting.models import Phase, ProjectStatus, Stage
from participation.budgeting.services import BudgetingRefused, Progress, ProjectDraft, Upload
from participation.proposals.models import Space
from participation.proposals.models import Status as ProposalStatus
from portal.accounts.models import Notification
from portal.workflow import history
from tests.proposals.conftest import write

from .conftest import INSIDE_NORTH, INSIDE_SOUTH, OUTSIDE


def draft(**fields):
    return ProjectDraft(
        title=fields.pop("title", "حديقة للأطفال"), description="حديقة صغيرة قرب المدرسة", language="ar", **fields
    )


def test_a_resident_submits_a_project_placed_in_their_district(cycle, voter, budgets):
    made = services.submit_project(cycle, voter, draft(longitude=INSIDE_SOUTH[0], latitude=INSIDE_SOUTH[1]))
    assert made.district.slug == "sud" and made.budget == budgets["sud"]
    assert made.status == ProjectStatus.SUBMITTED
    assert made.follows.filter(user=voter).exists()


def test_a_city_wide_project_goes_to_the_city_wide_budget(cycle, voter, budgets):
    made = services.submit_project(cycle, voter, draft(budget=budgets["ville"], longitude=3.01, latitude=36.41))
    assert made.budget == budgets["ville"] and made.district.slug == "nord"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"longitude": OUTSIDE[0], "latitude": OUTSIDE[1]}, "outside the territory"),
        ({"longitude": 300.0, "latitude": 36.0}, "not a valid position"),
        ({"title": "  "}, "title is empty"),
        ({"estimated_cost": Decimal("-5")}, "more than zero"),
    ],
)
def test_bad_submissions_are_refused(cycle, voter, fields, message):
    with translation.override("en"), pytest.raises(BudgetingRefused, match=message):
        services.submit_project(cycle, voter, draft(**fields))


def test_a_project_in_one_district_cannot_go_to_another_districts_budget(cycle, voter, budgets):
    point = {"longitude": INSIDE_NORTH[0], "latitude": INSIDE_NORTH[1]}
    with translation.override("en"), pytest.raises(BudgetingRefused, match="not in the district"):
        services.submit_project(cycle, voter, draft(budget=budgets["sud"], **point))


def test_only_verified_residents_submit_and_only_during_submission(cycle, unverified, voter, manager):
    with translation.override("en"), pytest.raises(BudgetingRefused, match="verified"):
        services.submit_project(cycle, unverified, draft())
    services.move_cycle(cycle, Phase.REVIEW, by=manager)
    with translation.override("en"), pytest.raises(BudgetingRefused, match="does not take projects"):
        services.submit_project(cycle, voter, draft())


def test_review_puts_a_project_on_the_ballot_or_sets_it_aside_with_public_reasons(
    cycle, voter, manager, budgets, django_capture_on_commit_callbacks
):
    first = services.submit_project(cycle, voter, draft())
    second = services.submit_project(cycle, voter, draft(title="مسبح"))
    with django_capture_on_commit_callbacks(execute=True):
        services.review_project(first, manager, feasible=True, cost=Decimal("120000"), note="")
        services.review_project(second, manager, feasible=False, cost=None, note="الأرض ملك للدولة")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.cost) == (ProjectStatus.FEASIBLE, Decimal("120000"))
    assert (second.status, second.review_note) == (ProjectStatus.SET_ASIDE, "الأرض ملك للدولة")
    assert history(second).last().by == manager
    assert Notification.objects.filter(user=voter).count() == 2


@pytest.mark.parametrize(
    "feasible, cost, note, message",
    [
        (True, None, "", "needs its cost"),
        (True, Decimal("5000000"), "", "more than its whole budget"),
        (False, None, "", "reasons is empty"),
    ],
)
def test_a_review_needs_a_cost_within_the_budget_or_reasons(cycle, voter, manager, feasible, cost, note, message):
    made = services.submit_project(cycle, voter, draft())
    with translation.override("en"), pytest.raises(BudgetingRefused, match=message):
        services.review_project(made, manager, feasible=feasible, cost=cost, note=note)


def test_a_manager_of_another_body_cannot_review(cycle, voter, other_manager):
    made = services.submit_project(cycle, voter, draft())
    with pytest.raises(PermissionDenied):
        services.review_project(made, other_manager, feasible=True, cost=Decimal(1), note="")


def test_staff_cannot_change_a_cost_during_voting(voting, manager, projects):
    with translation.override("en"), pytest.raises(BudgetingRefused, match="once voting has opened"):
        services.review_project(projects["nord"][0], manager, feasible=True, cost=Decimal(1), note="")


def test_an_accepted_proposal_becomes_a_project(cycle, body, voter, manager, budgets):
    space = Space.objects.create(body=body, slug="ideas", title_ar="أفكار")
    proposal = write(space, voter, longitude=INSIDE_NORTH[0], latitude=INSIDE_NORTH[1])
    type(proposal).objects.filter(pk=proposal.pk).update(status=ProposalStatus.ACCEPTED)
    proposal.refresh_from_db()
    made = services.project_from_proposal(proposal, budgets["nord"], manager, "مشروع في الدورة 2027")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONVERTED and made.proposal == proposal
    assert (made.title, made.author, made.district.slug) == (proposal.title, voter, "nord")


def test_works_are_followed_with_milestones_and_photos_without_their_location_tags(
    voting, manager, voter, projects, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    funded = projects["nord"][0]
    type(funded).objects.filter(pk=funded.pk).update(status=ProjectStatus.SELECTED)
    funded.refresh_from_db()
    services.follow(funded, voter)
    image = Image.new("RGB", (40, 30), "green")
    exif = image.getexif()
    exif[0x8825] = {2: (36.0, 24.0, 0.0)}  # GPS
    data = BytesIO()
    image.save(data, "JPEG", exif=exif)
    with django_capture_on_commit_callbacks(execute=True):
        milestone = services.record_progress(
            funded,
            manager,
            Progress(
                stage=Stage.WORKS,
                progress=40,
                note="بدأت الأشغال",
                language="ar",
                photo=Upload("ورشة.jpg", data.getvalue()),
            ),
        )
    funded.refresh_from_db()
    assert (funded.stage, funded.progress) == (Stage.WORKS, 40)
    with Image.open(milestone.photo.path) as stored:
        assert 0x8825 not in stored.getexif()
    assert len(mail.outbox) == 1 and "40" in mail.outbox[0].subject


@pytest.mark.parametrize(
    "update, message",
    [
        (Progress(stage=Stage.WORKS, progress=140, note="x", language="ar"), "percentage"),
        (Progress(stage="demolished", progress=10, note="x", language="ar"), "stage"),
        (
            Progress(stage=Stage.WORKS, progress=10, note="x", language="ar", photo=Upload("a.jpg", b"<svg/>")),
            "not an image",
        ),
    ],
)
def test_bad_progress_is_refused(voting, manager, projects, update, message):
    funded = projects["nord"][0]
    type(funded).objects.filter(pk=funded.pk).update(status=ProjectStatus.SELECTED)
    funded.refresh_from_db()
    with translation.override("en"), pytest.raises(BudgetingRefused, match=message):
        services.record_progress(funded, manager, update)


def test_only_funded_projects_have_works(voting, manager, other_manager, projects):
    update = Progress(stage=Stage.WORKS, progress=10, note="x", language="ar")
    with translation.override("en"), pytest.raises(BudgetingRefused, match="funded"):
        services.record_progress(projects["nord"][0], manager, update)
    with pytest.raises(PermissionDenied):
        services.record_progress(projects["nord"][0], other_manager, update)


def test_a_project_awaiting_review_can_be_withdrawn_by_its_author(cycle, voter):
    made = services.submit_project(cycle, voter, draft())
    assert services.withdraw_project(made, voter).status == ProjectStatus.WITHDRAWN
    with pytest.raises(BudgetingRefused):
        services.withdraw_project(made, voter)
