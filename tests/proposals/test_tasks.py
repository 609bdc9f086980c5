"""The daily reminder: the body's publishers hear of the proposals whose official answer is overdue, once a day;
and the proposals' tasks are scheduled."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from participation.proposals import services
from participation.proposals.models import Proposal, Status
from participation.proposals.reminders import remind_overdue_answers
from participation.proposals.tasks import remind_overdue_answers as remind_task
from portal.accounts.models import Notification
from portal.bodies.models import Role
from portal.celery import app
from tests.factories import RoleGrantFactory

from .conftest import write

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def late(space, author, residents, publisher, django_capture_on_commit_callbacks):
    """A proposal past its threshold whose answer was due yesterday, one under study due two weeks ago, and one
    not yet due."""
    with django_capture_on_commit_callbacks(execute=True):
        reached = write(space, author, title="إنارة شارع الاستقلال")
        studied = write(space, author, title="Des bancs au jardin", language="fr")
        waiting = write(space, author, title="Un terrain de sport", language="fr")
        for proposal in (reached, studied, waiting):
            for resident in residents[:3]:
                services.support(proposal, resident)
        services.answer(studied, publisher, Status.EVALUATING, "À l'étude.", language="fr")
    Proposal.objects.filter(pk=reached.pk).update(answer_due=TODAY - dt.timedelta(days=1))
    Proposal.objects.filter(pk=studied.pk).update(answer_due=TODAY - dt.timedelta(days=14))
    Proposal.objects.filter(pk=waiting.pk).update(answer_due=TODAY + dt.timedelta(days=3))
    mail.outbox.clear()
    Notification.objects.all().delete()
    return {"reached": reached, "studied": studied, "waiting": waiting}


class RemindOverdueAnswersTestCase:
    def test_it_tells_the_publishers_of_the_overdue_proposals(
        self, late, publisher, body, django_capture_on_commit_callbacks
    ):
        administrator = RoleGrantFactory(body=body, role=Role.ADMINISTRATOR, user__email="admin@example.org").user
        with django_capture_on_commit_callbacks(execute=True):
            assert remind_overdue_answers(TODAY) == 2
        assert sorted(message.to[0] for message in mail.outbox) == [administrator.email, publisher.email]
        text = mail.outbox[0].body
        assert late["reached"].reference in text and late["studied"].reference in text
        assert late["waiting"].reference not in text
        assert (TODAY - dt.timedelta(days=14)).isoformat() in text  # the date it was due
        [notification] = Notification.objects.filter(user=publisher)
        assert notification.url.endswith("/admin/proposals/")  # their screen of the body's proposals

    def test_it_tells_no_one_else(self, late, author, moderator, residents, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            remind_overdue_answers(TODAY)
        told = {message.to[0] for message in mail.outbox}
        assert not told & {author.email, moderator.email, *(resident.email for resident in residents)}

    def test_publishers_of_another_body_hear_nothing(self, late, other_body, django_capture_on_commit_callbacks):
        outsider = RoleGrantFactory(body=other_body, role=Role.PUBLISHER, user__email="outsider@example.org").user
        with django_capture_on_commit_callbacks(execute=True):
            remind_overdue_answers(TODAY)
        assert outsider.email not in {message.to[0] for message in mail.outbox}

    def test_once_a_day(self, late, publisher, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            remind_overdue_answers(TODAY)
            assert remind_overdue_answers(TODAY) == 0
        assert len(mail.outbox) == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert remind_overdue_answers(TODAY + dt.timedelta(days=1)) == 2
        assert len(mail.outbox) == 2

    def test_answered_proposals_are_no_longer_overdue(self, late, publisher, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.answer(late["reached"], publisher, Status.REJECTED, "Hors compétence budgétaire.", language="fr")
            services.answer(late["studied"], publisher, Status.ACCEPTED, "Accepté.", language="fr")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert remind_overdue_answers(TODAY) == 0
        assert mail.outbox == []

    def test_nothing_overdue_tells_nobody(self, proposal, publisher, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            assert remind_overdue_answers(TODAY) == 0
        assert mail.outbox == []

    def test_the_task_reads_the_clock(self, late, publisher, django_capture_on_commit_callbacks):
        clock = time_machine.travel(dt.datetime(2026, 6, 15, 7, 15, tzinfo=dt.UTC))
        with clock, django_capture_on_commit_callbacks(execute=True):
            assert remind_task.delay().get() == 2
        assert [message.to[0] for message in mail.outbox] == [publisher.email]


def test_the_tasks_are_scheduled_every_day():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"proposals.remind_overdue_answers", "proposals.publish_open_data"} <= scheduled
    app.loader.import_default_modules()
    assert {"proposals.remind_overdue_answers", "proposals.publish_open_data"} <= set(app.tasks)
