"""The index follows the records: a change is indexed after its commit, a record that stops being public leaves
at once, and the search never shows a record that is not public (every kind of non-public record asked for)."""

import pytest
from wagtail.models import PageViewRestriction

from portal.models import SearchEntry
from search import services
from search.indexing import index_record
from search.services import SearchQuery
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

    def test_it_asks_for_every_kind_of_non_public_record(self, records):
        """The drafts, withdrawn and restricted records of the fixture: none in the entries."""
        public_ids = {str(records[name].pk) for name in ("budget", "lighting", "water", "about", "spending")}
        assert {entry.record_id for entry in SearchEntry.objects.all()} - public_ids == {
            str(page.pk) for page in records["lighting"].get_translations()
        }
        assert not SearchEntry.objects.filter(record_id__in=[records["draft"].pk, records["withdrawn"].pk]).exists()
