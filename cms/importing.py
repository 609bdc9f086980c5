"""Import council decisions from a CSV or JSON file into one council.

`import_decisions` is the one entry point: the admin, `manage.py import_decisions`, the Celery task
`cms.import_decisions` and the harvesters all call it. The whole file is read and checked first: a file
that is not CSV or JSON, or whose columns are wrong, raises `ImportFileError` and changes nothing. Then
the rows are written in batches of BATCH_SIZE, one transaction each, and each row in a savepoint of its
own: a row that fails is reported with its number and reference and leaves the rows before it, and what
was stored, intact; a batch whose transaction fails as a whole (the database went away) is reported row by
row and leaves the earlier batches committed. The search indexes and Wagtail's reference index are written
once per batch (portal.bulk), not after each of the three saves of every page. New decisions and sessions
are validated row by row (`full_clean`) and written published in bulk (cms.bulk_pages), the decisions of a
batch together at its end; changed decisions, translations and moves take Wagtail's one-page path. A row
that fails its validation is reported and left out; a bulk write that fails fails its batch as a whole.

A decision is the same decision when body, year, reference and language match (the model's unique
constraint). Sessions are found by date under the council, or created (as translations of the session of
that date in another language when there is one). Attachments are found by the SHA-1 of their content
(`CouncilDocument.file_hash`), so importing a file again never duplicates a document.
"""

import csv
import hashlib
import html
import io
import itertools
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DatabaseError, IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.copy_for_translation import ParentNotTranslatedError
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.coreutils import find_available_slug

from portal.bulk import bulk_changes
from portal.dates import read_date
from portal.files import (
    CONTROL_CHARACTERS,
    SAMPLE_BYTES,
    TEXT_KINDS,
    decode,
    describe_error,
    detect_delimiter,
    header_is_data,
    iana_name,
    sniff,
)
from portal.importing import ColumnMapping, ImportReport, MappingError, RowError, assign_changed

from .bulk_pages import BulkPageCreator
from .documents import allowed_extensions, check_document_content
from .models import (
    CouncilDocument,
    CouncilIndexPage,
    CouncilSessionPage,
    DecisionAttachment,
    DecisionPage,
    Topic,
)

COLUMNS = (
    "reference",
    "title",
    "decision_date",
    "session_date",
    "session_kind",
    "session_members_present",
    "agenda_item",
    "summary",
    "full_text",
    "outcome",
    "votes_for",
    "votes_against",
    "votes_abstain",
    "legal_basis",
    "topics",
    "execution_status",
    "attachments",
)
REQUIRED_COLUMNS = ("reference", "title", "decision_date", "session_date", "summary", "outcome")
VOTE_COLUMNS = ("votes_for", "votes_against", "votes_abstain")
# Separator of the topics and attachments cells (a comma or semicolon file quotes such cells).
LIST_SEPARATOR = ";"
TITLE_LENGTH = 255  # of a Wagtail page; a longer title is kept whole in DecisionPage.full_title
# Rows per transaction: large enough that indexing a batch costs little per row (bench/import_decisions.py),
# small enough that a batch that fails as a whole costs little to import again and holds its locks briefly.
BATCH_SIZE = 200

# Generic session titles, one per language of the pages; staff can rename sessions afterwards.
SESSION_TITLES = {
    "ar": {"ordinary": "الدورة العادية بتاريخ {date}", "extraordinary": "الدورة الاستثنائية بتاريخ {date}"},
    "fr": {"ordinary": "Session ordinaire du {date}", "extraordinary": "Session extraordinaire du {date}"},
    "en": {"ordinary": "Ordinary session of {date}", "extraordinary": "Extraordinary session of {date}"},
}


class ImportFileError(ValueError):
    """The file cannot be imported as a whole (not CSV or JSON, wrong columns): nothing was changed."""


@dataclass
class DecisionImportReport(ImportReport):
    """The decisions created, updated, unchanged and failed, and the sessions and documents the import made."""

    sessions_created: int = 0
    documents_created: int = 0

    def summary(self) -> str:
        return _("%(summary)s; %(sessions)s sessions and %(documents)s documents created") % {
            "summary": super().summary(),
            "sessions": self.sessions_created,
            "documents": self.documents_created,
        }


class InvalidRow(Exception):
    """A row that cannot be imported; the message says why, for the report."""


@dataclass
class DecisionRow:
    """One row, checked and typed. None means the column is not in the file: the stored value is kept."""

    reference: str
    title: str
    decision_date: date
    session_date: date
    summary: str
    outcome: str
    session_kind: str | None = None
    session_members_present: int | None = None
    agenda_item: str | None = None
    full_text: list[tuple[str, str]] | None = None
    # For, against, abstentions; None for a count the file leaves empty (unknown, not zero).
    votes: tuple[int | None, int | None, int | None] | None = None
    legal_basis: str | None = None
    topics: list[str] | None = None
    execution_status: str | None = None
    attachments: list[tuple[str, str]] | None = None


