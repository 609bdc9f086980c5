"""portal.files: one reading of what a file is and how its text is encoded, for every module."""

import codecs
import io
import zipfile

import pytest
from django.utils import translation

from portal.files import decode, describe_error, detect_delimiter, detect_encoding, is_markup, program, sniff


@pytest.fixture(autouse=True)
def in_english():
    """Messages are in the active language (the portal's, Arabic, by default): these tests read English."""
    with translation.override("en"):
        yield


# A Windows program's first bytes: "MZ", then a header with NUL bytes.
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            "[Errno 2] No such file or directory: '/tmp/ingest-x1/sheet.csv'",
            "[Errno 2] No such file or directory: 'sheet.csv'",
        ),
        ("cannot open /work/portal/var/media/documents/pv.pdf: damaged", "cannot open pv.pdf: damaged"),
        ("C:\\inetpub\\media\\pv.pdf is locked", "pv.pdf is locked"),
        ("1 234/5 678 is not a date", "1 234/5 678 is not a date"),
    ],
)
def test_it_keeps_file_names_and_drops_paths(message, shown):
    assert describe_error(OSError(message)) == shown


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        # A table whose first cell starts "MZ" (a place, a name) is a table, for the catalogue and the documents alike.
        (b"MZ;Mazouna\nBlida;12\n", "communes.csv", "csv"),
        (WINDOWS_PROGRAM, "budget.csv", "executable"),
        (b"\x7fELF\x02\x01\x01", "data.csv", "executable"),
        (b"#!/bin/sh\nrm -rf /\n", "data.csv", "executable"),
        (b"%PDF-1.7\n", "data.csv", "pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "data.xls", "xls"),
        (codecs.BOM_UTF16_LE + "a;b\n".encode("utf-16-le"), "data.csv", "csv"),
        (b"a\x00b\x00", "data.csv", "binary"),
        (b"", "data.csv", "empty"),
        (b'[{"a": 1}]', "data.json", "json"),
    ],
)
def test_it_judges_a_file_by_its_bytes(content, name, kind):
    assert sniff(io.BytesIO(content), name).kind == kind


def test_programs_and_markup_are_the_refusals_every_upload_shares():
    assert program(WINDOWS_PROGRAM) == ("application/x-msdownload", "a Windows program")
    assert program(b"MZ;Mazouna\n") is None
    assert is_markup(b"\xef\xbb\xbf  <SVG onload=alert(1)>")
    assert not is_markup(b"reference;title\n")


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        ("البلدية;المبلغ\nالبليدة;1 234,56\n", "cp1256", "cp1256"),
        ("Commune;Dépense\nÉcole;Œuvre sociale\n", "cp1252", "cp1252"),
        ("Commune;Dépense\nالبليدة;12\n", "utf-8", "utf-8"),
    ],
)
def test_it_reads_the_encodings_councils_export(tmp_path, text, codec, expected):
    data = text.encode(codec)
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    assert detect_encoding(path) == expected
    # Bytes in memory are read by the same rules.
    assert decode(data) == (text, expected)


def test_it_finds_the_delimiter_that_splits_records_evenly():
    assert detect_delimiter('a;b;c\n"1,5";2;3\n4;5;6\n') == ";"
    assert detect_delimiter("a\tb\n1\t2\n") == "\t"
    assert detect_delimiter("a,b\n1,2\n") == ","


def test_office_documents_are_told_apart_the_same_way_for_every_module():
    def archive(members: dict[str, str]) -> io.BytesIO:
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w") as zipped:
            for name, content in members.items():
                zipped.writestr(name, content)
        data.seek(0)
        return data

    workbook = archive({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
    letter = archive({"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"})
    spreadsheet = archive({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
    plain = archive({"notes.txt": "hello"})
    assert [sniff(file, "upload.bin").label for file in (workbook, letter, spreadsheet, plain)] == [
        "an Excel workbook",
        "a Word document",
        "an OpenDocument spreadsheet",
        "a ZIP archive",
    ]
    assert sniff(workbook, "upload.bin").is_tabular
