"""Ingestion of an uploaded tabular version: what the file is, its dialect and schema, validation, DataStore load.

`ingest_version` walks a version through an explicit state machine (TRANSITIONS below):
PENDING → VALIDATING → LOADING → LOADED, or INVALID (the file is wrong: staff must fix it) or FAILED
(something broke on our side: retry). Each transition is one conditional UPDATE … WHERE status = old,
so two workers given the same version never both run it.

The stages live apart: what the file is and how its text reads in portal.files, its schema and validation in
`schema`, the load in `load`; this module runs them and keeps the version's status and progress.
"""

import codecs
import logging
import re
import shutil
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _

from portal.files import (
    FileRefused,
    check_archive,
    check_columns,
    detect_delimiter,
    detect_encoding,
    detect_numbers,
    header_is_data,
    mismatch,
    ods_to_csv,
    records,
    sample_text,
    sniff,
    xlsx_to_csv,
)
from portal.workflow import TransitionNotAllowed

from .. import datastore
from ..models import VERSION_WORKFLOW, Resource, ResourceVersion
from .load import load_file
from .schema import INFER_ROWS, MAX_ERRORS, SHOWN_CELLS, IngestError, clean_labels, infer_schema, validate

logger = logging.getLogger(__name__)
Status = ResourceVersion.Status


PROGRESS_TIMEOUT = 24 * 3600
# Workbooks, by kind: each writes its first sheet as a UTF-8 CSV and says what else it held.
SPREADSHEETS = {"xlsx": xlsx_to_csv, "ods": ods_to_csv}


class TransitionError(RuntimeError):
    pass


def transition(version: ResourceVersion, status: str, **fields) -> None:
    """Move `version` to `status` (models.VERSION_WORKFLOW), setting `fields` with it.

    A conditional UPDATE (portal.workflow), so that of two workers racing for a version only one wins; raises
    TransitionError for the other, or when the workflow has no such move from the version's status.
    """
    try:
        VERSION_WORKFLOW.move(version, status, **fields)
    except TransitionNotAllowed as error:
        raise TransitionError(str(error)) from None
    _set_progress(version, status=status)


def retry(version: ResourceVersion) -> ResourceVersion:
    """Put a FAILED version back in the queue (the caller schedules the task)."""
    transition(version, Status.PENDING, error="")
    return version


def ingest_version(version: ResourceVersion) -> ResourceVersion:
    """Validate `version`'s file and load its rows into the resource's DataStore; return the version.

    Ends LOADED (rows_loaded, table_schema, dialect, validation_report set), INVALID (the file is at fault;
    `error` and the report say why) or FAILED (our fault; logged). Never raises for a bad file. A version
    that is not PENDING is left alone (another worker has it, or it is done).
    """
    try:
        transition(version, Status.VALIDATING, error="")
    except TransitionError:
        logger.info("Version %s is %s: not ingesting it again.", version.pk, version.status)
        return version
    report: dict = {"valid": False, "warnings": [], "errors": [], "stats": {"bytes": version.size}}
    with tempfile.TemporaryDirectory(prefix="ingest-") as workdir:
        try:
            _ingest(version, Path(workdir), report)
        except (IngestError, FileRefused) as error:
            report["valid"] = False
            report["errors"] = (report.get("errors") or []) + getattr(error, "errors", [])
            report["errors"] = report["errors"][:MAX_ERRORS]
            transition(version, Status.INVALID, error=str(error), validation_report=report, dialect=version.dialect)
        except Exception as error:
            logger.exception("Ingesting version %s failed", version.pk)
            transition(
                version,
                Status.FAILED,
                error=_("The file could not be loaded because of an error on the portal (%(error)s).")
                % {"error": type(error).__name__},
                validation_report=report,
            )
    return version