@dataclass
class SourceRow:
    number: int
    values: dict[str, Any]


# Reading the file


def read_rows(source: Path | str | IO, mapping: ColumnMapping | None = None) -> tuple[list[SourceRow], str]:
    """Return the rows of `source` (CSV or JSON) and the encoding it was read in; with a `mapping`, the
    file's own columns are read under our names (portal.importing.ColumnMapping) and the others ignored.

    Raise ImportFileError when the file is not CSV or JSON text, when a required column is missing or an
    unknown one is present (without a mapping), or when a CSV row has more or fewer fields than the header.
    """
    name, data = _read(source)
    if isinstance(data, bytes):
        sniffed = sniff(io.BytesIO(data), name)
        if sniffed.kind not in {*TEXT_KINDS, "empty"}:  # an empty file is reported as such below
            raise ImportFileError(
                _("This is %(kind)s, not CSV or JSON: save the table as CSV (UTF-8) first.") % {"kind": sniffed.label}
            )
        text, codec = decode(data)
        if CONTROL_CHARACTERS.search(text[:65536]):
            raise ImportFileError(_("This is not a CSV or JSON file: it holds binary data."))
        encoding = iana_name(codec)
    else:
        text, encoding = data.removeprefix("\ufeff"), "utf-8"
    suffix = Path(name).suffix.lower()
    if suffix == ".json" or (suffix not in {".csv", ".tsv", ".txt"} and text.lstrip()[:1] in {"[", "{"}):
        return _json_rows(text, mapping), encoding
    return _csv_rows(text, mapping), encoding


def file_columns(path: Path) -> list[str]:
    """The names of a file's columns as it writes them, for staff writing a mapping; [] when it has none."""
    try:
        name, data = _read(path)
    except ImportFileError:
        return []
    if isinstance(data, bytes):
        if sniff(io.BytesIO(data), name).kind not in TEXT_KINDS:
            return []
        text = decode(data)[0]
    else:
        text = data
    if text.lstrip()[:1] == "[":
        try:
            first = json.loads(text)[0]
        except (json.JSONDecodeError, IndexError, KeyError, TypeError):
            return []
        return [str(key) for key in first] if isinstance(first, dict) else []
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text[:SAMPLE_BYTES])), [])
    return [cell.strip() for cell in header]


def _read(source: Path | str | IO) -> tuple[str, bytes | str]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.name, path.read_bytes()
        except OSError as error:
            raise ImportFileError(
                _("Cannot read %(file)s: %(error)s.") % {"file": path.name, "error": error.strerror}
            ) from error
    return str(getattr(source, "name", "") or ""), source.read()


def _check_columns(columns: list[str], where: str, mapping: ColumnMapping | None) -> None:
    if mapping is not None:
        if absent := mapping.missing_columns(columns):
            raise ImportFileError(
                _("%(where)s: the mapping names columns the file does not have: %(columns)s.")
                % {"where": where, "columns": ", ".join(map(repr, absent))}
            )
        columns = list(mapping.apply(dict.fromkeys(columns, "")))
    unknown = [column for column in columns if column not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _(
                "%(where)s: unknown columns %(unknown)s; the columns are %(columns)s. "
                "A mapping can name the file's own columns."
            )
            % {"where": where, "unknown": ", ".join(map(repr, unknown)), "columns": ", ".join(COLUMNS)}
        )
    duplicated = sorted({column for column in columns if columns.count(column) > 1})
    if duplicated:
        raise ImportFileError(
            _("%(where)s: columns given twice: %(columns)s.") % {"where": where, "columns": ", ".join(duplicated)}
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise ImportFileError(
            _("%(where)s: missing required columns %(columns)s.") % {"where": where, "columns": ", ".join(missing)}
        )


def _json_rows(text: str, mapping: ColumnMapping | None) -> list[SourceRow]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _("This is not valid JSON: %(error)s at line %(line)s, column %(column)s.")
            % {"error": error.msg, "line": error.lineno, "column": error.colno}
        ) from None
    if not isinstance(items, list):
        raise ImportFileError(
            _("A JSON import must be a list of objects, one per decision; this file holds %(kind)s.")
            % {"kind": _json_kind(items)}
        )
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportFileError(
                _("Item %(number)s of the JSON list is %(kind)s, not an object.")
                % {"number": number, "kind": _json_kind(item)}
            )
        where = _("Item %(number)s") % {"number": number}
        if mapping is None:
            values = {str(key).strip().lower(): value for key, value in item.items()}
            _check_columns(list(values), where, None)
        else:
            _check_columns([str(key) for key in item], where, mapping)
            values = mapping.apply(item)
        rows.append(SourceRow(number, values))
    return rows


