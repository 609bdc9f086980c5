"""Council documents: what an upload may be, the text extracted for search, and how a download is served."""

import hashlib
import io
import zipfile

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from pypdf import PdfWriter
from wagtail.models import Collection
from wagtail.users.models import UserProfile

from cms.documents import (
    MAX_EXTRACTED_CHARACTERS,
    TEXT_SAMPLE_SIZE,
    detect_document_type,
    find_active_content,
    normalise_text,
)
from cms.models import CouncilDocument
from cms.tasks import extract_document_text
from portal.files import decode
from tests.factories import UserFactory
from tests.staff import login_with_second_factor

ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ARABIC_CSV = "البند,المبلغ\nميزانية البلدية للتطهير,1500000\n"
ARABIC_WORDS = ["ميزانية", "البلدية", "للتطهير"]


def pdf_bytes(text: str = "Deliberation 2024/017 budget", catalog_extra: bytes = b"") -> bytes:
    """Return a one-page PDF that shows `text` in Helvetica, its cross-reference table computed."""
    stream = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypted_pdf_bytes() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    writer.encrypt("council-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Budget"
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def odf_bytes(media_type: str = ODT, body: str = "") -> bytes:
    """Return an OpenDocument file laid out as LibreOffice writes one: `mimetype` first, stored."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3">'
        f"<office:body>{body}</office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", media_type, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>", compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


ODT_BODY = (
    "<office:text><text:h>Procès-verbal de la séance</text:h>"
    "<text:p>Le conseil<text:s/>approuve le <text:span>marché</text:span> d'éclairage<text:tab/>public.</text:p>"
    "</office:text>"
)
ODS_BODY = (
    "<office:spreadsheet><table:table table:name='Budget'><table:table-row>"
    "<table:table-cell><text:p>Voirie</text:p></table:table-cell>"
    "<table:table-cell><text:p>250000</text:p></table:table-cell>"
    "</table:table-row></table:table></office:spreadsheet>"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html>\n<html><body><script>document.location='https://evil.example'</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def superuser(db):
    user = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    # The admin speaks the user's language: English, so that the messages read as in the code.
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def staff_client(client, superuser):
    login_with_second_factor(client, superuser)
    return client


@pytest.fixture
def upload(staff_client, django_capture_on_commit_callbacks):
    """Upload a file through Wagtail's multiple uploader, as the admin's JavaScript does; return its JSON answer.

    The extraction enqueued on commit runs (Celery is eager in tests).
    """

    def upload(name: str, content: bytes, title: str = "Annexe") -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                "/admin/documents/multiple/add/",
                {
                    "title": title,
                    "collection": Collection.get_first_root_node().pk,
                    "files[]": SimpleUploadedFile(name, content),
                },
                headers={"x-requested-with": "XMLHttpRequest"},
            )
        assert response.status_code == 200
        return response.json()

    return upload


def uploaded(answer: dict) -> CouncilDocument:
    assert answer["success"], answer
    return CouncilDocument.objects.get(pk=answer["doc_id"])


def refusal(answer: dict) -> str:
    assert not answer["success"], answer
    assert CouncilDocument.objects.count() == 0
    return answer["error_message"]


class DocumentUploadTestCase:
    def test_it_extracts_the_text_of_a_pdf(self, upload):
        document = uploaded(upload("deliberation.pdf", pdf_bytes()))
        assert document.extracted_text == "Deliberation 2024/017 budget"
        assert document.extraction_error == ""

    def test_it_sets_the_checksum_and_size(self, upload, superuser):
        content = pdf_bytes()
        document = uploaded(upload("deliberation.pdf", content))
        assert document.file_hash == hashlib.sha1(content).hexdigest()  # noqa: S324 - Wagtail's checksum
        assert document.file_size == len(content)
        assert document.uploaded_by_user == superuser

    def test_it_extracts_paragraphs_and_tables_of_a_docx(self, upload):
        content = docx_bytes(
            "Procès-verbal de la séance du 12 mars", table=[["Article", "Montant"], ["Voirie", "250000"]]
        )
        document = uploaded(upload("pv.docx", content))
        assert document.extracted_text == "Procès-verbal de la séance du 12 mars\nArticle\nMontant\nVoirie\n250000"

    def test_it_extracts_the_text_of_an_odt(self, upload):
        document = uploaded(upload("pv.odt", odf_bytes(ODT, ODT_BODY)))
        assert (
            document.extracted_text == "Procès-verbal de la séance\nLe conseil approuve le marché d'éclairage public."
        )

    def test_it_extracts_the_cells_of_an_ods(self, upload):
        document = uploaded(upload("budget.ods", odf_bytes(ODS, ODS_BODY)))
        assert document.extracted_text == "Voirie\n250000"

    def test_it_extracts_the_cells_of_an_xlsx(self, upload):
        document = uploaded(upload("budget.xlsx", xlsx_bytes([["Article", "Montant"], ["Éclairage", 125000.5]])))
        assert document.extracted_text == "Budget\nArticle Montant\nÉclairage 125000.5"

    def test_it_reads_a_csv_written_in_windows_1256(self, upload):
        document = uploaded(upload("budget.csv", ARABIC_CSV.encode("cp1256")))
        assert document.extracted_text == ARABIC_CSV.strip()
        for word in ARABIC_WORDS:
            assert word in document.extracted_text

    def test_it_reads_a_csv_written_in_utf8_with_a_bom(self, upload):
        document = uploaded(upload("budget.csv", b"\xef\xbb\xbf" + ARABIC_CSV.encode()))
        assert document.extracted_text == ARABIC_CSV.strip()

    def test_it_uploads_through_the_single_document_form(self, staff_client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                "/admin/documents/add/",
                {
                    "title": "Délibération 2024/017",
                    "file": SimpleUploadedFile("deliberation.pdf", pdf_bytes()),
                    "collection": Collection.get_first_root_node().pk,
                },
            )
        assert response.status_code == 302
        document = CouncilDocument.objects.get()
        assert document.extracted_text == "Deliberation 2024/017 budget"
        assert document.file_hash == hashlib.sha1(pdf_bytes()).hexdigest()  # noqa: S324

    def test_it_shows_the_limit_and_the_formats_on_the_upload_page(self, staff_client, settings):
        settings.DOCUMENT_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
        response = staff_client.get("/admin/documents/multiple/add/")
        assert response.status_code == 200
        content = response.content.decode()
        assert "Maximum size: 5.0\xa0MB. Formats: PDF, ODT, ODS, DOCX, XLSX, CSV." in content
        # Wagtail's uploader checks the size in the browser too, against the same limit.
        assert 'data-max-file-size="5242880"' in content


class DocumentRefusalTestCase:
    def test_it_refuses_a_file_over_the_limit(self, upload, settings):
        settings.DOCUMENT_MAX_UPLOAD_SIZE = 1024
        content = pdf_bytes() * 4
        message = refusal(upload("deliberation.pdf", content))
        with translation.override("en"):
            size = filesizeformat(len(content))
        assert message == f"This file is too large ({size}): the limit is 1.0\xa0KB."

    def test_it_refuses_a_program_renamed_pdf(self, upload):
        message = refusal(upload("deliberation.pdf", EXE))
        assert message == "This file is refused: it contains a program, macros, a web page or a script."

    def test_it_refuses_a_web_page_renamed_pdf(self, upload):
        message = refusal(upload("deliberation.pdf", HTML))
        assert message == "This file is refused: it contains a program, macros, a web page or a script."

    def test_it_refuses_an_svg_renamed_csv(self, upload):
        message = refusal(upload("budget.csv", SVG))
        assert message == "This file is refused: it contains a program, macros, a web page or a script."

    def test_it_refuses_a_word_document_with_macros(self, upload):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<document/>")
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
        message = refusal(upload("pv.docx", out.getvalue()))
        assert message == "This file is refused: it contains a program, macros, a web page or a script."

    def test_it_refuses_an_extension_outside_the_list(self, upload):
        message = refusal(upload("setup.exe", EXE))
        assert message == "File extension “exe” is not allowed. Allowed extensions are: pdf, odt, ods, docx, xlsx, csv."

    def test_it_refuses_a_document_whose_content_does_not_match_its_extension(self, upload):
        message = refusal(upload("budget.xlsx", docx_bytes("Procès-verbal")))
        assert message == "This file is not a valid XLSX document: its content does not match its extension."

    def test_it_refuses_text_renamed_pdf(self, upload):
        message = refusal(upload("deliberation.pdf", b"Deliberation 2024/017 budget"))
        assert message == "This file is not a valid PDF document: its content does not match its extension."

    def test_it_refuses_a_binary_file_renamed_csv(self, upload):
        message = refusal(upload("budget.csv", b"id;montant\n1;\x00\x01\x02\x03"))
        assert message == "This file is not a valid CSV document: its content does not match its extension."

    def test_it_shows_the_refusal_on_the_single_document_form(self, staff_client):
        response = staff_client.post(
            "/admin/documents/add/",
            {
                "title": "Délibération",
                "file": SimpleUploadedFile("deliberation.pdf", HTML),
                "collection": Collection.get_first_root_node().pk,
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {"file": [refusal_in_admin_language()]}
        assert CouncilDocument.objects.count() == 0

    def test_it_refuses_a_replacement_file_and_keeps_the_stored_one(self, upload, staff_client):
        document = uploaded(upload("deliberation.pdf", pdf_bytes()))
        response = staff_client.post(
            f"/admin/documents/edit/{document.pk}/",
            {
                "title": document.title,
                "file": SimpleUploadedFile("deliberation.pdf", EXE),
                "collection": document.collection_id,
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["file"] == [refusal_in_admin_language()]
        stored = CouncilDocument.objects.get()
        assert stored.file.name == document.file.name
        assert stored.file_hash == document.file_hash


def refusal_in_admin_language() -> str:
    """The admin speaks the staff member's language, Arabic unless they chose another."""
    with translation.override("ar"):
        return translation.gettext("This file is refused: it contains a program, macros, a web page or a script.")


class DocumentExtractionTestCase:
    def test_it_keeps_a_damaged_pdf_and_says_why_it_has_no_text(self, upload):
        document = uploaded(upload("deliberation.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"))
        assert document.extracted_text == ""
        assert document.extraction_error.startswith("unreadable PDF (")

    def test_it_says_that_a_pdf_is_protected_by_a_password(self, upload):
        document = uploaded(upload("deliberation.pdf", encrypted_pdf_bytes()))
        assert document.extracted_text == ""
        assert document.extraction_error == "the PDF is protected by a password"

    def test_it_says_that_a_pdf_without_text_needs_ocr(self, upload):
        document = uploaded(upload("scan.pdf", pdf_bytes("")))
        assert document.extracted_text == ""
        assert document.extraction_error == "no text found: a scanned PDF needs OCR"

    def test_it_extracts_the_text_again_when_the_file_is_replaced(
        self, upload, staff_client, django_capture_on_commit_callbacks
    ):
        document = uploaded(upload("deliberation.pdf", pdf_bytes("First draft")))
        assert document.extracted_text == "First draft"
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                f"/admin/documents/edit/{document.pk}/",
                {
                    "title": document.title,
                    "file": SimpleUploadedFile("deliberation-signed.pdf", pdf_bytes("Signed version")),
                    "collection": document.collection_id,
                },
            )
        assert response.status_code == 302
        document.refresh_from_db()
        assert document.extracted_text == "Signed version"
        assert document.file_hash == hashlib.sha1(pdf_bytes("Signed version")).hexdigest()  # noqa: S324

    def test_it_does_not_extract_again_when_only_the_title_changes(
        self, upload, staff_client, django_capture_on_commit_callbacks
    ):
        document = uploaded(upload("deliberation.pdf", pdf_bytes()))
        with django_capture_on_commit_callbacks() as callbacks:
            response = staff_client.post(
                f"/admin/documents/edit/{document.pk}/",
                {"title": "Délibération signée", "collection": document.collection_id},
            )
        assert response.status_code == 302
        assert callbacks == []
        assert CouncilDocument.objects.get().title == "Délibération signée"

    def test_it_fills_the_checksum_of_a_document_made_in_code(self, db, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            document = CouncilDocument.objects.create(
                title="Annexe", file=SimpleUploadedFile("annexe.csv", ARABIC_CSV.encode())
            )
        document.refresh_from_db()
        assert document.file_hash == hashlib.sha1(ARABIC_CSV.encode()).hexdigest()  # noqa: S324
        assert document.file_size == len(ARABIC_CSV.encode())
        assert document.extracted_text == ARABIC_CSV.strip()

    def test_it_leaves_text_alone_when_the_file_was_replaced_meanwhile(self, db):
        document = CouncilDocument.objects.create(title="Annexe", file=SimpleUploadedFile("a.csv", b"old"))
        stale = CouncilDocument.objects.get()
        document.file = SimpleUploadedFile("b.csv", b"new")
        document.save()
        assert stale.store_extracted_text("old") is False
        assert CouncilDocument.objects.get().extracted_text == ""

    def test_it_caps_the_stored_text(self, upload):
        line = "1;ميزانية البلدية;Budget communal\n"
        document = uploaded(upload("budget.csv", (line * (MAX_EXTRACTED_CHARACTERS // len(line) + 10)).encode()))
        assert len(document.extracted_text) == MAX_EXTRACTED_CHARACTERS
        assert document.extracted_text.startswith(line.strip())

    def test_it_returns_quietly_when_the_document_is_gone(self, db):
        assert extract_document_text(123456) is None

    def test_it_caps_and_normalises_the_text(self):
        assert normalise_text("  Budget\t 2024 \x00\n\n\n ﻻ  ﺑﻠﺪﻳﺔ \r\n") == "Budget 2024\nلا بلدية"
        assert len(normalise_text("word " * MAX_EXTRACTED_CHARACTERS)[:MAX_EXTRACTED_CHARACTERS]) == (
            MAX_EXTRACTED_CHARACTERS
        )


class DocumentSearchTestCase:
    def test_it_finds_a_document_by_a_word_of_its_text(self, upload):
        document = uploaded(upload("deliberation.pdf", pdf_bytes(), title="Séance du 12 mars"))
        uploaded(upload("other.pdf", pdf_bytes("Water network"), title="Séance du 2 avril"))
        assert list(CouncilDocument.objects.search("deliberation")) == [document]

    def test_it_finds_a_document_by_an_arabic_word_of_its_text(self, upload):
        document = uploaded(upload("budget.csv", ARABIC_CSV.encode("cp1256"), title="Budget"))
        assert list(CouncilDocument.objects.search("للتطهير")) == [document]


class DocumentDownloadTestCase:
    def download(self, client, document: CouncilDocument):
        response = client.get(document.url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        return response, body

    def test_it_serves_a_pdf_inline_as_pdf(self, upload, client):
        document = uploaded(upload("deliberation.pdf", pdf_bytes()))
        response, body = self.download(client, document)
        assert body == pdf_bytes()
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        # Scripts in a document never run from the portal's origin.
        assert response["Content-Security-Policy"] == "default-src 'none'"

    @pytest.mark.parametrize(
        "catalog_extra",
        [
            b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
            b" /Names << /JavaScript << /Names [(x) << /S /JavaScript /JS (this.print()) >>] >> >>",
            b" /AA << /WC << /S /Launch /F (cmd.exe) >> >>",
        ],
    )
    def test_it_serves_a_pdf_with_actions_as_a_download(self, upload, client, catalog_extra):
        document = uploaded(upload("deliberation.pdf", pdf_bytes(catalog_extra=catalog_extra)))
        assert document.has_actions is True
        response, _body = self.download(client, document)
        assert response["Content-Disposition"] == f'attachment; filename="{document.filename}"'

    def test_it_serves_a_pdf_as_a_download_until_it_is_checked(self, upload, client):
        document = uploaded(upload("deliberation.pdf", pdf_bytes()))
        CouncilDocument.objects.filter(pk=document.pk).update(has_actions=None)
        document.refresh_from_db()
        response, _body = self.download(client, document)
        assert response["Content-Disposition"] == f'attachment; filename="{document.filename}"'

    @pytest.mark.parametrize(
        ("name", "content", "content_type"),
        [
            (
                "pv.docx",
                docx_bytes("Procès-verbal"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (
                "budget.xlsx",
                xlsx_bytes([["Voirie", 1]]),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("pv.odt", odf_bytes(ODT, ODT_BODY), ODT),
            ("budget.csv", ARABIC_CSV.encode(), "text/csv"),
        ],
    )
    def test_it_serves_other_documents_as_attachments(self, upload, client, name, content, content_type):
        document = uploaded(upload(name, content))
        response, body = self.download(client, document)
        assert body == content
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{document.filename}"'
        assert response["X-Content-Type-Options"] == "nosniff"


class DocumentTypeDetectionTestCase:
    @pytest.mark.parametrize(
        ("content", "extension", "expected"),
        [
            (pdf_bytes(), "pdf", "pdf"),
            (docx_bytes("x"), "docx", "docx"),
            (docx_bytes("x"), "xlsx", "docx"),
            (xlsx_bytes([[1]]), "xlsx", "xlsx"),
            (odf_bytes(ODT), "odt", "odt"),
            (odf_bytes(ODS), "ods", "ods"),
            (odf_bytes("application/vnd.oasis.opendocument.graphics"), "odt", None),
            (ARABIC_CSV.encode("cp1256"), "csv", "csv"),
            (ARABIC_CSV.encode(), "csv", "csv"),
            (ARABIC_CSV.encode(), "pdf", None),
            (b"PK\x03\x04 not really a zip", "docx", None),
            (EXE, "pdf", None),
            (b"\x7fELF\x02\x01\x01", "pdf", None),
            (b"#!/bin/sh\nrm -rf /\n", "csv", None),
            (HTML, "pdf", None),
            (b"  \n<HTML><body>hi</body></HTML>", "csv", None),
            (SVG, "csv", None),
            (b"id;label\n1;<script>alert(1)</script>\n", "csv", None),
            (b"id;label\n1;\x00\n", "csv", None),
        ],
    )
    def test_it_tells_the_type_from_the_content(self, content, extension, expected):
        assert detect_document_type(io.BytesIO(content), extension) == expected

    def test_it_names_active_content(self):
        assert find_active_content(io.BytesIO(EXE)) == "program"
        assert find_active_content(io.BytesIO(SVG)) == "markup"
        assert find_active_content(io.BytesIO(pdf_bytes())) is None
        # "MZ" starting a line of text is not a Windows program.
        assert find_active_content(io.BytesIO(b"MZ;Mazouna\n")) is None

    def test_it_reads_only_the_start_of_a_large_csv(self):
        class CountingFile(io.BytesIO):
            read_bytes = 0

            def read(self, size=-1):
                data = super().read(size)
                self.read_bytes += len(data)
                return data

        big = CountingFile(ARABIC_CSV.encode() * 200_000)
        assert detect_document_type(big, "csv") == "csv"
        assert big.read_bytes <= 2 * (TEXT_SAMPLE_SIZE + 1)
        assert big.tell() == 0

    def test_it_accepts_a_utf8_character_cut_at_the_end_of_the_sample(self):
        # The sample ends on the first byte of an "é".
        data = b"a" + "é".encode() * TEXT_SAMPLE_SIZE
        assert decode(data[:TEXT_SAMPLE_SIZE], final=False) == ("a" + "é" * (TEXT_SAMPLE_SIZE // 2 - 1), "utf-8")
        assert detect_document_type(io.BytesIO(data), "csv") == "csv"


class ZipBombDocumentTestCase:
    def test_it_does_not_inflate_a_docx_bomb(self, upload):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", " " * (20 * 2**20))
        document = uploaded(upload("pv.docx", buffer.getvalue()))
        assert document.extracted_text == ""
        # Extraction runs in a background task, in the portal's first language.
        assert document.extraction_error.startswith("الملف مضغوط ")
