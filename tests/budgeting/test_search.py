"""Budgeting projects in the portal's search (kind `budgeting_project`): projects of published cycles are found by
their title, description, district and status in their language; withdrawn ones and draft cycles' never; the index
follows a review after its commit."""

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import override

from participation.budgeting import services
from participation.budgeting.models import Cycle, Phase, ProjectStatus
from portal.models import SearchEntry
from search.indexing import refresh_entries
from search.services import SearchQuery, search
from search.sources import SOURCES, budgeting_project_documents

from .conftest import project

pytestmark = pytest.mark.usefixtures("no_page_cache")

TITLE = "تهيئة حديقة البرتقال"


def found(q: str, **filters) -> set[str]:
    return {hit.entry.title for hit in search(SearchQuery(q=q, **filters)).hits}


@pytest.fixture
def garden(cycle, budgets, north, django_capture_on_commit_callbacks):
    north.name_ar = "الصنوبر"
    north.save()
    with django_capture_on_commit_callbacks(execute=True):
        return project(cycle, budgets["nord"], TITLE, status=ProjectStatus.SUBMITTED)


class BudgetingSearchTestCase:
    def test_a_project_is_found_by_its_title_and_description(self, garden):
        assert found("البرتقال") == {TITLE}
        entry = SearchEntry.objects.get(kind="budgeting_project", record_id=str(garden.pk))
        assert (entry.language, entry.body_id) == ("ar", garden.cycle.body_id)
        assert found("وصف") == {TITLE}  # its description

    def test_its_district_and_status_are_words_of_it(self, garden):
        assert found("الصنوبر", kind="budgeting_project") == {TITLE}
        with override("ar"):
            status = str(garden.get_status_display()).split()[-1]
        assert found(status, kind="budgeting_project") == {TITLE}

    def test_the_kind_facet_names_budgeting_projects(self, garden):
        [kind] = search(SearchQuery(q="البرتقال")).facets["kind"]
        assert (kind.value, kind.count) == ("budgeting_project", 1)
        assert kind.label == str(SOURCES["budgeting_project"].label)

    def test_the_review_reasons_are_found_after_the_commit(self, garden, manager, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.review_project(garden, manager, feasible=False, cost=None, note="أرض معرضة للفيضانات")
        assert found("الفيضانات") == {TITLE}

    def test_withdrawn_projects_and_draft_cycles_are_not_found(self, garden, cycle):
        type(garden).objects.filter(pk=garden.pk).update(status=ProjectStatus.WITHDRAWN)
        refresh_entries(["budgeting_project"])
        assert found("البرتقال") == set()
        type(garden).objects.filter(pk=garden.pk).update(status=ProjectStatus.SUBMITTED)
        refresh_entries(["budgeting_project"])
        assert found("البرتقال") == {TITLE}
        Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.DRAFT)
        refresh_entries(["budgeting_project"])
        assert found("البرتقال") == set()

    def test_the_search_api_finds_it(self, client, garden):
        data = client.get("/api/v1/search/", {"q": "البرتقال", "kind": "budgeting_project"}).json()
        assert [(result["kind"], result["title"]) for result in data["results"]] == [("budgeting_project", TITLE)]


def test_a_cycle_opening_at_local_midnight_on_new_years_day_is_of_the_new_year(garden, cycle):
    """Algiers' 1 January at 00:00 is 31 December in UTC: the year facet reads the portal's time zone."""
    cycle.voting_opens_at = datetime.datetime(2027, 1, 1, tzinfo=timezone.get_current_timezone())
    cycle.save(update_fields=["voting_opens_at"])
    garden.refresh_from_db()
    [document] = budgeting_project_documents(garden)
    assert document.year == 2027
