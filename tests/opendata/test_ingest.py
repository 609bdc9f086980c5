"""An upload becomes the resource's next version; a tabular one is validated and loaded into the DataStore."""

import datetime
import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings
from openpyxl import Workbook

from opendata import datastore, ingest, services
from opendata.models import VERSION_WORKFLOW, Dataset, ResourceVersion
from portal.workflow import history
from tests.opendata.factories import ResourceFactory, add_file, loaded_resource

FILES = Path(__file__).parent / "files"
Status = ResourceVersion.Status


def upload(resource, content: bytes, filename: str, capture, **kwargs) -> ResourceVersion:
    """`add_version` in a committed transaction, so that the ingestion it schedules runs (eagerly)."""
    with capture(execute=True):
        version = services.add_version(resource, ContentFile(content), filename=filename, **kwargs)
    version.refresh_from_db()
    resource.refresh_from_db()
    return version


def xlsx(*sheets: tuple[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
class AddVersionTestCase:
    def test_it_stores_the_file_with_its_size_checksum_and_media_type(self, django_capture_on_commit_callbacks):
        content = FILES.joinpath("spending_utf8_bom.csv").read_bytes()
        resource = ResourceFactory(format="")
        version = upload(resource, content, "spending.csv", django_capture_on_commit_callbacks)
        assert version.number == 1
        assert version.size == len(content)
        assert version.sha256 == hashlib.sha256(content).hexdigest()
        assert version.mimetype == "text/csv"
        assert version.original_name == "spending.csv"
        assert resource.current_version == version
        assert resource.format == "CSV"
        with version.file.open("rb") as file:
            assert file.read() == content

    def test_it_keeps_every_previous_version_reachable(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        first = upload(resource, b"a,b\n1,2\n", "data.csv", django_capture_on_commit_callbacks)
        second = upload(resource, b"a,b\n3,4\n", "data.csv", django_capture_on_commit_callbacks)
        assert (first.number, second.number) == (1, 2)
        assert resource.current_version == second
        assert first.file.name != second.file.name
        with first.file.open("rb") as file:
            assert file.read() == b"a,b\n1,2\n"
        assert datastore.search(resource)["records"] == [{"_id": 1, "a": 3, "b": 4}]

    def test_it_schedules_the_ingestion_only_once_the_transaction_commits(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            version = services.add_version(resource, ContentFile(b"a,b\n1,2\n"), filename="data.csv")
            assert ResourceVersion.objects.get(pk=version.pk).status == Status.PENDING
        [ingest] = [callback for callback in callbacks if "add_version" in callback.__qualname__]
        ingest()
        version.refresh_from_db()
        assert version.status == Status.LOADED

    def test_it_stores_a_file_that_is_not_a_table_without_ingesting_it(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory(format="")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            version = services.add_version(resource, ContentFile(b"%PDF-1.4\n%%EOF\n"), filename="report.pdf")
        assert [callback for callback in callbacks if "add_version" in callback.__qualname__] == []
        assert version.status == Status.STORED
        assert version.mimetype == "application/pdf"
        resource.refresh_from_db()
        assert resource.format == "PDF"

    def test_it_refuses_a_program(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        with pytest.raises(services.UploadRefused):
            services.add_version(resource, ContentFile(b"MZ\x90\x00" + b"\x00" * 100), filename="data.csv")
        assert not resource.versions.exists()

    @override_settings(OPENDATA_MAX_UPLOAD_SIZE=1024)
    def test_it_refuses_a_file_past_the_size_limit_before_storing_it(self):
        resource = ResourceFactory()
        with pytest.raises(services.UploadRefused):
            services.add_version(resource, ContentFile(b"a,b\n" + b"1,2\n" * 1000), filename="data.csv")
        assert not resource.versions.exists()

    def test_it_numbers_versions_after_the_highest_one(self):
        resource = ResourceFactory()
        add_file(resource, b"a\n1\n")
        add_file(resource, b"a\n2\n")
        version = services.add_version(resource, ContentFile(b"%PDF-1.4"), filename="notes.pdf")
        assert version.number == 3


@pytest.mark.django_db
class IngestVersionTestCase:
    def test_it_reads_arabic_in_windows_1256_without_being_told(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        content = FILES.joinpath("spending_cp1256.csv").read_bytes()
        version = upload(resource, content, "spending.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert version.dialect == {"encoding": "cp1256", "delimiter": ";", "decimal": ",", "thousands": " "}
        records = datastore.search(resource, sort="_id")["records"]
        assert records[0] == {
            "_id": 1,
            "البلدية": "البليدة",
            "المبلغ": "1234.56",
            "التاريخ": "2024-01-15",
            "الوصف": "تعبيد الطريق",
        }
        assert records[1]["الوصف"] == "إنارة عمومية"
        assert version.rows_loaded == 3

    def test_it_reads_french_accents_in_latin_1_and_day_first_dates(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        content = FILES.joinpath("spending_latin1.csv").read_bytes()
        version = upload(resource, content, "depenses.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert version.dialect["encoding"] in ("cp1252", "latin-1")
        records = datastore.search(resource, sort="_id")["records"]
        assert records[0]["Commune"] == "Ouled Yaïch"
        assert records[0]["Libellé"] == "Éclairage public à l'école"
        assert records[0]["Date"] == "2024-01-15"
        assert records[1]["Montant"] == "987.50"
        types = {field["name"]: field["type"] for field in version.table_schema["fields"]}
        assert types == {"Commune": "string", "Montant": "number", "Date": "date", "Libellé": "string"}

    def test_it_reads_utf_8_with_a_byte_order_mark(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        content = FILES.joinpath("spending_utf8_bom.csv").read_bytes()
        version = upload(resource, content, "spending.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert [field.id for field in datastore.fields_of(resource)] == ["البلدية", "المبلغ", "التاريخ", "مدفوع"]
        records = datastore.search(resource, sort="_id")["records"]
        assert records[1]["البلدية"] == "Boufarik — Éclairage"
        assert records[0]["مدفوع"] is True

    @pytest.mark.parametrize(
        ("delimiter", "amount", "expected"),
        [(",", "1234.56", "1234.56"), (";", "1234,56", "1234.56"), ("\t", "1.234,56", "1234.56"), ("|", "7", "7")],
    )
    def test_it_detects_the_delimiter_and_the_decimal_separator(
        self, delimiter, amount, expected, django_capture_on_commit_callbacks
    ):
        resource = ResourceFactory()
        content = f"name{delimiter}amount\nx{delimiter}{amount}\ny{delimiter}{amount}\n".encode()
        version = upload(resource, content, "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert version.dialect["delimiter"] == delimiter
        assert str(datastore.search(resource)["records"][0]["amount"]) == expected

    def test_it_keeps_amounts_exact(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        content = b"item;amount\na;0,10\nb;0,20\nc;12345678901234,99\n"
        upload(resource, content, "data.csv", django_capture_on_commit_callbacks)
        assert [row[1] for row in datastore.iter_rows(resource)] == ["0.10", "0.20", "12345678901234.99"]
        assert datastore.aggregate(resource, "item", "amount")[0][0] == "c"

    def test_it_loads_the_first_sheet_of_a_workbook(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory(format="XLSX")
        content = xlsx(("النفقات", [["البلدية", "المبلغ"], ["البليدة", 1234.56], ["بوفاريك", 0.1]]))
        version = upload(resource, content, "spending.xlsx", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert version.mimetype.endswith("spreadsheetml.sheet")
        assert version.dialect["sheet"] == "النفقات"
        assert list(datastore.iter_rows(resource)) == [("البليدة", "1234.56"), ("بوفاريك", "0.1")]

    def test_it_checks_the_file_against_the_declared_schema(self, django_capture_on_commit_callbacks):
        schema = {"fields": [{"name": "code", "type": "string"}, {"name": "amount", "type": "integer"}]}
        resource = ResourceFactory(declared_schema=schema)
        version = upload(resource, b"code,amount\n007,12\n008,13\n", "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert version.table_schema["fields"] == schema["fields"]
        assert version.validation_report["schema_source"] == "declared"
        assert list(datastore.iter_rows(resource)) == [("007", 12), ("008", 13)]

    def test_a_bad_type_against_the_declared_schema_keeps_the_previous_rows(self, django_capture_on_commit_callbacks):
        schema = {"fields": [{"name": "code", "type": "string"}, {"name": "amount", "type": "integer"}]}
        resource = ResourceFactory(declared_schema=schema)
        good = upload(resource, b"code,amount\na,1\nb,2\n", "data.csv", django_capture_on_commit_callbacks)
        bad = upload(resource, b"code,amount\nc,3\nd,lots\n", "data.csv", django_capture_on_commit_callbacks)
        assert bad.status == Status.INVALID
        assert "lots" in bad.error or "lots" in str(bad.validation_report["errors"])
        assert bad.validation_report["errors"][0]["row"] == 3
        assert bad.validation_report["errors"][0]["field"] == "amount"
        assert resource.datastore_version == good
        assert list(datastore.iter_rows(resource)) == [("a", 1), ("b", 2)]

    def test_a_bad_type_past_the_validated_rows_is_caught_by_the_loader(
        self, django_capture_on_commit_callbacks, monkeypatch
    ):
        monkeypatch.setattr(ingest.schema, "VALIDATION_ROWS", 2)
        schema = {"fields": [{"name": "amount", "type": "number"}, {"name": "day", "type": "date"}]}
        resource = loaded_resource([{"amount": "1", "day": "2024-01-01"}], schema["fields"], declared_schema=schema)
        rows = "".join(f"{n},2024-01-{n % 28 + 1:02d}\n" for n in range(10))
        version = upload(
            resource, f"amount,day\n{rows}1x,2024-02-30\n".encode(), "d.csv", django_capture_on_commit_callbacks
        )
        assert version.status == Status.INVALID
        errors = version.validation_report["errors"]
        assert {(error["row"], error["field"]) for error in errors} == {(12, "amount"), (12, "day")}
        assert list(datastore.iter_rows(resource)) == [("1", "2024-01-01")]

    def test_an_inferred_type_that_a_later_row_breaks_becomes_text(
        self, django_capture_on_commit_callbacks, monkeypatch
    ):
        monkeypatch.setattr(ingest.schema, "INFER_ROWS", 3)
        monkeypatch.setattr(ingest.schema, "VALIDATION_ROWS", 3)
        content = b"code,amount\n1,10\n2,20\n3,30\nA-4,40\n"
        resource = ResourceFactory()
        version = upload(resource, content, "data.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        types = {field["name"]: field["type"] for field in version.table_schema["fields"]}
        assert types == {"code": "string", "amount": "integer"}
        assert any("code" in warning for warning in version.validation_report["warnings"])
        assert [row[0] for row in datastore.iter_rows(resource)] == ["1", "2", "3", "A-4"]


def tables_of(resource) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND starts_with(relname, %s) ORDER BY relname",
            [datastore.table_name(resource)],
        )
        return [name for (name,) in cursor.fetchall()]


SPREADSHEET_SCHEMA = {
    "fields": [
        {"name": "Commune", "type": "string"},
        {"name": "Montant", "type": "number", "decimalChar": ",", "groupChar": " "},
        {"name": "Date", "type": "date", "format": "%d/%m/%Y"},
        {"name": "Quantité", "type": "integer"},
    ]
}


@pytest.mark.django_db
class SpreadsheetRewriteTestCase:
    """A French or Maghreb spreadsheet's CSV (decimal comma, thousands separator, day-first dates): on
    PostgreSQL its bytes go to COPY into a table of text and PostgreSQL converts them, every cell checked."""

    @pytest.fixture(autouse=True)
    def rewritten(self, monkeypatch):
        if connection.vendor != "postgresql":
            pytest.skip("the rewrite by PostgreSQL is PostgreSQL's path; SQLite takes the general one")
        calls = []
        copy_rewritten = datastore._copy_rewritten

        def spy(table, fields, chunks, on_progress, raw):
            calls.append(raw)
            return copy_rewritten(table, fields, chunks, on_progress, raw)

        monkeypatch.setattr(datastore, "_copy_rewritten", spy)
        return calls

    def test_it_loads_exact_amounts_and_iso_dates(self, rewritten, django_capture_on_commit_callbacks, monkeypatch):
        def general_path(*args):
            raise AssertionError("the general path normalised the file")

        monkeypatch.setattr(ingest.load, "normalise", general_path)
        content = (
            "Commune;Montant;Date;Quantité\n"
            "Blida;1 234,56;31/12/2025; 12 \n"
            "Boufarik;0,10;01/02/2024;7\n"
            "Chréa;12 345 678 901 234,99;5/3/2024;\n"
            "El Affroun;;29/02/2024;3\n"
            "Mouzaïa;-7,5;15/06/2024;-2\n"
        ).encode()
        resource = ResourceFactory()
        version = upload(resource, content, "depenses.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert version.dialect == {"encoding": "utf-8", "delimiter": ";", "decimal": ",", "thousands": " "}
        assert len(rewritten) == 1
        assert [field["type"] for field in version.table_schema["fields"]] == ["string", "number", "date", "integer"]
        assert datastore.search(resource, sort="_id")["records"] == [
            {"_id": 1, "Commune": "Blida", "Montant": "1234.56", "Date": "2025-12-31", "Quantité": 12},
            {"_id": 2, "Commune": "Boufarik", "Montant": "0.10", "Date": "2024-02-01", "Quantité": 7},
            {"_id": 3, "Commune": "Chréa", "Montant": "12345678901234.99", "Date": "2024-03-05", "Quantité": None},
            {"_id": 4, "Commune": "El Affroun", "Montant": None, "Date": "2024-02-29", "Quantité": 3},
            {"_id": 5, "Commune": "Mouzaïa", "Montant": "-7.5", "Date": "2024-06-15", "Quantité": -2},
        ]
        assert version.rows_loaded == resource.datastore_rows == 5
        assert tables_of(resource) == [datastore.table_name(resource)]  # the table of text is gone

    @pytest.mark.parametrize(
        ("cell", "field"),
        [
            ("Blida;12,3,4;01/01/2024;1", "Montant"),  # refused by pandas' check before COPY ends
            ("Blida;1,5;30/02/2024;1", "Date"),  # no such day
            ("Blida;1,5;01/01/2024;1 000", "Quantité"),  # read by the check as a number, refused by PostgreSQL
        ],
    )
    def test_a_bad_cell_refuses_the_load_and_keeps_the_previous_rows(
        self, cell, field, rewritten, django_capture_on_commit_callbacks, monkeypatch
    ):
        monkeypatch.setattr(ingest.schema, "VALIDATION_ROWS", 2)  # past frictionless' rows: the loader's checks
        resource = ResourceFactory(declared_schema=SPREADSHEET_SCHEMA)
        header = "Commune;Montant;Date;Quantité\n"
        good_rows = "".join(f"Blida;{n} 000,25;{n % 28 + 1:02d}/01/2024;{n}\n" for n in range(1, 6))
        good = upload(resource, (header + good_rows).encode(), "d.csv", django_capture_on_commit_callbacks)
        assert good.status == Status.LOADED, good.error
        assert len(rewritten) == 1
        bad = upload(resource, (header + good_rows + cell + "\n").encode(), "d.csv", django_capture_on_commit_callbacks)
        assert bad.status == Status.INVALID
        assert [(error["row"], error["field"]) for error in bad.validation_report["errors"]] == [(7, field)]
        resource.refresh_from_db()
        assert resource.datastore_version == good
        assert [row[1:3] for row in datastore.iter_rows(resource)] == [
            (f"{n}000.25", f"2024-01-{n % 28 + 1:02d}") for n in range(1, 6)
        ]
        assert tables_of(resource) == [datastore.table_name(resource)]  # no staging table, of text or typed


@pytest.mark.django_db
class IngestStatesTestCase:
    def test_it_records_the_progress_of_the_load(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        content = b"a,b\n" + b"".join(f"{n},x\n".encode() for n in range(1000))
        version = upload(resource, content, "data.csv", django_capture_on_commit_callbacks)
        state = ingest.progress(version)
        assert state == {"status": "loaded", "rows": 1000, "bytes": len(content), "total_bytes": len(content)}

    def test_it_reports_a_waiting_version(self):
        resource = ResourceFactory()
        version = add_file(resource, b"a\n1\n")
        assert ingest.progress(version) == {"status": "pending", "rows": 0, "bytes": 0, "total_bytes": 4}

    def test_it_does_not_ingest_a_version_twice(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        version = upload(resource, b"a,b\n1,2\n", "data.csv", django_capture_on_commit_callbacks)
        loaded_table = resource.datastore_version_id
        assert ingest.ingest_version(version).status == Status.LOADED
        assert ResourceVersion.objects.get(pk=version.pk).status == Status.LOADED
        assert resource.datastore_version_id == loaded_table

    def test_codes_keep_their_leading_zeros(self, django_capture_on_commit_callbacks):
        content = (
            "code_postal;commune;compte;montant;jour\n09000;Blida;0003;12;01/02/2024\n02100;Tipaza;0450;7;15/03/2024\n"
        )
        resource = ResourceFactory()
        version = upload(resource, content.encode(), "communes.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        types = {field["name"]: field["type"] for field in version.table_schema["fields"]}
        assert types == {
            "code_postal": "string",
            "commune": "string",
            "compte": "string",
            "montant": "integer",
            "jour": "date",
        }
        assert [row[0] for row in datastore.iter_rows(resource)] == ["09000", "02100"]
        assert [row[2] for row in datastore.iter_rows(resource)] == ["0003", "0450"]

    def test_a_new_file_moves_the_datasets_modification_date_for_harvesters(self, django_capture_on_commit_callbacks):
        resource = ResourceFactory()
        long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        Dataset.objects.filter(pk=resource.dataset_id).update(modified_at=long_ago)
        upload(resource, b"a,b\n1,2\n", "data.csv", django_capture_on_commit_callbacks)
        assert Dataset.objects.get(pk=resource.dataset_id).modified_at > long_ago

    def test_each_move_of_a_version_leaves_an_event(self, django_capture_on_commit_callbacks):
        version = upload(ResourceFactory(), b"a,b\n1,2\n", "data.csv", django_capture_on_commit_callbacks)
        moves = [(event.from_status, event.to_status, event.by) for event in history(version)]
        assert moves == [("pending", "validating", None), ("validating", "loading", None), ("loading", "loaded", None)]

    def test_the_transition_table_refuses_a_move_it_does_not_list(self):
        version = add_file(ResourceFactory(), b"a\n1\n", status=Status.LOADED)
        with pytest.raises(ingest.TransitionError):
            ingest.transition(version, Status.VALIDATING)
        # Every status is reached by a move, and LOADED, INVALID and STORED are final.
        moves = VERSION_WORKFLOW.moves.values()
        assert {move.target for move in moves} == set(Status)
        assert all(not VERSION_WORKFLOW.targets(status) for status in (Status.LOADED, Status.INVALID, Status.STORED))

    def test_a_failed_version_can_be_retried(self):
        resource = ResourceFactory()
        version = add_file(resource, b"a,b\n1,2\n", status=Status.FAILED, error="worker lost")
        ingest.retry(version)
        assert ingest.ingest_version(version).status == Status.LOADED
        assert version.error == ""

    def test_an_older_version_finishing_late_does_not_replace_newer_rows(self):
        resource = ResourceFactory()
        older = add_file(resource, b"a,b\n1,old\n")
        newer = add_file(resource, b"a,b\n2,new\n")
        assert ingest.ingest_version(newer).status == Status.LOADED
        assert ingest.ingest_version(older).status == Status.INVALID
        assert "already loaded" in older.error
        resource.refresh_from_db()
        assert resource.datastore_version == newer
        assert list(datastore.iter_rows(resource)) == [(2, "new")]
