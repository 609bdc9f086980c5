"""The daily reminder to information officers: cases due within the reminder days or overdue, once a day."""

import datetime

import pytest

from participation.requests import reminders, tasks
from participation.requests.models import Case, Status

from .conftest import file_request

# A Monday in Morocco with no holiday that week: 3 working days from it end on Thursday 4 June.
MONDAY = datetime.date(2026, 6, 1)


@pytest.fixture
def due(body_a, requester):
    def make(due_on: datetime.date, **fields) -> Case:
        case = file_request(body_a, requester)
        Case.objects.filter(pk=case.pk).update(due_on=due_on, **fields)
        return case

    return make


@pytest.fixture(autouse=True)
def reminder_days(settings):
    settings.REQUESTS_REMINDER_DAYS = 3


@pytest.mark.django_db
class RemindOfficersTestCase:
    def test_it_reminds_the_officers_of_cases_near_or_past_their_due_date(self, due, officer_a, mailoutbox):
        thursday = due(datetime.date(2026, 6, 4))
        overdue = due(datetime.date(2026, 5, 29))
        due(datetime.date(2026, 6, 5))  # 4 working days away
        due(datetime.date(2026, 6, 2), status=Status.AWAITING_CLARIFICATION)  # the clock is paused
        due(datetime.date(2026, 6, 2), status=Status.ANSWERED)

        assert reminders.remind_officers(MONDAY) == 2

        assert [message.to for message in mailoutbox] == [[officer_a.email], [officer_a.email]]
        subjects = " ".join(message.subject for message in mailoutbox)
        assert overdue.reference in subjects and thursday.reference in subjects
        assert all(
            f"/admin/information-requests/{case.pk}/" in message.body
            for case, message in zip([overdue, thursday], mailoutbox, strict=True)
        )
        assert set(Case.objects.filter(reminded_on=MONDAY)) == {overdue, thursday}

    def test_it_reminds_once_a_day(self, due, officer_a, mailoutbox):
        due(datetime.date(2026, 6, 3))

        assert reminders.remind_officers(MONDAY) == 1
        assert reminders.remind_officers(MONDAY) == 0
        assert len(mailoutbox) == 1
        assert reminders.remind_officers(MONDAY + datetime.timedelta(days=1)) == 1
        assert len(mailoutbox) == 2

    def test_the_assigned_officer_alone_is_reminded(self, due, officer_a, body_a, mailoutbox):
        from portal.bodies.models import Role
        from tests.factories import RoleGrantFactory

        colleague = RoleGrantFactory(body=body_a, role=Role.INFORMATION_OFFICER).user
        due(datetime.date(2026, 6, 2), assigned_to=colleague)

        reminders.remind_officers(MONDAY)

        assert [message.to for message in mailoutbox] == [[colleague.email]]

    def test_nothing_to_remind(self, due, officer_a, mailoutbox):
        due(datetime.date(2026, 7, 1))
        assert reminders.remind_officers(MONDAY) == 0
        assert mailoutbox == []

    def test_the_task_runs_the_reminders_of_today(self, due, officer_a, mailoutbox, time_machine):
        time_machine.move_to(datetime.datetime(2026, 6, 1, 7, 0, tzinfo=datetime.UTC))
        due(datetime.date(2026, 6, 2))
        assert tasks.remind_officers.delay().get() == 1
        assert len(mailoutbox) == 1

    def test_the_task_is_scheduled_daily(self, settings):
        entries = [
            entry
            for entry in settings.CELERY_BEAT_SCHEDULE.values()
            if entry["task"] == "information_requests.remind_officers"
        ]
        assert len(entries) == 1
        assert entries[0]["schedule"].hour == {7}
