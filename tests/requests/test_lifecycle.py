"""Whole lives of requests under Morocco's law 31-13, on real 2026 and 2027 dates, through the domain functions:
each move on its day, each due date checked against the law counted by hand (working days from the day after
receipt; the holidays of the `holidays` library, Islamic ones at their estimated dates)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied

from participation.requests import deadlines, services
from participation.requests.models import Appeal, Case, Law, Status
from portal.accounts.notifications import silenced
from portal.workflow import TransitionNotAllowed, history
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory

D = date


def on(day: date):
    """Travel to 10 o'clock of `day` in Rabat (the clock stands still)."""
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Africa/Casablanca")), tick=False
    )


@pytest.fixture
def sale(db):
    return PublicBodyFactory(slug="commune-sale-test", name_fr="Commune de Salé", country="MA")


@pytest.fixture
def rabat(db):
    return PublicBodyFactory(slug="commune-rabat-test", name_fr="Commune de Rabat", country="MA")


@pytest.fixture
def citizen(db):
    return UserFactory(email="amina@example.ma")


@pytest.fixture
def officer(sale):
    return RoleGrantFactory(body=sale, role="information_officer").user


@pytest.fixture
def head(sale):
    """The head of the body (its administrator), who decides the first appeal and records the commission's."""
    return RoleGrantFactory(body=sale, role="administrator").user


def file(body, citizen, *, urgent=False, kind=Case.Kind.REQUEST) -> Case:
    filing = services.Filing(
        body=body,
        kind=kind,
        subject="ميزانية الجماعة حسب المقاطعات",
        text="أطلب توزيع ميزانية الجماعة لسنة 2026 حسب المقاطعات.",
        language="ar",
        name="أمينة السعيدي",
        email=citizen.email,
        identity_number="AB123456",
        urgent=urgent,
        urgent_reason="حالة استعجالية" if urgent else "",
    )
    return services.file_case(filing, requester=citizen)


def reload(case: Case) -> Case:
    case.refresh_from_db()
    return case


def test_before_eid_al_fitr_a_pause_an_extension_a_late_answer_and_two_appeals(sale, citizen, officer, head):
    with on(D(2026, 3, 17)):  # Tuesday; Eid al-Fitr estimated Friday 20 March
        case = file(sale, citizen)
    assert (case.status, case.received_on, case.due_on) == (Status.SUBMITTED, D(2026, 3, 17), D(2026, 4, 15))

    with on(D(2026, 3, 18)):
        services.acknowledge(case, officer)
    with on(D(2026, 3, 23)):
        services.ask_clarification(case, officer, "هل تقصدون الميزانية الأولية أم المعدلة؟")
    assert reload(case).status == Status.AWAITING_CLARIFICATION
    assert not case.is_overdue(D(2026, 6, 1))  # a paused clock is never late
    with on(D(2026, 3, 27)):  # Friday: paused 23–27 March, five working days
        services.reply(case, citizen, "الميزانية الأولية.")
    assert (reload(case).status, case.due_on) == (Status.ACKNOWLEDGED, D(2026, 4, 22))
    assert case.deadline_changes.count() == 0  # a move, on the timeline as such

    with on(D(2026, 4, 20)):
        services.extend(case, officer, "الوثائق المطلوبة موزعة على عدة مصالح.")
    # 20 more working days after 22 April, Labour Day (Friday 1 May) skipped.
    assert (reload(case).status, case.due_on, case.extended) == (Status.EXTENDED, D(2026, 5, 21), True)
    with on(D(2026, 5, 1)), pytest.raises(services.CaseRefused):
        services.extend(case, officer, "مرة أخرى")

    assert case.is_overdue(D(2026, 5, 22))
    with on(D(2026, 5, 25)):  # late
        services.answer(case, officer, "تجدون التوزيع المطلوب جزئيا.", partly=True)
    assert (reload(case).status, case.decided_on) == (Status.PARTIALLY_ANSWERED, D(2026, 5, 25))
    assert not case.is_overdue(D(2026, 5, 25))

    with on(D(2026, 6, 1)):
        first = services.appeal(case, citizen, "الجواب ناقص.")
    # To the head of the body: 15 working days from 1 June, the Islamic New Year (16 June) skipped.
    assert (first.step.code, first.filed_on, first.due_on) == ("head", D(2026, 6, 1), D(2026, 6, 23))
    assert reload(case).status == Status.UNDER_APPEAL
    with on(D(2026, 6, 22)), pytest.raises(PermissionDenied):
        services.decide_appeal(case, officer, Appeal.Outcome.DISMISSED, "…")  # the head decides, not the officer
    with on(D(2026, 6, 22)):
        services.decide_appeal(case, head, Appeal.Outcome.DISMISSED, "الجواب كاف.")
    assert reload(case).status == Status.APPEAL_DECIDED

    with on(D(2026, 6, 29)):
        second = services.appeal(case, citizen, "أطلب تدخل اللجنة.")
    # To the commission: 30 calendar days from 29 June.
    assert (second.step.code, second.due_on) == ("commission", D(2026, 7, 29))
    with on(D(2026, 7, 20)):
        services.decide_appeal(case, head, Appeal.Outcome.UPHELD, "قررت اللجنة تمكين الطالبة من المعلومات.")
    with on(D(2026, 7, 20)), pytest.raises(services.CaseRefused):
        services.appeal(case, citizen, "لا درجة أخرى")
    with on(D(2026, 7, 24)):
        services.answer(case, officer, "تنفيذا لقرار اللجنة، تجدون الوثائق كاملة.")
        services.close(case, citizen)
    assert reload(case).status == Status.CLOSED
    moves = [event.to_status for event in history(case)]
    assert moves == [
        "submitted",
        "acknowledged",
        "awaiting_clarification",
        "acknowledged",
        "extended",
        "partially_answered",
        "under_appeal",
        "appeal_decided",
        "under_appeal",
        "appeal_decided",
        "answered",
        "closed",
    ]


