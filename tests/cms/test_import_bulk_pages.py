"""New decisions written a batch at a time (cms.bulk_pages): whole Wagtail pages, as the one-page path leaves them
(tree, revision, history, publication, routing, admin, both searches), and a row that fails its validation skipped."""

import csv
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.signals import page_published

from cms.importing import import_decisions
from cms.models import CouncilSessionPage, DecisionPage, Topic
from portal.models import SearchEntry
from search import services
from search.services import SearchQuery
from tests.factories import UserFactory
from tests.staff import login_with_second_factor

ROWS, BATCH = 30, 25
HEADER = ["reference", "title", "decision_date", "session_date", "session_members_present", "summary", "full_text"]
HEADER += ["outcome", "votes_for", "votes_against", "votes_abstain", "topics"]


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def topics(council_page):
    return [
        Topic.objects.create(locale=council_page.locale, slug=slug, name=name)
        for slug, name in [("eau", "المياه"), ("budget", "الميزانية")]
    ]


def row(number: int, **values) -> list:
    day = f"2024-{(number - 1) // 10 + 1:02d}-10"
    cells = {
        "reference": f"{number:03d}/2024",
        "title": f"صفقة المياه {number}",
        "decision_date": day,
        "session_date": day,
        "session_members_present": "29",
        "summary": f"وافق المجلس على صفقة تجديد قنوات المياه رقم {number}.",
        "full_text": f"# المداولة\n\nالمادة الأولى: الصفقة رقم {number}",
        "outcome": "adopted",
        "votes_for": "25",
        "votes_against": "3",
        "votes_abstain": "1",
        "topics": "eau;budget",
    }
    cells.update(values)
    return [cells[column] for column in HEADER]


