"""Harvest schedules in cron syntax: checked field by field, and read back to staff in words.

Five fields (minute, hour, day of the month, month, day of the week) with lists, ranges, steps and English
names (MON, JAN). The accepted forms are those Celery's `crontab` (and django-celery-beat) runs the same way
as cron: a step goes after `*` or a range, and a schedule names days of the month or days of the week, not
both (cron runs it when either matches, Celery only when both do).
"""

import re
from dataclasses import dataclass

from celery.schedules import crontab
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

__all__ = ["cron_fields", "describe_cron", "validate_cron"]

MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
ITEM = re.compile(r"(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/([0-9]+))?")
# The most times of day "Every day at …" lists before the schedule is read out field by field.
MAX_TIMES = 6


@dataclass(frozen=True)
class Field:
    name: str  # the django-celery-beat CrontabSchedule field
    low: int
    high: int
    names: tuple[str, ...] = ()
    first_name: int = 0  # the number of names[0]

    def label(self) -> str:
        return {
            "minute": _("minute"),
            "hour": _("hour"),
            "day_of_month": _("day of the month"),
            "month_of_year": _("month"),
            "day_of_week": _("day of the week"),
        }[self.name]

    def bounds(self) -> str:
        return {
            "minute": _("minutes run from 0 to 59"),
            "hour": _("hours run from 0 to 23"),
            "day_of_month": _("days of the month run from 1 to 31"),
            "month_of_year": _("months run from 1 to 12 or JAN to DEC"),
            "day_of_week": _("days of the week run from 0 (Sunday) to 7 (Sunday again) or SUN to SAT"),
        }[self.name]


FIELDS = (
    Field("minute", 0, 59),
    Field("hour", 0, 23),
    Field("day_of_month", 1, 31),
    Field("month_of_year", 1, 12, MONTH_NAMES, 1),
    Field("day_of_week", 0, 7, DAY_NAMES, 0),
)


@dataclass(frozen=True)
class Item:
    """One item of a field's list: `*`, a value, or a range, each with an optional step."""

    start: int | None  # None for *
    end: int | None
    step: int | None

    @property
    def is_any(self) -> bool:
        return self.start is None and self.step in (None, 1)

    @property
    def is_value(self) -> bool:
        return self.start is not None and self.start == self.end and self.step is None

    def text(self) -> str:
        """The item in numbers, as Celery reads it."""
        base = "*" if self.start is None else str(self.start) if self.start == self.end else f"{self.start}-{self.end}"
        return f"{base}/{self.step}" if self.step else base


def _invalid(field: Field, token: str, reason: str) -> ValidationError:
    return ValidationError(
        _("The %(field)s field “%(value)s” is not valid: %(reason)s.")
        % {"field": field.label(), "value": token, "reason": reason},
        code="invalid_cron",
    )


def _value(field: Field, token: str, whole: str) -> int:
    if token.isdigit():
        number = int(token)
    elif token[:3] in field.names and (len(token) == 3 or token in _full_names(field)):
        number = field.names.index(token[:3]) + field.first_name
    else:
        raise _invalid(field, whole, field.bounds())
    if not field.low <= number <= field.high:
        raise _invalid(field, whole, field.bounds())
    return number


def _full_names(field: Field) -> tuple[str, ...]:
    if field.name == "day_of_week":
        return ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
    return ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
            "november", "december")  # fmt: skip


