"""What the public sees of a case: the requester's identity taken out of published text and attachments.

The identity-card number is stored as a Fernet token (`encrypt_identity`) and only the officer's screen decrypts
it. Published text loses the requester's name (unless they chose to show it), email, address and ID number, in
Arabic and Latin spellings (names.py), plus what the officer marks. Attachments are published only as redacted
copies: PDFs have the text under each box removed (PyMuPDF redactions, not a rectangle drawn over the text), their
metadata, annotations, links, attached files and JavaScript scrubbed; plain text and CSV go through the text
redaction; anything else (images, office documents, scanned PDFs) is refused, because nothing can find a name in
it reliably: the officer uploads a redacted copy instead.
"""

import base64
import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePath

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .names import WORD, NamePattern, find_names, fold, is_particle

MARK = "█████"  # always the same length: the mark does not tell how long the removed text was
GENERIC_MAILBOXES = {"contact", "info", "admin", "mail", "email", "office", "bureau", "secretariat"}
TEXT_EXTENSIONS = {".txt", ".csv", ".tsv"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".heic"}


class RedactionRefused(ValueError):
    """The file cannot be redacted automatically; the message says why, for the officer."""


# The identity-card number.


def identity_key() -> bytes:
    """`REQUESTS_IDENTITY_KEY`, else a key derived from SECRET_KEY (HKDF-SHA256).

    The derived key lets a fresh installation work without configuration; production sets its own key, because
    with the derived one rotating SECRET_KEY makes every stored number unreadable.
    """
    configured = getattr(settings, "REQUESTS_IDENTITY_KEY", "")
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"baladiya requests identity number")
    return base64.urlsafe_b64encode(derived.derive(settings.SECRET_KEY.encode()))


def fernet() -> Fernet:
    try:
        return Fernet(identity_key())
    except ValueError as error:
        raise ImproperlyConfigured(
            "REQUESTS_IDENTITY_KEY must be 32 url-safe base64-encoded bytes (Fernet.generate_key())."
        ) from error


def normalise_identity(number: str) -> str:
    """The number as one word: no spaces, dashes or dots, upper case, Arabic-Indic digits as 0-9."""
    digits = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
    return re.sub(r"[\s\-./]", "", (number or "").translate(digits)).upper()


def encrypt_identity(number: str) -> str:
    number = normalise_identity(number)
    return fernet().encrypt(number.encode()).decode() if number else ""


def decrypt_identity(token: str) -> str:
    """The number; raises cryptography's InvalidToken when the key changed (or the token is not ours)."""
    return fernet().decrypt(token.encode()).decode() if token else ""


# What must disappear.


class Term(str):
    """A term to remove, with how to find it: a name (each part, any script), a phrase (the words together,
    any script), an email (also written "name [at] domain"), a number (with spaces or dashes) or literal text."""

    NAME, PHRASE, EMAIL, NUMBER, LITERAL = "name", "phrase", "email", "number", "literal"
    kind: str

    def __new__(cls, value: str, kind: str) -> "Term":
        term = super().__new__(cls, value)
        term.kind = kind
        return term


def classify(term: str) -> Term:
    """The kind of a plain string (an officer's mark): a phrase unless it looks like an email or a number."""
    if isinstance(term, Term):
        return term
    if "@" in term:
        return Term(term, Term.EMAIL)
    compact = re.sub(r"[\s\-./]", "", term)
    if compact.isalnum() and any(char.isdigit() for char in compact) and len(compact) <= 24:
        return Term(term, Term.NUMBER)
    if any(char.isdigit() for char in term):
        return Term(term, Term.LITERAL)
    return Term(term, Term.PHRASE)


