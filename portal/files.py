"""Reading files from elsewhere, one policy for every module: what a file is, how its text is encoded and laid
out, spreadsheets to CSV, and the limits on what it may turn into once read.

- What it is: `sniff` judges a file from its bytes (a program, a PDF, a workbook, a table, markup…), `program`
  and `is_markup` are the two refusals every upload shares.
- Its text: `detect_encoding` (BOM, a declaration checked against the bytes, UTF-8, else Windows-1256 for Arabic
  words and Windows-1252 for French), `decode` for bytes in memory, `detect_delimiter` and `detect_numbers`.
- Its size: an upload's size is bounded where it arrives; `check_archive`, `check_columns`, `check_cells` and
  `sheet_rows` bound what it turns into once read (a ZIP bomb, a sheet declaring millions of empty cells).

Each refusal is a `FileRefused` whose message can be shown to the person.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class FileRefused(ValueError):
    """The file can't be read as it is (it is not what it says, its encoding is wrong, or it would take more than
    the portal gives to read one file); the message says why, for the person who sent it."""


def check_archive(file: IO[bytes] | str) -> None:
    """Refuse a ZIP-based file whose members inflate past FILES_MAX_UNCOMPRESSED_SIZE, or past
    FILES_MAX_COMPRESSION_RATIO for a member of more than a megabyte (what ZIP bombs do; office files
    compress text about 5 to 20 times). A file-like object is read from and rewound.

    zipfile stops inflating a member at its declared size, so the declared sizes bound the work.
    """
    position = None if isinstance(file, str) else file.tell()
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return  # not an archive after all: the reader that follows says so
    finally:
        if position is not None and not isinstance(file, str):
            file.seek(position)
    total = sum(member.file_size for member in members)
    if total > settings.FILES_MAX_UNCOMPRESSED_SIZE:
        raise FileRefused(
            _("Once uncompressed, the file would take %(size)s MB, more than the %(limit)s MB allowed.")
            % {"size": total // 2**20, "limit": settings.FILES_MAX_UNCOMPRESSED_SIZE // 2**20}
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 2**20 and ratio > settings.FILES_MAX_COMPRESSION_RATIO:
            raise FileRefused(
                _("The file is compressed %(ratio)d times, more than a real document is: it is refused.")
                % {"ratio": ratio}
            )


# What people may attach to what they write (requests, proposals): documents, images and tables. Never programs,
# web pages or archives; office documents are ZIP files inside, and a ZIP archive that is not one is refused.
ATTACHMENT_KINDS = {"pdf", "image", "xlsx", "ods", "csv", "tsv", "text", "zip"}
OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
}


def check_attachment(name: str, data: bytes, limit: int) -> str:
    """Return the content type of an attachment, or refuse it: larger than `limit` bytes, a program, a web page
    or an SVG (which could run scripts where it is opened), an archive."""
    if len(data) > limit:
        raise FileRefused(_("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)})
    sniffed = sniff(io.BytesIO(data), name)
    allowed = sniffed.kind in ATTACHMENT_KINDS and (sniffed.kind != "zip" or sniffed.mimetype in OFFICE_TYPES)
    if sniffed.kind == "text" and sniffed.mimetype != "text/plain":
        allowed = False
    if not allowed:
        raise FileRefused(
            _("“%(name)s” is %(kind)s: attach PDF documents, images, office documents or tables.")
            % {"name": name, "kind": sniffed.label}
        )
    return sniffed.mimetype


def reencode_photo(name: str, data: bytes, *, max_size: int, max_pixels: int) -> tuple[bytes, str]:
    """Return the photo re-encoded without its metadata (location tags included), and its content type.

    Refused: more than `max_size` bytes, anything Pillow cannot read as an image, more than `max_pixels` pixels
    (a decompression bomb). Large photos are scaled to 2,560 pixels.
    """
    if len(data) > max_size:
        raise FileRefused(_("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(max_size)})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if probe.width * probe.height > max_pixels:
                raise FileRefused(_("“%(name)s” has too many pixels.") % {"name": name})
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened)
            image.thumbnail((2560, 2560))
            has_alpha = image.mode in ("RGBA", "LA", "P")
            out = io.BytesIO()
            if kind == "PNG" or (has_alpha and kind != "JPEG"):
                image.save(out, "PNG", optimize=True)
                return out.getvalue(), "image/png"
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            return out.getvalue(), "image/jpeg"
    except FileRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise FileRefused(_("“%(name)s” is not an image that can be read.") % {"name": name}) from None


def check_columns(count: int) -> None:
    if count > settings.FILES_MAX_COLUMNS:
        raise FileRefused(
            _("The table has %(count)d columns; at most %(limit)d are read.")
            % {"count": count, "limit": settings.FILES_MAX_COLUMNS}
        )


def check_cells(rows: int, columns: int) -> None:
    if rows * columns > settings.FILES_MAX_CELLS:
        raise FileRefused(
            _("The table has more than %(limit)d cells (rows × columns); split it into smaller files.")
            % {"limit": settings.FILES_MAX_CELLS}
        )


def sheet_rows(sheet) -> Iterator[tuple]:
    """Yield the rows of an openpyxl read-only `sheet` as the cells it holds, within the column and cell limits.

    The sheet's declared dimension is not trusted: read-only openpyxl pads every row to it, so a tiny file
    declaring A1:XFD400 would make 6.5 million empty cells. Rows are read as stored; the limits apply to them.
    """
    sheet.reset_dimensions()
    widest = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        while row and row[-1] is None:
            row = row[:-1]
        if len(row) > widest:
            widest = len(row)
            check_columns(widest)
        check_cells(number, widest)
        yield row


# An absolute path in a library's message: /tmp/ingest-x1/sheet.csv, C:\\media\\x.pdf.
ABSOLUTE_PATH = re.compile(r"(?:[A-Za-z]:)?[\\/](?:[^\s'\"\\/:]+[\\/])+([^\s'\"\\/:]*)")


def describe_error(error: BaseException) -> str:
    """Return what a reader library said about a file, without the server's paths (their file name stays)."""
    return ABSOLUTE_PATH.sub(r"\1", str(error))