def _ingest(version: ResourceVersion, workdir: Path, report: dict) -> None:
    resource = version.resource
    declared = dict(version.dialect or {})
    path = _local_copy(version, workdir)
    with open(path, "rb") as file:
        sniffed = sniff(file, version.original_name, resource.format)
    problem = mismatch(sniffed, version.original_name)
    if problem:
        raise IngestError(problem)
    if not sniffed.is_tabular:
        raise IngestError(
            _("The file is %(kind)s, not a table: only CSV, TSV, XLSX and ODS files are loaded.")
            % {"kind": sniffed.label}
        )

    if sniffed.kind in SPREADSHEETS:
        converted = workdir / "sheet.csv"
        try:
            check_archive(str(path))
            sheet = SPREADSHEETS[sniffed.kind](path, converted)
        except FileRefused as refusal:
            raise IngestError(str(refusal)) from None
        path = converted
        if sheet["other_sheets"]:
            names = "”, “".join(sheet["other_sheets"])
            report["warnings"].append(
                _("Only the first sheet, “%(sheet)s”, was loaded; not “%(others)s”.")
                % {"sheet": sheet["sheet"], "others": names}
            )
        if sheet["merged"]:
            report["warnings"].append(
                _("Merged cells (%(cells)s) were filled with the value of their first cell.")
                % {"cells": ", ".join(sheet["merged"][:10])}
            )
        if spanning := [name for name in sheet["merged"] if re.match(r"[A-Z]+1:[A-Z]+([2-9]|\d\d)", name)]:
            report["warnings"].append(
                _(
                    "The header seems to take more than one row (merged cells %(cells)s): only the first row "
                    "names the columns. A header of one row, one name per column, loads best."
                )
                % {"cells": ", ".join(spanning[:10])}
            )
        dialect = {"encoding": "utf-8", "delimiter": ",", "sheet": sheet["sheet"]}
    else:
        dialect = {"encoding": detect_encoding(path, declared.get("encoding", ""))}
        dialect["delimiter"] = (
            "\t" if sniffed.kind == "tsv" else detect_delimiter(sample_text(path, dialect["encoding"]))
        )
    sample = records(sample_text(path, dialect["encoding"]), dialect["delimiter"], INFER_ROWS + 1)
    if not sample or not any(cell.strip() for cell in sample[0]):
        raise IngestError(_("The file is empty: it has no header row."))
    header = declared.get("header")
    if header is None and header_is_data(sample[0], sample[1:]):
        header = False
        report["warnings"].append(
            _(
                "The first row holds data, not column names: it is loaded as a row and the columns are named "
                "column_1, column_2…. If it does name the columns, upload the file again saying so."
            )
        )
    if header is False:
        path = _with_header(path, dialect, max(len(record) for record in sample), workdir)
        sample = records(sample_text(path, dialect["encoding"]), dialect["delimiter"], INFER_ROWS + 1)
    try:
        check_columns(max(len(record) for record in sample))
    except FileRefused as refusal:
        raise IngestError(str(refusal)) from None
    if len(sample) < 2 or not any(any(cell.strip() for cell in row) for row in sample[1:]):
        raise IngestError(_("The file has a header but no rows."))
    dialect["decimal"], dialect["thousands"] = detect_numbers(sample[1:])
    version.dialect = dialect
    ResourceVersion.objects.filter(pk=version.pk).update(dialect=dialect)

    names, warnings = clean_labels(sample[0])
    report["warnings"].extend(warnings)
    if resource.declared_schema:
        schema = _declared(resource.declared_schema, names)
    else:
        schema, warnings = infer_schema(path, dialect, names)
        report["warnings"].extend(warnings)
    report["schema_source"] = "declared" if resource.declared_schema else "inferred"

    # A declared schema is the publisher's word, checked as frictionless reads it; the types of an
    # inferred one are the loader's, which checks every cell (a later value of another kind makes the
    # field text).
    checked = validate(path, dialect, schema, check_types=report["schema_source"] == "declared")
    report.update(
        valid=checked["valid"],
        errors=checked["errors"],
        stats={**report["stats"], "fields": len(names), "rows_validated": checked["rows_checked"]},
        complete=checked["complete"],
    )
    if not checked["valid"]:
        first = checked["errors"][0]
        where = _("row %(row)s") % {"row": first["row"]} if first.get("row") else _("the header")
        raise IngestError(
            _("The file did not pass validation (%(count)s+ errors; first at %(where)s: %(message)s).")
            % {"count": len(checked["errors"]), "where": where, "message": first["message"]}
        )

    transition(version, Status.LOADING, validation_report=report, dialect=dialect)
    total = path.stat().st_size

    def on_progress(rows, done_bytes):
        _set_progress(version, rows=rows, bytes=done_bytes, total_bytes=total)

    while True:
        try:
            result = load_file(version.resource, version, path, dialect, schema, on_progress)
        except datastore.DatastoreError as error:
            raise IngestError(str(error)) from None
        if not result.errors:
            break
        if report["schema_source"] == "declared":
            report["stats"]["type_errors"] = result.error_count
            first = result.errors[0]
            raise IngestError(
                _(
                    "%(count)s cells do not match the declared schema; "
                    "the first at row %(row)s, field “%(field)s”: %(message)s."
                )
                % {
                    "count": result.error_count,
                    "row": first["row"],
                    "field": first["field"],
                    "message": first["message"],
                },
                result.errors,
            )
        # An inferred type that a row past the validated ones breaks: keep that field as text and load again.
        _demote(schema, result.errors, report)

    report["stats"]["rows"] = result.rows
    report["valid"] = True
    transition(
        version,
        Status.LOADED,
        rows_loaded=result.rows,
        table_schema=schema,
        validation_report=report,
        dialect=dialect,
        error="",
    )
    _set_progress(version, rows=result.rows, bytes=total, total_bytes=total)
    resource.touch()
    # Only now does the file become the one the public downloads; an older version that finishes after a
    # newer one does not take its place back.
    Resource.objects.filter(pk=resource.pk).filter(
        Q(current_version__isnull=True) | Q(current_version__number__lt=version.number)
    ).update(current_version=version)