def test_before_eid_al_adha_silence_is_refusal_and_may_be_appealed(sale, citizen, officer):
    with on(D(2026, 5, 25)):  # Monday; Eid al-Adha estimated 27–28 May, Islamic New Year 16 June
        case = file(sale, citizen)
    assert case.due_on == D(2026, 6, 25)
    with on(D(2026, 6, 25)), pytest.raises(services.CaseRefused):
        services.appeal(case, citizen, "لا جواب")  # the body still has today
    with on(D(2026, 6, 26)):
        assert case.is_overdue()
        assert services.can_appeal(case)
        filed = services.appeal(case, citizen, "لم تجب الجماعة داخل الأجل.")
    assert (filed.step.code, filed.due_on) == ("head", D(2026, 7, 17))
    with on(D(2026, 7, 17)):
        assert not services.can_appeal(case)  # the head of the body still has today
    with on(D(2026, 7, 24)):  # the head kept silent: on to the commission, 30 days (Sunday 23 August: Monday)
        second = services.appeal(case, citizen, "لم يجب رئيس الجماعة.")
    assert (second.step.code, second.due_on) == ("commission", D(2026, 8, 24))
    with on(D(2026, 7, 24)):
        assert not services.can_appeal(case)  # no third step


def test_the_time_to_appeal_silence_runs_out(sale, citizen):
    with on(D(2026, 5, 25)):
        case = file(sale, citizen)
    with on(D(2026, 7, 24)), pytest.raises(services.CaseRefused):  # file by 23 July
        services.appeal(case, citizen, "متأخر")
    assert reload(case).status == Status.SUBMITTED


def test_before_the_throne_day_a_transfer_starts_a_new_clock(sale, rabat, citizen, officer):
    with on(D(2026, 7, 28)):  # Tuesday; Throne Day Thursday 30 July
        case = file(sale, citizen)
    assert case.due_on == D(2026, 9, 2)
    with on(D(2026, 7, 29)):
        moved = services.transfer(case, officer, rabat, "المعلومة لدى جماعة الرباط.")
    assert (reload(case).status, case.transferred_to) == (Status.TRANSFERRED, moved)
    assert (moved.body, moved.status, moved.received_on, moved.due_on) == (
        rabat,
        Status.SUBMITTED,
        D(2026, 7, 29),
        D(2026, 9, 3),
    )
    assert moved.requester == citizen
    with on(D(2026, 7, 29)), pytest.raises(PermissionDenied):
        services.answer(moved, officer, "ليس من اختصاصنا")  # an officer of Salé, not of Rabat


def test_an_urgent_request_in_2027(sale, citizen):
    with on(D(2027, 3, 5)):  # Friday; Eid al-Fitr 2027 estimated 9–10 March
        case = file(sale, citizen, urgent=True)
    assert (case.urgent, case.due_on) == (True, D(2027, 3, 12))
    with on(D(2027, 3, 5)):
        normal = file(sale, citizen)
    assert normal.due_on == D(2027, 4, 6)


def test_a_complaint_has_its_own_clock(sale, citizen, officer):
    with on(D(2026, 3, 17)):
        complaint = file(sale, citizen, kind=Case.Kind.COMPLAINT)
    assert complaint.law.code == "ma-2-17-265"
    assert complaint.reference.startswith("C-")
    # 15 and 60 calendar days after 17 March; 16 May is a Saturday: Monday 18 May.
    assert (complaint.acknowledge_by, complaint.due_on) == (D(2026, 4, 1), D(2026, 5, 18))


