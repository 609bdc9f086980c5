"""Importing council decisions from CSV and JSON: the function, the command and the Celery task."""

import datetime
import hashlib
import io
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.utils import translation
from wagtail.models import Locale, Revision

from cms.importing import ImportFileError, import_decisions
from cms.management.commands.import_decisions import Command
from cms.models import CouncilDocument, CouncilSessionPage, DecisionAttachment, DecisionPage, Topic
from cms.tasks import import_decisions_task
from tests.cms.builders import translate

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "decisions.csv"


@pytest.fixture(autouse=True)
def in_english():
    """Messages are in the active language (the portal's, Arabic, by default): these tests read English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def council_page(council_page):
    """The council, with the topics the files name."""
    page = council_page
    arabic = Locale.objects.get(language_code="ar")
    for slug, name in (("budget", "الميزانية"), ("eau", "المياه")):
        Topic.objects.create(locale=arabic, slug=slug, name=name)
    return page


def counts() -> dict[str, int]:
    models = (DecisionPage, CouncilSessionPage, CouncilDocument, DecisionAttachment, Revision)
    return {model.__name__: model.objects.count() for model in models}


def sample_with(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """Return a copy of the sample CSV (with its files) where each `old` text is replaced by `new`."""
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    shutil.copytree(FIXTURES / "files", tmp_path / "files", dirs_exist_ok=True)
    path = tmp_path / "decisions.csv"
    path.write_text(text, encoding="utf-8")
    return path


class ImportDecisionsTestCase:
    def test_it_creates_sessions_decisions_and_attachments(self, council_page):
        report = import_decisions(SAMPLE, council=council_page)

        assert (report.created, report.updated, report.unchanged, report.errors) == (3, 0, 0, [])
        assert (report.sessions_created, report.documents_created, report.encoding) == (2, 2, "utf-8")
        sessions = CouncilSessionPage.objects.child_of(council_page).live().order_by("session_date")
        assert [(s.session_date.isoformat(), s.kind, s.members_present, s.status) for s in sessions] == [
            ("2025-03-10", "ordinary", 29, "held"),
            ("2025-04-15", "extraordinary", 27, "held"),
        ]
        budget = DecisionPage.objects.get(reference="2025/001")
        assert budget.live and budget.get_parent().pk == sessions[0].pk
        assert (budget.body, budget.year, budget.language) == (council_page.body, 2025, "ar")
        assert (budget.votes_for, budget.votes_against, budget.votes_abstain) == (24, 3, 2)
        assert sorted(budget.topics.values_list("slug", flat=True)) == ["budget", "eau"]
        assert [(block.block_type, str(block.value)) for block in budget.full_text] == [
            ("heading", "يقرر"),
            ("paragraph", "<p>المادة الأولى: يصادق على الميزانية الإضافية.</p>"),
            ("paragraph", "<p>المادة 2: يكلف الرئيس بالتنفيذ.</p>"),
        ]
        assert [(a.kind, a.document.filename) for a in budget.attachments.all()] == [
            ("signed", "signed-2025-001.pdf"),
            ("annex", "annex-2025-001.csv"),
        ]
        # The third decision attaches the same signed PDF: found by its SHA-1, not stored twice.
        land = DecisionPage.objects.get(reference="2025/003")
        assert land.attachments.get().document == budget.attachments.first().document
        signed = (FIXTURES / "files" / "signed-2025-001.pdf").read_bytes()
        document = CouncilDocument.objects.get(title="signed-2025-001")
        assert (document.file_hash, document.file_size) == (
            hashlib.sha1(signed, usedforsecurity=False).hexdigest(),
            len(signed),
        )
        assert Revision.objects.filter(object_id=str(budget.pk)).count() == 1

    def test_it_creates_nothing_the_second_time(self, council_page):
        import_decisions(SAMPLE, council=council_page)
        before = counts()

        report = import_decisions(SAMPLE, council=council_page)

        assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 3, [])
        assert (report.sessions_created, report.documents_created) == (0, 0)
        assert counts() == before

    def test_it_updates_a_changed_row_with_a_new_revision(self, council_page, tmp_path):
        import_decisions(SAMPLE, council=council_page)
        budget = DecisionPage.objects.get(reference="2025/001")
        street = DecisionPage.objects.get(reference="2025/002")
        changed = sample_with(tmp_path, ("قرر المجلس تسمية الشارع.", "قرر المجلس تسمية الشارع الرابط بين الحيين."))

        report = import_decisions(changed, council=council_page)

        assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
        street.refresh_from_db()
        assert street.summary == "قرر المجلس تسمية الشارع الرابط بين الحيين."
        assert Revision.objects.filter(object_id=str(street.pk)).count() == 2
        assert street.live_revision == street.latest_revision
        assert Revision.objects.filter(object_id=str(budget.pk)).count() == 1

    def test_it_keeps_the_changes_to_an_unpublished_decision_as_a_draft(self, council_page, tmp_path):
        import_decisions(SAMPLE, council=council_page)
        street = DecisionPage.objects.get(reference="2025/002")
        street.unpublish()
        changed = sample_with(tmp_path, ("قرر المجلس تسمية الشارع.", "ملخص معدل."))

        report = import_decisions(changed, council=council_page)

        assert (report.updated, report.unchanged) == (0, 2)
        assert report.errors == [(7, "2025/002", report.errors[0].message)]
        assert "unpublished" in report.errors[0].message
        street.refresh_from_db()
        assert not street.live and street.has_unpublished_changes
        assert street.get_latest_revision_as_object().summary == "ملخص معدل."

    def test_it_moves_a_decision_to_the_session_now_given(self, council_page, tmp_path):
        import_decisions(SAMPLE, council=council_page)
        moved = sample_with(tmp_path, ("2025-04-15,2025-04-15", "2025-04-15,2025-03-10"), ("extraordinary,27", ",29"))
        moved.write_text(moved.read_text().replace("8,16,3", "10,16,3"))

        report = import_decisions(moved, council=council_page)

        assert (report.updated, report.errors) == (1, [])
        land = DecisionPage.objects.get(reference="2025/003")
        assert land.get_parent().specific.session_date.isoformat() == "2025-03-10"
        assert land.url_path.endswith("/2025-03-10/2025-003/")

    def test_it_reports_a_bad_tally_and_imports_the_other_rows(self, council_page, tmp_path):
        bad = sample_with(tmp_path, ("adopted,26,1,2", "adopted,26,1,1"))

        report = import_decisions(bad, council=council_page)

        assert report.created == 2
        [error] = report.errors
        assert (error.row, error.reference) == (7, "2025/002")
        assert "28" in error.message and "29" in error.message  # in the active language (Arabic by default)
        assert error.message.startswith("votes_for:")
        assert set(DecisionPage.objects.values_list("reference", flat=True)) == {"2025/001", "2025/003"}

    def test_it_reports_a_missing_attachment_and_imports_the_other_rows(self, council_page, tmp_path):
        missing = sample_with(tmp_path, (",files/signed-2025-001.pdf\n", ",files/signed-2025-099.pdf\n"))

        report = import_decisions(missing, council=council_page)

        assert report.created == 2
        assert report.errors[0][:2] == (8, "2025/003")
        assert "files/signed-2025-099.pdf: file not found" in report.errors[0].message
        # Its session was created in the row's transaction, and went with it.
        assert not CouncilSessionPage.objects.filter(session_date="2025-04-15").exists()
        assert report.sessions_created == 1

    def test_it_refuses_attachments_of_a_refused_type_or_too_large(self, council_page, tmp_path, settings):
        settings.DOCUMENT_MAX_UPLOAD_SIZE = 100
        path = sample_with(tmp_path, ("annex:files/annex-2025-001.csv", "files/run.exe"))
        (tmp_path / "files" / "run.exe").write_bytes(b"MZ\x90\x00")

        report = import_decisions(path, council=council_page)

        messages = {error.reference: error.message for error in report.errors}
        assert ".exe files are refused" in messages["2025/001"]
        assert "signed-2025-001.pdf: too large" in messages["2025/001"]
        assert "too large" in messages["2025/003"]
        assert not CouncilDocument.objects.exists()

    def test_it_refuses_a_file_whose_content_is_not_its_extension(self, council_page, tmp_path):
        path = sample_with(tmp_path)
        (tmp_path / "files" / "annex-2025-001.csv").write_bytes(b"<html><script>alert(1)</script></html>")

        report = import_decisions(path, council=council_page)

        assert "annex-2025-001.csv" in report.errors[0].message and report.errors[0].reference == "2025/001"

    def test_it_reports_a_reference_used_twice_in_the_file(self, council_page, tmp_path):
        twice = sample_with(tmp_path, ("2025/003,", "2025/001,"))

        report = import_decisions(twice, council=council_page)

        assert report.created == 2
        assert report.errors == [(8, "2025/001", "reference 2025/001 of 2025 is already used in row 2")]

    @pytest.mark.parametrize("written", ["10/03/2025", "10-03-2025", "10.03.2025", "2025-03-10"])
    def test_it_reads_dates_written_day_first_as_councils_write_them(self, council_page, tmp_path, written):
        path = sample_with(tmp_path, ("2025-03-10,2025-03-10,ordinary,29,2", f"{written},{written},ordinary,29,2"))

        report = import_decisions(path, council=council_page)

        assert report.errors == []
        assert DecisionPage.objects.get(reference="2025/002").decision_date == datetime.date(2025, 3, 10)

    def test_it_drops_excels_escaped_line_breaks(self, council_page, tmp_path):
        path = tmp_path / "export.csv"
        path.write_text(
            "reference,title,decision_date,session_date,summary,outcome\n"
            '2025/040,Éclairage_x000D_ public,2025-03-10,2025-03-10,"Première ligne_x000D_\nSeconde",adopted\n'
        )

        assert import_decisions(path, council=council_page).errors == []
        page = DecisionPage.objects.get(reference="2025/040")
        assert (page.title, page.summary) == ("Éclairage public", "Première ligne\nSeconde")

    def test_it_reports_every_problem_of_a_row(self, council_page, tmp_path):
        path = sample_with(tmp_path, ("2025-03-10,2025-03-10,ordinary,29,2", "31/02/2025,2025-03-10,ordinary,29,2"))
        path.write_text(path.read_text().replace("adopted,26,1,2", "approved,26,x,2"))

        [error] = import_decisions(path, council=council_page).errors

        assert error.row == 7
        assert "decision_date “31/02/2025” is not a date (YYYY-MM-DD, or day first: DD/MM/YYYY)" in error.message
        assert "outcome “approved” is not one of adopted, rejected, postponed, withdrawn" in error.message
        assert "votes_against “x” is not a whole number" in error.message

    def test_it_reads_windows_1256_with_semicolons(self, council_page):
        report = import_decisions(FIXTURES / "decisions-windows-1256.csv", council=council_page)

        assert (report.created, report.errors, report.encoding) == (2, [], "windows-1256")
        lighting = DecisionPage.objects.get(reference="2025/020")
        assert lighting.title == "صفقة الإنارة العمومية"
        assert "186 مليون دج" in lighting.summary
        assert DecisionPage.objects.get(reference="2025/021").summary == "Résumé en français, accentué : é è à ç."

    def test_it_reads_excels_unicode_text_export(self, council_page):
        # Excel's "Unicode text": UTF-16 with its byte-order mark, tab-separated.
        text = (FIXTURES / "decisions-windows-1256.csv").read_bytes().decode("cp1256").replace(";", "\t")
        report = import_decisions(io.BytesIO(text.encode("utf-16")), council=council_page)

        assert (report.created, report.errors, report.encoding) == (2, [], "utf-16")
        assert DecisionPage.objects.get(reference="2025/020").title == "صفقة الإنارة العمومية"

    def test_it_reads_a_french_windows_1252_export(self, council_page, tmp_path):
        path = tmp_path / "deliberations.csv"
        path.write_bytes(
            "reference;title;decision_date;session_date;summary;outcome\n"
            "2025/030;Œuvres sociales : « Été » pour les écoles;2025-03-10;2025-03-10;Résumé;adopted\n".encode("cp1252")
        )
        report = import_decisions(path, council=council_page)

        assert (report.created, report.errors, report.encoding) == (1, [], "windows-1252")
        assert DecisionPage.objects.get(reference="2025/030").title == "Œuvres sociales : « Été » pour les écoles"

    def test_it_reads_utf8_with_a_byte_order_mark_from_an_open_file(self, council_page):
        data = b"\xef\xbb\xbf" + SAMPLE.read_bytes()

        report = import_decisions(io.BytesIO(data), council=council_page, files_root=FIXTURES)

        assert (report.created, report.errors, report.encoding) == (3, [], "utf-8")

    def test_it_imports_json(self, council_page):
        report = import_decisions(FIXTURES / "decisions.json", council=council_page)

        assert (report.created, report.errors, report.sessions_created) == (2, [], 1)
        canteen = DecisionPage.objects.get(reference="2025/010")
        assert canteen.get_parent().specific.members_present == 30
        assert canteen.attachments.get().kind == "signed"
        assert DecisionPage.objects.get(reference="2025/011").outcome == "postponed"

    def test_it_keeps_what_a_column_left_out_does_not_say(self, council_page, tmp_path):
        import_decisions(SAMPLE, council=council_page)
        path = tmp_path / "short.json"
        row = {"reference": "2025/002", "title": "تسمية شارع", "decision_date": "2025-03-10"}
        row |= {"session_date": "2025-03-10", "summary": "ملخص جديد", "outcome": "adopted"}
        path.write_text(json.dumps([row]))

        report = import_decisions(path, council=council_page)

        assert report.updated == 1
        street = DecisionPage.objects.get(reference="2025/002")
        assert (street.summary, street.votes_for, street.execution_status) == ("ملخص جديد", 26, "executed")

    def test_it_refuses_rows_for_a_user_who_may_not_publish_in_the_council(self, council_page, citizen):
        report = import_decisions(SAMPLE, council=council_page, user=citizen)

        assert report.created == 0
        assert {error.message for error in report.errors} == {"you may not publish in this council"}
        assert counts()["DecisionPage"] == counts()["CouncilSessionPage"] == 0

    def test_it_signs_the_revisions_with_the_user(self, council_page, administrator):
        import_decisions(SAMPLE, council=council_page, user=administrator)

        revision = DecisionPage.objects.get(reference="2025/001").live_revision
        assert revision.user == administrator

    def test_it_creates_a_translation_in_the_council_of_another_language(self, council_page, tmp_path):
        import_decisions(SAMPLE, council=council_page)
        french = translate(council_page, "fr", title="APC de Test")
        path = tmp_path / "fr.json"
        row = {"reference": "2025/001", "title": "Budget supplémentaire 2025", "decision_date": "2025-03-10"}
        row |= {"session_date": "2025-03-10", "summary": "L'assemblée approuve le budget.", "outcome": "adopted"}
        path.write_text(json.dumps([row]))

        report = import_decisions(path, council=french)

        assert (report.created, report.sessions_created, report.errors) == (1, 1, [])
        arabic = DecisionPage.objects.get(reference="2025/001", language="ar")
        version = DecisionPage.objects.get(reference="2025/001", language="fr")
        assert version.live and version.translation_key == arabic.translation_key
        assert version.get_parent().translation_key == arabic.get_parent().translation_key
        assert (version.votes_for, version.attachments.count()) == (24, 2)
        assert import_decisions(path, council=french).unchanged == 1


class MalformedFileTestCase:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (
                SAMPLE.read_text().replace(",ordinary,29,2,", ",ordinary,29,2,extra,", 1),
                "Line 7 has 18 fields where the header has 17",
            ),
            ("reference,title\n2025/001,Budget\n", "missing required columns decision_date, session_date"),
            ("reference,title,decision_date,session_date,summary,outcome,vote\n", "unknown columns 'vote'"),
            ("", "The file is empty"),
        ],
    )
    def test_it_refuses_a_malformed_csv_and_changes_nothing(self, council_page, tmp_path, content, message):
        import_decisions(SAMPLE, council=council_page)
        before = counts()
        path = tmp_path / "broken.csv"
        path.write_text(content)

        with pytest.raises(ImportFileError, match=message):
            import_decisions(path, council=council_page)
        assert counts() == before

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ('{"reference": "2025/001"}', "must be a list of objects, one per decision; this file holds an object"),
            ("[1, 2]", "Item 1 of the JSON list is a number, not an object"),
            ('[{"reference": "2025/001",', "This is not valid JSON"),
            ('[{"reference": "2025/001"}]', "Item 1: missing required columns title"),
        ],
    )
    def test_it_refuses_a_malformed_json_and_changes_nothing(self, council_page, tmp_path, content, message):
        path = tmp_path / "broken.json"
        path.write_text(content)

        with pytest.raises(ImportFileError, match=message):
            import_decisions(path, council=council_page)
        assert counts()["DecisionPage"] == 0

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"%PDF-1.4\n", "This is a PDF document, not CSV or JSON"),
            (b"PK\x03\x04\x14\x00", "This is a ZIP archive, not CSV or JSON"),
            (b"reference,title\x00\x01\x02", "This is a binary file, not CSV or JSON"),
        ],
    )
    def test_it_refuses_a_binary_file(self, council_page, content, message):
        with pytest.raises(ImportFileError, match=message):
            import_decisions(io.BytesIO(content), council=council_page)


class ImportDecisionsCommandTestCase:
    def run(self, *args, **options) -> tuple[str, str]:
        stdout, stderr = StringIO(), StringIO()
        options = {"files_root": None, "language": None, **options}
        Command(stdout=stdout, stderr=stderr).handle(*args, **options)
        return stdout.getvalue(), stderr.getvalue()

    def test_it_prints_the_report(self, council_page):
        output, _errors = self.run(file=SAMPLE, council=str(council_page.pk))

        assert "3 created, 0 updated, 0 unchanged, 0 failed; 2 sessions and 2 documents created" in output
        assert DecisionPage.objects.count() == 3

    def test_it_finds_the_council_by_the_slug_of_its_body(self, council_page):
        output, _errors = self.run(file=SAMPLE, council="commune-test", language="ar")

        assert "3 created" in output

    def test_it_lists_the_failed_rows_and_exits_with_an_error(self, council_page, tmp_path):
        bad = sample_with(tmp_path, ("adopted,26,1,2", "adopted,26,1,1"))
        stdout, stderr = StringIO(), StringIO()

        with pytest.raises(CommandError, match="1 of 3 rows failed; the other 2 were imported"):
            Command(stdout=stdout, stderr=stderr).handle(
                file=bad, council=str(council_page.pk), files_root=None, language=None
            )
        assert "row 7 (2025/002): votes_for:" in stderr.getvalue()
        assert DecisionPage.objects.count() == 2

    def test_it_says_so_when_every_row_failed(self, council_page, tmp_path):
        bad = sample_with(tmp_path, ("adopted,", "approuvée,"), ("rejected,", "rejetée,"))

        with pytest.raises(CommandError, match="All 3 rows failed: nothing was imported"):
            Command(stdout=StringIO(), stderr=StringIO()).handle(
                file=bad, council=str(council_page.pk), files_root=None, language=None
            )
        assert DecisionPage.objects.count() == 0

    def test_it_refuses_a_malformed_file(self, council_page, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text("{}")

        with pytest.raises(CommandError, match="Nothing was imported"):
            self.run(file=path, council=str(council_page.pk))

    def test_it_refuses_an_unknown_council(self, council_page):
        with pytest.raises(CommandError, match="has no council in 'fr'"):
            self.run(file=SAMPLE, council="commune-test", language="fr")


class ImportDecisionsTaskTestCase:
    def test_it_returns_the_report(self, council_page):
        result = import_decisions_task.delay(council_page.pk, str(SAMPLE)).get()

        assert result["created"] == 3 and result["errors"] == []
        assert json.loads(json.dumps(result)) == result

    def test_it_returns_the_row_errors(self, council_page, tmp_path):
        bad = sample_with(tmp_path, ("adopted,26,1,2", "adopted,26,1,1"))

        result = import_decisions_task.delay(council_page.pk, str(bad), str(tmp_path)).get()

        assert result["created"] == 2
        assert [(error["row"], error["reference"]) for error in result["errors"]] == [(7, "2025/002")]

    def test_it_returns_quietly_when_the_council_is_gone(self, db):
        assert import_decisions_task.delay(999_999, str(SAMPLE)).get() is None
