"""Reminders to information officers: once a day, the open cases whose due date is near or past.

A case is near its due date when it falls within settings.REQUESTS_REMINDER_DAYS working days of today (its
country's calendar); a paused case (awaiting clarification) has no running clock and is not reminded. Each case
is reminded at most once a day (Case.reminded_on), even if two workers run the task at once.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .deadlines import Calendar, add_days, case_country
from .models import RUNNING_STATUSES, Case, DayUnit
from .notifications import tell_officers_now


def reminder_limits(cases, today: datetime.date) -> dict[str, datetime.date]:
    """Return, per country of `cases`, the last due date that calls for a reminder today."""
    countries = {law or body for law, body in cases.values_list("law__country", "body__country").distinct()}
    return {
        country: add_days(
            today, settings.REQUESTS_REMINDER_DAYS, DayUnit.WORKING, country, calendar=Calendar(country)
        ).due
        or today
        for country in countries
    }


def remind_officers(today: datetime.date | None = None) -> int:
    """Email the officers of each running case due within the reminder days (or overdue) and not yet reminded
    today; return how many cases were reminded."""
    today = today or timezone.localdate()
    running = Case.objects.filter(status__in=RUNNING_STATUSES, due_on__isnull=False).filter(
        Q(reminded_on__isnull=True) | ~Q(reminded_on=today)
    )
    limits = reminder_limits(running, today)
    if not limits:
        return 0
    candidates = running.filter(due_on__lte=max(limits.values())).select_related("body", "law", "assigned_to")
    reminded = 0
    for case in candidates.order_by("due_on", "pk"):
        if case.due_on > limits[case_country(case)]:
            continue
        # Claim the case for today first: a second worker finds it claimed and sends nothing.
        claimed = Case.objects.filter(pk=case.pk).exclude(reminded_on=today).update(reminded_on=today)
        if not claimed:
            continue
        _remind(case, today)
        reminded += 1
    return reminded


def _remind(case: Case, today: datetime.date) -> None:
    days = (case.due_on - today).days
    tell_officers_now(
        case, "information_requests/emails/reminder.txt", days_left=max(days, 0), days_overdue=max(-days, 0)
    )