def _with_header(path: Path, dialect: dict, width: int, workdir: Path) -> Path:
    """A copy of the headerless file at `path` under a header of generated names, in the file's own encoding
    (after its byte-order mark), so that every reader after takes it as any file; `dialect` says so."""
    target = workdir / "with-header.csv"
    names = dialect["delimiter"].join(f"column_{position}" for position in range(1, width + 1)) + "\n"
    with open(path, "rb") as source, open(target, "wb") as output:
        head = source.read(4)
        bom = next((mark for mark in BYTE_ORDER_MARKS if head.startswith(mark)), b"")
        output.write(bom + names.encode(BYTE_ORDER_MARKS.get(bom, dialect["encoding"])))
        source.seek(len(bom))
        shutil.copyfileobj(source, output, 1 << 20)
    dialect["header"] = False
    return target


# The codec of a file's text after its byte-order mark.
BYTE_ORDER_MARKS = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}


def _demote(schema: dict, errors: list[dict], report: dict) -> None:
    """Make text of the fields whose cells `errors` name, saying which cells stopped each."""
    stopped: dict[str, list[dict]] = {}
    for error in errors:
        stopped.setdefault(error["field"], []).append(error)
    for descriptor in schema["fields"]:
        if descriptor["name"] in stopped:
            name = descriptor["name"]
            descriptor.clear()
            descriptor.update(name=name, type="string")
    for name, cells in sorted(stopped.items()):
        report["warnings"].append(
            _("Column “%(name)s” is kept as text: values past the first rows are not of the type inferred (%(cells)s).")
            % {
                "name": name,
                "cells": ", ".join(_("row %(row)s: %(message)s") % error for error in cells[:SHOWN_CELLS]),
            }
        )


def _declared(schema: dict, names: list[str]) -> dict:
    """The declared schema, checked against the file's header (same columns, same order)."""
    declared = [descriptor.get("name", "") for descriptor in schema.get("fields", [])]
    if len(declared) != len(names):
        raise IngestError(
            _("The file has %(found)s columns; the declared schema has %(declared)s.")
            % {"found": len(names), "declared": len(declared)}
        )
    for position, (name, expected) in enumerate(zip(names, declared, strict=True), start=1):
        if name != expected:
            raise IngestError(
                _("Column %(position)s is “%(name)s” in the file but “%(expected)s” in the declared schema.")
                % {"position": position, "name": name, "expected": expected}
            )
    return {**schema, "fields": [dict(descriptor) for descriptor in schema["fields"]]}


def _local_copy(version: ResourceVersion, workdir: Path) -> Path:
    """A path to the version's file: the storage's own when it has one, else a copy streamed to `workdir`."""
    try:
        return Path(version.file.path)
    except NotImplementedError:  # remote storage (S3): stream it down
        target = workdir / "upload"
        with version.file.open("rb") as source, open(target, "wb") as output:
            for block in iter(lambda: source.read(1 << 20), b""):
                output.write(block)
        return target


# ---------------------------------------------------------------------------------------------------------------
# Progress


def _progress_key(version_pk: int) -> str:
    return f"opendata:ingest:{version_pk}"


def _set_progress(version: ResourceVersion, **values) -> None:
    state = cache.get(_progress_key(version.pk)) or {"rows": 0, "bytes": 0, "total_bytes": version.size}
    state.update(values)
    state["status"] = version.status
    cache.set(_progress_key(version.pk), state, PROGRESS_TIMEOUT)


def progress(version: ResourceVersion) -> dict:
    """Return {"status", "rows", "bytes", "total_bytes"} of the version's ingestion, as the task last wrote it.

    Bytes are of the file the loader reads (the CSV made from a workbook for XLSX). Falls back to the
    database when the cache has nothing (e.g. expired, or another cache).
    """
    state = cache.get(_progress_key(version.pk))
    status = ResourceVersion.objects.filter(pk=version.pk).values_list("status", flat=True).first()
    if state is None:
        done = status == Status.LOADED
        rows = version.rows_loaded if done else 0
        state = {"rows": rows, "bytes": version.size if done else 0, "total_bytes": version.size}
    return {**state, "status": status or state.get("status")}


__all__ = ["IngestError", "TransitionError", "ingest_version", "progress", "retry", "transition"]
