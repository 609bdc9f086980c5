"""Tables of decisions, payments, subsidies or budget lines: CSV, XLSX or ODS files at an address, uploaded, or
dropped in a watched folder by a council's finance or secretariat system.

Each file is one harvest object, its bytes its content: the runner hashes them, so an unchanged file imports
nothing. Files in a watched folder are also listed with their size and modification time, so that an unchanged
file is not even read. The file is written through the target module's own import, with the source's mapping
(the one shape of portal.importing.ColumnMapping; optional for files already in our columns):
`cms.importing.import_decisions` into the council of the source's body (in the language of the `language`
option, else the site's), `opendata.spending.importing.import_spending` for payments, subsidies and budget lines
(executed lines with the option `"execution": true`; the options `year` and `currency` are the defaults of rows
that give none). A mapping that names a column the file lacks fails that file, with the import's message.

A file gone from its folder or address withdraws nothing: its rows stay as they are. Spending rows have no public
state to take them off, and decisions are documents of record (a feed's withdrawal unpublishes the page:
harvesters.kinds.feed). Spending figures have no draft state either: such a source publishes at once.
"""

import io
import os
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import safety
from ..models import Target
from . import register
from .base import Gathered, Imported, ObjectFailure, SourceFailure, SourceKind

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cms.models import CouncilIndexPage
    from portal.importing import ImportReport

    from ..models import HarvestObject, HarvestSource

# The files of a watched folder that are harvested; the others (a README, a lock file) are left alone.
TABLE_EXTENSIONS = {".csv", ".tsv", ".txt", ".xlsx", ".ods", ".json"}
# The files of an archive that are imported (a .txt there is a read-me more often than a table).
ARCHIVED_TABLES = {".csv", ".tsv", ".xlsx", ".ods"}
SPENDING_TARGETS = {Target.PAYMENTS: "payments", Target.SUBSIDIES: "subsidies", Target.BUDGET: "budget"}


def council_of(source: "HarvestSource") -> "CouncilIndexPage":
    """The council page of the source's body in the `language` option's language (the site's by default);
    ValidationError when there is none, or several."""
    from cms.models import CouncilIndexPage

    language = str(source.options.get("language") or settings.LANGUAGE_CODE)
    councils = list(CouncilIndexPage.objects.filter(body_id=source.body_id, locale__language_code=language)[:2])
    if len(councils) != 1:
        message = (
            _("The body has no council page in “%(language)s” to publish decisions in.")
            if not councils
            else _("The body has several council pages in “%(language)s”: decisions cannot choose one.")
        )
        raise ValidationError({"body": message % {"language": language}})
    return councils[0]


def refuse_drafts(source: "HarvestSource", target: str) -> None:
    if not source.publish:
        raise ValidationError(
            {
                "publish": _("%(target)s have no draft state: a source feeding them publishes at once.")
                % {"target": Target(target).label}
            }
        )


def outcome_of(obj: "HarvestObject", report: "ImportReport") -> str:
    """What importing a whole file did to it: created the first time, then updated when a row changed."""
    if not obj.content_hash:
        return "created"
    return "updated" if report.created or report.updated else "unchanged"


def imported(obj: "HarvestObject", report: "ImportReport", record=None) -> Imported:
    return Imported(
        outcome_of(obj, report),
        record,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=list(report.errors),
        warnings=[str(warning) for warning in report.warnings],
    )


def body_root(source: "HarvestSource") -> Path:
    """The folder of the source's body below HARVEST_FOLDERS_ROOT (`<root>/<body slug>/`): a body's sources
    watch only its own exports, never another body's."""
    return Path(settings.HARVEST_FOLDERS_ROOT).resolve() / source.body.slug


def folder_path(source: "HarvestSource") -> Path:
    """The source's watched folder, below its body's folder; ValueError for an absolute path or one leaving it."""
    root, folder = body_root(source), source.folder
    relative = PurePosixPath(folder.replace("\\", "/"))
    if not folder.strip() or relative.is_absolute() or ".." in relative.parts or Path(folder).is_absolute():
        raise ValueError(
            _("The watched folder must be a folder below the body's harvest folder (%(root)s), without “..”.")
            % {"root": root}
        )
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise ValueError(_("The watched folder leads outside the portal's harvest folder (a link): it is refused."))
    return path


def file_name(remote_id: str) -> str:
    """The name of the file an object is, for the readers that tell CSV from JSON by it."""
    path = urlsplit(remote_id).path if "://" in remote_id else remote_id
    return PurePosixPath(path).name or "table.csv"


