"""Celery entry points: a source's run, on schedule or on demand; they only call harvesters.runner."""

from celery import shared_task
from django.conf import settings
from django.db import transaction

from .kinds.base import NetworkFailure
from .models import HarvestJob, HarvestSource
from .runner import SourceBusy, lease, run_harvest


@shared_task(
    name="harvesters.run_source",
    bind=True,
    autoretry_for=(NetworkFailure,),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=4,
    acks_late=True,
    reject_on_worker_lost=True,  # a worker killed half-way: the message goes back, and the next run resumes
    soft_time_limit=settings.HARVEST_JOB_TIME_LIMIT,
    time_limit=settings.HARVEST_JOB_TIME_LIMIT + 60,
)
def run_source(self, source_id: int, trigger: str = HarvestJob.Trigger.SCHEDULE, job_id: int | None = None) -> dict:
    """Run one source; a network failure is retried with backoff, a busy source once the lease has expired."""
    source = HarvestSource.objects.filter(pk=source_id).select_related("owner", "body").first()
    if source is None or (trigger == HarvestJob.Trigger.SCHEDULE and not source.active):
        return {"job": None, "status": "skipped"}
    job = HarvestJob.objects.filter(pk=job_id, status=HarvestJob.Status.QUEUED).first() if job_id else None
    try:
        job = run_harvest(source, trigger=trigger, job=job, raise_network_failure=True)
    except SourceBusy:
        if trigger == HarvestJob.Trigger.SCHEDULE:
            return {"job": None, "status": "busy"}
        raise self.retry(countdown=lease().total_seconds()) from None
    return {"job": job.pk, "status": job.status}


def queue_run(source: HarvestSource, *, user=None) -> HarvestJob:
    """Queue a run of `source` by hand: its job exists (queued) at once, for the admin to follow."""
    job = HarvestJob.objects.create(source=source, trigger=HarvestJob.Trigger.MANUAL, started_by=user)
    if run_source.app.conf.task_always_eager:  # the embedded default: run here, once, without retries
        return run_harvest(source, trigger=HarvestJob.Trigger.MANUAL, job=job, user=user)
    # Once the job is committed: a worker that took the message first would not find it.
    transaction.on_commit(lambda: run_source.delay(source.pk, HarvestJob.Trigger.MANUAL, job.pk))
    return job