def test_moves_the_machine_does_not_allow(sale, rabat, citizen, officer):
    with on(D(2026, 3, 17)):
        case = file(sale, citizen)
        stranger = UserFactory()
        with pytest.raises(PermissionDenied):
            services.withdraw(case, stranger)
        with pytest.raises(PermissionDenied):
            services.answer(case, RoleGrantFactory(body=rabat, role="information_officer").user, "…")
        other_law = Law.objects.get(code="tn-2016-22").refusal_reasons.first()
        with pytest.raises(services.CaseRefused):
            services.refuse(case, officer, other_law, "…")
        services.withdraw(case, citizen)
        with pytest.raises(TransitionNotAllowed):
            services.answer(case, officer, "بعد السحب")
        with pytest.raises(TransitionNotAllowed):
            services.acknowledge(case, officer)
    assert reload(case).status == Status.WITHDRAWN
    assert case.messages.count() == 1


def test_the_body_cannot_close_away_an_appeal(sale, citizen, officer):
    with on(D(2026, 3, 17)):
        case = file(sale, citizen)
        services.refuse(case, officer, case.law.refusal_reasons.first(), "معطيات شخصية.")
        with pytest.raises(PermissionDenied):
            services.close(case, officer)
        assert services.can_appeal(case)
        services.close(case, citizen)  # the requester may give up
    assert reload(case).status == Status.CLOSED


def test_an_answered_case_offers_no_appeal_and_an_urgent_one_no_extension(sale, citizen, officer):
    with on(D(2026, 3, 17)):
        answered = file(sale, citizen)
        services.answer(answered, officer, "الجواب الكامل.")
        assert not services.can_appeal(answered)
        with pytest.raises(services.CaseRefused):
            services.appeal(answered, citizen, "…")
        urgent = file(sale, citizen, urgent=True)
        with pytest.raises(services.CaseRefused):
            services.extend(urgent, officer, "…")
    assert reload(urgent).due_on == D(2026, 3, 23)


def test_words_an_officer_hides_leave_every_published_text(sale, citizen, officer):
    with on(D(2026, 3, 17)):
        case = file(sale, citizen)
        services.reply(case, citizen, "هاتفي 0661 23 45 67 للتواصل.")
        services.hide_words(case, officer, ["0661 23 45 67"])
        services.answer(case, officer, "سنتصل بكم على 0661 23 45 67.")
    published = [message.public_text for message in case.messages.all()]
    assert len(published) == 3
    assert all("0661 23 45 67" not in text for text in published)
    assert "0661 23 45 67" in case.messages.get(kind="reply").text  # as written, for the requester and the body
    with pytest.raises(PermissionDenied):
        services.hide_words(case, citizen, ["ميزانية"])


def test_nobody_is_told_of_what_the_demo_files(sale, citizen, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), silenced():
        case = file(sale, citizen)
        services.acknowledge(case, officer)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(case, officer, "الجواب.")
    assert [message.to for message in mail.outbox] == [[citizen.email]]


def test_an_announced_eid_moves_the_date_an_appeal_must_be_decided_by(sale, citizen, officer):
    with on(D(2026, 3, 10)):
        case = file(sale, citizen)
    with on(D(2026, 3, 16)):
        services.refuse(case, officer, case.law.refusal_reasons.first(), "معطيات شخصية.")
    with on(D(2026, 3, 17)):
        filed = services.appeal(case, citizen, "الرفض غير معلل.")
    assert filed.due_on == D(2026, 4, 8)  # 15 working days, Eid al-Fitr estimated Friday 20 March
    deadlines.confirm_holiday("MA", "Eid al-Fitr", D(2026, 3, 20), D(2026, 3, 21))  # announced a day later
    filed.refresh_from_db()
    assert filed.due_on == D(2026, 4, 7)  # Friday 20 March is a working day after all
    change = case.deadline_changes.get()
    assert (change.previous_due_on, change.due_on) == (D(2026, 4, 8), D(2026, 4, 7))


def test_a_transfer_takes_the_requesters_attachments_along(sale, rabat, citizen, officer):
    with on(D(2026, 3, 17)):
        filing = services.Filing(
            body=sale,
            subject="خرائط",
            text="أطلب الخرائط.",
            language="ar",
            name="أمينة",
            email=citizen.email,
            identity_number="AB123456",
        )
        case = services.file_case(
            filing, requester=citizen, uploads=[services.Upload("plan.pdf", b"%PDF-1.4\n%%EOF\n")]
        )
        moved = services.transfer(case, officer, rabat, "لدى الرباط.")
    copy = moved.messages.get(kind="request").attachments.get()
    assert (copy.name, copy.file.read(), copy.is_published) == ("plan.pdf", b"%PDF-1.4\n%%EOF\n", False)
