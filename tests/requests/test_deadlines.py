"""The legal clocks, with real 2026 and 2027 dates counted by hand on the Moroccan, Tunisian and Algerian
calendars of the holidays library (Islamic holidays estimated until an administrator confirms them)."""

import datetime

import pytest
from django.utils import translation

from participation.requests import deadlines
from participation.requests.models import BodyLaw, ClockPause, DayUnit, DeadlineChange, HolidayDate, Law, Status
from tests.factories import PublicBodyFactory, UserFactory
from tests.requests.factories import CaseFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def law(code: str) -> Law:
    return Law.objects.get(code=code)


def received_case(received: datetime.date, **kwargs):
    case = CaseFactory(received_on=received, **kwargs)
    deadlines.recalculate(case, reason="filed")
    case.refresh_from_db()
    return case


def skipped_days(deadline: deadlines.Deadline) -> list[tuple[datetime.date, bool]]:
    return [(day.date, day.estimated) for day in deadline.skipped]


def test_the_shipped_laws():
    ma = law("ma-31-13")
    assert (ma.day_unit, ma.response_days, ma.extension_days, ma.urgent_days) == (DayUnit.WORKING, 20, 20, 3)
    assert ma.identity_required and ma.silence_is_refusal and ma.count_from_next_day
    assert ma.in_force_from == D(2018, 3, 12)
    assert list(ma.appeal_steps.values_list("code", "file_within_days", "answer_within_days", "day_unit")) == [
        ("head", 20, 15, "working"),
        ("commission", 30, 30, "calendar"),
    ]
    assert ma.refusal_reasons.filter(code="national-defence", article="7").exists()
    assert all(reason.label_ar and reason.label_fr and reason.label_en for reason in ma.refusal_reasons.all())
    tn = law("tn-2016-22")
    assert (tn.day_unit, tn.response_days, tn.urgent_days, tn.country) == (DayUnit.CALENDAR, 20, 2, "TN")
    assert list(tn.appeal_steps.values_list("code", "answer_within_days")) == [("head", 10), ("inai", 45)]
    complaints = law("ma-2-17-265")
    assert (complaints.kind, complaints.acknowledge_days, complaints.response_days) == (Law.Kind.COMPLAINT, 15, 60)
    assert not complaints.appeal_steps.exists()
    assert law("default").country == "" and law("default-complaints").applies_by_default


def test_weekends_come_from_the_library():
    assert deadlines.weekend("MA") == {5, 6}
    assert deadlines.weekend("TN") == {5, 6}
    assert deadlines.weekend("DZ") == {4, 5}  # Friday and Saturday


# Law 31-13: 20 working days from the day after receipt --------------------------------------------------


def test_received_just_before_eid_al_fitr_2026():
    # Tue 17 March; Eid al-Fitr estimated Fri 20 (and Sat 21, a weekend anyway): 18, 19, 23 … 15 April is the 20th.
    case = received_case(D(2026, 3, 17))
    assert case.due_on == D(2026, 4, 15)
    assert skipped_days(deadlines.case_deadline(case)) == [(D(2026, 3, 20), True)]
    assert case.acknowledge_by is None  # law 31-13 sets no time to acknowledge


def test_received_just_before_eid_al_adha_2026():
    # Mon 25 May; Eid al-Adha estimated Wed 27 and Thu 28, the Islamic New Year Tue 16 June: due Thu 25 June.
    case = received_case(D(2026, 5, 25))
    assert case.due_on == D(2026, 6, 25)
    assert skipped_days(deadlines.case_deadline(case)) == [
        (D(2026, 5, 27), True),
        (D(2026, 5, 28), True),
        (D(2026, 6, 16), True),
    ]


def test_received_just_before_the_throne_day_2026():
    # Tue 28 July; Throne Day Thu 30 July, then Oued Ed-Dahab (Fri 14 Aug), Revolution and Youth days (Thu 20,
    # Fri 21) and the Prophet's Birthday (estimated Tue 25, Wed 26): six weekdays skipped, due Wed 2 September.
    case = received_case(D(2026, 7, 28))
    assert case.due_on == D(2026, 9, 2)
    assert skipped_days(deadlines.case_deadline(case)) == [
        (D(2026, 7, 30), False),
        (D(2026, 8, 14), False),
        (D(2026, 8, 20), False),
        (D(2026, 8, 21), False),
        (D(2026, 8, 25), True),
        (D(2026, 8, 26), True),
    ]