@register
class TableKind(SourceKind):
    name = "table"
    label = gettext_lazy("Tables (CSV, XLSX, ODS files)")
    targets = (Target.DECISIONS, Target.PAYMENTS, Target.SUBSIDIES, Target.BUDGET)
    location = "file"
    needs_mapping = True

    def check(self, source: "HarvestSource") -> None:
        places = [bool(source.url), bool(source.upload), bool(source.folder)]
        if sum(places) != 1:
            raise ValidationError(_("Give one of an address, an uploaded file or a watched folder."))
        if source.folder:
            try:
                folder_path(source)
            except ValueError as error:
                raise ValidationError({"folder": str(error)}) from None
        if source.target == Target.DECISIONS:
            from cms.importing import ImportFileError, decision_mapping

            council_of(source)
            if source.mapping:
                try:
                    decision_mapping(source.mapping)
                except ImportFileError as error:
                    raise ValidationError({"mapping": str(error)}) from None
        elif source.target in SPENDING_TARGETS:
            from opendata.spending.importing import spending_mapping
            from portal.importing import MappingError

            refuse_drafts(source, source.target)
            try:
                spending_mapping(source.mapping or {}, self.spending_kind(source))
            except MappingError as error:
                raise ValidationError({"mapping": str(error)}) from None
        else:
            raise ValidationError({"target": _("Tables feed decisions, payments, subsidies or budget lines.")})

    @staticmethod
    def spending_kind(source: "HarvestSource") -> str:
        kind = SPENDING_TARGETS[Target(source.target)]
        return "execution" if kind == "budget" and source.options.get("execution") else kind

    # Gather and fetch

    def gather(self, source: "HarvestSource", since: str) -> "Iterator[Gathered]":
        if source.url:
            yield Gathered(remote_id=source.url[:500], guid=source.url, remote_url=source.url)
        elif source.upload:
            name = Path(source.upload.name).name
            yield Gathered(remote_id=name, guid=f"upload:{source.body.slug}/{source.upload.name}")
        else:
            yield from self.gather_folder(source)

    def gather_folder(self, source: "HarvestSource") -> "Iterator[Gathered]":
        try:
            folder = folder_path(source)
        except ValueError as error:
            raise SourceFailure(str(error)) from None
        if not folder.is_dir():
            raise SourceFailure(_("The watched folder “%(folder)s” does not exist.") % {"folder": source.folder})
        root = body_root(source)
        for directory, folders, names in os.walk(folder):
            folders[:] = sorted(name for name in folders if not name.startswith("."))
            for name in sorted(names):
                path = Path(directory) / name
                if name.startswith(".") or path.suffix.lower() not in TABLE_EXTENSIONS:
                    continue
                relative = path.relative_to(folder).as_posix()
                try:
                    stat = path.stat()
                except OSError:
                    continue  # a file removed meanwhile, or a broken link
                yield Gathered(
                    remote_id=relative,
                    guid=f"folder:{source.body.slug}/{path.relative_to(root).as_posix()}",
                    modified=f"{stat.st_mtime_ns}:{stat.st_size}",
                )

    def fetch(self, source: "HarvestSource", gathered: Gathered) -> bytes:
        from harvesters import network

        if source.url:
            return network.get(source.url, max_bytes=settings.HARVEST_MAX_BYTES).content
        if source.upload:
            try:
                if source.upload.size > settings.HARVEST_MAX_BYTES:
                    raise ObjectFailure(_("The uploaded file is larger than the harvests' limit."))
                with source.upload.open("rb") as upload:
                    return upload.read()
            except OSError as error:
                raise ObjectFailure(
                    _("The uploaded file cannot be read: %(error)s.") % {"error": error.strerror}
                ) from None
        return self.read_from_folder(source, gathered.remote_id)

    @staticmethod
    def read_from_folder(source: "HarvestSource", relative: str) -> bytes:
        folder = folder_path(source)
        path = (folder / relative).resolve()
        if not path.is_relative_to(body_root(source)):
            message = _("“%(file)s” is a link leading outside the portal's harvest folder: it is refused.")
            raise ObjectFailure(message % {"file": relative})
        try:
            if path.stat().st_size > settings.HARVEST_MAX_BYTES:
                raise ObjectFailure(_("“%(file)s” is larger than the harvests' limit.") % {"file": relative})
            return path.read_bytes()
        except OSError as error:
            raise ObjectFailure(
                _("“%(file)s” cannot be read: %(error)s.") % {"file": relative, "error": error.strerror}
            ) from None

    # Import

    def import_object(self, source: "HarvestSource", obj: "HarvestObject", content: Any) -> Imported:
        from portal.files import sniff

        name = file_name(obj.remote_id)
        if sniff(io.BytesIO(content), name).kind == "zip":
            return self.import_archive(source, obj, content, name)
        return self.import_file(source, obj, content, name)

    def import_archive(self, source: "HarvestSource", obj: "HarvestObject", content: bytes, name: str) -> Imported:
        """A zip or tar of tables (as portals publish an export): each table in it imported in turn, once
        harvesters.safety has checked the archive (bombs, escaping paths, links)."""
        with TemporaryDirectory(prefix="harvest-") as folder:
            archive = Path(folder) / "archive"
            archive.write_bytes(content)
            try:
                members = safety.extract_archive(archive, Path(folder) / "files")
            except SourceFailure as refused:
                raise ObjectFailure(str(refused)) from None
            tables = sorted(path for path in members if path.suffix.lower() in ARCHIVED_TABLES)
            if not tables:
                raise ObjectFailure(_("%(file)s holds no table (CSV, XLSX or ODS).") % {"file": name})
            parts = [self.import_file(source, obj, path.read_bytes(), f"{name}/{path.name}") for path in tables]
        merged = Imported(parts[0].outcome, None)
        for part in parts:
            merged.created, merged.updated = merged.created + part.created, merged.updated + part.updated
            merged.unchanged += part.unchanged
            merged.errors += part.errors
            merged.warnings += part.warnings
        if obj.content_hash:
            merged.outcome = "updated" if merged.created or merged.updated else "unchanged"
        return merged

    def import_file(self, source: "HarvestSource", obj: "HarvestObject", content: bytes, name: str) -> Imported:
        if source.target == Target.DECISIONS:
            return self.import_decisions(source, obj, content, name)
        from opendata.spending.importing import import_spending
        from portal.files import FileRefused
        from portal.importing import MappingError

        refuse_drafts(source, source.target)
        data = io.BytesIO(content)
        data.name = name
        options = source.options
        try:
            report = import_spending(
                data,
                body=source.body,
                kind=self.spending_kind(source),
                mapping=source.mapping or None,
                year=int(options["year"]) if str(options.get("year") or "").isdigit() else None,
                currency=options.get("currency") or None,
            )
        except (MappingError, FileRefused) as error:
            raise ObjectFailure(_("%(file)s: %(error)s") % {"file": name, "error": error}) from None
        return imported(obj, report)

    def import_decisions(self, source: "HarvestSource", obj: "HarvestObject", content: bytes, name: str) -> Imported:
        from cms.importing import ImportFileError, decision_mapping, import_decisions
        from portal.files import FileRefused, ods_to_csv, sniff, xlsx_to_csv

        council = council_of(source)
        # Attachments named in a watched folder's files are paths below that folder.
        files_root = folder_path(source) if source.folder else None
        try:
            mapping = decision_mapping(source.mapping) if source.mapping else None
            with TemporaryDirectory(prefix="harvest-") as folder:
                path = Path(folder) / (Path(name).stem[:100] + Path(name).suffix.lower()[:10])
                path.write_bytes(content)
                kind = sniff(io.BytesIO(content), name).kind
                if kind in ("xlsx", "ods"):
                    # import_decisions reads CSV and JSON; workbooks go through the portal's one spreadsheet reader.
                    converted = Path(folder) / f"{path.stem}.csv"
                    (xlsx_to_csv if kind == "xlsx" else ods_to_csv)(path, converted)
                    path = converted
                files_root = files_root or Path(folder)
                report = import_decisions(
                    path, council=council, files_root=files_root, mapping=mapping, publish=source.publish
                )
        except (ImportFileError, FileRefused) as error:
            raise ObjectFailure(_("%(file)s: %(error)s") % {"file": name, "error": error}) from None
        return imported(obj, report)

    def withdraws(self, source: "HarvestSource") -> bool:
        return False  # the rows of a file gone from its place stay (see the module's docstring)

    def withdraw(self, source: "HarvestSource", obj: "HarvestObject") -> None:
        """Nothing to take off: the rows of a file gone from its place stay (see the module's docstring)."""
