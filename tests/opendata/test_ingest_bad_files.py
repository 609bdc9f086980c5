"""Files that are not what they say, broken, badly encoded, oddly shaped, huge or hostile: never a crash."""

import csv
import io

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils import translation
from openpyxl import Workbook

from opendata import datastore, ingest, services
from opendata.models import ResourceVersion
from tests.opendata.factories import ResourceFactory, loaded_resource

Status = ResourceVersion.Status
ARABIC_CSV = "البلدية;المبلغ\nالبليدة;1234,56\nبوفاريك;987,5\n"


def upload(resource, content: bytes, filename: str, capture, **kwargs) -> ResourceVersion:
    with capture(execute=True):
        version = services.add_version(resource, ContentFile(content), filename=filename, **kwargs)
    version.refresh_from_db()
    resource.refresh_from_db()
    return version


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def in_english():
    """The reports are written in the uploader's language: English here, unless a test says otherwise."""
    with translation.override("en"):
        yield


@pytest.mark.django_db
class ReportLanguageTestCase:
    def test_the_report_is_in_the_language_of_the_person_who_uploaded(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        with django_capture_on_commit_callbacks() as callbacks, translation.override("fr"):
            services.add_version(resource, ContentFile(b"%PDF-1.4 budget"), filename="budget.csv")
        # The worker runs later, in no request: it writes in the language the upload was made in.
        with translation.override("ar"):
            for callback in callbacks:
                callback()
        version = resource.versions.get()
        assert version.status == Status.INVALID
        assert version.error == "Le fichier s’appelle « budget.csv » mais c’est un document PDF, pas un tableau CSV."

    def test_a_worker_given_no_language_writes_in_the_portals(self):
        from opendata.tasks import ingest_version

        version = services.add_version(ResourceFactory(), ContentFile(b"commune;montant\n"), filename="budget.csv")
        ingest_version(version.pk)
        version.refresh_from_db()
        assert version.error == "للملف سطر عناوين لكن لا صفوف فيه."


@pytest.mark.django_db
class WrongKindOfFileTestCase:
    def test_it_marks_a_pdf_named_csv_invalid_and_says_what_it_is(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        version = upload(resource, b"%PDF-1.7\n1 0 obj\n", "budget.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert version.mimetype == "application/pdf"
        assert "budget.csv" in version.error and "PDF" in version.error

    def test_it_marks_an_xlsx_that_is_not_a_workbook_invalid(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory(format="XLSX")
        version = upload(resource, b"a,b\n1,2\n", "budget.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert "Excel" in version.error

    def test_it_marks_a_zip_named_xlsx_invalid(self, django_capture_on_commit_callbacks):
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        version = upload(ResourceFactory(), buffer.getvalue(), "budget.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert "ZIP archive" in version.error

    def test_ingestion_checks_the_content_too(self):
        """A version stored by other means (an import, the demo) is sniffed again before it is read."""
        from tests.opendata.factories import add_file

        version = add_file(ResourceFactory(), b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "data.csv")
        assert ingest.ingest_version(version).status == Status.INVALID
        assert "program" in version.error

    def test_it_refuses_a_program_named_csv(self):
        with pytest.raises(services.UploadRefused):
            services.add_version(ResourceFactory(), ContentFile(b"MZ" + b"\x00" * 200), filename="data.csv")


@pytest.mark.django_db
class BrokenTableTestCase:
    def test_a_row_with_too_many_cells_makes_the_version_invalid(self, django_capture_on_commit_callbacks):
        resource = loaded_resource([{"a": "kept"}])
        content = b"a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n"
        version = upload(resource, content, "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        errors = version.validation_report["errors"]
        assert errors[0]["type"] == "extra-cell"
        assert errors[0]["row"] == 3
        assert list(datastore.iter_rows(resource)) == [("kept",)]

    def test_a_row_with_too_few_cells_makes_the_version_invalid(self, django_capture_on_commit_callbacks):
        version = upload(ResourceFactory(), b"a,b,c\n1,2,3\n4,5\n", "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert version.validation_report["errors"][0]["type"] == "missing-cell"

    def test_an_extra_cell_past_the_validated_rows_is_caught_by_the_loader(
        self, django_capture_on_commit_callbacks, monkeypatch
    ):
        monkeypatch.setattr(ingest.schema, "VALIDATION_ROWS", 5)
        rows = "".join(f"{n},x\n" for n in range(20))
        content = f"a,b\n{rows}99,y,extra\n".encode()
        version = upload(ResourceFactory(), content, "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert "22" in version.error

    def test_an_empty_file_is_invalid(self, django_capture_on_commit_callbacks):
        version = upload(ResourceFactory(), b"", "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert "empty" in version.error

    def test_a_header_without_rows_is_invalid(self, django_capture_on_commit_callbacks):
        version = upload(ResourceFactory(), "البلدية,المبلغ\n".encode(), "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert "no rows" in version.error

    def test_blank_and_repeated_headers_are_named_and_reported(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        content = "المبلغ,,المبلغ, code \n1,2,3,x\n".encode()
        version = upload(resource, content, "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert [field.id for field in datastore.fields_of(resource)] == ["المبلغ", "field_2", "المبلغ_2", "code"]
        assert len(version.validation_report["warnings"]) == 2

    def test_garbage_bytes_never_crash(self, django_capture_on_commit_callbacks):
        garbage = bytes(range(1, 256)) * 50
        version = upload(ResourceFactory(), garbage, "data.csv", django_capture_on_commit_callbacks)
        assert version.status in (Status.INVALID, Status.LOADED)
        assert version.status != Status.FAILED


@pytest.mark.django_db
class EncodingTestCase:
    def test_arabic_in_windows_1256_decodes_without_a_declaration(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        version = upload(resource, ARABIC_CSV.encode("cp1256"), "data.csv", django_capture_on_commit_callbacks)
        assert version.dialect["encoding"] == "cp1256"
        assert list(datastore.iter_rows(resource)) == [("البليدة", "1234.56"), ("بوفاريك", "987.5")]

    def test_a_wrong_declared_encoding_is_refused_with_a_clear_message(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        version = upload(
            resource, ARABIC_CSV.encode("cp1256"), "data.csv", django_capture_on_commit_callbacks, encoding="utf-8"
        )
        assert version.status == Status.INVALID
        assert "UTF-8" in version.error and "declared" in version.error
        assert "Windows-1256" in version.error
        assert "line 1" in version.error

    def test_a_single_byte_declaration_for_a_utf_8_file_is_refused(self, django_capture_on_commit_callbacks):
        version = upload(
            ResourceFactory(), ARABIC_CSV.encode(), "data.csv", django_capture_on_commit_callbacks, encoding="latin-1"
        )
        assert version.status == Status.INVALID
        assert "UTF-8" in version.error

    def test_a_right_declaration_is_used(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        content = "nom;montant\nÉcole;1,5\n".encode("cp1252")
        version = upload(resource, content, "data.csv", django_capture_on_commit_callbacks, encoding="windows-1252")
        assert version.status == Status.LOADED, version.error
        assert list(datastore.iter_rows(resource)) == [("École", "1.5")]

    def test_an_unknown_declared_encoding_is_refused(self, django_capture_on_commit_callbacks):
        version = upload(
            ResourceFactory(), b"a,b\n1,2\n", "data.csv", django_capture_on_commit_callbacks, encoding="klingon"
        )
        assert version.status == Status.INVALID
        assert "klingon" in version.error


@pytest.mark.django_db
class WorkbookTestCase:
    def test_other_sheets_are_named_in_a_warning(self, django_capture_on_commit_callbacks):
        workbook = Workbook()
        workbook.active.title = "2024"
        workbook.active.append(["البند", "المبلغ"])
        workbook.active.append(["الإنارة", 10])
        workbook.create_sheet("2023").append(["x"])
        workbook.create_sheet("ملاحظات").append(["y"])
        resource = ResourceFactory(format="XLSX")
        version = upload(resource, workbook_bytes(workbook), "budget.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        warning = " ".join(version.validation_report["warnings"])
        assert "2023" in warning and "ملاحظات" in warning
        assert list(datastore.iter_rows(resource)) == [("الإنارة", 10)]

    def test_merged_cells_take_the_value_of_their_first_cell(self, django_capture_on_commit_callbacks):
        workbook = Workbook()
        sheet = workbook.active
        for row in [
            ["البلدية", "البند", "المبلغ"],
            ["البليدة", "الإنارة", 10],
            [None, "المدارس", 20],
            ["بوفاريك", "الطرق", 30],
        ]:
            sheet.append(row)
        sheet.merge_cells("A2:A3")
        resource = ResourceFactory(format="XLSX")
        version = upload(resource, workbook_bytes(workbook), "budget.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert [row[0] for row in datastore.iter_rows(resource)] == ["البليدة", "البليدة", "بوفاريك"]
        assert any("A2:A3" in warning for warning in version.validation_report["warnings"])

    def test_a_truncated_workbook_is_invalid(self, django_capture_on_commit_callbacks):
        workbook = Workbook()
        workbook.active.append(["a"])
        content = workbook_bytes(workbook)
        version = upload(ResourceFactory(), content[: len(content) // 2], "x.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID


@pytest.mark.django_db
class HostileContentTestCase:
    def test_formula_injection_stays_data(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        content = b'name,note\n=cmd|\' /C calc\'!A0,"=HYPERLINK(""http://evil.example"")"\n+1+1,@SUM(A1)\n'
        version = upload(resource, content, "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert list(datastore.iter_rows(resource)) == [
            ("=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example")'),
            ("+1+1", "@SUM(A1)"),
        ]

    def test_markup_and_sql_stay_data(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        content = (
            '"<script>alert(1)</script>",x\n"<img src=x onerror=alert(1)>","1); DROP TABLE opendata_resource; --"\n'
        )
        version = upload(resource, content.encode(), "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert [field.id for field in datastore.fields_of(resource)][0] == "<script>alert(1)</script>"
        assert list(datastore.iter_rows(resource)) == [
            ("<img src=x onerror=alert(1)>", "1); DROP TABLE opendata_resource; --")
        ]
        assert datastore.search(resource, q="DROP TABLE")["total"] == 1


@pytest.mark.django_db
class HugeFileTestCase:
    ROWS = 250_000

    def test_a_large_generated_file_loads_in_chunks(self, tmp_path, django_capture_on_commit_callbacks, monkeypatch):
        monkeypatch.setattr(ingest.load, "CHUNK_ROWS", 50_000)
        path = tmp_path / "big.csv"
        with open(path, "w", encoding="cp1256", newline="") as file:
            writer = csv.writer(file, delimiter=";")
            writer.writerow(["رقم", "البلدية", "المبلغ", "التاريخ"])
            for number in range(self.ROWS):
                writer.writerow([number, "البليدة", f"{number},{number % 100:02d}", f"2024-{number % 12 + 1:02d}-15"])
        progress = []
        monkeypatch.setattr(ingest, "_set_progress", _recording(ingest._set_progress, progress))
        resource = ResourceFactory()
        with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as handle:
            version = services.add_version(resource, File(handle), filename="big.csv")
        version.refresh_from_db()
        assert version.status == Status.LOADED, version.error
        assert version.rows_loaded == self.ROWS
        loaded = [state["rows"] for state in progress if "rows" in state and state["rows"]]
        assert loaded[:5] == [50_000, 100_000, 150_000, 200_000, 250_000]
        resource.refresh_from_db()
        result = datastore.search(resource, sort="المبلغ desc", limit=1)
        assert result["total"] == self.ROWS
        assert result["records"][0]["المبلغ"] == "249999.99"


def _recording(function, calls):
    def record(version, **values):
        calls.append(values)
        return function(version, **values)

    return record
