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

from portal.files import (
    DAY_FIRST_DATE,
    records,
    sample_text,
)

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


def infer_schema(path: Path, dialect: dict, names: list[str]) -> dict:
    """Return a Table Schema for the file, inferred by frictionless from its first rows (under our names).

    Types the DataStore does not keep become strings; numbers with a decimal comma or grouped digits and
    day-first dates, which frictionless does not infer, are recognised from the sample.
    """
    from frictionless import Detector, Resource

    text = sample_text(path, dialect["encoding"])
    rows = records(text, dialect["delimiter"], INFER_ROWS + 1)[1:]
    width = len(names)
    rows = [(row + [""] * width)[:width] for row in rows if any(row)]
    resource = Resource(data=[names, *rows], detector=Detector(sample_size=INFER_ROWS, field_confidence=1.0))
    resource.infer()
    fields = []
    for position, descriptor in enumerate(resource.schema.to_descriptor()["fields"]):
        kind = descriptor.get("type")
        values = [row[position].strip() for row in rows if row[position].strip()]
        if any(LEADING_ZERO.match(value) for value in values):
            # 007, 02100, 0003: a code (a postcode, an account, a commune's number) whose zeros are part of it.
            descriptor = {"name": names[position], "type": "string"}
        elif kind not in SUPPORTED_TYPES or kind == "string":
            descriptor = {"name": names[position], **_text_type(values, dialect)}
        else:
            descriptor = {"name": names[position], "type": kind}
        fields.append(descriptor)
    return {"fields": fields, "missingValues": [""]}


def _text_type(values: list[str], dialect: dict) -> dict:
    if not values:
        return {"type": "string"}
    decimal, group = dialect.get("decimal", "."), dialect.get("thousands", "")
    if all(_is_number(value, decimal, group) for value in values):
        number = {"type": "number", "decimalChar": decimal}
        if group:
            number["groupChar"] = group
        return number
    if all(DAY_FIRST_DATE.match(value) for value in values):
        try:
            pd.to_datetime(pd.Series(values), format="%d/%m/%Y", errors="raise")
            return {"type": "date", "format": "%d/%m/%Y"}
        except ValueError:
            pass
    return {"type": "string"}


def _is_number(value: str, decimal: str, group: str) -> bool:
    text = value.replace(group, "") if group else value
    text = text.replace(decimal, ".") if decimal != "." else text
    return bool(re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text))


def validate(path: Path, dialect: dict, schema: dict, limit_rows: int | None = None) -> dict:
    """Return a compact report of frictionless' validation of the first `limit_rows` (VALIDATION_ROWS) rows."""
    limit_rows = limit_rows or VALIDATION_ROWS
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
                "row": getattr(error, "row_number", None),
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
