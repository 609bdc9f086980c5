"""A table's schema: its header labels, the types inferred from its first rows, and frictionless' validation.

How validation scales: frictionless validates the first `VALIDATION_ROWS` rows (structure: missing and
extra cells, blank or duplicate headers; types against the schema), which is its slow part (a few
thousand rows per second per field); the loader then checks the type of *every* cell of the whole
file with vectorised pandas conversions while it loads, and pandas' C parser refuses any row with too
many cells. A file past the cap is therefore type-checked in full and structure-checked in full for
extra cells; a row with too few cells past the cap loads with empty trailing cells (the report says
how many rows frictionless saw). A failed check anywhere refuses the whole load and the resource's
previous DataStore rows stay. An inferred type that a later value breaks (in frictionless' rows or
the loader's) makes that field text, with a warning; against a declared schema it makes the file INVALID.
"""

import re
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _

from portal.files import ACCOUNTING_ZERO, DAY_FIRST_DATE, records, sample_text, split_amount

# Rows frictionless validates (see the package docstring); the loader checks every cell of every row.
VALIDATION_ROWS = getattr(settings, "OPENDATA_VALIDATION_ROWS", 100_000)
INFER_ROWS = 2_000  # rows frictionless infers types from
MAX_ERRORS = 50  # errors kept in a validation report
# Digits with a zero before the others ("007", "02100"): not "0", "0.5", "0,5" or a date ("01/02/2024").
LEADING_ZERO = re.compile(r"^0\d+$")
SUPPORTED_TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year"}


