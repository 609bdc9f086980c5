"""XML and archives from harvest sources are opened only after these checks.

XML may declare entities that expand a few hundred bytes into gigabytes (billion laughs) or pull in a local
file or URL (XXE); an archive may hold a terabyte in a few kilobytes (zip bomb), paths that climb out of the
folder it is unpacked into, or links to other files. Each refusal is a SourceFailure saying what was wrong.
"""

import io
import os
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol
from xml.etree.ElementTree import Element, ParseError
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

import defusedxml.ElementTree
import defusedxml.expatreader
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from django.conf import settings
from django.utils.translation import gettext as _

from .kinds.base import SourceFailure

__all__ = ["ArchiveMember", "check_archive", "check_xml", "extract_archive", "parse_xml"]

# An archive of open data holds a few files; ten thousand is far past any we have seen.
MAX_MEMBERS = 10_000
# CSV and XML compress about 10:1, a column of repeated values up to about 100:1; a bomb reaches 1000:1.
MAX_RATIO = 200
COPY_CHUNK = 1024 * 1024
DECLARATION = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)


# XML ---------------------------------------------------------------------------------------------------------


def _xml_failure(error: Exception) -> SourceFailure:
    if isinstance(error, EntitiesForbidden):
        reason = _("it declares entities, which could expand without end or read local files")
    elif isinstance(error, ExternalReferenceForbidden):
        reason = _("it refers to an outside file or address, which harvests do not open")
    elif isinstance(error, DTDForbidden):
        reason = _("it declares a document type (<!DOCTYPE …>), which could expand entities or read local files")
    else:
        reason = _("it uses a construct harvests do not accept (%(error)s)") % {"error": error}
    return SourceFailure(_("the XML document is refused: %(reason)s") % {"reason": reason})


def parse_xml(data: bytes) -> Element:
    """Return the root element of an XML document that declares no DTD, no entity and no outside reference.

    Raises SourceFailure when it declares one of them or is not well-formed.
    """
    try:
        return defusedxml.ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise _xml_failure(error) from error
    except ParseError as error:
        line, column = error.position
        raise SourceFailure(
            _("the XML document is not well-formed (line %(line)s, column %(column)s)")
            % {"line": line, "column": column + 1}
        ) from error


def check_xml(data: bytes) -> None:
    """Raise SourceFailure when the XML declares a DTD, an entity or an outside reference; else return.

    For XML handed to rdflib or feedparser, which parse it their own way. The check reads the document as
    a stream (no tree is built). A document that is not well-formed is left to the parser that follows,
    which reports it in its own words (feedparser reads broken feeds leniently), unless a document type or
    an entity is declared anywhere in it.
    """
    parser = defusedxml.expatreader.create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(ContentHandler())
    try:
        parser.parse(io.BytesIO(data))
    except DefusedXmlException as error:
        raise _xml_failure(error) from error
    except SAXParseException as error:
        if DECLARATION.search(data):
            raise _xml_failure(DTDForbidden(None, None, None)) from error


# Archives ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveMember:
    """A regular file in an archive: its path inside, and its size once unpacked."""

    name: str
    size: int


def _refused(path: Path, reason: str) -> SourceFailure:
    return SourceFailure(_("the archive %(name)s is refused: %(reason)s") % {"name": path.name, "reason": reason})


def _safe_name(path: Path, name: str) -> str:
    """Return the member's relative path; refuse absolute paths and paths that climb out with `..`."""
    normal = name.replace("\\", "/")
    parts = PurePosixPath(normal).parts
    if (
        not normal
        or normal.startswith("/")
        or (len(normal) > 1 and normal[1] == ":")  # C:/…
        or ".." in parts
        or "\x00" in normal
    ):
        raise _refused(path, _("the file “%(member)s” would be written outside its folder") % {"member": name})
    return "/".join(part for part in parts if part not in ("", "."))


def _zip_members(path: Path, archive: zipfile.ZipFile) -> Iterator[tuple[str, int, bool]]:
    """Yield (name, size, is a folder) for each member, refusing links and special files."""
    for info in archive.infolist():
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise _refused(path, _("“%(member)s” is a link, which harvests do not unpack") % {"member": info.filename})
        # Zips made by other tools leave the file type out (zero): only a type that is there is checked.
        if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise _refused(path, _("“%(member)s” is not a file") % {"member": info.filename})
        yield info.filename, info.file_size, info.is_dir()


