"""The legal clocks of information requests and complaints: which law a body answers under, and the date by
which it must answer, acknowledge or decide an appeal.

Working days are a country's weekdays that are not public holidays. The weekends and holidays are the
maintained `holidays` library's (its Morocco, Tunisia and Algeria calendars); the Islamic holidays it only
estimates are moved to their announced dates by `HolidayDate` rows, which administrators confirm through
`confirm_holiday`, recalculating every open deadline they touch.

The library's tables are cached per (country, year, language): they never change while the process runs.
`HolidayDate` rows are read fresh, once per calculation (a `Calendar`).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import OPEN_STATUSES, Appeal, Case, DayUnit, DeadlineChange, HolidayDate, Law

# The library's names are msgids in each country's default language (Arabic for MA, TN and DZ).
LIBRARY_LANGUAGE = "ar"
# Our canonical holiday names (HolidayDate.name) are the library's English ones, without "(estimated)".
NAME_LANGUAGE = "en_US"
ONE_DAY = datetime.timedelta(days=1)
# How far (in days) the library's table is read either side of a year, for announced dates that cross it.
YEAR_MARGIN = 1


@dataclass(frozen=True)
class Skipped:
    """A holiday that did not count (or pushed the due date): its name in the active language."""

    date: datetime.date
    name: str
    estimated: bool


@dataclass
class Deadline:
    """`due` is None while the clock is paused (awaiting the requester's clarification)."""

    due: datetime.date | None
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class Holiday:
    """One holiday on one day: `msgid` is the library's name (its translation key), `origin` the library's date."""

    msgid: str
    key: str
    estimated: bool
    origin: datetime.date


# The library's tables --------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _library(country: str, language: str) -> holidays.HolidayBase:
    """An empty calendar of `country` in `language`: its weekend and its translator (`tr`)."""
    return holidays.country_holidays(country, language=language)


@lru_cache(maxsize=256)
def _library_year(country: str, year: int) -> dict[datetime.date, tuple[Holiday, ...]]:
    """The library's holidays of `country` in `year`, per day, estimated ones flagged."""
    table = holidays.country_holidays(country, years=year, language=LIBRARY_LANGUAGE)
    suffix = table.tr(table.estimated_label).replace("%s", "")
    english = _library(country, NAME_LANGUAGE)
    days: dict[datetime.date, tuple[Holiday, ...]] = {}
    for day in sorted(table):
        entries = []
        for name in table.get_list(day):
            estimated = name.endswith(suffix)
            msgid = name[: -len(suffix)] if estimated else name
            entries.append(Holiday(msgid, str(english.tr(msgid)), estimated, day))
        days[day] = tuple(entries)
    return days


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def has_calendar(country: str) -> bool:
    """Whether the holidays library keeps `country`'s calendar (days can be counted there)."""
    return country in _supported_countries()


def weekend(country: str) -> frozenset[int]:
    """The weekdays (Monday 0) that are the weekend in `country`: Saturday–Sunday in MA and TN, Friday–Saturday
    in DZ."""
    return frozenset(_library(country, LIBRARY_LANGUAGE).weekend)


def holiday_languages(country: str) -> tuple[str, ...]:
    return tuple(_library(country, LIBRARY_LANGUAGE).supported_languages)


def library_language(country: str, language: str | None = None) -> str:
    """The library's language closest to ours (`ar`, `fr`; `en` is its `en_US`), English when it has not ours."""
    language = (language or translation.get_language() or "ar").split("-")[0]
    supported = holiday_languages(country)
    if language in supported:
        return language
    return NAME_LANGUAGE if NAME_LANGUAGE in supported else LIBRARY_LANGUAGE


def holiday_name(country: str, holiday: Holiday, language: str | None = None) -> str:
    return str(_library(country, library_language(country, language)).tr(holiday.msgid))


# A country's calendar, with the announced dates -------------------------------------------------------


class Calendar:
    """The working days of one country: the library's weekend and holidays, estimated dates moved to the
    announced ones.

    A `HolidayDate` (name, estimated_on → announced_on) moves the run of consecutive estimated days of that
    holiday starting on `estimated_on` (both days of Eid al-Fitr; Tunisia's "Eid al-Fitr Holiday" too) by the same
    number of days, and they are no longer estimated; a later day of the run with its own row moves by its own.
    """

    def __init__(self, country: str, announced: Iterable[HolidayDate] | None = None):
        self.country = country
        self.weekend = weekend(country)
        if announced is None:
            announced = HolidayDate.objects.filter(country=country)
        self.announced = {(row.name, row.estimated_on): row.announced_on for row in announced}
        self._years: dict[int, dict[datetime.date, list[Holiday]]] = {}

    def holidays_on(self, day: datetime.date) -> list[Holiday]:
        if day.year not in self._years:
            self._years[day.year] = self._build(day.year)
        return self._years[day.year].get(day, [])

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() not in self.weekend and not self.holidays_on(day)

    def _build(self, year: int) -> dict[datetime.date, list[Holiday]]:
        library: dict[datetime.date, list[Holiday]] = {}
        for y in range(year - YEAR_MARGIN, year + YEAR_MARGIN + 1):
            for day, entries in _library_year(self.country, y).items():
                library[day] = list(entries)
        moves: dict[tuple[datetime.date, Holiday], datetime.date] = {}
        for (name, estimated_on), announced_on in sorted(self.announced.items(), key=lambda item: item[0][1]):
            delta = announced_on - estimated_on
            day = estimated_on
            while True:
                if day != estimated_on and (name, day) in self.announced:
                    break  # that day has its own announced date
                run = [h for h in library.get(day, []) if h.estimated and h.key.startswith(name)]
                if not run:
                    break
                for holiday in run:
                    moves[(day, holiday)] = day + delta
                day += ONE_DAY
        table: dict[datetime.date, list[Holiday]] = {}
        for day, entries in library.items():
            for holiday in entries:
                moved_to = moves.get((day, holiday))
                target, entry = (day, holiday)
                if moved_to is not None:
                    target, entry = moved_to, Holiday(holiday.msgid, holiday.key, False, holiday.origin)
                if target.year == year:
                    table.setdefault(target, []).append(entry)
        return table

    def skipped(self, day: datetime.date, language: str | None = None) -> Skipped:
        """The day as a `Skipped`: its holidays' names, estimated only when every one of them is."""
        entries = self.holidays_on(day)
        names = "; ".join(dict.fromkeys(holiday_name(self.country, h, language) for h in entries))
        return Skipped(day, names, all(h.estimated for h in entries))


# Counting -----------------------------------------------------------------------------------------------

Pause = tuple[datetime.date, datetime.date | None]


def add_days(
    start: datetime.date,
    days: int,
    unit: str,
    country: str,
    *,
    from_next_day: bool = True,
    pauses: Sequence[Pause] = (),
    calendar: Calendar | None = None,
) -> Deadline:
    """The date `days` working or calendar days after `start` (`start` counting itself unless `from_next_day`).

    Working days count only weekdays that are not holidays. Calendar days count every day, but a due date on a
    weekend or a holiday moves to the next working day (the convention of Morocco's and Tunisia's procedure, and
    most laws'). No day counts from a pause's first day to the day the clock resumes, both included (the clock
    restarts the day after the clarification arrives); a pause still open leaves the due date unknown (None).
    `skipped` lists the holidays on weekdays that did not count or that pushed the due date, not weekends.
    """
    if any(resumed is None for _paused, resumed in pauses):
        return Deadline(None)
    calendar = calendar or Calendar(country)

    def paused(day: datetime.date) -> bool:
        return any(paused_on <= day <= resumed for paused_on, resumed in pauses)  # type: ignore[operator]

    skipped: list[Skipped] = []

    def note(day: datetime.date) -> None:
        if day.weekday() not in calendar.weekend and calendar.holidays_on(day):
            skipped.append(calendar.skipped(day))

    day = start + ONE_DAY if from_next_day else start
    counted = 0
    working = unit == DayUnit.WORKING
    while True:
        if paused(day):
            day += ONE_DAY
            continue
        if working and not calendar.is_working_day(day):
            note(day)
            day += ONE_DAY
            continue
        counted += 1
        if counted >= days:
            break
        day += ONE_DAY
    while not calendar.is_working_day(day):  # calendar days: a due date off work moves to the next working day
        note(day)
        day += ONE_DAY
    return Deadline(day, skipped)


# Laws and cases ---------------------------------------------------------------------------------------


def law_for(body, kind: str = Law.Kind.ACCESS) -> Law:
    """The law `body` answers under for `kind`: its own or its nearest ancestor's `BodyLaw`, else its country's
    default law, else the default without a country. Raises Law.DoesNotExist when there is none."""
    from .models import BodyLaw

    named = (
        BodyLaw.objects.filter(body__in=body.get_self_and_ancestors(), kind=kind)
        .select_related("law", "body")
        .order_by("-body__depth")
        .first()
    )
    if named is not None:
        return named.law
    defaults = Law.objects.filter(kind=kind, applies_by_default=True)
    law = defaults.filter(country=body.country).first() or defaults.filter(country="").first()
    if law is None:
        raise Law.DoesNotExist(f"No {kind} law for {body}.")
    return law


def case_country(case: Case) -> str:
    return case.law.country or case.body.country


def case_deadline(case: Case, calendar: Calendar | None = None) -> Deadline:
    """When the body must answer `case`: the law's time (urgent, or extended once), from receipt, pauses
    excluded. None until received, or while paused."""
    if case.received_on is None:
        return Deadline(None)
    law = case.law
    if case.urgent and law.urgent_days:
        days = law.urgent_days
    else:
        days = law.response_days + (law.extension_days if case.extended else 0)
    pauses = [(pause.paused_on, pause.resumed_on) for pause in case.pauses.all()]
    return add_days(
        case.received_on,
        days,
        law.day_unit,
        case_country(case),
        from_next_day=law.count_from_next_day,
        pauses=pauses,
        calendar=calendar,
    )


def acknowledge_deadline(case: Case, calendar: Calendar | None = None) -> datetime.date | None:
    """When the body must acknowledge `case` (complaints), None when its law sets no time."""
    law = case.law
    if case.received_on is None or law.acknowledge_days is None:
        return None
    return add_days(
        case.received_on,
        law.acknowledge_days,
        law.day_unit,
        case_country(case),
        from_next_day=law.count_from_next_day,
        calendar=calendar,
    ).due


def appeal_deadlines(
    case: Case, step, filed_on: datetime.date | None
) -> tuple[datetime.date | None, datetime.date | None]:
    """(file_by, decide_by) of an appeal at `step`, in the step's unit.

    The time to appeal runs from the decision this appeal is against: the previous step's decision (or its due
    date, when it kept silent), else the body's answer (or the case's due date, silence). `decide_by` runs from
    `filed_on` (None without it).
    """
    country = case_country(case)
    calendar = Calendar(country)
    previous = (
        case.appeals.filter(step__law=step.law, step__sort_order__lt=step.sort_order)
        .order_by("-step__sort_order")
        .first()
    )
    base = (previous.decided_on or previous.due_on) if previous else (case.decided_on or case.due_on)
    file_by = None
    if base is not None:
        file_by = add_days(base, step.file_within_days, step.day_unit, country, calendar=calendar).due
    decide_by = None
    if filed_on is not None:
        decide_by = add_days(filed_on, step.answer_within_days, step.day_unit, country, calendar=calendar).due
    return file_by, decide_by


def calculate(
    law: Law,
    received: datetime.date,
    *,
    urgent: bool = False,
    country: str | None = None,
    today: datetime.date | None = None,
) -> Deadline:
    """The public calculator: when a request received on `received` under `law` must be answered.

    Raises ValueError for a receipt date in the future or before the law was in force, or without a country
    whose days to count (the default law needs a body's), or one the holidays library does not know.
    """
    today = today or timezone.localdate()
    if received > today:
        raise ValueError(_("The date of receipt is in the future."))
    if law.in_force_from and received < law.in_force_from:
        raise ValueError(
            _("The law was not yet in force: it applies from %(date)s.") % {"date": law.in_force_from.isoformat()}
        )
    country = law.country or country
    if not country:
        raise ValueError(_("This rule counts the working days of the body's country: choose a body."))
    if not has_calendar(country):
        raise ValueError(_("No calendar of working days is known for this country."))
    days = law.urgent_days if urgent and law.urgent_days else law.response_days
    return add_days(received, days, law.day_unit, country, from_next_day=law.count_from_next_day)


def recalculate(case: Case, *, reason: str, calendar: Calendar | None = None) -> bool:
    """Recompute an open case's due date (and date to acknowledge); a moved due date is saved and logged as a
    `DeadlineChange`. Returns whether the due date moved. A paused clock is left for its resumption."""
    if case.status not in OPEN_STATUSES or case.received_on is None:
        return False
    due = case_deadline(case, calendar).due
    if due is None:
        return False
    acknowledge_by = acknowledge_deadline(case, calendar)
    changed = due != case.due_on
    if not changed and acknowledge_by == case.acknowledge_by:
        return False
    previous = case.due_on
    case.due_on, case.acknowledge_by = due, acknowledge_by
    case.save(update_fields=["due_on", "acknowledge_by", "updated_at"])
    if changed and previous is not None:
        DeadlineChange.objects.create(case=case, previous_due_on=previous, due_on=due, reason=reason[:255])
    return changed


@transaction.atomic
def confirm_holiday(
    country: str, name: str, estimated_on: datetime.date, announced_on: datetime.date, by=None
) -> list[Case]:
    """Record the announced date of an estimated holiday and recalculate every open case of `country` whose
    clock it may move; returns the cases whose due date moved."""
    existing = HolidayDate.objects.filter(country=country, name=name, estimated_on=estimated_on).first()
    dates = [estimated_on, announced_on] + ([existing.announced_on] if existing else [])
    HolidayDate.objects.update_or_create(
        country=country,
        name=name,
        estimated_on=estimated_on,
        defaults={"announced_on": announced_on, "confirmed_by": by, "confirmed_at": timezone.now()},
    )
    # The moved run may span a few days after the first (a two- or three-day Eid).
    first, last = min(dates), max(dates) + datetime.timedelta(days=7)
    cases = (
        Case.objects.filter(status__in=OPEN_STATUSES, received_on__lte=last, due_on__gte=first)
        .filter(Q(law__country=country) | Q(law__country="", body__country=country))
        .select_related("law", "body")
        .prefetch_related("pauses")
    )
    calendar = Calendar(country)
    reason = _("%(name)s announced for %(announced)s (estimated %(estimated)s)") % {
        "name": name,
        "announced": announced_on.isoformat(),
        "estimated": estimated_on.isoformat(),
    }
    moved = [case for case in cases if recalculate(case, reason=reason, calendar=calendar)]
    recalculate_appeals(country, first, last, reason)
    return moved


def recalculate_appeals(country: str, first: datetime.date, last: datetime.date, reason: str) -> None:
    """Move the decision dates of the appeals awaiting one whose clock a confirmed holiday changes; each move is
    logged on its case's timeline."""
    appeals = (
        Appeal.objects.filter(decided_on__isnull=True, filed_on__lte=last, due_on__gte=first)
        .filter(Q(case__law__country=country) | Q(case__law__country="", case__body__country=country))
        .select_related("case__law", "case__body", "step")
    )
    for appeal in appeals:
        _file_by, due = appeal_deadlines(appeal.case, appeal.step, appeal.filed_on)
        if due is None or due == appeal.due_on:
            continue
        DeadlineChange.objects.create(
            case=appeal.case,
            previous_due_on=appeal.due_on,
            due_on=due,
            reason=(_("Appeal to %(step)s") % {"step": appeal.step} + ": " + reason)[:255],
        )
        appeal.due_on = due
        appeal.save(update_fields=["due_on"])