class IngestError(Exception):
    """The file can't be loaded as it is; the message says why, for staff. Makes the version INVALID."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []


def file_row(row: int, dialect: dict) -> int:
    """The row of the uploaded file that row `row` of the table read is: the one before when the file had no
    header and the portal wrote one (opendata.ingest)."""
    return row if dialect.get("header", True) else row - 1


def clean_labels(labels: list[str]) -> tuple[list[str], list[str]]:
    """Return field names for a header row (trimmed; blank ones named by position; duplicates numbered) and
    what was changed, for the report. Arabic headers are kept as they are."""
    names, warnings, seen = [], [], set()
    for position, label in enumerate(labels, start=1):
        name = (label or "").replace("\ufeff", "").strip()
        if not name:
            name = f"field_{position}"
            warnings.append(
                _("Column %(position)s has no header; it is named “%(name)s”.") % {"position": position, "name": name}
            )
        if name in seen:
            number = 2
            while f"{name}_{number}" in seen:
                number += 1
            warnings.append(
                _("Column %(position)s repeats the header “%(label)s”; it is named “%(name)s”.")
                % {"position": position, "label": name, "name": f"{name}_{number}"}
            )
            name = f"{name}_{number}"
        seen.add(name)
        names.append(name)
    return names, warnings


def infer_schema(path: Path, dialect: dict, names: list[str]) -> tuple[dict, list[str]]:
    """Return a Table Schema for the file, inferred by frictionless from its first rows (under our names),
    and warnings for the report.

    Types the DataStore does not keep become strings; numbers with a decimal comma or grouped digits,
    amounts with a currency sign or an accounting dash, and day-first dates, which frictionless does not
    infer, are recognised from the sample. A column of numbers that a few cells keep as text is named in
    the warnings with those cells.
    """
    from frictionless import Detector, Resource

    text = sample_text(path, dialect["encoding"])
    width = len(names)
    numbered = [
        (number, (row + [""] * width)[:width])
        for number, row in enumerate(
            records(text, dialect["delimiter"], INFER_ROWS + 1)[1:], start=file_row(2, dialect)
        )
        if any(row)
    ]
    rows = [row for _number, row in numbered]
    resource = Resource(data=[names, *rows], detector=Detector(sample_size=INFER_ROWS, field_confidence=1.0))
    resource.infer()
    fields, warnings = [], []
    for position, descriptor in enumerate(resource.schema.to_descriptor()["fields"]):
        kind = descriptor.get("type")
        cells = [(number, row[position].strip()) for number, row in numbered if row[position].strip()]
        if any(LEADING_ZERO.match(value) for _number, value in cells):
            # 007, 02100, 0003: a code (a postcode, an account, a commune's number) whose zeros are part of it.
            descriptor = {"name": names[position], "type": "string"}
        elif kind not in SUPPORTED_TYPES or kind == "string":
            typed, warning = _text_type(names[position], cells, dialect)
            descriptor = {"name": names[position], **typed}
            if warning:
                warnings.append(warning)
        else:
            descriptor = {"name": names[position], "type": kind}
        fields.append(descriptor)
    return {"fields": fields, "missingValues": [""]}, warnings


MOSTLY = 0.8  # the share of number cells that makes a text column worth a word in the report
SHOWN_CELLS = 5  # cells a warning quotes


def _text_type(name: str, cells: list[tuple[int, str]], dialect: dict) -> tuple[dict, str | None]:
    """The type of a column frictionless left as text, and a warning when a few cells keep it so."""
    if not cells:
        return {"type": "string"}, None
    decimal, group = dialect.get("decimal", "."), dialect.get("thousands", "")
    numbers = {}  # row → (digits, currency) of the cells that are numbers
    for number, value in cells:
        amount = split_amount(value)
        if amount is not None and _is_number(amount[0], decimal, group):
            numbers[number] = amount
    currencies = {currency for _digits, currency in numbers.values() if currency}
    # A column of dashes alone is no column of numbers.
    real = any(value not in ACCOUNTING_ZERO for number, value in cells if number in numbers)
    if len(numbers) == len(cells) and real and len(currencies) <= 1:
        descriptor: dict = {"type": "number", "decimalChar": decimal}
        if group:
            descriptor["groupChar"] = group
        if any(numbers[number][0] != value for number, value in cells):
            descriptor["bareNumber"] = False  # signs, codes, parentheses or dashes around the digits
        if currencies:
            descriptor["currency"] = currencies.pop()
        return descriptor, None
    values = [value for _number, value in cells]
    if all(DAY_FIRST_DATE.match(value) for value in values):
        try:
            pd.to_datetime(pd.Series(values), format="%d/%m/%Y", errors="raise")
            return {"type": "date", "format": "%d/%m/%Y"}, None
        except ValueError:
            pass
    if real and len(numbers) >= MOSTLY * len(cells):
        if len(currencies) > 1:
            reason = _("it mixes currencies (%(currencies)s)") % {"currencies": ", ".join(sorted(currencies))}
        else:
            stopping = [(number, value) for number, value in cells if number not in numbers]
            reason = _("these cells are not numbers: %(cells)s") % {
                "cells": ", ".join(
                    _("row %(row)s “%(value)s”") % {"row": number, "value": value}
                    for number, value in stopping[:SHOWN_CELLS]
                )
                + (" …" if len(stopping) > SHOWN_CELLS else "")
            }
        return {"type": "string"}, _("Column “%(name)s” is kept as text although it holds numbers: %(reason)s.") % {
            "name": name,
            "reason": reason,
        }
    return {"type": "string"}, None


def _is_number(value: str, decimal: str, group: str) -> bool:
    text = value.replace(group, "") if group else value
    text = text.replace(decimal, ".") if decimal != "." else text
    return bool(re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text))


def validate(
    path: Path, dialect: dict, schema: dict, limit_rows: int | None = None, *, check_types: bool = True
) -> dict:
    """Return a compact report of frictionless' validation of the first `limit_rows` (VALIDATION_ROWS) rows.

    Without `check_types`, frictionless checks the table's structure only and the loader alone judges
    the cells (opendata.ingest.load): one rule for an inferred schema, whose types are the loader's.
    """
    limit_rows = limit_rows or VALIDATION_ROWS
    if not check_types:
        schema = {**schema, "fields": [{"name": field["name"], "type": "string"} for field in schema["fields"]]}
    from frictionless import Checklist, Dialect, Resource, Schema
    from frictionless.formats import CsvControl

    resource = Resource(
        path=path.name,
        basepath=str(path.parent),  # frictionless refuses absolute paths as unsafe
        format="csv",
        encoding=dialect["encoding"],
        dialect=Dialect(controls=[CsvControl(delimiter=dialect["delimiter"])]),
        schema=Schema.from_descriptor(schema),
    )
    # Our names replace the file's header (blank and repeated labels are fixed and reported by us);
    # blank rows are skipped by the loader too.
    checklist = Checklist(skip_errors=["#label", "blank-row"])
    report = resource.validate(checklist, limit_rows=limit_rows, limit_errors=MAX_ERRORS)
    task = report.tasks[0] if report.tasks else None
    errors = []
    for error in task.errors if task else report.errors:
        errors.append(
            {
                "row": file_row(error.row_number, dialect) if getattr(error, "row_number", None) else None,
                "field": getattr(error, "field_name", None),
                "type": error.type,
                "message": error.message,
            }
        )
    rows = task.stats.get("rows", 0) if task else 0
    return {
        "valid": not errors,
        "rows_checked": rows,
        "complete": rows < limit_rows,
        "errors": errors[:MAX_ERRORS],
    }
