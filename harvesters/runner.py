"""One run of a harvest source: gather, fetch, import, withdraw, with live counts and a report of every failure.

What must hold (DESIGN.md): a run twice creates nothing new, and a run that fails half-way leaves what is
published intact and says what failed. So each object is imported in its own transaction and remembers the
hash of the content it was imported from: a second run with nothing changed imports nothing (the target
records are not even saved), and a run cut short (a dead worker, a source that stops answering) is taken up
by the next one, which skips what was already imported and goes on with the rest. Withdrawal happens only
after a complete gathering, so a listing that failed or came back empty by mistake withdraws nothing.
"""

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Provenance

from .kinds import KINDS
from .kinds.base import Gathered, Imported, NetworkFailure, ObjectFailure, SourceFailure
from .models import HarvestError, HarvestJob, HarvestObject, HarvestSource

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 2.0  # seconds between two saves of a job's counts (its live progress)
Progress = Callable[[HarvestJob], None]
WEB_ADDRESS = URLValidator(schemes=["http", "https"])


class SourceBusy(Exception):
    """Another job of the source is running (its lease has not expired)."""


def content_hash(content: Any) -> str:
    """The SHA-256 of an object's content: its bytes, or its canonical JSON."""
    if isinstance(content, bytes):
        data = content
    else:
        data = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(data).hexdigest()


def failure_text(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error) or error.__class__.__name__


def lease() -> timedelta:
    """How long a running job holds its source without a sign of life: a worker that dies lets go within it.

    It must outlast the longest single import (one object: a file of a million payments takes a minute or two).
    """
    return timedelta(seconds=settings.HARVEST_LEASE_SECONDS)


def take_lease(source: HarvestSource) -> str:
    """Take the source's lease if it is free (or expired); return its token, or "" when another job holds it."""
    now, token = timezone.now(), uuid.uuid4().hex
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    taken = HarvestSource.objects.filter(Q(pk=source.pk) & free).update(locked_until=now + lease(), lock_token=token)
    return token if taken else ""


def renew_lease(source: HarvestSource, token: str) -> bool:
    """Renew the lease `token` holds; False when it was lost (expired, and another run took it)."""
    held = HarvestSource.objects.filter(pk=source.pk, lock_token=token)
    return bool(held.update(locked_until=timezone.now() + lease()))


def release_lease(source: HarvestSource, token: str) -> None:
    HarvestSource.objects.filter(pk=source.pk, lock_token=token).update(locked_until=None, lock_token="")


def public_address(url: str) -> str:
    """`url` without what must not be published: a user and password, a query (API keys), a fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def page_address(url: str) -> str:
    """A remote page's address as given, if it is a valid http(s) URL (pages and DCAT link to it); else ""."""
    try:
        WEB_ADDRESS(url)
    except ValidationError:
        return ""
    return url[:1000]


def mark_interrupted(source: HarvestSource) -> int:
    """Mark failed the jobs of `source` left running by a worker that died (called once the lease is ours)."""
    return HarvestJob.objects.filter(source=source, status=HarvestJob.Status.RUNNING).update(
        status=HarvestJob.Status.FAILED,
        finished_at=timezone.now(),
        message=_("Interrupted: the worker running it stopped. The next run took up where it stopped."),
    )


def run_harvest(
    source: HarvestSource,
    *,
    trigger: str = HarvestJob.Trigger.MANUAL,
    user=None,
    job: HarvestJob | None = None,
    progress: Progress | None = None,
    raise_network_failure: bool = False,
) -> HarvestJob:
    """Run `source` now and return its job (finished or failed, with its counts and errors).

    Raise SourceBusy when another job of the source holds its lease. With `raise_network_failure`, a network
    failure is re-raised once recorded on the job, for the Celery task to retry later.
    """
    token = take_lease(source)
    if not token:
        raise SourceBusy(_("A harvest of “%(source)s” is already running.") % {"source": source})
    try:
        mark_interrupted(source)
        if job is None:
            job = HarvestJob.objects.create(source=source, trigger=trigger, started_by=user)
        run = _Run(source, job, progress, token)
        try:
            run.run()
        except NetworkFailure:
            if raise_network_failure:
                raise
        return job
    finally:
        release_lease(source, token)