def write(path: Path, rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def assert_valid_tree(council_page) -> None:
    assert Page.find_problems() == ([], [], [], [], [])
    council_page.refresh_from_db()
    sessions = CouncilSessionPage.objects.child_of(council_page)
    assert council_page.numchild == sessions.count()
    for session in sessions:
        assert session.numchild == DecisionPage.objects.child_of(session).count()


class BulkPagesTestCase:
    def test_new_decisions_are_whole_published_pages_in_the_tree_the_admin_and_both_searches(
        self, council_page, topics, tmp_path, client, django_capture_on_commit_callbacks
    ):
        user = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
        archive = write(tmp_path / "archive.csv", [row(number) for number in range(1, ROWS + 1)])
        published = []

        def on_published(sender, instance, revision, **kwargs):
            published.append((instance.pk, revision.pk))

        page_published.connect(on_published, sender=DecisionPage)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                report = import_decisions(archive, council=council_page, user=user, batch_size=BATCH)
        finally:
            page_published.disconnect(on_published, sender=DecisionPage)

        assert (report.created, report.updated, report.unchanged, report.errors) == (ROWS, 0, 0, [])
        assert_valid_tree(council_page)
        pages = list(DecisionPage.objects.filter(body=council_page.body).order_by("reference"))
        assert len(pages) == ROWS
        assert sorted(published) == sorted((page.pk, page.live_revision_id) for page in pages)
        for page in pages:
            [revision] = Revision.page_revisions.filter(object_id=str(page.pk))
            assert page.live and not page.has_unpublished_changes and not page.expired
            assert page.live_revision_id == page.latest_revision_id == revision.pk
            assert revision.user == page.owner == user
            assert revision.content["title"] == page.title == page.draft_title
            assert revision.as_object().reference == page.reference
            assert page.first_published_at and page.last_published_at
            assert page.url_path == page.get_parent().url_path + page.slug + "/"
            assert {topic.slug for topic in page.topics.all()} == {"eau", "budget"}
            actions = PageLogEntry.objects.filter(page=page).values_list("action", "user", "revision")
            assert sorted(actions) == [("wagtail.create", user.pk, None), ("wagtail.publish", user.pk, revision.pk)]

        for page in pages[:3]:  # the reference index holds what Wagtail's own indexing of the page finds
            stored = ReferenceIndex.get_references_for_object(page)
            before = set(stored.values_list("to_content_type", "to_object_id", "model_path", "content_path"))
            ReferenceIndex.create_or_update_for_object(page)
            after = set(stored.values_list("to_content_type", "to_object_id", "model_path", "content_path"))
            assert before == after and before  # its body at least
        for session in CouncilSessionPage.objects.child_of(council_page):  # written in bulk too, one at a time
            [revision] = Revision.page_revisions.filter(object_id=str(session.pk))
            assert session.live and session.live_revision_id == session.latest_revision_id == revision.pk
            assert client.get(session.url).status_code == 200

        page = pages[ROWS - 1]
        response = client.get(page.url)
        assert response.status_code == 200
        assert page.summary in response.content.decode()
        login_with_second_factor(client, user)
        assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200
        history = client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
        assert history.status_code == 200
        assert {entry.action for entry in history.context["object_list"]} == {"wagtail.create", "wagtail.publish"}

        ids = {str(page.pk) for page in pages}
        hits = services.search(SearchQuery(q="المياه"), page_size=ROWS, facets=False).hits
        assert {hit.entry.record_id for hit in hits} == ids
        assert DecisionPage.objects.live().search("المياه").count() == ROWS

    def test_each_decisions_search_entry_names_its_own_first_topic(
        self, council_page, topics, tmp_path, django_capture_on_commit_callbacks
    ):
        rows = [row(number, topics=["eau;budget", "budget", ""][number % 3]) for number in range(1, ROWS + 1)]
        with django_capture_on_commit_callbacks(execute=True):
            import_decisions(write(tmp_path / "topics.csv", rows), council=council_page, batch_size=BATCH)
        pages = DecisionPage.objects.filter(body=council_page.body)
        topic_of = {str(page.pk): ["eau", "budget", ""][int(page.reference[:3]) % 3] for page in pages}
        entries = SearchEntry.objects.filter(kind="decision", record_id__in=topic_of)
        assert {entry.record_id: entry.topic for entry in entries} == topic_of  # the first by key: "eau"

    def test_new_decisions_follow_the_ones_already_stored_and_a_re_import_creates_nothing(
        self, council_page, topics, tmp_path
    ):
        first = write(tmp_path / "first.csv", [row(number) for number in range(1, 8)])
        import_decisions(first, council=council_page, batch_size=BATCH)
        both = write(tmp_path / "both.csv", [row(number) for number in range(1, 13)])

        report = import_decisions(both, council=council_page, batch_size=BATCH)

        assert (report.created, report.unchanged, report.errors) == (5, 7, [])
        assert_valid_tree(council_page)
        session = CouncilSessionPage.objects.child_of(council_page).get(session_date="2024-01-10")
        assert [page.reference for page in DecisionPage.objects.child_of(session).order_by("path")] == [
            f"{number:03d}/2024" for number in range(1, 11)
        ]
        pages, revisions = Page.objects.count(), Revision.objects.count()
        again = import_decisions(both, council=council_page, batch_size=BATCH)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 12)
        assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)

    def test_a_row_that_fails_validation_is_reported_and_the_rest_of_its_batch_written(
        self, council_page, topics, tmp_path
    ):
        rows = [row(number) for number in range(1, 11)]
        rows[3] = row(4, votes_for="5")  # 5 + 3 + 1 votes cast, 29 members present: the page's own validation
        archive = write(tmp_path / "archive.csv", rows)

        report = import_decisions(archive, council=council_page, batch_size=BATCH)

        assert (report.created, report.updated, report.unchanged) == (9, 0, 0)
        [error] = report.errors
        assert error.reference == "004/2024"
        assert "add up to 9, but 29 members were present" in error.message
        assert not DecisionPage.objects.filter(reference="004/2024").exists()
        assert_valid_tree(council_page)

    def test_two_references_asking_the_same_address_in_one_batch_get_two(self, council_page, topics, tmp_path):
        archive = write(tmp_path / "archive.csv", [row(1, reference="7/2024"), row(2, reference="7-2024")])

        report = import_decisions(archive, council=council_page, batch_size=BATCH)

        assert (report.created, report.errors) == (2, [])
        slugs = DecisionPage.objects.order_by("reference").values_list("reference", "slug")
        assert list(slugs) == [("7-2024", "7-2024-2"), ("7/2024", "7-2024")]
        assert_valid_tree(council_page)

    def test_a_user_who_may_not_publish_in_the_council_creates_nothing(self, council_page, topics, tmp_path):
        archive = write(tmp_path / "archive.csv", [row(1), row(2)])

        report = import_decisions(archive, council=council_page, user=UserFactory(), batch_size=BATCH)

        assert report.created == 0
        assert {error.message for error in report.errors} == {"you may not publish in this council"}
        assert not DecisionPage.objects.exists()
        assert_valid_tree(council_page)
