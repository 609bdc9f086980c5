"""Limits on what the portal reads from an uploaded file, checked before any heavy work, for every module.

An upload's size is bounded where it arrives; these bound what it turns into once read: a ZIP-based file
(XLSX, DOCX, ODT, ODS) inflating to gigabytes, a spreadsheet declaring more cells than it holds, a table with
tens of thousands of columns. Each refusal is a `FileRefused` whose message can be shown to the person.
"""

import re
import zipfile
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _


class FileRefused(ValueError):
    """The file would take more than the portal gives to read one file; the message says which limit."""


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