class _Run:
    def __init__(self, source: HarvestSource, job: HarvestJob, progress: Progress | None, token: str):
        self.source, self.job, self.progress, self.token = source, job, progress, token
        self.kind = KINDS[source.kind]
        self.last_beat = 0.0

    def run(self) -> None:
        job = self.job
        job.status, job.started_at = HarvestJob.Status.RUNNING, timezone.now()
        self.beat(force=True)
        try:
            gathered = self.gather()
            self.process(gathered)
            self.withdraw_missing(gathered)
        except SourceFailure as failure:
            self.fail(failure_text(failure))
            if isinstance(failure, NetworkFailure):
                raise
            return
        except SoftTimeLimitExceeded:
            self.fail(_("Stopped at the time limit; the next run goes on where this one stopped."))
            raise
        except BaseException as error:  # a bug, a stop: the job must not stay "running"
            self.fail(_("Stopped by an unexpected error: %(error)s") % {"error": failure_text(error)})
            raise
        job.status, job.finished_at = HarvestJob.Status.FINISHED, timezone.now()
        self.beat(force=True, final=True)
        from .notifications import notify_owner

        notify_owner(job)

    def fail(self, message: str) -> None:
        job = self.job
        job.status, job.finished_at = HarvestJob.Status.FAILED, timezone.now()
        job.message = message
        self.beat(force=True, final=True)
        from .notifications import notify_owner

        notify_owner(job)

    def beat(self, *, force: bool = False, final: bool = False) -> None:
        """Save the job's counts (the live progress staff see) and renew the lease, at most every few seconds.

        A run whose lease was lost (silent longer than the lease, and another run took the source) stops here:
        two runs must never import the same objects side by side."""
        now = time.monotonic()
        if not force and now - self.last_beat < HEARTBEAT_EVERY:
            return
        self.last_beat = now
        if not final and not renew_lease(self.source, self.token):
            raise SourceFailure(_("Stopped: silent longer than the lease, this run's source was taken by another."))
        self.job.heartbeat_at = timezone.now()
        self.job.save()
        if self.progress is not None:
            self.progress(self.job)

    def error(
        self, stage: str, message: str, obj: HarvestObject | None = None, remote_id: str = "", warning: bool = False
    ) -> None:
        HarvestError.objects.create(
            job=self.job,
            object=obj,
            stage=stage,
            message=message,
            remote_id=obj.remote_id if obj else remote_id,
            is_warning=warning,
        )

    def since(self) -> str:
        """The newest change marker imported by the last complete run, for kinds that harvest incrementally."""
        last = self.source.jobs.exclude(pk=self.job.pk).order_by("-created_at", "-pk").first()
        if last is None or last.status != HarvestJob.Status.FINISHED:
            return ""
        markers = self.source.harvested_objects.filter(state=HarvestObject.State.CURRENT).exclude(remote_modified="")
        newest = markers.order_by("-remote_modified").values_list("remote_modified", flat=True).first()
        return newest or ""

    def gather(self) -> list[Gathered]:
        unique: dict[str, Gathered] = {}
        for item in self.kind.gather(self.source, self.since()):
            self.beat()
            item = replace(item, remote_id=item.remote_id[:500], guid=item.guid[:1000])
            if item.remote_id in unique:
                self.error(
                    HarvestError.Stage.GATHER,
                    _("The source lists “%(id)s” twice; the first was kept.") % {"id": item.remote_id},
                    remote_id=item.remote_id,
                )
                continue
            unique[item.remote_id] = item
        self.job.gathered = len(unique)
        self.beat(force=True)
        return list(unique.values())

    def objects_for(self, gathered: list[Gathered]) -> dict[str, HarvestObject]:
        """The source's objects by remote id, the new ones created (in bulk) as they were first seen."""
        known = {obj.remote_id: obj for obj in self.source.harvested_objects.all()}
        new = [
            HarvestObject(
                source=self.source,
                remote_id=item.remote_id,
                guid=item.guid,
                remote_url=page_address(item.remote_url),
                state=HarvestObject.State.FAILED,  # until its first import succeeds
            )
            for item in gathered
            if item.remote_id not in known
        ]
        HarvestObject.objects.bulk_create(new, batch_size=1000)
        if new:
            known = {obj.remote_id: obj for obj in self.source.harvested_objects.all()}
        return known

    def claimed_elsewhere(self, gathered: list[Gathered]) -> dict[str, str]:
        """guid → name of another source of the same body and module already harvesting it."""
        guids = [item.guid for item in gathered]
        # Only what another source has imported and still holds: its objects that never imported are no claim.
        others = HarvestObject.objects.filter(
            source__body_id=self.source.body_id,
            source__target=self.source.target,
            guid__in=guids,
            state=HarvestObject.State.CURRENT,
        ).exclude(source=self.source)
        return dict(others.values_list("guid", "source__name"))

    def process(self, gathered: list[Gathered]) -> None:
        objects = self.objects_for(gathered)
        claimed = self.claimed_elsewhere(gathered) if gathered else {}
        seen_again = []
        for item in gathered:
            obj = objects[item.remote_id]
            if obj.missed_runs:
                seen_again.append(obj.pk)
            if item.guid in claimed:
                self.count_failure(
                    HarvestError.Stage.IMPORT,
                    obj,
                    _("Already harvested into this body by the source “%(source)s”; left to it.")
                    % {"source": claimed[item.guid]},
                )
                continue
            self.process_one(item, obj)
            self.beat()
        if seen_again:
            HarvestObject.objects.filter(pk__in=seen_again).update(missed_runs=0)

    def count_failure(self, stage: str, obj: HarvestObject, message: str) -> None:
        self.job.failed += 1
        self.error(stage, message, obj)

    def process_one(self, item: Gathered, obj: HarvestObject) -> None:
        current = obj.state == HarvestObject.State.CURRENT and bool(obj.content_hash)
        if item.content is None and current and item.modified and item.modified == obj.remote_modified:
            self.job.unchanged += 1  # the remote says it has not changed since we imported it: not even fetched
            return
        content = item.content
        if content is None:
            try:
                content = self.kind.fetch(self.source, item)
            except ObjectFailure as failure:
                self.count_failure(HarvestError.Stage.FETCH, obj, failure_text(failure))
                return
            self.job.fetched += 1
        digest = content_hash(content)
        if current and digest == obj.content_hash:
            self.job.unchanged += 1
            return
        try:
            with transaction.atomic():
                imported = self.kind.import_object(self.source, obj, content)
                self.record_import(obj, item, digest, imported)
        except (ObjectFailure, ValidationError) as failure:
            self.count_failure(HarvestError.Stage.IMPORT, obj, failure_text(failure))
            return
        except (SourceFailure, SoftTimeLimitExceeded):
            raise
        except Exception as error:
            logger.exception("Harvest of %s: importing %s failed", self.source.slug, obj.remote_id)
            self.count_failure(
                HarvestError.Stage.IMPORT, obj, _("Unexpected error: %(error)s") % {"error": failure_text(error)}
            )
            return
        job = self.job
        job.imported += 1
        job.created += imported.outcome == "created"
        job.updated += imported.outcome == "updated"
        job.unchanged += imported.outcome == "unchanged"
        job.rows_created += imported.created
        job.rows_updated += imported.updated
        job.rows_unchanged += imported.unchanged
        for row_error in imported.errors:
            self.count_failure(HarvestError.Stage.IMPORT, obj, str(row_error))
        for warning in imported.warnings:
            job.warnings += 1
            self.error(HarvestError.Stage.IMPORT, warning, obj, warning=True)

    def record_import(self, obj: HarvestObject, item: Gathered, digest: str, imported: Imported) -> None:
        obj.content_hash, obj.remote_modified = digest, item.modified[:100]
        obj.remote_url, obj.guid = page_address(item.remote_url), item.guid
        obj.state, obj.missed_runs = HarvestObject.State.CURRENT, 0
        obj.imported_at, obj.last_job = timezone.now(), self.job
        record = imported.record
        if record is not None:
            obj.content_type = ContentType.objects.get_for_model(record)
            obj.object_id = str(record.pk)
            provenance = Provenance.objects.filter(content_type=obj.content_type, object_id=obj.object_id)
            if imported.outcome != "unchanged" or not provenance.exists():
                Provenance.objects.update_or_create(
                    content_type=obj.content_type,
                    object_id=obj.object_id,
                    defaults={
                        "source_name": self.source.name,
                        "source_url": public_address(self.source.url) if self.source.url else "",
                        "remote_id": obj.remote_id,
                        "remote_url": obj.remote_url,
                        "harvested_at": obj.imported_at,
                    },
                )
        obj.save()

    def withdraw_missing(self, gathered: list[Gathered]) -> None:
        """Count a miss for each object the source no longer lists; withdraw those missed often enough.

        Not for kinds whose listing is a window (a feed's latest entries) or whose objects stay (files), and not
        after a listing that came back empty while objects are current: a renamed organisation or an emptied
        folder is a mistake to report, not a reason to take everything off."""
        if not self.kind.withdraws(self.source):
            return
        current = self.source.harvested_objects.filter(state=HarvestObject.State.CURRENT)
        if not gathered and current.exists():
            self.error(HarvestError.Stage.GATHER, _("The source listed nothing: nothing was withdrawn."), warning=True)
            self.job.warnings += 1
            return
        seen = {item.remote_id for item in gathered}
        listed = self.source.harvested_objects.exclude(state=HarvestObject.State.WITHDRAWN).values_list(
            "pk", "remote_id"
        )
        missing = [pk for pk, remote_id in listed if remote_id not in seen]
        for start in range(0, len(missing), 1000):
            missed = HarvestObject.objects.filter(pk__in=missing[start : start + 1000])
            missed.update(missed_runs=F("missed_runs") + 1)
            due = missed.filter(state=HarvestObject.State.CURRENT, missed_runs__gte=max(self.source.withdraw_after, 1))
            for obj in due:
                self.withdraw(obj)

    def withdraw(self, obj: HarvestObject) -> None:
        try:
            with transaction.atomic():
                self.kind.withdraw(self.source, obj)
                obj.state = HarvestObject.State.WITHDRAWN
                obj.last_job = self.job
                obj.save(update_fields=["state", "last_job"])
        except (ObjectFailure, ValidationError) as failure:
            self.count_failure(HarvestError.Stage.WITHDRAW, obj, failure_text(failure))
            return
        self.job.withdrawn += 1
        self.beat()
