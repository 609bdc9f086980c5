"""Council documents: upload limits and checks, and text extraction for search.

An upload is refused when it is too large, has an extension outside WAGTAILDOCS_EXTENSIONS (Wagtail's own
`AbstractDocument.clean` refuses those), carries a program, a web page, a script or macros, or when its
content is not what its extension says. An accepted document gets its text extracted after the upload
(`cms.tasks.extract_document_text`), so that the search finds it by what it says.
"""

import logging
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO
from xml.etree import ElementTree

import docx
import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from docx.oxml.ns import qn
from pypdf import PdfReader
from wagtail.documents.forms import BaseDocumentForm

from portal.files import (
    CONTROL_BYTES,
    FileRefused,
    check_archive,
    decode,
    describe_error,
    is_markup,
    office_kind,
    program,
    sheet_rows,
)

logger = logging.getLogger(__name__)

# Magic numbers and the start of a web page fit in the first few kilobytes.
HEAD_SIZE = 8 * 1024
# How much of a CSV file is checked to be text: enough to judge its encoding, not the whole file.
TEXT_SAMPLE_SIZE = 64 * 1024
# Stored in extracted_text and indexed: about 150 pages of dense text. The database search backend keeps a
# document's words in one PostgreSQL tsvector, limited to 1 MB; measured on PostgreSQL 15, text made only of
# distinct Arabic words takes 2.9 bytes of tsvector per character (distinct Latin ones 1.9), so 300,000
# characters fit whatever the text (ordinary text, whose words repeat, takes far less).
MAX_EXTRACTED_CHARACTERS = 300_000
# A spreadsheet is read up to this many rows (all sheets together); beyond, it is data rather than text.
MAX_SPREADSHEET_ROWS = 100_000
# extraction_error is a CharField(max_length=255).
MAX_ERROR_LENGTH = 255

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
# Tags that no CSV file of a council holds anywhere in its first kilobytes.
MARKUP_TAGS = (b"<html", b"<script", b"<svg", b"<iframe", b"<body", b"<!doctype html")
# Unicode's control characters (category Cc) but tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class TextExtractionError(Exception):
    """The text of a document could not be read; the message says why, for extraction_error."""


# Checking uploads


def read_head(fileobj: IO[bytes], size: int = HEAD_SIZE) -> bytes:
    """Return the first `size` bytes of `fileobj`, leaving it at its start."""
    fileobj.seek(0)
    try:
        return fileobj.read(size)
    finally:
        fileobj.seek(0)


def find_active_content(fileobj: IO[bytes]) -> str | None:
    """Return what makes `fileobj` unsafe to publish ("program", "markup" or "macros"), or None.

    Looks at the first bytes for programs (Windows, Linux, macOS executables, scripts) and for the start
    of a web page, an SVG image or an XML document, and in ZIP archives for Office macros.
    """
    head = read_head(fileobj)
    if program(head):
        return "program"
    if is_markup(head):
        return "markup"
    if head.startswith(ZIP_MAGIC) and any(name.lower().endswith("vbaproject.bin") for name in _zip_names(fileobj)):
        return "macros"
    return None


def detect_document_type(fileobj: IO[bytes], extension: str) -> str | None:
    """Return the type of document that the content of `fileobj` is ("pdf", "docx", "xlsx", "odt", "ods", "csv").

    Return None when the content is none of these, or is a program, a web page, a script or has macros.
    Any text passes for CSV, so "csv" is returned only when `extension` says CSV and the start of the file
    is UTF-8 or Windows-1256 text. Reads the first bytes, and the directory of a ZIP archive; leaves
    `fileobj` at its start.
    """
    if find_active_content(fileobj) is not None:
        return None
    head = read_head(fileobj)
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return office_kind(fileobj)
    if extension.lower() == "csv" and _is_csv_text(fileobj):
        return "csv"
    return None


def _zip_names(fileobj: IO[bytes]) -> list[str]:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return []
    finally:
        fileobj.seek(0)


def _is_csv_text(fileobj: IO[bytes]) -> bool:
    """Whether the start of `fileobj` is text (any encoding portal.files reads) without markup."""
    sample = read_head(fileobj, TEXT_SAMPLE_SIZE)
    return not CONTROL_BYTES.search(sample) and not any(tag in sample.lower() for tag in MARKUP_TAGS)


def allowed_extensions() -> list[str]:
    return [extension.lower() for extension in getattr(settings, "WAGTAILDOCS_EXTENSIONS", None) or []]