# ---------------------------------------------------------------------------------------------------------------
# What a file is: judged from its bytes, never from its name or the type its uploader's browser claimed

TABULAR_KINDS = {"csv", "tsv", "xlsx", "ods"}
# What may be read as text (a table, JSON, XML, plain text), whatever the file is named.
TEXT_KINDS = {"csv", "tsv", "json", "text"}
TABULAR_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".ods": "ods"}


@dataclass(frozen=True)
class Sniffed:
    """What the content of a file is, whatever its name says."""

    kind: str  # csv, tsv, xlsx, ods, xls, pdf, zip, json, text, image, executable, binary, empty
    mimetype: str
    label: "str | StrPromise"  # for messages, in the language active when it is read: "a PDF document"

    @property
    def is_tabular(self) -> bool:
        return self.kind in TABULAR_KINDS


# Programs, by their first bytes: Linux and other Unix programs, macOS ones (Mach-O in both byte orders, universal
# binaries, also Java classes) and scripts run by an interpreter. Windows programs start "MZ", but so could a
# line of text (a name, a code): their header also holds NUL bytes, which text never does.
PROGRAMS = [
    (b"\x7fELF", "application/x-executable", "a program"),
    (b"\xfe\xed\xfa\xce", "application/x-mach-binary", "a program"),
    (b"\xfe\xed\xfa\xcf", "application/x-mach-binary", "a program"),
    (b"\xce\xfa\xed\xfe", "application/x-mach-binary", "a program"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary", "a program"),
    (b"\xca\xfe\xba\xbe", "application/x-mach-binary", "a program"),
    (b"#!", "text/x-shellscript", "a script"),
]
# How a web page, an SVG image or a script starts, once leading white space and a BOM are skipped.
MARKUP_STARTS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<iframe",
    b"<!--",
    b"<?php",
)


def program(head: bytes) -> tuple[str, str] | None:
    """Return (media type, label) when the first bytes of a file are a program's or a script's, else None."""
    if head.startswith(b"MZ") and b"\x00" in head[:64]:
        return "application/x-msdownload", "a Windows program"
    return next(((mimetype, label) for magic, mimetype, label in PROGRAMS if head.startswith(magic)), None)