def identity_terms(
    name: str, email: str, address: str, identity_number: str, *, marked: Iterable[str] = ()
) -> list[str]:
    """Everything of the requester's identity that published text must lose, plus the officer's marks.

    The full name and each of its parts (3+ letters, not particles like ben or ال: a common first name is removed
    everywhere, privacy before readability); the email and its local part (unless generic: contact, info…); the
    address whole and each line holding a number or two words (a bare city name would empty the text of it);
    the ID number.
    """
    terms: list[Term] = []
    name = " ".join((name or "").split())
    if name:
        terms.append(Term(name, Term.NAME))
        words = WORD.findall(name)
        terms += [
            Term(word, Term.NAME) for word in words if len(fold(word)) >= 3 and not is_particle(word) and word != name
        ]
    email = (email or "").strip()
    if email:
        terms.append(Term(email, Term.EMAIL))
        local = email.split("@", 1)[0]
        if len(local) >= 3 and local.lower() not in GENERIC_MAILBOXES:
            terms.append(Term(local, Term.LITERAL))
    address = (address or "").strip()
    if address:
        terms.append(Term(" ".join(address.split()), Term.LITERAL))
        for line in address.splitlines():
            line = " ".join(line.split()).strip(" ,;")
            if line and line != address and (any(char.isdigit() for char in line) or len(line.split()) >= 2):
                terms.append(Term(line, Term.LITERAL))
    number = normalise_identity(identity_number)
    if number:
        terms.append(Term(number, Term.NUMBER))
    terms += [classify(term.strip()) for term in marked if term and term.strip()]
    unique: dict[tuple[str, str], Term] = {}
    for term in terms:
        unique.setdefault((term.kind, str(term)), term)
    return list(unique.values())


# Finding and removing.

AT = r"\s*(?:@|\[\s*(?:at|@)\s*\]|\(\s*(?:at|@)\s*\)|\{\s*at\s*\}|\s+at\s+|\s+arobase\s+)\s*"
DOT = r"\s*(?:\.|\[\s*(?:dot|point)\s*\]|\(\s*(?:dot|point)\s*\)|\s+dot\s+|\s+point\s+)\s*"
DIGITS = {str(digit): f"[{digit}{chr(0x660 + digit)}{chr(0x6F0 + digit)}]" for digit in range(10)}


def literal_pattern(text: str) -> str:
    return r"\s+".join(re.escape(word) for word in text.split())


def email_pattern(email: str) -> str:
    local, _, domain = email.partition("@")

    def dotted(part: str) -> str:
        return DOT.join(re.escape(piece) for piece in part.split("."))

    return rf"(?<![\w.]){dotted(local)}{AT}{dotted(domain)}(?![\w])"


def number_pattern(number: str) -> str:
    chars = [DIGITS.get(char, re.escape(char)) for char in normalise_identity(number)]
    return r"(?<![0-9A-Za-z\u0660-\u0669])" + r"[\s\-./]?".join(chars) + r"(?![0-9A-Za-z\u0660-\u0669])"


def find_spans(text: str, terms: Iterable[str], *, visual: bool = False) -> list[tuple[int, int]]:
    """Where the terms are written in `text`, merged: a name with its particles and spaces is one span."""
    patterns: list[NamePattern] = []
    spans: list[tuple[int, int]] = []
    for term in map(classify, terms):
        if term.kind in (Term.NAME, Term.PHRASE):
            patterns.append(NamePattern(term, whole_only=term.kind == Term.PHRASE))
            regex = rf"(?<!\w){literal_pattern(term)}(?!\w)"
        elif term.kind == Term.EMAIL:
            regex = email_pattern(term)
        elif term.kind == Term.NUMBER:
            regex = number_pattern(term)
        else:
            regex = rf"(?<!\w){literal_pattern(term)}(?!\w)"
        if regex:
            spans += [match.span() for match in re.finditer(regex, text, re.IGNORECASE)]
    spans += find_names(text, patterns, visual=visual)
    return merge(text, spans)


