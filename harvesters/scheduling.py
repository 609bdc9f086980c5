"""A source's schedule as a django-celery-beat periodic task, kept in step with the source whenever it is saved.

Beat runs with the database scheduler (settings.CELERY_BEAT_SCHEDULER), so a schedule changed in the admin is
picked up by the running beat without a restart.
"""

import json

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from .models import HarvestSource
from .schedules import cron_fields

TASK = "harvesters.run_source"


def task_name(source: HarvestSource) -> str:
    return f"harvest source {source.pk}"


def sync_schedule(source: HarvestSource) -> PeriodicTask | None:
    """Create, update or remove the periodic task that runs `source` on its schedule; return it if any."""
    if not (source.active and source.schedule.strip()):
        PeriodicTask.objects.filter(name=task_name(source)).delete()
        return None
    crontab, _created = CrontabSchedule.objects.get_or_create(
        **cron_fields(source.schedule), timezone=settings.TIME_ZONE
    )
    task, _created = PeriodicTask.objects.update_or_create(
        name=task_name(source),
        defaults={
            "task": TASK,
            "crontab": crontab,
            "interval": None,
            "args": json.dumps([source.pk]),
            "kwargs": json.dumps({"trigger": "schedule"}),
            "enabled": True,
            "description": source.slug,
        },
    )
    return task


def remove_schedule(source: HarvestSource) -> None:
    PeriodicTask.objects.filter(name=task_name(source)).delete()