# Text holds no control characters other than tab, line feed, form feed and carriage return: in its bytes (a
# single-byte or UTF-8 file) and, whatever its encoding, once decoded.
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def is_markup(head: bytes) -> bool:
    """Whether the first bytes of a file start a web page, an SVG image, an XML document or a script."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n\f").lower().startswith(MARKUP_STARTS)


ODF_MIME_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
OOXML_FOLDERS = {"docx": "word/", "xlsx": "xl/"}
# What an office document is, for people: (media type, label).
OFFICE_DOCUMENTS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", gettext_lazy("an Excel workbook")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        gettext_lazy("a Word document"),
    ),
    "odt": (ODF_MIME_TYPES["odt"], gettext_lazy("an OpenDocument text")),
    "ods": (ODF_MIME_TYPES["ods"], gettext_lazy("an OpenDocument spreadsheet")),
}


def office_kind(fileobj: IO[bytes]) -> str | None:
    """Return "docx", "xlsx", "odt" or "ods" for a ZIP archive laid out as one, else None; `fileobj` is rewound."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                # OpenDocument: the `mimetype` member holds the media type, and nothing else.
                with archive.open("mimetype") as member:
                    media_type = member.read(100).decode("ascii", "replace").strip()
                return next((kind for kind, odf in ODF_MIME_TYPES.items() if odf == media_type), None)
            if "[Content_Types].xml" in names:
                return next(
                    (kind for kind, folder in OOXML_FOLDERS.items() if any(n.startswith(folder) for n in names)),
                    None,
                )
            return None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError):
        # RuntimeError: a member is encrypted; NotImplementedError (a RuntimeError): unknown compression.
        return None
    finally:
        fileobj.seek(0)


MAGIC = [
    (b"%PDF", "pdf", "application/pdf", gettext_lazy("a PDF document")),
    (b"\xd0\xcf\x11\xe0", "xls", "application/vnd.ms-excel", gettext_lazy("an old Excel (97-2003) file")),
    (b"\x1f\x8b", "binary", "application/gzip", gettext_lazy("a gzip archive")),
    (b"\x89PNG", "image", "image/png", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", "image", "image/jpeg", gettext_lazy("a JPEG image")),
    (b"GIF8", "image", "image/gif", gettext_lazy("a GIF image")),
    (b"Rar!", "binary", "application/vnd.rar", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf", "binary", "application/x-7z-compressed", gettext_lazy("a 7-Zip archive")),
]


def sniff(file, filename: str, declared_format: str = "") -> Sniffed:
    """Return what `file` (a seekable binary file) holds, judged from its bytes; the name only tells text kinds apart.

    The file's position is restored.
    """
    position = file.tell()
    file.seek(0)
    head = file.read(8192)
    file.seek(position)
    extension = PurePath(filename).suffix.lower()
    if not head:
        return Sniffed("empty", "application/octet-stream", _("an empty file"))
    if found := program(head):
        return Sniffed("executable", *found)
    for magic, kind, mimetype, label in MAGIC:
        if head.startswith(magic):
            return Sniffed(kind, mimetype, label)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            office = office_kind(file)
        finally:
            file.seek(position)
        if office is None:
            return Sniffed("zip", "application/zip", _("a ZIP archive"))
        # Of the office documents, only workbooks are tables; the others are files of the kind "zip".
        return Sniffed(office if office in ("xlsx", "ods") else "zip", *OFFICE_DOCUMENTS[office])
    is_utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not is_utf16:
        return Sniffed("binary", "application/octet-stream", _("a binary file"))
    text_start = head.lstrip(codecs.BOM_UTF8).lstrip()
    if extension in (".tsv", ".tab") or (not extension and declared_format == "TSV"):
        return Sniffed("tsv", "text/tab-separated-values", _("a TSV table"))
    if extension == ".csv" or (extension not in (".json", ".geojson", ".txt", ".xml") and declared_format == "CSV"):
        return Sniffed("csv", "text/csv", _("a CSV table"))
    if extension in (".json", ".geojson") or text_start[:1] in (b"{", b"["):
        return Sniffed("json", "application/json", _("a JSON file"))
    if text_start.startswith(b"<"):
        return Sniffed("text", "application/xml", _("an XML or HTML file"))
    return Sniffed("text", "text/plain", _("a text file"))


def mismatch(sniffed: Sniffed, filename: str) -> str | None:
    """Return a message when the file's name says it is a table and its content says otherwise."""
    expected = TABULAR_EXTENSIONS.get(PurePath(filename).suffix.lower())
    if expected is None or sniffed.kind == expected or {sniffed.kind, expected} == {"csv", "tsv"}:
        return None
    if sniffed.kind == "empty":
        return _("The file “%(name)s” is empty.") % {"name": PurePath(filename).name}
    return _("The file is named “%(name)s” but it is %(kind)s, not %(expected)s.") % {
        "name": PurePath(filename).name,
        "kind": sniffed.label,
        "expected": _kind_label(expected),
    }


def _kind_label(kind: str) -> str:
    return {
        "csv": _("a CSV table"),
        "tsv": _("a TSV table"),
        "xlsx": _("an Excel (XLSX) workbook"),
        "ods": _("an OpenDocument spreadsheet"),
    }[kind]


# ---------------------------------------------------------------------------------------------------------------
# Text files: encoding, delimiter, decimal and thousands separators

SAMPLE_BYTES = 1 << 20  # what dialect detection reads of a file
DELIMITERS = [",", ";", "\t", "|"]
SINGLE_BYTE = {"cp1256", "windows-1256", "cp1252", "windows-1252", "latin-1", "latin1", "iso-8859-1"}
# How an encoding is named for people, by its Python codec name.
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "cp1256": gettext_lazy("Windows-1256 (Arabic)"),
    "cp1252": gettext_lazy("Windows-1252 (French)"),
    "latin-1": "Latin-1",
    "iso8859-1": "Latin-1",
}
# The IANA name of a codec (HTTP charsets, Data Package `encoding`, reports).
IANA_NAMES = {"utf-8-sig": "utf-8", "utf-16": "utf-16", "cp1256": "windows-1256", "cp1252": "windows-1252"}
IANA_NAMES |= {"latin-1": "iso-8859-1"}


def iana_name(codec: str) -> str:
    """The IANA name of a Python codec name: "cp1256" → "windows-1256", "iso8859-6" → "iso-8859-6"."""
    return IANA_NAMES.get(codec, codec.replace("iso8859", "iso-8859"))


ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u00ff]")
WORD = re.compile(r"\w+")
DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
DECIMAL_DOT = re.compile(r"^[+-]?\d+\.\d+$")
GROUPED_COMMA_DECIMAL = re.compile(r"^[+-]?\d{1,3}([. \u00a0\u202f]\d{3})+(,\d+)?$")
GROUPED_DOT_DECIMAL = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
DAY_FIRST_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")

