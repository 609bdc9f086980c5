"""Workflows of the catalogue that span several models: storing an upload as a resource's next version."""

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.files import mismatch, sniff

from .models import Resource, ResourceVersion

FORMATS = {
    "csv": "CSV",
    "tsv": "TSV",
    "xlsx": "XLSX",
    "ods": "ODS",
    "xls": "XLS",
    "pdf": "PDF",
    "zip": "ZIP",
    "json": "JSON",
}
READ_BLOCK = 1 << 20
# The audit log's action for an upload, registered in wagtail_hooks.
UPLOAD_LOG_ACTION = "opendata.upload"


class UploadRefused(ValidationError):
    """The upload is not stored at all: too large, or a program."""


def add_version(
    resource: Resource,
    uploaded_file,
    *,
    user=None,
    filename: str | None = None,
    encoding: str = "",
    header: bool | None = None,
) -> ResourceVersion:
    """Store `uploaded_file` as the resource's next version and return it; the previous versions stay.

    The file is read in blocks (size, SHA-256, what its bytes say it is), never whole in memory. Tabular
    files (CSV, TSV, XLSX) start PENDING and are ingested by a task once the transaction commits; a file
    whose name says it is a table but whose content is something else is stored INVALID with the reason;
    other files are STORED. `encoding` declares the file's encoding (checked, not trusted); `header` says
    whether a table's first row names its columns (None: the ingestion tells from the file).
    Raises UploadRefused for a file past OPENDATA_MAX_UPLOAD_SIZE or a program.
    """
    filename = PurePath(filename or getattr(uploaded_file, "name", "") or "upload").name
    source = uploaded_file if isinstance(uploaded_file, File) else File(uploaded_file, name=filename)
    digest, size = hashlib.sha256(), 0
    source.seek(0)
    for block in source.chunks(READ_BLOCK):
        size += len(block)
        if size > settings.OPENDATA_MAX_UPLOAD_SIZE:
            raise UploadRefused(
                _("The file is larger than the %(limit)s MB allowed.")
                % {"limit": settings.OPENDATA_MAX_UPLOAD_SIZE // (1024 * 1024)}
            )
        digest.update(block)
    sniffed = sniff(source, filename, resource.format)
    if sniffed.kind == "executable":
        raise UploadRefused(_("Programs and scripts are not accepted as data files."))

    problem = mismatch(sniffed, filename)
    if problem:
        status, error = ResourceVersion.Status.INVALID, problem
    elif sniffed.is_tabular:
        status, error = ResourceVersion.Status.PENDING, ""
    else:
        status, error = ResourceVersion.Status.STORED, ""

    source.seek(0)
    for attempt in range(3):
        try:
            with transaction.atomic():
                version = _create(resource, source, filename, size, digest.hexdigest(), sniffed, status, error, user)
                declared = {"encoding": encoding, "header": header}
                if declared := {key: value for key, value in declared.items() if value not in ("", None)}:
                    version.dialect = declared
                    version.save(update_fields=["dialect"])
            break
        except IntegrityError:
            # Another upload took the number between our read and our insert (SQLite has no row lock).
            if attempt == 2:
                raise
            source.seek(0)
    if status == ResourceVersion.Status.PENDING:
        # The report is read by whoever uploaded the file: it is written in the language they use.
        language = translation.get_language()
        transaction.on_commit(lambda: _schedule(version.pk, language), robust=True)
    return version


def upload_version(resource: Resource, uploaded_file, user, *, header: bool | None = None) -> ResourceVersion:
    """Store `uploaded_file` as the next version of `resource` (add_version) and write the upload to the audit
    log: what every staff door (the admin, the CKAN API) calls for a person's upload."""
    version = add_version(resource, uploaded_file, user=user, header=header)
    log(
        instance=resource,
        action=UPLOAD_LOG_ACTION,
        user=user,
        data={
            "version": version.number,
            "filename": version.original_name,
            "size": version.size,
            "sha256": version.sha256,
        },
    )
    return version


def _create(resource, source, filename, size, sha256, sniffed, status, error, user) -> ResourceVersion:
    # The resource row is the lock that serialises uploads to it; the unique constraint backs it up.
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ResourceVersion(
        resource=locked,
        number=last + 1,
        original_name=filename,
        size=size,
        sha256=sha256,
        mimetype=sniffed.mimetype,
        uploaded_by=user,
        status=status,
        error=error,
    )
    version.file.save(filename, source, save=False)
    try:
        version.save()
    except IntegrityError:
        version.file.delete(save=False)
        raise
    fields = ["modified_at"]
    # A table becomes the current file once it has loaded (opendata.ingest); a refused or failed file never.
    if status == ResourceVersion.Status.STORED:
        locked.current_version = version
        fields.append("current_version")
    if not locked.format and sniffed.kind in FORMATS:
        locked.format = FORMATS[sniffed.kind]
        fields.append("format")
    locked.save(update_fields=fields)
    locked.dataset_changed()
    resource.current_version, resource.format = locked.current_version, locked.format
    version.resource = resource
    return version


def _schedule(version_id: int, language: str | None) -> None:
    from .tasks import ingest_version

    ingest_version.delay(version_id, language)