def _parse_field(field: Field, text: str) -> list[Item]:
    items = []
    for token in text.lower().split(","):
        match = ITEM.fullmatch(token)
        if not match:
            raise _invalid(
                field, text, _("write a number, a range such as 1-5, a list such as 1,15 or a step such as */15")
            )
        base, step_text = match.groups()
        step = int(step_text) if step_text is not None else None
        if base == "*":
            start = end = None
        elif "-" in base:
            first, last = base.split("-")
            start, end = _value(field, first, text), _value(field, last, text)
            if start > end:
                raise _invalid(field, text, _("the range %(range)s runs backwards") % {"range": base})
        else:
            if step is not None:
                raise _invalid(field, text, _("a step goes after * or a range, as in */15 or 0-30/5"))
            start = end = _value(field, base, text)
        if step is not None:
            span = (field.high if end is None else end) - (field.low if start is None else start)
            if step == 0 or step > max(span, 1):
                raise _invalid(
                    field, text, _("a step of %(step)s does not fit in the range it divides") % {"step": step}
                )
        items.append(Item(start, end, step))
    return items


def _parse(text: str) -> list[list[Item]]:
    parts = (text or "").split()
    if len(parts) == 1 and parts[0].startswith("@"):
        raise ValidationError(
            _("“%(value)s” is not accepted: write the five fields, such as “0 3 * * *” for every day at 03:00.")
            % {"value": parts[0]},
            code="invalid_cron",
        )
    if len(parts) != 5:
        raise ValidationError(
            _(
                "A schedule has five fields separated by spaces (minute, hour, day of the month, month, day of the "
                "week), such as “0 3 * * *”; this one has %(count)s."
            )
            % {"count": len(parts)},
            code="invalid_cron",
        )
    fields = [_parse_field(field, part) for field, part in zip(FIELDS, parts, strict=True)]
    fields[4] = _sunday_as_zero(fields[4])
    if not _is_any(fields[2]) and not _is_any(fields[4]):
        raise ValidationError(
            _(
                "Give days of the month or days of the week, not both: cron and the task scheduler read such a "
                "schedule differently."
            ),
            code="invalid_cron",
        )
    return fields


def _sunday_as_zero(items: list[Item]) -> list[Item]:
    """Return the day-of-week items with 7 written as 0, as Celery counts Sunday."""
    if all((item.end or 0) < 7 for item in items):
        return items
    days: set[int] = set()
    for item in items:
        low = 0 if item.start is None else item.start
        high = 7 if item.end is None else item.end
        days.update(day % 7 for day in range(low, high + 1, item.step or 1))
    if len(days) == 7:
        return [Item(None, None, None)]
    return [Item(day, day, None) for day in sorted(days)]


def _is_any(items: list[Item]) -> bool:
    return len(items) == 1 and items[0].is_any


def cron_fields(text: str) -> dict[str, str]:
    """Return the schedule as django-celery-beat's CrontabSchedule fields, in numbers.

    Raises ValidationError when it is not valid.
    """
    fields = _parse(text)
    values = {field.name: ",".join(item.text() for item in items) for field, items in zip(FIELDS, fields, strict=True)}
    try:
        crontab(**values)
    except ValueError as error:  # a form above that Celery still does not read; kept as a guard
        raise ValidationError(
            _("The task scheduler cannot run the schedule “%(value)s”.") % {"value": text}, code="invalid_cron"
        ) from error
    return values


def validate_cron(text: str) -> str:
    """Return the schedule written in numbers (names and Sunday as 7 replaced); raise ValidationError if invalid.

    The message says which field is wrong and why, in plain words.
    """
    values = cron_fields(text)
    return " ".join(values[field.name] for field in FIELDS)


# In words ----------------------------------------------------------------------------------------------------


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return _("%(items)s and %(last)s") % {"items": pgettext("list separator", ", ").join(words[:-1]), "last": words[-1]}


def _name(field: Field, number: int) -> str:
    if field.name == "day_of_week":
        return str(WEEKDAYS[(number - 1) % 7])  # Django counts from Monday
    if field.name == "month_of_year":
        return str(MONTHS[number])
    return str(number)


def _item_words(field: Field, item: Item) -> str:
    if item.start is None:
        return _("every %(step)s") % {"step": item.step} if item.step else _("any")
    start, end = _name(field, item.start), _name(field, item.end or item.start)
    if item.step:
        return _("every %(step)s from %(start)s to %(end)s") % {"step": item.step, "start": start, "end": end}
    if item.start == item.end:
        return start
    return _("%(start)s to %(end)s") % {"start": start, "end": end}