# Money as councils write it: a sign or code before or after the number ("4 500 000 €", "1 250 DA",
# "MAD 300", "د.ج 1200"), negatives in parentheses ("(1 200,00)"), and a dash for zero in accounting layouts.
# Keys are lower case; "" is a sign that names no single currency (a dinar is Algerian or Tunisian).
CURRENCY_SIGNS = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "da": "DZD", "dzd": "DZD", "د.ج": "DZD", "دج": "DZD", "د ج": "DZD",
    "mad": "MAD", "dh": "MAD", "dhs": "MAD", "د.م": "MAD", "د.م.": "MAD", "درهم": "MAD",
    "tnd": "TND", "dt": "TND", "د.ت": "TND",
    "$": "USD", "usd": "USD", "us$": "USD",
    "fcfa": "XOF", "cfa": "XOF", "xof": "XOF",
    "دينار": "", "dinar": "", "dinars": "",
}  # fmt: skip
ACCOUNTING_ZERO = frozenset({"-", "–", "—"})
AMOUNT = re.compile(
    r"^(?P<before>[^\d\s+\-.,()][^\d+\-()]*?)?\s*(?P<open>\()?\s*"
    r"(?P<number>[+-]?[\d.,'\s\u00a0\u202f]*\d)\s*(?P<close>\))?\s*(?P<after>[^\d()]*?)$"
)


def split_amount(cell: str) -> tuple[str, str | None] | None:
    """Return (number, currency) of a money cell, or None when it is not one.

    `number` is the digits with their separators and sign ("-1 200,00" for "(1 200,00) DA"); `currency`
    is the ISO 4217 code its sign names, "" for a sign that names none, None when there is no sign. A
    dash alone is zero.
    """
    text = cell.strip()
    if text in ACCOUNTING_ZERO:
        return "0", None
    match = AMOUNT.match(text)
    if not match or bool(match["open"]) != bool(match["close"]):
        return None
    before, after = (match["before"] or "").strip().lower(), (match["after"] or "").strip().lower()
    if before and after:
        return None
    sign = before or after
    if sign and sign.rstrip(".") not in CURRENCY_SIGNS and sign not in CURRENCY_SIGNS:
        return None
    currency = CURRENCY_SIGNS.get(sign, CURRENCY_SIGNS.get(sign.rstrip("."))) if sign else None
    number = match["number"].strip()
    if match["open"]:
        number = number if number.startswith("-") else f"-{number.lstrip('+')}"
    return number, currency


