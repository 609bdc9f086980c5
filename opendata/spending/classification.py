"""Load a functional or economic classification (a code list with levels and labels in ar/fr/en) for a body, or the
shared list every body starts from, from the same files as the spending import reads (CSV, XLSX, ODS)."""

from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.bodies.models import PublicBody
from portal.importing import ColumnMapping, ImportReport, MappingError, RowError, assign_changed
from portal.money import ascii_digits

from .importing import open_table
from .models import ClassificationCode, Scheme

CLASSIFICATION_FIELDS = ("code", "parent", "level", "label_ar", "label_fr", "label_en")


def load_classification(
    source: Path | str | IO[bytes], *, scheme: str, body: PublicBody | None = None, mapping: Any = None
) -> ImportReport:
    """Return the report of loading a functional or economic code list (code, parent, level, label_ar, label_fr,
    label_en) as `body`'s own codes, or the shared list when `body` is None.

    A code is found by (body, scheme, code) and written only when a value differs. Codes are text: "007"
    stays "007" (a spreadsheet that stored it as a number gives "7"). A code's parent must be in the file or
    stored already; an empty level is its parent's plus one (1 at the top). One transaction.
    """
    if scheme not in Scheme.values:
        raise ValueError(f"unknown classification scheme {scheme!r}")
    if not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping.from_data(mapping or {}, CLASSIFICATION_FIELDS)
    report = ImportReport()
    with open_table(source, named=list(mapping.columns.values())) as table, transaction.atomic():
        report.encoding = table.encoding
        positions = mapping.apply({name: index for index, name in enumerate(table.header)})
        if "code" not in positions:
            raise MappingError(
                _("The file has no “code” column. The file's columns are: %(columns)s.")
                % {"columns": ", ".join(repr(cell) for cell in table.header if cell)}
            )
        stored = {code.code: code for code in ClassificationCode.objects.filter(body=body, scheme=scheme)}
        levels = {code: entry.level for code, entry in stored.items()}
        if body is not None:  # a body's codes may hang below the shared ones
            shared = ClassificationCode.objects.filter(body=None, scheme=scheme).values_list("code", "level")
            levels = dict(shared) | levels
        rows = []
        for line, cells in report.skip_repeats(table.rows):
            values = {
                name: ascii_digits(cells[index].strip()) if index < len(cells) else ""
                for name, index in positions.items()
            }
            rows.append((line, values))
            if values.get("code"):
                levels.setdefault(values["code"], 0)
        for line, values in rows:
            _load_code(line, values, body=body, scheme=scheme, stored=stored, levels=levels, report=report)
    return report


def _load_code(line, values, *, body, scheme, stored, levels, report) -> None:
    code, parent = values.get("code", ""), values.get("parent", "")
    problems = []
    if not code:
        problems.append(_("the code is empty"))
    if parent and parent not in levels:
        problems.append(_("the parent code “%(code)s” is neither in the file nor stored") % {"code": parent})
    level_text = values.get("level", "").removesuffix(".0")
    if level_text and not (level_text.isdigit() and int(level_text) >= 1):
        problems.append(_("the level “%(level)s” is not a whole number from 1") % {"level": level_text})
    if any(len(values.get(name, "")) > 500 for name in ("label_ar", "label_fr", "label_en")) or len(code) > 30:
        problems.append(_("a code has at most 30 characters and a label 500"))
    if problems:
        report.errors.append(RowError(line, code, "; ".join(problems)))
        return
    level = int(level_text) if level_text else (levels.get(parent) or 1) + 1 if parent else 1
    levels[code] = level
    fields = {"parent_code": parent, "level": level}
    fields |= {name: values[name] for name in ("label_ar", "label_fr", "label_en") if name in values}
    entry = stored.get(code)
    if entry is None:
        stored[code] = ClassificationCode.objects.create(body=body, scheme=scheme, code=code, **fields)
        report.created += 1
    elif assign_changed(entry, fields):
        entry.save()
        report.updated += 1
    else:
        report.unchanged += 1