def merge(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans joined, and spans apart only by spaces, hyphens or particles (ben, ال, بن)."""
    merged: list[list[int]] = []
    for begin, end in sorted(spans):
        if merged:
            gap = text[merged[-1][1] : begin]
            if (
                begin <= merged[-1][1]
                or all(is_particle(word) for word in WORD.findall(gap))
                and re.fullmatch(r"[\s\-‐–'’\w]*", gap)
                and len(gap) <= 12
            ):
                merged[-1][1] = max(merged[-1][1], end)
                continue
        merged.append([begin, end])
    return [(begin, end) for begin, end in merged]


def redact_text(text: str, terms: list[str]) -> str:
    """`text` with each term replaced by a fixed mark; the rest (direction, punctuation, lines) untouched."""
    if not text or not terms:
        return text or ""
    pieces, position = [], 0
    for begin, end in find_spans(text, terms):
        pieces += [text[position:begin], MARK]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def case_terms(case, marked: Iterable[str] = (), *, hide_name: bool = False) -> list[str]:
    """The terms of a case: its name unless the requester chose to show it (`hide_name`: even then); email,
    address, ID always."""
    try:
        number = decrypt_identity(case.identity_number)
    except InvalidToken as error:
        raise RedactionRefused(
            _("The identity number cannot be read (the encryption key changed): the text cannot be published.")
        ) from error
    name = "" if case.show_name and not hide_name else case.requester_name
    marked = [*marked, *(line.strip() for line in case.hidden_words.splitlines() if line.strip())]
    return identity_terms(name, case.requester_email, case.requester_address, number, marked=marked)


def redact_case_text(case, text: str, marked: Iterable[str] = (), *, hide_name: bool = False) -> str:
    return redact_text(text, case_terms(case, marked, hide_name=hide_name))


# Attachments.


def redact_attachment(name: str, data: bytes, terms: list[str]) -> bytes:
    """A publishable copy of an attachment: PDFs and plain text (txt, csv, tsv) only; anything else is refused."""
    extension = PurePath(name or "").suffix.lower()
    if data[:1024].lstrip().startswith(b"%PDF-") or extension == ".pdf":
        return redact_pdf(data, terms)
    if extension in TEXT_EXTENSIONS:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RedactionRefused(_("This text file is not UTF-8: upload a redacted copy.")) from error
        return redact_text(text, terms).encode("utf-8")
    if extension in IMAGE_EXTENSIONS:
        raise RedactionRefused(_("Images cannot be redacted automatically: upload a redacted copy."))
    raise RedactionRefused(_("Only PDF and plain-text files can be redacted automatically: upload a redacted copy."))


def redact_pdf(data: bytes, terms: list[str]) -> bytes:
    """The PDF with the terms' text removed under black boxes, and nothing hidden left behind.

    Refused: not a PDF, encrypted, more than REQUESTS_MAX_REDACT_PAGES pages, or a page that is an image without
    text (a scan: no text to find, so no guarantee).
    """
    import pymupdf  # a heavy import, paid only by the code that redacts

    if b"%PDF-" not in data[:1024]:
        raise RedactionRefused(_("This file is not a PDF."))
    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except (RuntimeError, ValueError) as error:  # pymupdf.FileDataError is a RuntimeError
        raise RedactionRefused(_("This PDF cannot be read.")) from error
    with document:
        if document.needs_pass or document.is_encrypted:
            raise RedactionRefused(_("This PDF is encrypted: upload a redacted copy."))
        limit = getattr(settings, "REQUESTS_MAX_REDACT_PAGES", 500)
        if document.page_count > limit:
            raise RedactionRefused(
                _("This PDF has more than %(limit)d pages: split it or upload a redacted copy.") % {"limit": limit}
            )
        for page in document:
            if page.get_images() and not page.get_text().strip():
                raise RedactionRefused(_("This PDF contains scanned pages: upload a redacted copy."))
        for page in document:
            for annotation in list(page.annots() or []):
                page.delete_annot(annotation)
            for link in page.get_links():
                page.delete_link(link)
            for rect in page_matches(page, terms):
                page.add_redact_annot(rect, fill=(0, 0, 0))
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS)
        for embedded in document.embfile_names():
            document.embfile_del(embedded)
        document.scrub(
            attached_files=True,
            clean_pages=True,
            embedded_files=True,
            hidden_text=True,
            javascript=True,
            metadata=True,
            redactions=True,
            remove_links=True,
            reset_fields=True,
            reset_responses=True,
            thumbnails=True,
            xml_metadata=True,
        )
        document.set_metadata({})
        return document.tobytes(garbage=4, deflate=True, clean=True)


def page_matches(page, terms: list[str]) -> list:
    """The rectangles of the characters to remove, line by line, found as in text (Arabic possibly reversed)."""
    import pymupdf

    rects = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            text, boxes = "", []
            for span in line["spans"]:
                for char in span["chars"]:
                    folded = unicodedata.normalize("NFKC", char["c"])
                    text += folded
                    boxes += [char["bbox"]] * len(folded)
            for begin, end in find_spans(text, terms, visual=True):
                selected = [pymupdf.Rect(box) for box in boxes[begin:end] if not pymupdf.Rect(box).is_empty]
                if selected:
                    rect = selected[0]
                    for box in selected[1:]:
                        rect |= box
                    rects.append(rect)
    return rects