def _json_kind(value: Any) -> str:
    kinds = {dict: _("an object"), list: _("a list"), str: _("a string"), bool: _("a boolean"), type(None): "null"}
    return kinds.get(type(value), _("a number"))


def _csv_rows(text: str, mapping: ColumnMapping | None) -> list[SourceRow]:
    delimiter = detect_delimiter(text[:SAMPLE_BYTES])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ImportFileError(_("The file is empty: the first line must name the columns."))
        if header_is_data(header, list(itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), 1, 50))):
            raise ImportFileError(
                _(
                    "The first line holds data, not the names of the columns: add a header line "
                    "(%(columns)s), or give a mapping to the file's own names."
                )
                % {"columns": ", ".join(REQUIRED_COLUMNS)}
            )
        if mapping is None:
            columns = [cell.strip().lower() for cell in header]
            _check_columns(columns, _("Header"), None)
        else:
            columns = [cell.strip() for cell in header]
            _check_columns(columns, _("Header"), mapping)
        rows = []
        start = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                if len(record) != len(columns):
                    raise ImportFileError(
                        _(
                            "Line %(line)s has %(found)s fields where the header has %(expected)s: "
                            "check its quotes and “%(delimiter)s” separators."
                        )
                        % {"line": start, "found": len(record), "expected": len(columns), "delimiter": delimiter}
                    )
                values = dict(zip(columns, record, strict=True))
                rows.append(SourceRow(start, values if mapping is None else mapping.apply(values)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s is not valid CSV: %(error)s.") % {"line": reader.line_num, "error": error}
        ) from None
    return rows


# Checking a row


# Day-first dates, as councils in Algeria, Morocco, Tunisia and France write them: 31/12/2013, 31-12-2013, 31.12.2013.
# Excel writes a carriage return inside a cell as "_x000D_" (and other control characters alike) in exports.
EXCEL_ESCAPE = re.compile(r" ?_x00(?:0[0-9A-Fa-f]|1[0-9A-Fa-f])_ ?")


def without_excel_escapes(text: str) -> str:
    """Text without Excel's escaped control characters: "_x000D_" before a line break goes, alone it is a space."""
    text = re.sub(r"_x000[Dd]_(?=\n)", "", text)
    return EXCEL_ESCAPE.sub(" ", text)


def parse_row(values: Mapping[str, Any]) -> DecisionRow:
    """Return the typed row, or raise InvalidRow listing every problem found in it."""
    problems: list[str] = []

    def cell(name: str) -> str | None:
        if name not in values:
            return None
        value = values[name]
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            problems.append(_("%(column)s: expected text or a number") % {"column": name})
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return without_excel_escapes(str(value)).strip()

    def too_long(name: str, max_length: int) -> None:
        problems.append(_("%(column)s is longer than %(limit)s characters") % {"column": name, "limit": max_length})

    def required(name: str, max_length: int | None) -> str:
        value = cell(name) or ""
        if not value:
            problems.append(_("%(column)s is empty") % {"column": name})
        elif max_length is not None and len(value) > max_length:
            too_long(name, max_length)
        return value

    def optional(name: str, max_length: int | None = None) -> str | None:
        value = cell(name)
        if value is not None and max_length is not None and len(value) > max_length:
            too_long(name, max_length)
        return value

    def iso_date(name: str) -> date:
        value = required(name, 10)
        try:
            return read_date(value)
        except ValueError:
            if value:
                problems.append(
                    _("%(column)s “%(value)s” is not a date (YYYY-MM-DD, or day first: DD/MM/YYYY)")
                    % {"column": name, "value": value}
                )
            return date.min

    def number(name: str) -> int | None:
        value = cell(name)
        if not value:
            return None
        if not value.isdigit():
            problems.append(_("%(column)s “%(value)s” is not a whole number") % {"column": name, "value": value})
            return None
        return int(value)

    def choice(name: str, choices: type, default: str | None = None) -> str | None:
        value = (cell(name) or "").lower()
        if not value:
            return default
        if value not in choices.values:
            problems.append(
                _("%(column)s “%(value)s” is not one of %(choices)s")
                % {"column": name, "value": value, "choices": ", ".join(choices.values)}
            )
        return value

    def items(name: str) -> list[str] | None:
        if name not in values:
            return None
        value = values[name]
        listed = isinstance(value, list)
        parts = [str(part) for part in value] if listed else (cell(name) or "").split(LIST_SEPARATOR)
        return [part.strip() for part in parts if part.strip()]

    row = DecisionRow(
        reference=required("reference", DecisionPage._meta.get_field("reference").max_length),
        title=required("title", None),
        decision_date=iso_date("decision_date"),
        session_date=iso_date("session_date"),
        summary=required("summary", DecisionPage._meta.get_field("summary").max_length),
        outcome=choice("outcome", DecisionPage.Outcome) or "",
        session_kind=choice("session_kind", CouncilSessionPage.Kind),
        session_members_present=number("session_members_present"),
        agenda_item=optional("agenda_item", DecisionPage._meta.get_field("agenda_item").max_length),
        votes=tuple(number(name) for name in VOTE_COLUMNS) if any(name in values for name in VOTE_COLUMNS) else None,
        legal_basis=optional("legal_basis"),
        topics=items("topics"),
        execution_status=choice("execution_status", DecisionPage.Execution),
    )
    if not row.outcome:
        problems.append(_("%(column)s is empty") % {"column": "outcome"})
    full_text = cell("full_text")
    row.full_text = None if full_text is None else plain_text_to_blocks(full_text)
    attachments = items("attachments")
    if attachments is not None:
        row.attachments = []
        for position, item in enumerate(attachments):
            kind, _colon, path = item.partition(":") if _has_kind_prefix(item) else ("", "", item)
            # The first file is the signed deliberation, the others its annexes, unless a prefix says.
            row.attachments.append((kind.strip().lower() or ("signed" if position == 0 else "annex"), path.strip()))
    if problems:
        raise InvalidRow("; ".join(problems))
    return row


def _has_kind_prefix(item: str) -> bool:
    prefix = item.split(":", 1)[0].strip().lower() if ":" in item else ""
    return prefix in DecisionAttachment.Kind.values


def plain_text_to_blocks(text: str) -> list[tuple[str, str]]:
    """Return full-text blocks: one paragraph per run of lines between blank lines.

    A paragraph of one line starting with "# " becomes a heading. Text is escaped; line breaks
    inside a paragraph are kept.
    """
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("# "):
            blocks.append(("heading", lines[0][2:].strip()))
        else:
            escaped = "<br/>".join(html.escape(line, quote=False) for line in lines)
            blocks.append(("paragraph", f"<p>{escaped}</p>"))
    return blocks


def session_title(language: str, kind: str, day: date) -> str:
    titles = SESSION_TITLES.get(language, SESSION_TITLES["en"])
    return titles[kind].format(date=day.strftime("%d/%m/%Y"))


# Writing


@dataclass
class _RowResult:
    decision: str  # "created", "updated", "unchanged", or "draft" (changes to an unpublished decision)
    session: CouncilSessionPage
    session_created: bool = False
    documents_created: int = 0


@dataclass
class _Attachment:
    kind: str
    path: Path
    sha1: str
    size: int


class _DecisionImporter:
    def __init__(
        self,
        council: CouncilIndexPage,
        files_root: Path | None,
        user,
        report: "DecisionImportReport",
        publish: bool = True,
    ):
        self.council = council
        self.publish = publish
        self.locale = council.locale
        self.language = council.locale.language_code
        self.files_root = files_root.resolve() if files_root else None
        self.user = user
        self.report = report
        # What earlier rows of this file wrote: (year, reference) -> row, session date -> (row, kind, present).
        self.references: dict[tuple[int, str], int] = {}
        self.sessions: dict[date, tuple[int, str | None, int | None]] = {}
        self.stored_files: list[CouncilDocument] = []
        self.batch_files: list[CouncilDocument] = []
        # The batch's new decisions, written together at its end; whether the user may publish under a session.
        self.new_pages = BulkPageCreator(user)
        self.may_publish: dict[int, bool] = {}
        # The council's sessions met so far, by date: a query per row less (forgotten when a batch fails).
        self.session_pages: dict[date, CouncilSessionPage] = {}
        self.topics: dict[str, Topic] = {}  # by slug, found during the batch
        # The stored decisions of the batch's references, in every language, read in one query at its start.
        self.stored: dict[tuple[int, str], list[DecisionPage]] = {}
        self.stored_references: set[str] = set()

    def import_batch(self, rows: list[SourceRow]) -> None:
        """Write `rows` in one transaction; if it fails as a whole, report each of its rows as failed."""
        before = (self.report.created, self.report.updated, self.report.unchanged, len(self.report.errors))
        counts = (self.report.sessions_created, self.report.documents_created)
        known = (dict(self.references), dict(self.sessions))
        self.batch_files = []
        self.new_pages = BulkPageCreator(self.user)
        self.topics = {}
        try:
            with transaction.atomic(), bulk_changes():
                self._read_stored(rows)
                for row in rows:
                    self.import_row(row)
                self.new_pages.write()
        except (DatabaseError, OSError) as error:
            for document in self.batch_files:
                document.file.storage.delete(document.file.name)
            self.report.created, self.report.updated, self.report.unchanged = before[:3]
            del self.report.errors[before[3] :]
            self.report.sessions_created, self.report.documents_created = counts
            self.references, self.sessions = known
            self.session_pages = {}
            message = _("not saved: the rows %(first)s to %(last)s failed together: %(error)s") % {
                "first": rows[0].number,
                "last": rows[-1].number,
                "error": describe_error(error),
            }
            for row in rows:
                reference = str(row.values.get("reference") or "").strip()
                self.report.errors.append(RowError(row.number, reference, message))

    def import_row(self, source: SourceRow) -> None:
        reference = str(source.values.get("reference") or "").strip()
        try:
            row = parse_row(source.values)
            self._check_against_earlier_rows(row)
            self.stored_files = []
            try:
                with transaction.atomic():
                    result = self._write(row)
            except BaseException:
                self._delete_stored_files()
                self.session_pages = {}  # what the row changed in them was rolled back
                raise
        except InvalidRow as error:
            self.report.errors.append(RowError(source.number, reference, str(error)))
        except ValidationError as error:
            self.report.errors.append(RowError(source.number, reference, _validation_message(error)))
        except PermissionDenied:
            self.report.errors.append(RowError(source.number, reference, _("you may not publish in this council")))
        except (IntegrityError, OSError) as error:
            # IntegrityError: another import wrote the same reference meanwhile; OSError: a file went away.
            message = _("not saved: %(error)s") % {"error": describe_error(error)}
            self.report.errors.append(RowError(source.number, reference, message))
        else:
            if result.decision == "draft":
                message = _("the decision is unpublished: the changes are saved as a draft for staff to publish")
                self.report.errors.append(RowError(source.number, reference, message))
            else:
                setattr(self.report, result.decision, getattr(self.report, result.decision) + 1)
            self.report.sessions_created += result.session_created
            self.report.documents_created += result.documents_created
            self.references[(row.decision_date.year, row.reference)] = source.number
            # Later rows naming this session must agree with what it now holds.
            first_row = self.sessions.get(row.session_date, (source.number,))[0]
            self.sessions[row.session_date] = (first_row, result.session.kind, result.session.members_present)

    def _check_against_earlier_rows(self, row: DecisionRow) -> None:
        earlier = self.references.get((row.decision_date.year, row.reference))
        if earlier is not None:
            raise InvalidRow(
                _("reference %(reference)s of %(year)s is already used in row %(row)s")
                % {"reference": row.reference, "year": row.decision_date.year, "row": earlier}
            )
        session = self.sessions.get(row.session_date)
        if session is None:
            return
        number, kind, present = session
        if row.session_kind and row.session_kind != kind:
            raise InvalidRow(
                _("the session of %(date)s is %(kind)s in row %(row)s, %(other)s here")
                % {"date": row.session_date, "kind": kind, "row": number, "other": row.session_kind}
            )
        if row.session_members_present is not None and present is not None and row.session_members_present != present:
            raise InvalidRow(
                _("the session of %(date)s had %(present)s members present in row %(row)s, %(other)s here")
                % {"date": row.session_date, "present": present, "row": number, "other": row.session_members_present}
            )

    def _write(self, row: DecisionRow) -> _RowResult:
        # Everything that can be refused without writing is checked first.
        attachments = self._check_files(row.attachments) if row.attachments is not None else None
        topics = self._topics(row.topics) if row.topics is not None else None
        session, session_created = self._session(row)
        result = _RowResult("unchanged", session, session_created)
        documents = None
        if attachments is not None:
            documents = [(attachment.kind, self._document(attachment, result)) for attachment in attachments]
        result.decision = self._decision(row, session, topics, documents)
        return result

    # Sessions

    def _session(self, row: DecisionRow) -> tuple[CouncilSessionPage, bool]:
        session = self.session_pages.get(row.session_date) or self._session_on(self.council, row.session_date)
        if session is not None:
            self._update_session(session, row)
            self.session_pages[row.session_date] = session
            return session, False
        session = self._translate_session(row)
        if session is None:
            session = CouncilSessionPage(
                slug=find_available_slug(self.council, row.session_date.isoformat()),
                session_date=row.session_date,
                status=(
                    CouncilSessionPage.Status.HELD
                    if row.session_date <= timezone.localdate()
                    else CouncilSessionPage.Status.PLANNED
                ),
                locale=self.locale,
            )
        kind = row.session_kind or session.kind or CouncilSessionPage.Kind.ORDINARY
        session.title = session_title(self.language, kind, row.session_date)
        session.kind = kind
        if row.session_members_present is not None:
            session.members_present = row.session_members_present
        session._parent_page = self.council
        _validate(session)
        if session.pk is None:
            # Written at once (its decisions need it in the tree), as the batch's decisions are (cms.bulk_pages).
            self._check_may_publish(self.council)
            new_session = BulkPageCreator(self.user)
            new_session.add(self.council, session)
            new_session.write()
        else:
            self._publish(session)
        self.session_pages[row.session_date] = session
        return session, True

    @staticmethod
    def _session_on(council: CouncilIndexPage, day: date) -> CouncilSessionPage | None:
        return CouncilSessionPage.objects.child_of(council).filter(session_date=day).order_by("path").first()

    def _translate_session(self, row: DecisionRow) -> CouncilSessionPage | None:
        """Return a copy in this council's language of the session of that date in another language, if any."""
        for other in self.council.get_translations().specific():
            source = self._session_on(other, row.session_date)
            if source is not None:
                return source.copy_for_translation(self.locale).specific
        return None

    def _update_session(self, session: CouncilSessionPage, row: DecisionRow) -> None:
        changed = False
        if row.session_kind and row.session_kind != session.kind:
            session.kind, changed = row.session_kind, True
        if row.session_members_present is not None and row.session_members_present != session.members_present:
            session.members_present, changed = row.session_members_present, True
        if changed:
            session.full_clean()
            self._publish(session)

    # Attachments and topics

    def _check_files(self, attachments: list[tuple[str, str]]) -> list[_Attachment]:
        if attachments and self.files_root is None:
            raise InvalidRow(_("attachments are listed but no folder of files was given (files_root)"))
        checked, problems = [], []
        limit = settings.DOCUMENT_MAX_UPLOAD_SIZE
        extensions = allowed_extensions()
        for kind, relative in attachments:
            path = (self.files_root / relative).resolve()
            extension = path.suffix[1:].lower()
            if not path.is_relative_to(self.files_root):
                problems.append(_("%(file)s: outside the folder of files") % {"file": relative})
            elif not path.is_file():
                problems.append(_("%(file)s: file not found") % {"file": relative})
            elif extension not in extensions:
                problems.append(
                    _("%(file)s: .%(extension)s files are refused (allowed: %(allowed)s)")
                    % {"file": relative, "extension": extension, "allowed": ", ".join(extensions)}
                )
            elif path.stat().st_size > limit:
                problems.append(
                    _("%(file)s: too large (%(size)s, limit %(limit)s)")
                    % {"file": relative, "size": filesizeformat(path.stat().st_size), "limit": filesizeformat(limit)}
                )
            else:
                with path.open("rb") as handle:
                    try:
                        check_document_content(File(handle, name=path.name))
                    except ValidationError as error:
                        problems.append(f"{relative}: {' '.join(error.messages)}")
                        continue
                    handle.seek(0)
                    sha1 = hashlib.file_digest(handle, "sha1").hexdigest()
                checked.append(_Attachment(kind, path, sha1, path.stat().st_size))
        if problems:
            raise InvalidRow("; ".join(problems))
        return checked

    def _document(self, attachment: _Attachment, result: _RowResult) -> CouncilDocument:
        document = CouncilDocument.objects.filter(file_hash=attachment.sha1).order_by("pk").first()
        if document is not None:
            return document
        document = CouncilDocument(
            title=attachment.path.stem.replace("_", " "),
            uploaded_by_user=self.user,
            file_size=attachment.size,
            file_hash=attachment.sha1,
        )
        with attachment.path.open("rb") as handle:
            document.file.save(attachment.path.name, File(handle), save=False)
        self.stored_files.append(document)
        self.batch_files.append(document)
        document.full_clean()
        document.save()
        result.documents_created += 1
        return document

    def _delete_stored_files(self) -> None:
        """Remove the files written for a row whose transaction was rolled back."""
        for document in self.stored_files:
            document.file.storage.delete(document.file.name)
        self.stored_files = []

    def _topics(self, slugs: list[str]) -> list[Topic]:
        if missing := set(slugs) - set(self.topics):
            self.topics.update(
                (topic.slug, topic) for topic in Topic.objects.filter(locale=self.locale, slug__in=missing)
            )
        found = self.topics
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise InvalidRow(
                _("unknown topics in %(language)s: %(topics)s")
                % {"language": self.language, "topics": ", ".join(unknown)}
            )
        return [found[slug] for slug in dict.fromkeys(slugs)]

    # Decisions

    def _decision(
        self,
        row: DecisionRow,
        session: CouncilSessionPage,
        topics: list[Topic] | None,
        documents: list[tuple[str, CouncilDocument]] | None,
    ) -> str:
        if row.reference in self.stored_references:
            stored = self.stored.get((row.decision_date.year, row.reference), [])
        else:  # a reference that the file writes otherwise (a number in JSON, Excel's escapes)
            same = DecisionPage.objects.filter(
                body_id=self.council.body_id, year=row.decision_date.year, reference=row.reference
            )
            stored = list(same.order_by("pk"))  # in every language: one query for the row's page and its source
        page = next((decision for decision in stored if decision.language == self.language), None)
        outcome = "updated"
        if page is None:
            outcome = "created"
            page = self._translate_decision(stored[0] if stored else None, topics)
        if page is None:
            page = DecisionPage(
                slug=self.new_pages.available_slug(session, DecisionPage.slug_for(row.reference)),
                locale=self.locale,
                body_id=self.council.body_id,  # what the page derives from its council, two queries less
            )
        moved = page.pk is not None and page.get_parent().pk != session.pk
        if moved:
            slug = find_available_slug(session, page.slug, ignore_page_id=page.pk)
            if slug != page.slug:
                page.slug = slug
                page.save(clean=False, update_fields=["slug"])
            page.move(session, pos="last-child", user=self.user)
            page = DecisionPage.objects.get(pk=page.pk)
        changed = self._apply(page, row, topics, documents)
        if outcome == "updated" and not (changed or moved):
            return "unchanged"
        page._parent_page = session
        if page.pk is None:
            # Its body, locale and content type are the council's, checked already: not a query each again. Without
            # them Django leaves out the database constraints on them too, which DecisionPage.clean checks itself
            # (the reference) or which cannot fail (a new page's translation key is new).
            page.full_clean(exclude=["path", "depth", "body", "locale", "content_type"])
            self._check_may_publish(session)
            if self.publish:
                # A new decision is written with the batch's others, published (cms.bulk_pages), at the batch's end.
                self.new_pages.add(session, page)
            else:
                self._add_draft(session, page)
            return outcome
        _validate(page)
        if outcome == "updated" and not page.live:
            # Staff took it offline: keep the changes as a draft for them to review, publish nothing.
            page.save_revision(user=self.user, clean=False)  # validated above
            return "draft"
        if not self.publish:
            page.save_revision(user=self.user, clean=False)  # a draft for staff to review; the live page stays
            return outcome
        self._publish(page)
        return outcome

    def _read_stored(self, rows: list[SourceRow]) -> None:
        """Read the stored decisions of the council's body that bear the references of `rows`, in every language
        and year, in one query rather than one per row; `_decision` asks the database for a reference not read."""
        references = {str(row.values.get("reference") or "").strip() for row in rows} - {""}
        self.stored, self.stored_references = {}, references
        found = DecisionPage.objects.filter(body_id=self.council.body_id, reference__in=references).order_by("pk")
        for page in found:
            self.stored.setdefault((page.year, page.reference), []).append(page)

    def _add_draft(self, session: CouncilSessionPage, page: DecisionPage) -> None:
        """Add the new, validated `page` under `session` unpublished, its content a draft revision (Wagtail's
        one-page path: drafts are few, and cms.bulk_pages writes published pages only)."""
        page.live, page.has_unpublished_changes = False, True
        session.add_child(instance=page)
        page.save_revision(user=self.user, clean=False)

    def _check_may_publish(self, parent: CouncilIndexPage | CouncilSessionPage) -> None:
        """Raise PermissionDenied unless the user may publish under `parent`, as Wagtail's publication checks."""
        if self.user is None:
            return
        if parent.pk not in self.may_publish:
            self.may_publish[parent.pk] = parent.permissions_for_user(self.user).can_publish_subpage()
        if not self.may_publish[parent.pk]:
            raise PermissionDenied

    def _translate_decision(self, source: DecisionPage | None, topics: list[Topic] | None) -> DecisionPage | None:
        """Return a copy in this council's language of the same decision in another language, if any."""
        if source is None:
            return None
        try:
            page = source.copy_for_translation(self.locale).specific
        except ParentNotTranslatedError:
            return None
        if topics is None:
            # Keep the topics of the original, in this language where they are translated.
            keys = [topic.translation_key for topic in source.topics.all()]
            page.topics = list(Topic.objects.filter(locale=self.locale, translation_key__in=keys))
        return page

    @staticmethod
    def _apply(
        page: DecisionPage,
        row: DecisionRow,
        topics: list[Topic] | None,
        documents: list[tuple[str, CouncilDocument]] | None,
    ) -> bool:
        """Set the row's values on `page`; return whether anything differs from what it held."""
        title, full_title = _page_title(row.title)
        values = {
            "reference": row.reference,
            "title": title,
            "full_title": full_title,
            "decision_date": row.decision_date,
            "summary": row.summary,
            "outcome": row.outcome,
            "agenda_item": row.agenda_item,
            "legal_basis": row.legal_basis,
            "execution_status": row.execution_status,
        }
        changed = bool(assign_changed(page, values))
        if row.votes is not None and row.votes != (page.votes_for, page.votes_against, page.votes_abstain):
            page.votes_for, page.votes_against, page.votes_abstain = row.votes
            changed = True
        if row.full_text is not None:
            stored = [(block["type"], block["value"]) for block in page.full_text.raw_data]
            if stored != row.full_text:
                page.full_text, changed = row.full_text, True
        if topics is not None and {topic.pk for topic in page.topics.all()} != {topic.pk for topic in topics}:
            page.topics, changed = topics, True
        if documents is not None:
            stored = [(attachment.kind, attachment.document_id) for attachment in page.attachments.all()]
            if stored != [(kind, document.pk) for kind, document in documents]:
                page.attachments = [DecisionAttachment(document=document, kind=kind) for kind, document in documents]
                changed = True
        return changed

    def _publish(self, page) -> None:
        """Publish `page`, validated already, as Wagtail's publish does (permission check, log, signals)."""
        revision = page.save_revision(user=self.user, clean=False)
        _PublishValidatedRevision(revision, user=self.user).execute()


class _PublishValidatedRevision(PublishPageRevisionAction):
    """Wagtail's publication less its validation of the page, which the import has just run (`_validate`):
    the page is saved with `clean=False`, as Wagtail does for changes it knows valid. Validating it again took
    a fifth of an import's time (bench/import_decisions.py)."""

    def _publish_revision(self, revision, object, *args, **kwargs):
        save = object.save
        object.save = lambda **options: save(clean=False, **options)
        return super()._publish_revision(revision, object, *args, **kwargs)


def _page_title(title: str) -> tuple[str, str]:
    """A page title (Wagtail's are 255 characters at most) and the whole title when it is longer: cut at a word."""
    if len(title) <= TITLE_LENGTH:
        return title, ""
    cut = title[: TITLE_LENGTH - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:-–") + "…", title


def _validate(page) -> None:
    """Run the model's validation, also on a page not yet in the tree (treebeard sets its place on saving)."""
    page.full_clean(exclude=["path", "depth"] if page.pk is None else None)


def _validation_message(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for name, messages in error.message_dict.items():
        text = " ".join(messages)
        parts.append(text if name == "__all__" else f"{name}: {text}")
    return "; ".join(parts)


def import_decisions(
    source: Path | str | IO,
    *,
    council: CouncilIndexPage,
    files_root: Path | None = None,
    user=None,
    mapping: ColumnMapping | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int, float], None] | None = None,
    publish: bool = True,
) -> DecisionImportReport:
    """Return the report of importing the decisions in `source` (CSV or JSON) into `council`.

    Raise ImportFileError, changing nothing, when the file is not CSV or JSON or its columns are wrong.
    Otherwise every row is written on its own: new references are created and published in the
    council's language, changed ones get a new published revision (only a draft revision, reported as
    a row error, when staff unpublished the decision), identical ones are left as they are (no
    revision); a row that fails is reported and the others go on. Attachments are paths below
    `files_root` (by default the folder of `source` when it is a path). `user` signs the revisions
    and must be allowed to publish in the council. `mapping` reads a council's own export (its columns and
    values) as ours. Rows repeating an earlier row exactly are skipped and reported once. Rows are written
    `batch_size` at a time, one transaction each; after each batch, `progress(rows done, rows, seconds)`.
    `publish` False (a harvest source whose records wait for review): new decisions are added unpublished, their
    content a draft revision, and changed ones get a draft revision while their live version stays; the sessions
    the rows name are still created published (a session page holds no more than its date and kind).
    """
    rows, encoding = read_rows(source, mapping)
    if files_root is None and isinstance(source, str | os.PathLike):
        files_root = Path(source).parent
    report = DecisionImportReport(encoding=encoding)
    importer = _DecisionImporter(council.specific, Path(files_root) if files_root else None, user, report, publish)
    numbered = {row.number: row for row in rows}
    todo = [numbered[number] for number, _values in report.skip_repeats((row.number, row.values) for row in rows)]
    started = time.monotonic()
    for start in range(0, len(todo), batch_size):
        importer.import_batch(todo[start : start + batch_size])
        if progress is not None:
            progress(min(start + batch_size, len(todo)), len(todo), time.monotonic() - started)
    return report


def decision_mapping(data: Any) -> ColumnMapping:
    """The mapping `data` (parsed JSON) describes for the decision import; ImportFileError when it is wrong."""
    try:
        return ColumnMapping.from_data(data, COLUMNS)
    except MappingError as error:
        raise ImportFileError(str(error)) from None