def test_received_just_before_eid_al_fitr_2027():
    # Fri 5 March 2027; Eid al-Fitr estimated Tue 9 and Wed 10 March 2027: due Tue 6 April 2027.
    case = received_case(D(2027, 3, 5))
    assert case.due_on == D(2027, 4, 6)
    assert skipped_days(deadlines.case_deadline(case)) == [(D(2027, 3, 9), True), (D(2027, 3, 10), True)]


def test_urgent_request_three_working_days():
    # Wed 18 March 2026: Thu 19, (Eid Fri 20, weekend), Mon 23, Tue 24.
    case = received_case(D(2026, 3, 18), urgent=True)
    assert case.due_on == D(2026, 3, 24)


def test_clarification_pause_of_five_working_days():
    # Mon 2 March 2026: without a pause due Tue 31 March; paused Mon 9 to Fri 13 (the clarification arrives
    # on the 13th, the clock restarts on Monday 16): five working days later, Tue 7 April.
    case = received_case(D(2026, 3, 2))
    assert case.due_on == D(2026, 3, 31)
    pause = ClockPause.objects.create(case=case, paused_on=D(2026, 3, 9))
    case.status = Status.AWAITING_CLARIFICATION
    assert deadlines.case_deadline(case).due is None  # the clock is stopped: the due date is unknown
    assert deadlines.recalculate(case, reason="paused") is False
    pause.resumed_on = D(2026, 3, 13)
    pause.save()
    case.status = Status.ACKNOWLEDGED
    assert deadlines.recalculate(case, reason="Clock resumed") is True
    case.refresh_from_db()
    assert case.due_on == D(2026, 4, 7)
    change = DeadlineChange.objects.get(case=case)
    assert (change.previous_due_on, change.due_on, change.reason) == (D(2026, 3, 31), D(2026, 4, 7), "Clock resumed")


def test_extension_adds_twenty_working_days():
    # Received Tue 17 March 2026, due 15 April; extended: 20 more working days, Labour Day (Fri 1 May)
    # skipped: Thu 14 May.
    case = received_case(D(2026, 3, 17))
    case.extended = True
    case.status = Status.EXTENDED
    assert deadlines.recalculate(case, reason="extended") is True
    assert case.due_on == D(2026, 5, 14)


def test_confirmed_eid_moves_open_deadlines_and_not_closed_ones():
    open_case = received_case(D(2026, 3, 17))
    closed = received_case(D(2026, 3, 17))
    closed.status = Status.ANSWERED
    closed.save()
    other_country = received_case(D(2026, 3, 17), body=PublicBodyFactory(country="DZ"), law=law("default"))
    other_due = other_country.due_on
    admin = UserFactory(is_superuser=True)

    with translation.override("en"):
        changed = deadlines.confirm_holiday("MA", "Eid al-Fitr", D(2026, 3, 20), D(2026, 3, 21), by=admin)

    # Eid moves to Sat 21 and Sun 22 (the whole two-day run): Fri 20 March is a working day, one day earlier.
    assert changed == [open_case]
    open_case.refresh_from_db()
    assert open_case.due_on == D(2026, 4, 14)
    change = DeadlineChange.objects.get(case=open_case)
    assert (change.previous_due_on, change.due_on) == (D(2026, 4, 15), D(2026, 4, 14))
    assert change.reason == "Eid al-Fitr announced for 2026-03-21 (estimated 2026-03-20)"
    closed.refresh_from_db()
    assert closed.due_on == D(2026, 4, 15)
    assert not DeadlineChange.objects.filter(case__in=[closed, other_country]).exists()
    other_country.refresh_from_db()
    assert other_country.due_on == other_due
    holiday = HolidayDate.objects.get(country="MA", name="Eid al-Fitr")
    assert (holiday.announced_on, holiday.confirmed_by) == (D(2026, 3, 21), admin)
    # The announced days are no longer estimated, and the calendar counts the 20th.
    calendar = deadlines.Calendar("MA")
    assert calendar.is_working_day(D(2026, 3, 20))
    assert [(h.key, h.estimated) for h in calendar.holidays_on(D(2026, 3, 22))] == [("Eid al-Fitr", False)]

    # Confirming the same date again changes nothing more.
    assert deadlines.confirm_holiday("MA", "Eid al-Fitr", D(2026, 3, 20), D(2026, 3, 21), by=admin) == []
    assert DeadlineChange.objects.count() == 1


