"""Tables in the shapes councils send: OpenDocument spreadsheets as LibreOffice writes them, files without a
header row, headers over two rows."""

import codecs
import io
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.utils import translation

from opendata import datastore
from opendata.models import ResourceVersion
from tests.opendata.factories import ResourceFactory
from tests.opendata.test_ingest import upload, xlsx

Status = ResourceVersion.Status
NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def cell(value=None, *, repeat: int = 1, across: int = 1, down: int = 1) -> str:
    """One `table:table-cell` as LibreOffice writes it: typed values in attributes, text in paragraphs."""
    attributes = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if across > 1 or down > 1:
        attributes += f' table:number-columns-spanned="{across}" table:number-rows-spanned="{down}"'
    if value is None:
        return f"<table:table-cell{attributes}/>"
    if isinstance(value, bool):
        kind = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
    elif isinstance(value, int | float):
        kind = f'office:value-type="float" office:value="{value}"'
    elif isinstance(value, tuple):  # ("currency", 1250.5, "1 250,50 DA") or ("date", "2024-01-31", "31/01/2024")
        kind = {
            "currency": f'office:value-type="currency" office:currency="DZD" office:value="{value[1]}"',
            "date": f'office:value-type="date" office:date-value="{value[1]}"',
        }[value[0]]
        return f"<table:table-cell{attributes} {kind}><text:p>{escape(value[2])}</text:p></table:table-cell>"
    else:
        kind = 'office:value-type="string"'
    return f"<table:table-cell{attributes} {kind}><text:p>{escape(str(value))}</text:p></table:table-cell>"


def row(*cells: str, repeat: int = 1) -> str:
    attributes = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attributes}>{''.join(cells)}</table:table-row>"


def ods(*sheets: tuple[str, list[str]]) -> bytes:
    tables = "".join(f'<table:table table:name="{escape(name)}">{"".join(rows)}</table:table>' for name, rows in sheets)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES}>'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return buffer.getvalue()