def detect_encoding(path: Path, declared: str = "") -> str:
    """Return the Python codec of the file at `path`: its BOM, the declared one (checked), UTF-8, or a guess.

    A file without BOM that decodes as UTF-8 from end to end is UTF-8; otherwise it is Windows-1256 when
    its words read as Arabic, else Windows-1252 (Latin-1 when that fails). Windows-1256 keeps French
    lower-case accents where Latin-1 has them, so only Arabic words tell the two apart.
    Raises FileRefused when the declared encoding can't read the file.
    """
    with open(path, "rb") as file:
        head = file.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        bom = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        bom = "utf-16"
    else:
        bom = ""
    declared = _codec_name(declared) if declared else ""
    if declared:
        if bom and not declared.startswith(bom[:5]):
            raise FileRefused(
                _("The encoding was declared as %(declared)s but the file starts with a %(bom)s byte-order mark.")
                % {"declared": encoding_label(declared), "bom": encoding_label(bom)}
            )
        failure = decode_failure(path, declared)
        if failure:
            raise FileRefused(
                _(
                    "The file cannot be read as %(declared)s, the declared encoding: %(failure)s. "
                    "It looks like %(guess)s; correct or remove the declaration."
                )
                % {
                    "declared": encoding_label(declared),
                    "failure": failure,
                    "guess": encoding_label(detect_encoding(path)),
                }
            )
        if declared in SINGLE_BYTE and not head.isascii() and not decode_failure(path, "utf-8"):
            raise FileRefused(
                _(
                    "The encoding was declared as %(declared)s but the file is in UTF-8: "
                    "its accented or Arabic letters would come out garbled. Correct or remove the declaration."
                )
                % {"declared": encoding_label(declared)}
            )
        return "utf-8-sig" if declared == "utf-8" and bom else declared
    if bom:
        return bom
    if not decode_failure(path, "utf-8"):
        return "utf-8"
    if reads_as_arabic(head):
        return "cp1256"
    return "cp1252" if not decode_failure(path, "cp1252") else "latin-1"


def reads_as_arabic(data: bytes) -> bool:
    """Whether single-byte text reads as Arabic words in Windows-1256 (rather than as French in Windows-1252)."""
    arabic = mixed = 0
    for word in WORD.findall(data.decode("cp1256", errors="replace")):
        has_arabic = bool(ARABIC_LETTER.search(word))
        if has_arabic and LATIN_LETTER.search(word):
            mixed += 1
        elif has_arabic and len(word) > 1:
            arabic += 1
    return arabic > mixed


def decode(data: bytes, *, final: bool = True) -> tuple[str, str]:
    """Return `data` as text, and the codec it was read with, by the rules of `detect_encoding` (without a
    declaration): a BOM, else UTF-8, else Windows-1256 for Arabic, Windows-1252 (or Latin-1) for the rest.

    Pass `final=False` when `data` is only the start of a file: a character cut at its end is then no error.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return codecs.getincrementaldecoder("utf-16")(errors="replace").decode(data, final=final), "utf-16"
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=final), "utf-8"
    except UnicodeDecodeError:
        pass
    if reads_as_arabic(data):
        return data.decode("cp1256"), "cp1256"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _codec_name(name: str) -> str:
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        raise FileRefused(_("“%(name)s” is not an encoding this portal knows.") % {"name": name}) from None
    return {"iso8859-1": "latin-1", "utf-8-sig": "utf-8"}.get(codec, codec)


def encoding_label(name: str) -> str:
    """How the encoding `name` (a codec or IANA name: "cp1256", "windows-1256") is named for people."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return name
    return str(ENCODING_NAMES.get(codec, ENCODING_NAMES.get(name, name)))