def check_document_content(file: File) -> None:
    """Raise ValidationError when `file` carries active content or is not the document its extension says.

    Files whose extension is not allowed are left to Wagtail's `AbstractDocument.clean`, which refuses
    them with the list of allowed extensions.
    """
    extension = os.path.splitext(file.name or "")[1][1:].lower()
    if extension not in allowed_extensions():
        return
    if find_active_content(file) is not None:
        raise ValidationError(
            _("This file is refused: it contains a program, macros, a web page or a script."),
            code="active_content",
        )
    if detect_document_type(file, extension) != extension:
        raise ValidationError(
            _("This file is not a valid %(format)s document: its content does not match its extension."),
            code="content_mismatch",
            params={"format": extension.upper()},
        )


class CouncilDocumentForm(BaseDocumentForm):
    """Wagtail's document form, with the portal's size limit and a check of what the file really holds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self._limit_file_size(settings.DOCUMENT_MAX_UPLOAD_SIZE)

    def _limit_file_size(self, limit: int) -> None:
        # Wagtail's field checks the size against WAGTAILDOCS_MAX_UPLOAD_SIZE, and its multiple uploader reads
        # the field's limit to refuse large files in the browser before sending them. Giving the field our
        # limit keeps one check on both sides. Wagtail formats "file_too_large" when it refuses a file.
        field = self.fields["file"]
        limit_text = filesizeformat(limit)
        field.max_upload_size = limit
        field.max_upload_size_text = limit_text
        field.help_text = _("Maximum size: %(max_filesize)s. Formats: %(extensions)s.") % {
            "max_filesize": limit_text,
            "extensions": ", ".join(extension.upper() for extension in allowed_extensions()),
        }
        field.error_messages["file_too_large"] = _(
            "This file is too large (%(file_size)s): the limit is %(max_filesize)s."
        )
        field.error_messages["file_too_large_unknown_size"] = _(
            "This file is too large: the limit is %(max_filesize)s."
        ) % {"max_filesize": limit_text}

    def clean_file(self):
        file = self.cleaned_data["file"]
        # A stored file (an edit that keeps it) was checked when it came in.
        if isinstance(file, UploadedFile):
            check_document_content(file)
        return file


# Extracting text


def extract_text(document) -> str:
    """Return the text of `document`'s file for search: whitespace normalised, at most MAX_EXTRACTED_CHARACTERS.

    Raise TextExtractionError saying why when the file cannot be read (damaged, protected by a password,
    too large once uncompressed, of a type without extraction). A scanned PDF has no text: it gives "".
    """
    extension = document.file_extension.lower()
    extractor = EXTRACTORS.get(extension)
    if extractor is None:
        raise TextExtractionError(f"no text extraction for .{extension} files")
    with document.open_file() as fileobj:
        try:
            # Normalising shrinks white space: read somewhat more than is kept.
            text = _take(extractor(fileobj), 2 * MAX_EXTRACTED_CHARACTERS)
        except TextExtractionError:
            raise
        except Exception as error:
            # Parsers of damaged or hostile files fail in many ways (their own errors, KeyError, RecursionError…).
            raise TextExtractionError(
                f"unreadable {extension.upper()} ({type(error).__name__}: {describe_error(error)})"
            ) from error
    return normalise_text(text)[:MAX_EXTRACTED_CHARACTERS]


def update_extracted_text(document) -> None:
    """Extract the text of `document` and store it, or the reason it could not be read, for search."""
    try:
        text, error = extract_text(document), ""
    except TextExtractionError as failure:
        logger.warning("Text of document %s not extracted: %s", document.pk, failure)
        text, error = "", str(failure)[:MAX_ERROR_LENGTH]
    has_actions = None
    if document.file_extension.lower() == "pdf":
        if not text and not error:
            error = "no text found: a scanned PDF needs OCR"
        has_actions = pdf_has_actions(document)
    document.store_extracted_text(text, error, has_actions)


# PDF keys that make a viewer run something: scripts, launches, form submissions, triggered actions.
PDF_ACTION_KEYS = frozenset({"/JS", "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMedia", "/AA"})
# Objects visited at most while looking for actions; a PDF past it counts as holding some.
MAX_PDF_OBJECTS = 200_000


def pdf_has_actions(document) -> bool:
    """Return whether the PDF holds JavaScript or other actions anywhere reachable from its catalogue.

    An /OpenAction that only opens a page is harmless; one that is an action dictionary counts. A file that
    cannot be read, or is too large to walk, counts as holding actions: it is then served as a download.
    """
    try:
        with document.open_file() as fileobj:
            reader = PdfReader(fileobj)
            if reader.is_encrypted and not reader.decrypt(""):
                return True
            return _holds_actions(reader.trailer["/Root"])
    except Exception:  # damaged or hostile files fail in many ways; a download is the safe answer
        logger.warning("Document %s could not be checked for PDF actions", document.pk, exc_info=True)
        return True


def _holds_actions(root) -> bool:
    pending, seen = [root], set()
    while pending:
        item = pending.pop()
        item = item.get_object() if hasattr(item, "get_object") else item
        reference = getattr(item, "indirect_reference", None)
        key = (reference.idnum, reference.generation) if reference is not None else id(item)
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > MAX_PDF_OBJECTS:
            return True
        if isinstance(item, dict):
            if PDF_ACTION_KEYS & set(item.keys()):
                return True
            if isinstance(item.get("/OpenAction"), dict):
                return True
            pending.extend(value for name, value in item.items() if name not in ("/Parent", "/P"))
        elif isinstance(item, list):
            pending.extend(item)
    return False


def normalise_text(text: str) -> str:
    """Return `text` in NFKC form without control characters, one space between words, no blank lines.

    NFKC turns the Arabic presentation forms that PDFs often hold into ordinary letters, so that they match
    what people type. PostgreSQL refuses NUL characters in text.
    """
    text = CONTROL_CHARACTERS.sub(" ", unicodedata.normalize("NFKC", text))
    text = re.sub(r"[^\S\n]+", " ", text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _take(chunks: Iterable[str], limit: int) -> str:
    """Return the chunks joined, stopping once `limit` characters are read (so the rest is never parsed)."""
    parts, length = [], 0
    for chunk in chunks:
        parts.append(chunk)
        length += len(chunk)
        if length >= limit:
            break
    return "".join(parts)


def _pdf_text(fileobj: IO[bytes]) -> Iterator[str]:
    reader = PdfReader(fileobj)
    if reader.is_encrypted and not reader.decrypt(""):
        # Many PDFs are encrypted only against changes, with an empty password for reading.
        raise TextExtractionError("the PDF is protected by a password")
    for page in reader.pages:
        yield page.extract_text()
        yield "\n"


def _check_uncompressed_size(fileobj: IO[bytes]) -> None:
    try:
        check_archive(fileobj)
    except FileRefused as refusal:
        raise TextExtractionError(str(refusal)) from None


def _docx_text(fileobj: IO[bytes]) -> Iterator[str]:
    _check_uncompressed_size(fileobj)
    document = docx.Document(fileobj)
    # Every paragraph of the body in order, those in tables included.
    for paragraph in document.element.body.iter(qn("w:p")):
        yield paragraph.text
        yield "\n"


def _xlsx_text(fileobj: IO[bytes]) -> Iterator[str]:
    _check_uncompressed_size(fileobj)
    workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    try:
        rows = 0
        for sheet in workbook.worksheets:
            yield f"{sheet.title}\n"
            for row in sheet_rows(sheet):
                rows += 1
                if rows > MAX_SPREADSHEET_ROWS:
                    return
                yield "\t".join(str(value) for value in row if value is not None)
                yield "\n"
    finally:
        workbook.close()


ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
ODF_PARAGRAPHS = {f"{ODF_TEXT}p", f"{ODF_TEXT}h"}
# Elements that stand for white space inside a paragraph.
ODF_SPACES = {f"{ODF_TEXT}s", f"{ODF_TEXT}tab", f"{ODF_TEXT}line-break"}


def _odf_text(fileobj: IO[bytes]) -> Iterator[str]:
    _check_uncompressed_size(fileobj)
    with zipfile.ZipFile(fileobj) as archive, archive.open("content.xml") as content:
        # Streamed, so that a large spreadsheet is not held in memory as one tree. The expat parser that
        # ElementTree uses (2.4.1 and later) refuses entity expansion attacks, and nothing external is loaded:
        # what defusedxml adds is not needed here.
        for _event, element in ElementTree.iterparse(content):  # noqa: S314
            if element.tag in ODF_PARAGRAPHS:
                yield "".join(_odf_paragraph_text(element))
                yield "\n"
                element.clear()


def _odf_paragraph_text(element: ElementTree.Element) -> Iterator[str]:
    if element.tag in ODF_SPACES:
        yield " "
    yield element.text or ""
    for child in element:
        yield from _odf_paragraph_text(child)
        yield child.tail or ""


def _csv_text(fileobj: IO[bytes]) -> Iterator[str]:
    # A character takes at most four bytes in UTF-8: this is enough for the characters kept.
    data = fileobj.read(4 * MAX_EXTRACTED_CHARACTERS)
    yield decode(data, final=not fileobj.read(1))[0]


EXTRACTORS: dict[str, Callable[[IO[bytes]], Iterator[str]]] = {
    "pdf": _pdf_text,
    "docx": _docx_text,
    "xlsx": _xlsx_text,
    "odt": _odf_text,
    "ods": _odf_text,
    "csv": _csv_text,
}
