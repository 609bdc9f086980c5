"""Celery entry points of proposals: each calls one domain function."""

from celery import shared_task

from . import reminders


@shared_task(name="proposals.remind_overdue_answers")
def remind_overdue_answers() -> int:
    """Once a day: tell the publishers of the proposals whose official answer is late (reminders.py)."""
    return reminders.remind_overdue_answers()


@shared_task(name="proposals.publish_open_data")
def publish_open_data() -> list[int]:
    """Once a day: bring each body's "Citizen proposals" dataset up to date (open_data.py); return their ids."""
    from .open_data import publish_proposals

    return [dataset.pk for dataset in publish_proposals()]
