"""Celery entry points of information requests: each calls one domain function."""

from celery import shared_task

from . import reminders

# --- Statistics (the open dataset of the figures per body) -------------------------------------------------------


@shared_task(name="information_requests.publish_statistics")
def publish_statistics() -> int | None:
    """Bring the statistics dataset up to date (open_data.publish_statistics); return its id, None without bodies."""
    from portal.bodies.models import PublicBody

    from .open_data import publish_statistics as publish

    try:
        return publish().pk
    except PublicBody.DoesNotExist:
        return None


# --- Reminders to the officers ------------------------------------------------------------------------------------


@shared_task(name="information_requests.remind_officers")
def remind_officers() -> int:
    """Once a day: remind the officers of the cases due soon or overdue (reminders.remind_officers)."""
    return reminders.remind_officers()
