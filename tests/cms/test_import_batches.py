"""Importing an archive in batches: the same pages, revisions and report as row by row, one transaction per batch,
the search indexes written once per batch, and a batch that fails alone."""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.db import DatabaseError, connection
from django.utils import translation
from wagtail.models import Page, PageLogEntry, Revision

from cms.importing import import_decisions
from cms.management.commands.import_decisions import Command
from cms.models import CouncilSessionPage, DecisionPage
from portal.models import SearchEntry
from search import services
from search.services import SearchQuery

ROWS = 60  # three batches (25, 25, 10): enough to cross batches, small enough for SQLite in CI
BATCH = 25
SESSIONS = ROWS // 10
HEADER = ["reference", "title", "decision_date", "session_date", "summary", "full_text", "outcome", "votes_for"]


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def write_archive(path: Path, rows: int = ROWS, *, bad_row: int | None = None, title: str = "صيانة الإنارة") -> Path:
    """A council's archive: ten decisions per session, a date that is not one in data row `bad_row`."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(rows):
            day = f"2024-{index // 10 % 12 + 1:02d}-{index // 120 + 10:02d}"
            writer.writerow(
                [
                    f"{index + 1:03d}/2024",
                    f"{title} {index + 1}",
                    "2024-13-45" if index + 1 == bad_row else day,
                    day,
                    f"قرر المجلس صيانة الإنارة العمومية بالحي رقم {index + 1}.",
                    f"بمقتضى القانون رقم 11-10\n\nالمادة الأولى: الحي رقم {index + 1}",
                    "adopted",
                    "29",
                ]
            )
    return path


def line(row: int) -> int:
    """The file's line of data row `row` (from 1): a header, then three lines a row (the full text's paragraphs)."""
    return 2 + 3 * (row - 1)


def found(q: str) -> set[str]:
    return {hit.entry.record_id for hit in services.search(SearchQuery(q=q), page_size=ROWS, facets=False).hits}


class ImportBatchesTestCase:
    def test_it_imports_an_archive_in_batches_as_valid_live_pages_that_the_search_finds(
        self, council_page, tmp_path, django_capture_on_commit_callbacks
    ):
        archive = write_archive(tmp_path / "archive.csv")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            report = import_decisions(archive, council=council_page, batch_size=BATCH)

        assert (report.created, report.updated, report.unchanged, report.errors) == (ROWS, 0, 0, [])
        assert report.sessions_created == CouncilSessionPage.objects.child_of(council_page).count() == SESSIONS
        # The search indexes wait for each batch's commit, once per batch, not once per page.
        assert len(callbacks) == 3
        pages = DecisionPage.objects.filter(body=council_page.body)
        assert pages.count() == ROWS
        for page in pages:
            revisions = Revision.page_revisions.filter(object_id=str(page.pk))
            assert revisions.count() == 1
            assert page.live and not page.has_unpublished_changes
            assert page.live_revision_id == page.latest_revision_id == revisions.get().pk
        assert PageLogEntry.objects.filter(action="wagtail.publish", page__in=pages).count() == ROWS
        assert Page.find_problems() == ([], [], [], [], [])
        council_page.refresh_from_db()
        assert council_page.numchild == SESSIONS
        ids = {str(pk) for pk in pages.values_list("pk", flat=True)}
        assert set(SearchEntry.objects.filter(kind="decision").values_list("record_id", flat=True)) == ids
        assert found("الإنارة") == ids
        assert DecisionPage.objects.live().search("الإنارة").count() == ROWS  # Wagtail's own index too

    def test_a_bad_row_in_the_second_batch_loses_nothing_else(self, council_page, tmp_path):
        archive = write_archive(tmp_path / "archive.csv", bad_row=BATCH + 7)

        report = import_decisions(archive, council=council_page, batch_size=BATCH)

        assert (report.created, report.updated, report.unchanged) == (ROWS - 1, 0, 0)
        [error] = report.errors
        assert (error.row, error.reference) == (line(BATCH + 7), f"{BATCH + 7:03d}/2024")
        assert "decision_date “2024-13-45” is not a date" in error.message
        assert DecisionPage.objects.count() == ROWS - 1

    def test_a_batch_that_fails_as_a_whole_keeps_the_earlier_batches_and_reports_its_rows(self, council_page, tmp_path):
        archive = write_archive(tmp_path / "archive.csv")

        def database_gone(execute, sql, params, many, context):
            # The database failing as it writes the second batch's decisions: not a row's fault, the batch's.
            # A value of each row, or on PostgreSQL one array per column (INSERT … SELECT FROM UNNEST).
            values = [item for param in params or () for item in (param if isinstance(param, list) else [param])]
            if sql.lstrip().upper().startswith("INSERT") and f"{BATCH + 10:03d}/2024" in values:
                raise DatabaseError("server closed the connection unexpectedly")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(database_gone):
            report = import_decisions(archive, council=council_page, batch_size=BATCH)

        assert (report.created, report.updated, report.unchanged) == (ROWS - BATCH, 0, 0)
        assert [error.row for error in report.errors] == [line(row) for row in range(BATCH + 1, 2 * BATCH + 1)]
        assert report.errors[0].reference == f"{BATCH + 1:03d}/2024"
        first, last = line(BATCH + 1), line(2 * BATCH)
        assert f"rows {first} to {last} failed together: server closed the connection" in report.errors[0].message
        references = set(DecisionPage.objects.values_list("reference", flat=True))
        assert references == {f"{n:03d}/2024" for n in [*range(1, BATCH + 1), *range(2 * BATCH + 1, ROWS + 1)]}
        assert Page.find_problems() == ([], [], [], [], [])

        again = import_decisions(archive, council=council_page, batch_size=BATCH)
        assert (again.created, again.unchanged, again.errors) == (BATCH, ROWS - BATCH, [])

    def test_importing_the_archive_again_changes_nothing_and_a_changed_row_updates_its_decision(
        self, council_page, tmp_path
    ):
        archive = write_archive(tmp_path / "archive.csv")
        import_decisions(archive, council=council_page, batch_size=BATCH)
        revisions, pages = Revision.objects.count(), Page.objects.count()

        again = import_decisions(archive, council=council_page, batch_size=BATCH)

        assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, ROWS, [])
        assert again.sessions_created == 0
        assert (Revision.objects.count(), Page.objects.count()) == (revisions, pages)

        text = archive.read_text(encoding="utf-8").replace("صيانة الإنارة 37,", "تجديد الإنارة 37,")
        archive.write_text(text, encoding="utf-8")
        changed = import_decisions(archive, council=council_page, batch_size=BATCH)
        assert (changed.created, changed.updated, changed.unchanged) == (0, 1, ROWS - 1)
        page = DecisionPage.objects.get(reference="037/2024")
        assert page.title == "تجديد الإنارة 37"
        assert page.live_revision_id == page.latest_revision_id
        assert Revision.objects.count() == revisions + 1

    def test_the_command_shows_its_progress_after_each_batch(self, council_page, tmp_path):
        archive = write_archive(tmp_path / "archive.csv", rows=12)
        stdout = StringIO()

        Command(stdout=stdout, stderr=StringIO()).handle(
            file=archive, council=str(council_page.pk), files_root=None, language=None, mapping=None
        )

        output = stdout.getvalue()
        assert "12 / 12 decisions (" in output and "/s)" in output
        assert "12 created, 0 updated, 0 unchanged, 0 failed" in output
