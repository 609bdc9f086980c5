"""The index follows the records: a change is indexed after its commit, a record that stops being public leaves
at once, and the search never shows a record that is not public (every kind of non-public record asked for)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from modelsearch.backends import get_search_backend
from modelsearch.conf import get_app_config
from wagtail.models import Page, PageViewRestriction

from cms.models import DecisionPage
from opendata.models import Dataset
from portal.models import SearchEntry
from search import services
from search.indexing import index_record, index_records
from search.services import SearchQuery
from search.sources import dataset_documents
from tests.cms.builders import decision, session
from tests.opendata.factories import DatasetFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def found(q: str) -> set[str]:
    return {hit.entry.title for hit in services.search(SearchQuery(q=q)).hits}


class IndexFollowsRecordsTestCase:
    def test_it_indexes_a_published_decision_after_the_commit(self, council_page, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            decision(session(council_page), reference="2025/30", title="تهيئة الملعب الجواري")
        assert callbacks, "the indexing waits for the commit"
        assert found("ملعب") == {"تهيئة الملعب الجواري"}

    def test_an_unpublished_decision_leaves_at_once(self, records):
        records["budget"].unpublish()
        assert found("ميزانية") == set()  # no commit needed: the removal is not deferred

    def test_a_draft_revision_changes_nothing_until_published(self, records, django_capture_on_commit_callbacks):
        page = records["budget"]
        page.title = "مسودة لم تنشر"
        with django_capture_on_commit_callbacks(execute=True):
            page.save_revision()
        assert found("مسوده") == set()
        assert found("ميزانية") == {"المصادقة على الميزانية الإضافية لسنة 2025"}

    def test_a_page_behind_a_password_is_not_searchable(self, records, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            PageViewRestriction.objects.create(page=records["about"], restriction_type="password", password="x")
        assert not SearchEntry.objects.filter(record_id=str(records["about"].pk)).exists()

    def test_a_deleted_page_leaves(self, records):
        records["water"].delete()
        assert found("المياه") == set()

    def test_a_withdrawn_or_unpublished_dataset_leaves_with_the_commit(
        self, records, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            records["spending"].withdraw()
        assert found("نفقات") == set()
        dataset = DatasetFactory(title_fr="Marchés publics 2025")
        index_record("dataset", str(dataset.pk))
        with django_capture_on_commit_callbacks(execute=True):
            dataset.unpublish()
        assert found("marche") == set()

    def test_a_published_dataset_arrives_with_its_formats(self, commune, django_capture_on_commit_callbacks):
        dataset = DatasetFactory(body=commune, title_fr="Marchés publics 2025", status="draft")
        ResourceFactory(dataset=dataset, format="csv")
        assert found("marche") == set()
        with django_capture_on_commit_callbacks(execute=True):
            dataset.publish()
        outcome = services.search(SearchQuery(q="marches"))
        assert [value.value for value in outcome.facets["format"]] == ["CSV"]

    def test_a_dataset_changed_after_local_midnight_is_dated_by_the_portals_day(self, commune):
        """00:30 on 1 January in Algiers is still 31 December in UTC: the date and year facets read local time."""
        moment = datetime.datetime(2026, 1, 1, 0, 30, tzinfo=timezone.get_current_timezone())
        dataset = DatasetFactory(body=commune, temporal_start=None, temporal_end=None)
        Dataset.objects.filter(pk=dataset.pk).update(published_at=moment, modified_at=moment)
        dataset.refresh_from_db()
        document = dataset_documents(dataset)[0]
        assert (document.date, document.year) == (datetime.date(2026, 1, 1), 2026)

    def test_it_asks_for_every_kind_of_non_public_record(self, records):
        """The drafts, withdrawn and restricted records of the fixture: none in the entries."""
        public_ids = {str(records[name].pk) for name in ("budget", "lighting", "water", "about", "spending")}
        assert {entry.record_id for entry in SearchEntry.objects.all()} - public_ids == {
            str(page.pk) for page in records["lighting"].get_translations()
        }
        assert not SearchEntry.objects.filter(record_id__in=[records["draft"].pk, records["withdrawn"].pk]).exists()


def model_search_rows(model=SearchEntry, *, others: bool = False) -> int:
    """The rows of `model` (of every other model: `others`) in the table of modelsearch's database backend."""
    rows = get_app_config().get_model("IndexEntry").objects.all()
    content_type = ContentType.objects.get_for_model(model)
    return (rows.exclude if others else rows.filter)(content_type=content_type).count()


class EntriesInModelSearchTestCase:
    """On PostgreSQL the search reads the entries' own vectors: modelsearch's table holds none of them, and none
    that was written there before (by an older version, by `update_index`) outlives a change of its entry."""

    pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's search reads FTS5's table")

    def test_it_writes_no_entry_in_model_searchs_table(self, records):
        assert SearchEntry.objects.exists()
        assert not SearchEntry.in_model_search_index()
        assert model_search_rows(SearchEntry) == 0
        assert model_search_rows(others=True) > 0  # Wagtail's own page search stays
        assert Page.objects.search("الميزانية").count() > 0

    def test_a_row_written_before_leaves_when_its_entry_changes(self, records):
        page = records["budget"]
        entries = list(SearchEntry.objects.filter(record_id=str(page.pk)))
        get_search_backend().add_bulk(SearchEntry, entries)  # as an older version did
        assert model_search_rows(SearchEntry) == len(entries)
        DecisionPage.objects.filter(pk=page.pk).update(summary="نص جديد")
        index_records("decision", [str(page.pk)])
        assert model_search_rows(SearchEntry) == 0

    def test_a_row_written_before_leaves_with_its_record(self, records):
        page = records["budget"]
        get_search_backend().add_bulk(SearchEntry, list(SearchEntry.objects.filter(record_id=str(page.pk))))
        page.unpublish()
        assert not SearchEntry.objects.filter(record_id=str(page.pk)).exists()
        assert model_search_rows(SearchEntry) == 0

    def test_update_index_leaves_the_entries_out(self, records):
        call_command("update_index", verbosity=0)
        assert model_search_rows(SearchEntry) == 0
        assert model_search_rows(others=True) > 0
        assert found("ميزانية") == {"المصادقة على الميزانية الإضافية لسنة 2025"}


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL's search reads the entries' own vectors")
def test_elsewhere_model_searchs_index_holds_the_entries(records):
    assert SearchEntry.in_model_search_index()
    assert model_search_rows(SearchEntry) == SearchEntry.objects.count() > 0
    call_command("update_index", verbosity=0)
    assert model_search_rows(SearchEntry) == SearchEntry.objects.count()