@pytest.mark.django_db
class OpenDocumentTestCase:
    def test_it_loads_the_first_sheet_and_names_the_others(self, django_capture_on_commit_callbacks):
        content = ods(
            (
                "النفقات",
                [
                    row(cell("البلدية"), cell("المبلغ"), cell("التاريخ"), cell("مدفوع"), cell(repeat=1020)),
                    row(
                        cell("البليدة"),
                        cell(("currency", 1250.5, "1 250,50 DA")),
                        cell(("date", "2024-01-31T00:00:00", "31/01/2024")),
                        cell(True),
                        cell(repeat=1020),
                    ),
                    row(cell("بوفاريك"), cell(0.1), cell(("date", "2024-02-29", "29/02/2024")), cell(False)),
                    row(cell(repeat=1024), repeat=1048570),  # LibreOffice's padding to the end of the sheet
                ],
            ),
            ("ملاحظات", [row(cell("نص"))]),
        )
        resource = ResourceFactory(format="")
        version = upload(resource, content, "depenses.ods", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        resource.refresh_from_db()
        assert resource.format == "ODS"
        assert version.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
        assert version.dialect["sheet"] == "النفقات"
        types = {field["name"]: field["type"] for field in version.table_schema["fields"]}
        assert types == {"البلدية": "string", "المبلغ": "number", "التاريخ": "date", "مدفوع": "boolean"}
        assert list(datastore.iter_rows(resource)) == [
            ("البليدة", "1250.5", "2024-01-31", True),
            ("بوفاريك", "0.1", "2024-02-29", False),
        ]
        assert "Only the first sheet, “النفقات”, was loaded; not “ملاحظات”." in version.validation_report["warnings"]

    def test_merged_cells_take_their_first_value_and_a_two_row_header_is_reported(
        self, django_capture_on_commit_callbacks
    ):
        content = ods(
            (
                "Budget",
                [
                    row(cell("Poste", down=2), cell("Montants", across=2), "<table:covered-table-cell/>"),
                    row("<table:covered-table-cell/>", cell("Prévu"), cell("Réalisé")),
                    row(cell("Voirie"), cell(1200), cell(1100)),
                    row(cell("Éclairage"), cell(300), cell(280)),
                ],
            )
        )
        resource = ResourceFactory()
        version = upload(resource, content, "budget.ods", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        warnings = version.validation_report["warnings"]
        assert any(
            warning.startswith("The header seems to take more than one row (merged cells A1:A2") for warning in warnings
        )
        assert any("B1:C1" in warning for warning in warnings)
        assert [field["name"] for field in version.table_schema["fields"]] == ["Poste", "Montants", "Montants_2"]

    def test_a_sheet_repeating_a_row_past_the_cell_limit_is_refused(self, django_capture_on_commit_callbacks, settings):
        settings.FILES_MAX_CELLS = 10_000
        content = ods(("S", [row(cell("a"), cell("b")), row(cell(1), cell(2), repeat=1_000_000)]))
        resource = ResourceFactory()
        version = upload(resource, content, "big.ods", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert version.error == "The table has more than 10000 cells (rows × columns); split it into smaller files."
        assert resource.current_version is None

    def test_a_zip_named_ods_that_is_no_spreadsheet_is_refused_with_its_reason(
        self, django_capture_on_commit_callbacks
    ):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("content.xml", "<not-closed>")
        version = upload(ResourceFactory(), buffer.getvalue(), "x.ods", django_capture_on_commit_callbacks)
        assert version.status == Status.INVALID
        assert version.error.startswith("The file is not a readable OpenDocument spreadsheet (ODS): ")


@pytest.mark.django_db
class HeaderRowTestCase:
    def test_a_file_whose_first_row_is_data_is_loaded_whole_and_reported(self, django_capture_on_commit_callbacks):
        content = "البليدة;1234,50;2024-01-31\nبوفاريك;987;2024-02-01\nالعفرون;12;2024-02-02\n".encode("cp1256")
        resource = ResourceFactory()
        version = upload(resource, content, "bare.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert [field["name"] for field in version.table_schema["fields"]] == ["column_1", "column_2", "column_3"]
        assert version.rows_loaded == 3
        assert [row[0] for row in datastore.iter_rows(resource)] == ["البليدة", "بوفاريك", "العفرون"]
        assert version.dialect["encoding"] == "cp1256"  # the original's, for its download
        assert version.dialect["header"] is False
        assert any(warning.startswith("The first row holds data") for warning in version.validation_report["warnings"])

    def test_a_bad_cell_of_a_headerless_file_is_named_by_its_own_row(self, django_capture_on_commit_callbacks):
        schema = {"fields": [{"name": "column_1", "type": "string"}, {"name": "column_2", "type": "integer"}]}
        resource = ResourceFactory(declared_schema=schema)
        content = b"a,1\nb,2\nc,lots\n"
        version = upload(resource, content, "bare.csv", django_capture_on_commit_callbacks, header=False)
        assert version.status == Status.INVALID
        assert version.validation_report["errors"][0]["row"] == 3

    def test_a_utf_16_file_without_a_header_keeps_its_encoding(self, django_capture_on_commit_callbacks):
        content = codecs.BOM_UTF16_LE + "Blida\t12\nTipaza\t7\n".encode("utf-16-le")
        resource = ResourceFactory()
        version = upload(resource, content, "bare.tsv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert list(datastore.iter_rows(resource)) == [("Blida", 12), ("Tipaza", 7)]

    def test_years_over_columns_of_amounts_are_a_header(self, django_capture_on_commit_callbacks):
        content = b"poste;2023;2024\nVoirie;1200;1300\nEclairage;300;310\n"
        resource = ResourceFactory()
        version = upload(resource, content, "budget.csv", django_capture_on_commit_callbacks)
        assert version.status == Status.LOADED, version.error
        assert [field["name"] for field in version.table_schema["fields"]] == ["poste", "2023", "2024"]
        assert version.validation_report["warnings"] == []

    def test_staff_can_say_that_a_numeric_first_row_names_the_columns(self, django_capture_on_commit_callbacks):
        content = b"1,2,3\n10,20,30\n11,21,31\n"
        resource = ResourceFactory()
        version = upload(resource, content, "codes.csv", django_capture_on_commit_callbacks, header=True)
        assert version.status == Status.LOADED, version.error
        assert [field["name"] for field in version.table_schema["fields"]] == ["1", "2", "3"]
        assert version.rows_loaded == 2

    def test_staff_can_say_that_a_spreadsheet_has_no_header(self, django_capture_on_commit_callbacks):
        content = xlsx(("Feuil1", [["Blida", "Alger"], ["Tipaza", "Oran"]]))
        resource = ResourceFactory()
        version = upload(resource, content, "villes.xlsx", django_capture_on_commit_callbacks, header=False)
        assert version.status == Status.LOADED, version.error
        assert list(datastore.iter_rows(resource)) == [("Blida", "Alger"), ("Tipaza", "Oran")]