def test_confirmed_eid_a_day_earlier():
    # Eid al-Adha announced for Tue 26 May instead of Wed 27: the two-day run becomes Tue 26 and Wed 27.
    # Received Thu 21 May: two weekdays off either way, still due Tue 23 June (Islamic New Year Tue 16 skipped).
    # Received Tue 26 May (sent on the announced Eid): Thu 28 now counts, due Thu 25 June instead of Fri 26.
    unchanged = received_case(D(2026, 5, 21))
    moved = received_case(D(2026, 5, 26))
    assert (unchanged.due_on, moved.due_on) == (D(2026, 6, 23), D(2026, 6, 26))
    assert deadlines.confirm_holiday("MA", "Eid al-Adha", D(2026, 5, 27), D(2026, 5, 26)) == [moved]
    unchanged.refresh_from_db()
    moved.refresh_from_db()
    assert (unchanged.due_on, moved.due_on) == (D(2026, 6, 23), D(2026, 6, 25))
    assert list(DeadlineChange.objects.values_list("case", "previous_due_on", "due_on")) == [
        (moved.pk, D(2026, 6, 26), D(2026, 6, 25))
    ]


def test_acknowledge_and_answer_a_moroccan_complaint():
    # Decree 2-17-265: 15 and 60 calendar days. Received Tue 17 March 2026: 1 April (Wed) and 16 May (a
    # Saturday) moved to Mon 18 May.
    case = received_case(D(2026, 3, 17), kind="complaint", law=law("ma-2-17-265"))
    assert case.acknowledge_by == D(2026, 4, 1)
    assert case.due_on == D(2026, 5, 18)


def test_algeria_default_rule_fri_sat_weekend():
    # 30 calendar days from Fri 5 June 2026: Sun 5 July, Independence Day, moves to Mon 6 July.
    body = PublicBodyFactory(country="DZ")
    assert deadlines.law_for(body).code == "default"
    case = received_case(D(2026, 6, 5), body=body, law=law("default"))
    assert case.due_on == D(2026, 7, 6)
    assert skipped_days(deadlines.case_deadline(case)) == [(D(2026, 7, 5), False)]
    # Received Wed 20 May: the 30th day is Fri 19 June, the Algerian weekend: Sun 21 June (Friday in Morocco).
    assert deadlines.add_days(D(2026, 5, 20), 30, DayUnit.CALENDAR, "DZ").due == D(2026, 6, 21)
    assert deadlines.add_days(D(2026, 5, 20), 30, DayUnit.CALENDAR, "MA").due == D(2026, 6, 19)
    # Working days in Algeria: Sunday to Thursday.
    assert deadlines.add_days(D(2026, 6, 10), 2, DayUnit.WORKING, "DZ").due == D(2026, 6, 14)


def test_tunisia_twenty_calendar_days_and_urgent_two():
    tn = law("tn-2016-22")
    # Fri 20 March 2026 + 20 days: Thu 9 April, Martyrs' Day, moves to Fri 10 April.
    deadline = deadlines.calculate(tn, D(2026, 3, 20))
    assert deadline.due == D(2026, 4, 10)
    assert skipped_days(deadline) == [(D(2026, 4, 9), False)]
    # Urgent, Wed 18 March: the 2nd day is Fri 20 March (Independence Day, and Eid estimated), then the Eid holiday
    # and the weekend: Mon 23 March. Not estimated: Independence Day is fixed.
    urgent = deadlines.calculate(tn, D(2026, 3, 18), urgent=True)
    assert urgent.due == D(2026, 3, 23)
    assert skipped_days(urgent) == [(D(2026, 3, 20), False)]
    with translation.override("en"):
        names = deadlines.calculate(tn, D(2026, 3, 18), urgent=True).skipped[0].name
    assert set(names.split("; ")) == {"Independence Day", "Eid al-Fitr"}


