"""Proposals in the portal's search (kind `proposal`): public ones are found by their words in their language,
with their answers; drafts and hidden ones never; the index follows each move and edit after its commit."""

import pytest

from participation.proposals import services
from participation.proposals.models import Status
from portal.models import SearchEntry
from search.indexing import refresh_entries
from search.services import SearchQuery, search

from .conftest import write

pytestmark = pytest.mark.usefixtures("no_page_cache")

TITLE = "تهيئة الحديقة العمومية بحي النصر"


def found(q: str, **filters) -> set[str]:
    return {hit.entry.title for hit in search(SearchQuery(q=q, **filters)).hits}


@pytest.fixture
def published(space, author, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return write(space, author, title=TITLE, text="نقترح غرس الأشجار وتركيب كراسي في الحديقة.", category=category)


class ProposalSearchTestCase:
    def test_a_published_proposal_is_found_by_a_word_of_its_title_without_the_article(self, published):
        assert found("حديقة") == {TITLE}  # "الحديقة" in the title
        assert found("الحديقه") == {TITLE}  # ta marbuta written as ha
        entry = SearchEntry.objects.get(kind="proposal", record_id=str(published.pk))
        assert (entry.language, entry.body_id, entry.topic) == ("ar", published.space.body_id, "eclairage")
        assert entry.url == f"/ar/proposals/{published.pk}/"

    def test_the_search_page_and_the_api_find_it(self, client, published):
        page = client.get("/ar/search/", {"q": "حديقة"})
        assert page.status_code == 200
        assert f'href="/ar/proposals/{published.pk}/"' in page.content.decode()
        data = client.get("/api/v1/search/", {"q": "حديقة", "kind": "proposal"}).json()
        assert [(result["kind"], result["title"]) for result in data["results"]] == [("proposal", TITLE)]
        assert data["results"][0]["url"] == f"http://testserver/ar/proposals/{published.pk}/"

    def test_its_category_is_the_topic_facet(self, published):
        [topic] = search(SearchQuery(q="حديقة")).facets["topic"]
        assert (topic.value, topic.label) == ("eclairage", "الإنارة")

    def test_drafts_are_not_found(self, space, author, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            write(space, author, title="مسودة حديقة سرية", publish=False)
        assert found("سرية") == set()
        refresh_entries(["proposal"])
        assert found("سرية") == set()

    def test_a_hidden_proposal_leaves_and_comes_back_when_restored(
        self, published, moderator, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.hide_proposal(published, moderator, "Signalée comme injurieuse.")
        assert found("حديقة") == set()
        assert not SearchEntry.objects.filter(kind="proposal").exists()
        refresh_entries(["proposal"])
        assert found("حديقة") == set()
        with django_capture_on_commit_callbacks(execute=True):
            services.restore_proposal(published, moderator)
        assert found("حديقة") == {TITLE}

    def test_an_official_answer_is_found_with_it(self, published, publisher, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.answer(published, publisher, Status.ACCEPTED, "Les travaux commencent en mars.", language="fr")
        assert found("travaux") == {TITLE}

    def test_an_edit_changes_what_finds_it(self, published, author, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.edit(published, author, title="تهيئة الساحة العمومية بحي النصر", text="ساحة للعب الأطفال.")
        assert found("حديقة") == set()
        assert found("ساحة") == {"تهيئة الساحة العمومية بحي النصر"}

    def test_a_withdrawn_proposal_stays_public_and_found(self, published, author, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.withdraw(published, author)
        assert found("حديقة") == {TITLE}

    def test_a_french_proposal_is_found_in_french(self, space, author, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            write(space, author, title="Des bancs à l'ombre", text="Pour les personnes âgées.", language="fr")
        assert found("banc") == {"Des bancs à l'ombre"}
        assert found("ombre", language="fr") == {"Des bancs à l'ombre"}
        assert found("ombre", language="ar") == set()