def _field_words(field: Field, items: list[Item]) -> str:
    return _join([_item_words(field, item) for item in items])


def _times(minutes: list[Item], hours: list[Item]) -> list[str] | None:
    """Return the times of day as HH:MM when both fields list single values and there are few; else None."""
    if not all(item.is_value for item in minutes + hours):
        return None
    times = sorted((hour.start or 0, minute.start or 0) for hour in hours for minute in minutes)
    if len(times) > MAX_TIMES:
        return None
    return [f"{hour:02d}:{minute:02d}" for hour, minute in times]


def _frequency(minutes: list[Item], hours: list[Item]) -> str | None:
    """Return "Every 15 minutes" or "Every hour at minute 5" for the forms that read so; else None."""
    minute, hour = minutes[0], hours[0]
    if len(minutes) != 1 or len(hours) != 1:
        return None
    if minute.start is None and hour.is_any:
        count = minute.step or 1
        return ngettext("Every minute", "Every %(count)s minutes", count) % {"count": count}
    if minute.is_value and hour.start is None:
        count = hour.step or 1
        return ngettext("Every hour at minute %(minute)s", "Every %(count)s hours at minute %(minute)s", count) % {
            "count": count,
            "minute": minute.start,
        }
    return None


def describe_cron(text: str) -> str:
    """Return the schedule in words ("Every day at 03:00"); an invalid schedule is returned as it is written.

    Common forms read as a sentence; any other is read out field by field.
    """
    try:
        minutes, hours, days, months, weekdays = _parse(text)
    except ValidationError:
        return text
    every_day, every_month = _is_any(days), _is_any(months)
    on_weekdays = not _is_any(weekdays)
    words = {
        "days": _field_words(FIELDS[2], days),
        "months": _field_words(FIELDS[3], months),
        "weekdays": _field_words(FIELDS[4], weekdays),
    }
    several = 1 if len(days) == 1 and days[0].is_value else 2  # "day 1", "days 1 and 15"
    times = _times(minutes, hours)
    if times is not None:
        words["times"] = _join(times)
        if every_day and every_month and not on_weekdays:
            return _("Every day at %(times)s") % words
        if every_day and every_month:
            return _("Every %(weekdays)s at %(times)s") % words
        if every_month and not on_weekdays:
            return (
                ngettext(
                    "On day %(days)s of every month at %(times)s",
                    "On days %(days)s of every month at %(times)s",
                    several,
                )
                % words
            )
        if not on_weekdays:
            return (
                ngettext(
                    "On day %(days)s of %(months)s at %(times)s", "On days %(days)s of %(months)s at %(times)s", several
                )
                % words
            )
    frequency = _frequency(minutes, hours)
    if frequency is not None and every_month:
        if every_day and not on_weekdays:
            return frequency
        if every_day:
            return _("%(frequency)s, on %(weekdays)s") % {"frequency": frequency, **words}
        return ngettext(
            "%(frequency)s, on day %(days)s of every month", "%(frequency)s, on days %(days)s of every month", several
        ) % {"frequency": frequency, **words}
    parts = [
        _("every minute")
        if _is_any(minutes)
        else _("minutes: %(values)s") % {"values": _field_words(FIELDS[0], minutes)},
        _("hours: %(values)s") % {"values": _field_words(FIELDS[1], hours)},
    ]
    if not every_day:
        parts.append(_("days of the month: %(values)s") % {"values": words["days"]})
    if not every_month:
        parts.append(_("months: %(values)s") % {"values": words["months"]})
    if on_weekdays:
        parts.append(_("days of the week: %(values)s") % {"values": words["weekdays"]})
    sentence = pgettext("list separator", "; ").join(parts)
    return sentence[:1].upper() + sentence[1:]