def _tar_members(path: Path, archive: tarfile.TarFile) -> Iterator[tuple[str, int, bool]]:
    """The same for a tar archive, reading one header at a time (a compressed tar is read as a stream)."""
    while (member := archive.next()) is not None:
        if member.issym() or member.islnk():
            raise _refused(path, _("“%(member)s” is a link, which harvests do not unpack") % {"member": member.name})
        if not (member.isfile() or member.isdir()):
            raise _refused(path, _("“%(member)s” is not a file") % {"member": member.name})
        yield member.name, member.size, member.isdir()


def check_archive(
    path: Path,
    *,
    max_members: int = MAX_MEMBERS,
    max_total: int | None = None,
    max_ratio: float = MAX_RATIO,
) -> list[ArchiveMember]:
    """Return the files of a zip or tar archive once it is known safe to unpack; raise SourceFailure if not.

    Refused: more than `max_members` members, more than `max_total` bytes unpacked (HARVEST_MAX_BYTES by
    default), a whole archive that unpacks past `max_ratio` times its size (a zip bomb), paths that are
    absolute or climb out with `..`, links and special files, and files that are no archive at all.
    """
    path = Path(path)
    max_total = settings.HARVEST_MAX_BYTES if max_total is None else max_total
    on_disk = max(path.stat().st_size, 1)
    members: list[ArchiveMember] = []
    total = 0
    try:
        with _members_of(path) as listing:
            for count, (name, size, is_dir) in enumerate(listing, start=1):
                if count > max_members:
                    raise _refused(path, _("it holds more than %(count)s files") % {"count": f"{max_members:,}"})
                safe = _safe_name(path, name)
                total += size
                if total > max_total:
                    raise _refused(
                        path,
                        _("it unpacks to more than %(megabytes)s MB")
                        % {"megabytes": round(max_total / 1024 / 1024, 1)},
                    )
                if total / on_disk > max_ratio:
                    raise _refused(
                        path,
                        _("it unpacks to more than %(ratio)s times its own size, as a zip bomb does")
                        % {"ratio": max_ratio},
                    )
                if not is_dir and safe:
                    members.append(ArchiveMember(safe, size))
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as error:
        raise _refused(path, _("it is damaged or not a zip or tar file")) from error
    return members


@contextmanager
def _members_of(path: Path) -> Iterator[Iterator[tuple[str, int, bool]]]:
    """Open a zip or tar archive and yield an iterator over its members' (name, size, is a folder)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            yield _zip_members(path, archive)
    elif tarfile.is_tarfile(path):
        with tarfile.open(path, mode="r:*") as tar:
            yield _tar_members(path, tar)
    else:
        raise _refused(path, _("it is not a zip or tar file"))


def extract_archive(
    path: Path,
    destination: Path,
    *,
    max_members: int = MAX_MEMBERS,
    max_total: int | None = None,
    max_ratio: float = MAX_RATIO,
) -> list[Path]:
    """Unpack a zip or tar archive into `destination` after `check_archive`; return the files written.

    Each file is written no larger than the size its archive declares, so a member that lies about its size
    cannot grow past the limits that were checked.
    """
    path, destination = Path(path), Path(destination)
    members = check_archive(path, max_members=max_members, max_total=max_total, max_ratio=max_ratio)
    destination.mkdir(parents=True, exist_ok=True)
    root = destination.resolve()
    written: list[Path] = []
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    name = _safe_name(path, info.filename)
                    with archive.open(info) as source:
                        written.append(_write(path, root, name, source, info.file_size))
        else:
            sizes = {member.name: member.size for member in members}
            with tarfile.open(path, mode="r:*") as tar:
                for member in tar:
                    name = _safe_name(path, member.name)
                    extracted = tar.extractfile(member) if member.isfile() and name in sizes else None
                    if extracted is not None:
                        with extracted:
                            written.append(_write(path, root, name, extracted, sizes[name]))
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error) as error:
        raise _refused(path, _("it is damaged or not a zip or tar file")) from error
    return written


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _write(path: Path, root: Path, name: str, source: _Readable, size: int) -> Path:
    """Write one member below `root`, no larger than `size`; refuse it if it holds more."""
    target = (root / name).resolve()
    if not target.is_relative_to(root):
        raise _refused(path, _("the file “%(member)s” would be written outside its folder") % {"member": name})
    target.parent.mkdir(parents=True, exist_ok=True)
    left = size
    with open(target, "wb") as out:
        while left > 0:
            chunk = source.read(min(COPY_CHUNK, left))
            if not chunk:
                break
            out.write(chunk)
            left -= len(chunk)
        if source.read(1):
            out.close()
            os.unlink(target)
            raise _refused(path, _("“%(member)s” is larger than the archive says") % {"member": name})
    return target