def decode_failure(path: Path, encoding: str) -> str:
    """Return where `path` stops decoding as `encoding` ("" when it decodes), reading it in blocks."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = line = 0
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                at = offset + max(error.start, 0)
                line += block.count(b"\n", 0, max(error.start, 0))
                return _("byte 0x%(byte)02x on line %(line)d (byte %(offset)d)") % {
                    "byte": block[max(error.start, 0)],
                    "line": line + 1,
                    "offset": at,
                }
            offset += len(block)
            line += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _("the file ends in the middle of a character")
    return ""


def sample_text(path: Path, encoding: str) -> str:
    with open(path, "rb") as file:
        head = file.read(SAMPLE_BYTES)
        complete = not file.read(1)
    text = head.decode(encoding, errors="replace")
    if not complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # drop a cut last line
    return text


def detect_delimiter(text: str) -> str:
    """Return the delimiter among , ; tab | that splits the sample's records into the most, equally wide, columns."""
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        widths = [len(row) for row in records(text, delimiter, 200) if row]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = (widths.count(common) / len(widths), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$")
YEAR = re.compile(r"^(19|20)\d{2}$")


def _is_value(cell: str) -> bool:
    """Whether a cell reads as a number, an amount or a date: what a column name seldom is."""
    cell = cell.strip()
    return bool(cell) and (split_amount(cell) is not None or bool(ISO_DATE.match(cell) or DAY_FIRST_DATE.match(cell)))


def header_is_data(first: list[str], rows: list[list[str]]) -> bool:
    """Whether the first record of a table is data rather than column names.

    It is when every column whose cells below are numbers or dates (nine in ten at least) has a number or
    a date in the first record too. Years over columns of amounts ("poste;2023;2024") are names; an
    all-text table cannot tell and is taken to have a header.
    """
    typed = []
    for position, label in enumerate(first):
        values = [row[position] for row in rows if position < len(row) and row[position].strip()]
        if values and sum(map(_is_value, values)) >= 0.9 * len(values):
            typed.append((label.strip(), values))
    if not typed or not all(_is_value(label) for label, _values in typed):
        return False
    years = all(YEAR.match(label) for label, _values in typed)
    return not (years and not all(YEAR.match(value.strip()) for _label, values in typed for value in values))


def detect_numbers(rows: list[list[str]]) -> tuple[str, str]:
    """Return (decimal separator, thousands separator or "") judged from the number-looking cells of `rows`."""
    comma = dot = grouped_comma = grouped_dot = 0
    groups: set[str] = set()
    for row in rows:
        for cell in row:
            amount = split_amount(cell)
            if amount is None:
                continue
            cell = amount[0].lstrip("-")
            if DECIMAL_COMMA.match(cell):
                comma += 1
            elif DECIMAL_DOT.match(cell):
                dot += 1
            elif GROUPED_COMMA_DECIMAL.match(cell):
                grouped_comma += 1
                groups.add(next(char for char in cell if char in ". \u00a0\u202f"))
            elif GROUPED_DOT_DECIMAL.match(cell):
                grouped_dot += 1
    if grouped_comma or (comma and not dot and not grouped_dot):
        return ",", (sorted(groups)[0] if len(groups) == 1 else "")
    if grouped_dot:
        return ".", ","
    return ".", ""


# ---------------------------------------------------------------------------------------------------------------
# Spreadsheets: the first sheet, streamed to a UTF-8 CSV


def xlsx_to_csv(path: Path, target: Path) -> dict:
    """Write the first sheet of the workbook at `path` to `target` as UTF-8 CSV, row by row; return
    {"sheet", "other_sheets", "merged"}. Merged cells take the value of their top-left cell.

    openpyxl's read-only mode streams rows but does not know merged ranges, so they are read first from
    the sheet's XML with iterparse (also streamed). Raises FileRefused when the file is not a workbook.
    """
    from openpyxl import load_workbook

    check_archive(str(path))  # whoever calls: an upload, a command, a harvest
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken or foreign file
        raise FileRefused(
            _("The file is not a readable Excel (XLSX) workbook: %(error)s.") % {"error": describe_error(error)}
        ) from None
    try:
        if not workbook.sheetnames:
            raise FileRefused(_("The workbook has no sheets."))
        sheet = workbook.worksheets[0]
        merged = _merged_ranges(path, sheet)
        pending: dict[tuple[int, int], object] = {}
        with open(target, "w", encoding="utf-8", newline="") as output:
            writer = csv.writer(output, lineterminator="\n")
            for row_number, row in enumerate(sheet_rows(sheet), start=1):
                values = list(row)
                for min_col, min_row, max_col, max_row in merged:
                    if min_row == row_number and min_col - 1 < len(values):
                        for r in range(min_row, max_row + 1):
                            for c in range(min_col, max_col + 1):
                                if (r, c) != (min_row, min_col):
                                    pending[r, c] = values[min_col - 1]
                for (r, c), value in [item for item in pending.items() if item[0][0] == row_number]:
                    values.extend([None] * (c - len(values)))
                    values[c - 1] = value
                    del pending[r, c]
                writer.writerow([_cell_text(value) for value in values])
        return {
            "sheet": sheet.title,
            "other_sheets": workbook.sheetnames[1:],
            "merged": [_range_name(*bounds) for bounds in merged],
        }
    finally:
        workbook.close()


def _merged_ranges(path: Path, sheet) -> list[tuple[int, int, int, int]]:
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    ranges = []
    with zipfile.ZipFile(path) as archive:
        member = sheet._worksheet_path if hasattr(sheet, "_worksheet_path") else None
        member = member.lstrip("/") if member else "xl/worksheets/sheet1.xml"
        with archive.open(member) as xml:
            for _event, element in iterparse(xml):
                if element.tag.endswith("}mergeCell"):
                    ranges.append(range_boundaries(element.get("ref")))
                elif element.tag.endswith("}row"):
                    element.clear()
    return sorted(ranges, key=lambda bounds: (bounds[1], bounds[0]))


def _range_name(min_col, min_row, max_col, max_row) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"


def _cell_text(value) -> str:
    """Canonical text of a spreadsheet cell; floats by their shortest exact repr, so 0.1 stays "0.1"."""
    from datetime import datetime, time

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODF_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def ods_to_csv(path: Path, target: Path) -> dict:
    """Write the first sheet of the OpenDocument spreadsheet at `path` to `target` as UTF-8 CSV; return
    {"sheet", "other_sheets", "merged"}, as `xlsx_to_csv` does. Merged cells take the value of their first.

    content.xml is streamed with iterparse. ODS repeats rows and cells by count ("number-rows-repeated"),
    and applications pad a sheet with a million empty rows that way: empty repeats are only counted, and
    the column and cell limits apply to what is written. Raises FileRefused when the file is no spreadsheet.
    """
    from defusedxml.ElementTree import iterparse

    check_archive(str(path))
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as xml:
            return _write_first_sheet(iterparse(xml, events=("start", "end")), target)
    except (KeyError, zipfile.BadZipFile, SyntaxError) as error:  # SyntaxError: ParseError and defusedxml's
        raise FileRefused(
            _("The file is not a readable OpenDocument spreadsheet (ODS): %(error)s.")
            % {"error": describe_error(error)}
        ) from None


def _write_first_sheet(events, target: Path) -> dict:
    sheets: list[str] = []
    merged: list[tuple[int, int, int, int]] = []
    covered: dict[tuple[int, int], str] = {}  # (row, column) of a merged range → its first cell's text
    written = widest = blank = 0
    with open(target, "w", encoding="utf-8", newline="") as output:
        writer = csv.writer(output, lineterminator="\n")
        for event, element in events:
            if event == "start":
                if element.tag == f"{ODF_TABLE}table":
                    sheets.append(element.get(f"{ODF_TABLE}name", ""))
                continue
            if element.tag != f"{ODF_TABLE}table-row":
                continue
            repeat = int(element.get(f"{ODF_TABLE}number-rows-repeated", "1"))
            if len(sheets) != 1:
                element.clear()
                continue
            row_number = written + blank + 1
            values = _ods_row(element, row_number, merged, covered)
            element.clear()
            for column, value in [(c, v) for (r, c), v in covered.items() if r == row_number]:
                values.extend([""] * (column - len(values)))
                values[column - 1] = value
                del covered[row_number, column]
            if not any(values):
                blank += repeat  # written only when a row with cells follows
                continue
            widest = max(widest, len(values))
            check_columns(widest)
            check_cells(written + blank + repeat, widest)
            writer.writerows([[]] * blank + [values] * repeat)
            written, blank = written + blank + repeat, 0
    if not sheets:
        raise FileRefused(_("The workbook has no sheets."))
    return {"sheet": sheets[0], "other_sheets": sheets[1:], "merged": [_range_name(*bounds) for bounds in merged]}


def _ods_row(row, row_number: int, merged: list, covered: dict) -> list[str]:
    """The texts of an ODS row's cells, repeats expanded and trailing empty cells dropped."""
    values: list[str] = []
    empty = 0  # empty cells not yet written: only those before a cell with text are
    for cell in row:
        repeat = int(cell.get(f"{ODF_TABLE}number-columns-repeated", "1"))
        text = _ods_value(cell) if cell.tag == f"{ODF_TABLE}table-cell" else ""
        if not text:
            empty += repeat
            continue
        check_columns(len(values) + empty + repeat)
        values.extend([""] * empty)
        empty = 0
        across = int(cell.get(f"{ODF_TABLE}number-columns-spanned", "1"))
        down = int(cell.get(f"{ODF_TABLE}number-rows-spanned", "1"))
        for _copy in range(repeat):
            column = len(values) + 1
            values.append(text)
            if across > 1 or down > 1:
                check_cells(down, across)
                merged.append((column, row_number, column + across - 1, row_number + down - 1))
                for r in range(row_number, row_number + down):
                    for c in range(column, column + across):
                        if (r, c) != (row_number, column):
                            covered[r, c] = text
    return values


def _ods_value(cell) -> str:
    """A cell's value as text: numbers as stored ("1234.5", not as displayed), ISO dates, else its paragraphs."""
    kind = cell.get(f"{ODF_OFFICE}value-type")
    if kind in ("float", "percentage", "currency"):
        return cell.get(f"{ODF_OFFICE}value", "")
    if kind == "date":
        value = cell.get(f"{ODF_OFFICE}date-value", "")
        return value[:10] if value.endswith("T00:00:00") else value
    if kind == "boolean":
        return cell.get(f"{ODF_OFFICE}boolean-value", "")
    if kind == "time":
        match = re.fullmatch(r"PT(\d+)H(\d+)M(\d+)(?:\.\d+)?S", cell.get(f"{ODF_OFFICE}time-value", ""))
        return ":".join(part.zfill(2) for part in match.groups()) if match else ""
    return "\n".join("".join(paragraph.itertext()) for paragraph in cell.iter(f"{ODF_TEXT}p"))


@contextmanager
def table_records(path: Path, name: str, folder: Path) -> Iterator[tuple[Iterator[tuple[int, list[str]]], str]]:
    """The records of a table people send, each with the line it starts on, and its encoding (IANA name).

    CSV or TSV in any encoding `detect_encoding` reads, with the delimiter it uses; XLSX and ODS workbooks are
    converted to CSV in `folder` first. Anything else, a record that is not valid CSV or a line not in the file's
    encoding raises FileRefused (naming the line). Empty records are skipped.
    """
    with path.open("rb") as handle:
        sniffed = sniff(handle, name)
    if sniffed.kind in ("xlsx", "ods"):
        converted = folder / "sheet.csv"
        (xlsx_to_csv if sniffed.kind == "xlsx" else ods_to_csv)(path, converted)
        path, codec = converted, "utf-8"
    elif sniffed.kind in ("csv", "tsv", "text"):
        codec = detect_encoding(path)
    else:
        raise FileRefused(_("This is %(kind)s, not a table: give a CSV, XLSX or ODS file.") % {"kind": sniffed.label})
    with path.open(encoding=codec, newline="", errors="strict") as text:
        sample = text.read(SAMPLE_BYTES)
        text.seek(0)
        delimiter = "\t" if sniffed.kind == "tsv" else detect_delimiter(sample[: sample.rfind("\n") + 1] or sample)
        yield numbered_records(csv.reader(text, delimiter=delimiter)), iana_name(codec)


def numbered_records(reader) -> Iterator[tuple[int, list[str]]]:
    """The non-empty records of a CSV `reader`, each with the line of the file it starts on."""
    line = 1
    try:
        for record in reader:
            if "".join(record).strip():  # a cell that is more than spaces
                yield line, record
            line = reader.line_num + 1
    except csv.Error as error:
        raise FileRefused(_("Line %(line)s is not valid CSV: %(error)s.") % {"line": line, "error": error}) from None
    except UnicodeDecodeError:
        raise FileRefused(
            _("Line %(line)s cannot be read in the file's encoding: save the file as UTF-8.") % {"line": line}
        ) from None
