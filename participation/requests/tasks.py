"""Celery entry points of information requests; they only call the domain modules."""

from celery import shared_task

from . import reminders


@shared_task(name="information_requests.remind_officers")
def remind_officers() -> int:
    """Once a day: remind the officers of the cases due soon or overdue (reminders.remind_officers)."""
    return reminders.remind_officers()