def test_holiday_names_follow_the_language():
    ma = law("ma-31-13")
    for language, name in [("en", "Eid al-Fitr"), ("fr", "Fête de la rupture du jeûne"), ("ar", "عيد الفطر")]:
        with translation.override(language):
            assert deadlines.calculate(ma, D(2026, 3, 17)).skipped[0].name == name


def test_appeal_deadlines_two_steps():
    # Refused on Mon 6 April 2026: head of the body within 20 working days (Tue 5 May, Labour Day skipped),
    # answering 15 working days after filing on Thu 9 April (Thu 30 April); then the commission within 30
    # calendar days of the head's answer (Wed 29 April: Fri 29 May) and deciding 30 days after filing on 4 May
    # (Wed 3 June).
    from participation.requests.models import Appeal

    case = received_case(D(2026, 3, 17))
    case.decided_on, case.status = D(2026, 4, 6), Status.REFUSED
    case.save()
    ma = law("ma-31-13")
    head, commission = ma.appeal_steps.all()
    assert deadlines.appeal_deadlines(case, head, D(2026, 4, 9)) == (D(2026, 5, 5), D(2026, 4, 30))
    Appeal.objects.create(
        case=case, step=head, text="…", filed_on=D(2026, 4, 9), due_on=D(2026, 4, 30), decided_on=D(2026, 4, 29)
    )
    assert deadlines.appeal_deadlines(case, commission, D(2026, 5, 4)) == (D(2026, 5, 29), D(2026, 6, 3))


def test_calculate_refuses_future_and_pre_law_dates():
    ma = law("ma-31-13")
    with pytest.raises(ValueError, match="future"), translation.override("en"):
        deadlines.calculate(ma, D(2026, 3, 2), today=D(2026, 3, 1))
    with pytest.raises(ValueError, match="2018-03-12"):
        deadlines.calculate(ma, D(2018, 3, 11))
    with pytest.raises(ValueError):
        deadlines.calculate(law("default"), D(2026, 3, 2))  # no country to count in


def test_open_pause_and_zero_days():
    assert deadlines.add_days(D(2026, 3, 2), 20, DayUnit.WORKING, "MA", pauses=[(D(2026, 3, 5), None)]).due is None
    # The day of receipt counting itself (a law that says so): Mon 2 March is the first day.
    assert deadlines.add_days(D(2026, 3, 2), 1, DayUnit.WORKING, "MA", from_next_day=False).due == D(2026, 3, 2)


# law_for: down the body tree -----------------------------------------------------------------------------


def test_law_for_inherits_down_the_body_tree():
    region = PublicBodyFactory(country="MA")
    province = PublicBodyFactory(parent=region, country="MA")
    commune = PublicBodyFactory(parent=province, country="MA")
    assert deadlines.law_for(commune) == law("ma-31-13")  # Morocco's default
    assert deadlines.law_for(commune, Law.Kind.COMPLAINT) == law("ma-2-17-265")
    BodyLaw.objects.create(body=region, law=law("default"))
    assert deadlines.law_for(commune) == law("default")
    BodyLaw.objects.create(body=province, law=law("tn-2016-22"))  # nearest wins
    assert deadlines.law_for(commune) == law("tn-2016-22")
    assert deadlines.law_for(region) == law("default")
    assert deadlines.law_for(commune, Law.Kind.COMPLAINT) == law("ma-2-17-265")  # only access laws were named
    tunisian = PublicBodyFactory(country="TN")
    assert deadlines.law_for(tunisian) == law("tn-2016-22")
    algerian = PublicBodyFactory(country="DZ")
    assert deadlines.law_for(algerian, Law.Kind.COMPLAINT) == law("default-complaints")
    Law.objects.filter(country="", kind=Law.Kind.ACCESS).update(applies_by_default=False)
    with pytest.raises(Law.DoesNotExist):
        deadlines.law_for(algerian)
