"""The officers' inbox in the Wagtail admin: who sees which cases, in what order, and every move through it."""

import datetime
import re

import pymupdf
import pytest
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from participation.requests import inbox, services
from participation.requests.models import Appeal, Attachment, Case, Message, Status
from portal.workflow import history
from tests.factories import RoleGrantFactory
from tests.staff import login_with_second_factor

from .conftest import IDENTITY_NUMBER, file_request, officer_client


def url(name: str, case: Case, *args) -> str:
    return reverse(f"information_requests_admin:{name}", args=[case.pk, *args])


def logged(case: Case, action: str):
    return ModelLogEntry.objects.filter(object_id=str(case.pk), action=action)


def errors_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]


def png() -> bytes:
    return pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 4, 4), False).tobytes("png")


def text_upload() -> services.Upload:
    return services.Upload("plan.txt", "مخطط التهيئة\n".encode())


@pytest.mark.django_db
class InboxListingTestCase:
    def test_it_lists_the_cases_of_the_officers_bodies_and_below_and_no_others(
        self, officer_a_client, body_a, department_a, body_b, requester
    ):
        mine = file_request(body_a, requester, subject="ميزانية الجماعة")
        below = file_request(department_a, requester, subject="رخص البناء")
        theirs = file_request(body_b, requester, subject="صفقات النظافة")
        draft = file_request(body_a, requester, subject="مسودة")
        Case.objects.filter(pk=draft.pk).update(status=Status.DRAFT)

        response = officer_a_client.get(reverse("information_requests_admin:inbox"))

        assert response.status_code == 200
        html = response.content.decode()
        assert mine.reference in html and below.reference in html
        assert theirs.reference not in html and draft.reference not in html
        assert IDENTITY_NUMBER not in html and mine.identity_number not in html

    def test_the_filters_narrow_the_list(self, officer_a, officer_a_client, body_a, department_a, requester):
        mine = file_request(body_a, requester)
        below = file_request(department_a, requester)
        Case.objects.filter(pk=below.pk).update(assigned_to=officer_a, status=Status.ACKNOWLEDGED)
        inbox_url = reverse("information_requests_admin:inbox")

        def listed(**query):
            html = officer_a_client.get(inbox_url, query).content.decode()
            return {case.reference for case in (mine, below) if case.reference in html}

        assert listed(body=department_a.pk) == {below.reference}
        assert listed(body=body_a.pk) == {mine.reference, below.reference}  # a body and those below it
        assert listed(status=Status.SUBMITTED) == {mine.reference}
        assert listed(assigned="me") == {below.reference}
        assert listed(assigned="nobody") == {mine.reference}
        assert listed(overdue="on") == set()
        Case.objects.filter(pk=mine.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
        assert listed(overdue="on") == {mine.reference}
        assert listed(kind=Case.Kind.COMPLAINT) == set()

    def test_it_sorts_by_urgency(self, officer_a_client, body_a, requester):
        today = timezone.localdate()
        days = datetime.timedelta

        def filed(subject, **fields):
            case = file_request(body_a, requester, subject=subject)
            Case.objects.filter(pk=case.pk).update(**fields)
            return case

        answered = filed("answered", status=Status.ANSWERED, due_on=today - days(10))
        later = filed("later", due_on=today + days(5))
        urgent = filed("urgent", due_on=today + days(5), urgent=True)
        paused = filed("paused", status=Status.AWAITING_CLARIFICATION, due_on=today + days(3))
        soon = filed("soon", due_on=today + days(1))
        late = filed("late", due_on=today - days(2))

        html = officer_a_client.get(reverse("information_requests_admin:inbox")).content.decode()

        order = sorted([answered, later, urgent, paused, soon, late], key=lambda case: html.index(case.reference))
        assert order == [late, soon, paused, urgent, later, answered]
        with translation.override("en"):
            assert inbox.time_left(Case.objects.get(pk=late.pk), today) == "overdue by 2 days"
            assert inbox.time_left(Case.objects.get(pk=paused.pk), today) == "paused"
            assert inbox.time_left(Case.objects.get(pk=soon.pk), today) == "1 day left"
            assert inbox.time_left(Case.objects.get(pk=answered.pk), today) == ""

    def test_the_listing_costs_the_same_queries_for_2_or_6_cases(self, officer_a_client, body_a, officer_a, requester):
        inbox_url = reverse("information_requests_admin:inbox")
        for _ in range(2):
            file_request(body_a, requester)
        officer_a_client.get(inbox_url)  # the session and the menu's first reads
        with CaptureQueriesContext(connection) as few:
            officer_a_client.get(inbox_url)
        for _ in range(4):
            case = file_request(body_a, requester)
            Case.objects.filter(pk=case.pk).update(assigned_to=officer_a)
        with CaptureQueriesContext(connection) as more:
            response = officer_a_client.get(inbox_url)
        assert response.status_code == 200
        assert len(more) == len(few)

    def test_the_menu_shows_the_inbox_to_officers_only(self, officer_a_client, body_a):
        inbox_url = reverse("information_requests_admin:inbox")
        assert inbox_url in officer_a_client.get(reverse("wagtailadmin_home")).content.decode()

        publisher = RoleGrantFactory(body=body_a, role="publisher").user
        client = officer_client(publisher)
        assert inbox_url not in client.get(reverse("wagtailadmin_home")).content.decode()
        assert client.get(inbox_url).status_code in (302, 403)  # Wagtail sends the refused home


def doors(case: Case, attachment: Attachment) -> list[tuple[str, str]]:
    get = [url("case", case), url("attachment", case, attachment.pk), url("redacted_attachment", case, attachment.pk)]
    post = [
        url(name, case)
        for name in (
            "acknowledge",
            "ask_clarification",
            "extend",
            "transfer",
            "answer",
            "refuse",
            "not_held",
            "decide_appeal",
            "close",
            "message",
            "note",
            "assign",
            "reveal_identity",
        )
    ]
    post.append(url("publish_attachment", case, attachment.pk))
    return [("get", door) for door in get] + [("post", door) for door in post]


@pytest.mark.django_db
class InboxDoorsTestCase:
    @pytest.fixture
    def case_b(self, body_b, requester):
        return services.file_case(
            services.Filing(
                body=body_b,
                subject="رخص البناء",
                text="أطلب لائحة رخص البناء.",
                language="ar",
                name="أمينة السعيدي",
                email=requester.email,
                identity_number=IDENTITY_NUMBER,
            ),
            requester=requester,
            uploads=[text_upload()],
        )

    def test_every_door_of_another_bodys_case_is_a_404(self, officer_a_client, officer_b, case_b):
        attachment = Attachment.objects.get(message__case=case_b)
        for method, door in doors(case_b, attachment):
            response = getattr(officer_a_client, method)(door, {"note-text": "x", "answer-text": "x"})
            assert response.status_code == 404, door
        assert Case.objects.get(pk=case_b.pk).status == Status.SUBMITTED
        assert not logged(case_b, "information_requests.reveal_identity").exists()
        assert not Message.objects.filter(case=case_b, kind=Message.Kind.NOTE).exists()
        assert officer_client(officer_b).get(url("case", case_b)).status_code == 200

    def test_anonymous_people_and_citizens_are_turned_away(self, requester, case_b):
        attachment = Attachment.objects.get(message__case=case_b)
        citizen = Client()
        citizen.force_login(requester)
        for client in (Client(), citizen):
            for method, door in doors(case_b, attachment):
                assert getattr(client, method)(door).status_code in (302, 403), door
            assert client.get(reverse("information_requests_admin:inbox")).status_code in (302, 403)
        assert Case.objects.get(pk=case_b.pk).status == Status.SUBMITTED

    def test_moves_need_the_csrf_token(self, officer_a, case_a):
        client = Client(enforce_csrf_checks=True)
        login_with_second_factor(client, officer_a)
        assert client.post(url("acknowledge", case_a)).status_code == 403
        assert Case.objects.get(pk=case_a.pk).status == Status.SUBMITTED

    def test_the_moves_are_post_only(self, officer_a_client, case_a):
        assert officer_a_client.get(url("acknowledge", case_a)).status_code == 405
        assert officer_a_client.get(url("reveal_identity", case_a)).status_code == 405


TEXT_MOVES = [
    ("acknowledge", {"acknowledge-text": "توصلنا بطلبكم."}, Status.ACKNOWLEDGED, "acknowledge"),
    (
        "ask_clarification",
        {"ask_clarification-text": "أي سنة تقصدون؟"},
        Status.AWAITING_CLARIFICATION,
        "ask_clarification",
    ),
    ("extend", {"extend-reason": "حجم المعلومات كبير."}, Status.EXTENDED, "extend"),
    ("answer", {"answer-text": "تجدون الميزانية مرفقة.", "full": ""}, Status.ANSWERED, "answer"),
    ("answer", {"answer-text": "جزء من الميزانية مرفق.", "partly": ""}, Status.PARTIALLY_ANSWERED, "answer_partly"),
    ("not_held", {"not_held-text": "لا نتوفر على هذه المعلومات."}, Status.NOT_HELD, "not_held"),
]


@pytest.mark.django_db
class CaseMovesTestCase:
    @pytest.mark.parametrize("name, data, status, action", TEXT_MOVES)
    def test_each_move_changes_the_status_and_writes_the_timeline_and_the_audit_log(
        self, officer_a, officer_a_client, case_a, name, data, status, action
    ):
        response = officer_a_client.post(url(name, case_a), data)

        assert response.status_code == 302 and response.url == url("case", case_a)
        assert errors_of(response) == []
        case = Case.objects.get(pk=case_a.pk)
        assert case.status == status
        assert list(history(case))[-1].to_status == status
        assert logged(case, f"information_requests.{action}").filter(user=officer_a).exists()
        text = next(iter(data.values()))
        assert text in officer_a_client.get(url("case", case)).content.decode()

    def test_refuse_takes_one_of_the_laws_reasons(self, officer_a_client, case_a):
        reason = case_a.law.refusal_reasons.first()
        response = officer_a_client.post(url("refuse", case_a), {"refuse-reason": reason.pk, "refuse-text": "سري."})
        assert errors_of(response) == []
        case = Case.objects.get(pk=case_a.pk)
        assert (case.status, case.refusal_reason) == (Status.REFUSED, reason)
        assert logged(case, "information_requests.refuse").exists()

    def test_transfer_goes_to_any_body_even_outside_the_officers(self, officer_a_client, case_a, body_b):
        page = officer_a_client.get(url("case", case_a)).content.decode()
        assert body_b.name in page  # offered, though officer A does not answer for it

        response = officer_a_client.post(
            url("transfer", case_a), {"transfer-body": body_b.pk, "transfer-note": "تملك الجماعة الأخرى المعلومة."}
        )
        assert errors_of(response) == []
        case = Case.objects.get(pk=case_a.pk)
        assert case.status == Status.TRANSFERRED and case.transferred_to.body == body_b
        assert logged(case, "information_requests.transfer").exists()
        assert officer_a_client.get(url("case", case.transferred_to)).status_code == 404

    def test_an_answer_takes_attachments_and_words_to_hide(self, officer_a_client, case_a):
        files = [SimpleUploadedFile("plan.txt", "مخطط التهيئة لحي الرياض\n".encode(), "text/plain")]
        response = officer_a_client.post(
            url("answer", case_a),
            {"answer-text": "مخطط حي الرياض مرفق.", "answer-files": files, "answer-marked": "الرياض\n\n", "full": ""},
        )
        assert errors_of(response) == []
        answer = Message.objects.get(case=case_a, kind=Message.Kind.ANSWER)
        assert answer.attachments.count() == 1
        assert "الرياض" in answer.text and "الرياض" not in answer.public_text

    def test_close_after_an_answer(self, officer_a, officer_a_client, case_a):
        services.answer(case_a, officer_a, "الجواب.")
        officer_a_client.post(url("close", case_a))
        case = Case.objects.get(pk=case_a.pk)
        assert case.status == Status.CLOSED
        assert logged(case, "information_requests.close").exists()

    def test_only_the_head_of_the_body_decides_an_appeal(self, officer_a, officer_a_client, head_a, case_a, requester):
        reason = case_a.law.refusal_reasons.first()
        services.refuse(case_a, officer_a, reason, "سري.")
        services.appeal(Case.objects.get(pk=case_a.pk), requester, "المعلومة ليست سرية.")
        data = {"decide_appeal-outcome": Appeal.Outcome.UPHELD, "decide_appeal-decision": "تُسلَّم المعلومة."}
        page = officer_a_client.get(url("case", case_a))
        assert "decide_appeal" not in [move["name"] for move in page.context["move_forms"]]

        # PermissionDenied from the service: the Wagtail admin sends the person home with its "no permission" message.
        assert officer_a_client.post(url("decide_appeal", case_a), data).status_code in (302, 403)
        assert Case.objects.get(pk=case_a.pk).status == Status.UNDER_APPEAL

        response = officer_client(head_a).post(url("decide_appeal", case_a), data)
        assert errors_of(response) == []
        case = Case.objects.get(pk=case_a.pk)
        assert case.status == Status.APPEAL_DECIDED
        assert case.appeals.get().outcome == Appeal.Outcome.UPHELD
        assert logged(case, "information_requests.decide_appeal").filter(user=head_a).exists()

    def test_the_case_screen_costs_the_same_queries_however_long_its_timeline(
        self, officer_a, officer_a_client, case_a
    ):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert officer_a_client.get(url("case", case_a)).status_code == 200
            return len(captured)

        services.write(case_a, officer_a, "أول رسالة.", [text_upload()])
        queries()  # the session and the menu's first reads
        few = queries()
        for n in range(4):
            services.write(case_a, officer_a, f"رسالة {n}.", [text_upload()])
            services.add_note(case_a, officer_a, f"ملاحظة {n}.")
        assert queries() == few

    def test_extend_is_offered_once(self, officer_a_client, case_a):
        def offered():
            return [move["name"] for move in officer_a_client.get(url("case", case_a)).context["move_forms"]]

        assert "extend" in offered()
        officer_a_client.post(url("extend", case_a), {"extend-reason": "حجم المعلومات كبير."})
        assert "extend" not in offered()

    def test_a_message_a_note_and_an_assignment(self, officer_a, officer_a_client, case_a, requester):
        officer_a_client.post(url("message", case_a), {"message-text": "نعمل على طلبكم."})
        officer_a_client.post(url("note", case_a), {"note-text": "اسألوا مصلحة المالية."})
        officer_a_client.post(url("assign", case_a), {"assign-officer": officer_a.pk})

        case = Case.objects.get(pk=case_a.pk)
        assert case.status == Status.SUBMITTED
        assert case.messages.filter(kind=Message.Kind.OFFICER, text="نعمل على طلبكم.").exists()
        assert case.messages.filter(kind=Message.Kind.NOTE, text="اسألوا مصلحة المالية.").exists()
        assert case.assigned_to == officer_a
        for action in ("message", "note", "assign"):
            assert logged(case, f"information_requests.{action}").exists(), action
        page = officer_a_client.get(url("case", case)).content.decode()
        assert 'class="timeline-message timeline-internal"' in page

        response = officer_a_client.post(url("assign", case_a), {"assign-officer": requester.pk})
        assert errors_of(response)  # a citizen is no officer of the body
        assert Case.objects.get(pk=case_a.pk).assigned_to == officer_a

    def test_a_move_the_case_no_longer_allows_shows_an_error_and_changes_nothing(
        self, officer_a_client, case_a, requester
    ):
        services.withdraw(case_a, requester)
        response = officer_a_client.post(url("answer", case_a), {"answer-text": "الجواب.", "full": ""})

        assert response.status_code == 302
        assert errors_of(response)
        case = Case.objects.get(pk=case_a.pk)
        assert case.status == Status.WITHDRAWN
        assert not case.messages.filter(kind=Message.Kind.ANSWER).exists()
        assert not logged(case, "information_requests.answer").exists()

    def test_a_refused_input_shows_the_reason_and_changes_nothing(self, officer_a_client, case_a, settings):
        settings.REQUESTS_MAX_TEXT_LENGTH = 20
        response = officer_a_client.post(url("ask_clarification", case_a), {"ask_clarification-text": "س" * 50})
        assert errors_of(response)
        assert Case.objects.get(pk=case_a.pk).status == Status.SUBMITTED
        response = officer_a_client.post(url("ask_clarification", case_a), {"ask_clarification-text": ""})
        assert errors_of(response)
        assert Case.objects.get(pk=case_a.pk).status == Status.SUBMITTED


@pytest.mark.django_db
class AttachmentsTestCase:
    def test_the_original_is_served_as_a_download(self, officer_a_client, body_a, requester):
        case = services.file_case(
            services.Filing(
                body=body_a,
                subject="الميزانية",
                text="أطلب الميزانية.",
                language="ar",
                name="أمينة السعيدي",
                email=requester.email,
                identity_number=IDENTITY_NUMBER,
            ),
            requester=requester,
            uploads=[text_upload()],
        )
        attachment = Attachment.objects.get(message__case=case)
        response = officer_a_client.get(url("attachment", case, attachment.pk))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == text_upload().data
        assert officer_a_client.get(url("redacted_attachment", case, attachment.pk)).status_code == 404

    def test_an_officer_publishes_a_redacted_copy(self, officer_a, officer_a_client, case_a):
        services.write(case_a, officer_a, "صورة المخطط مرفقة.", [services.Upload("plan.png", png())])
        attachment = Attachment.objects.get(message__case=case_a, message__kind=Message.Kind.OFFICER)
        redacted = SimpleUploadedFile("plan.png", png(), "image/png")

        response = officer_a_client.post(url("publish_attachment", case_a, attachment.pk), {"redacted-file": redacted})

        assert errors_of(response) == []
        attachment.refresh_from_db()
        assert attachment.is_published
        assert logged(case_a, "information_requests.publish_attachment").filter(user=officer_a).exists()
        assert officer_a_client.get(url("redacted_attachment", case_a, attachment.pk)).status_code == 200


@pytest.mark.django_db
class RevealIdentityTestCase:
    def test_the_number_shows_once_after_the_button_and_is_logged(self, officer_a, officer_a_client, case_a):
        assert IDENTITY_NUMBER not in officer_a_client.get(url("case", case_a)).content.decode()
        assert case_a.identity_number and IDENTITY_NUMBER not in case_a.identity_number  # stored encrypted

        response = officer_a_client.post(url("reveal_identity", case_a))

        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert IDENTITY_NUMBER in response.content.decode()
        assert logged(case_a, "information_requests.reveal_identity").filter(user=officer_a).count() == 1
        assert IDENTITY_NUMBER not in str(dict(officer_a_client.session))
        assert IDENTITY_NUMBER not in officer_a_client.get(url("case", case_a)).content.decode()
        assert IDENTITY_NUMBER not in officer_a_client.get(reverse("information_requests_admin:inbox")).content.decode()

    def test_without_a_number_nothing_is_revealed_or_logged(self, officer_a_client, body_a, requester):
        case = file_request(body_a, requester, kind=Case.Kind.COMPLAINT, identity_number="")
        assert not case.identity_number
        response = officer_a_client.post(url("reveal_identity", case))
        assert response.status_code == 302
        assert not logged(case, "information_requests.reveal_identity").exists()

    def test_the_requesters_details_are_on_the_case_screen(self, officer_a_client, case_a):
        page = officer_a_client.get(url("case", case_a)).content.decode()
        for detail in (case_a.requester_name, case_a.requester_email, case_a.text, "12 شارع الحرية"):
            assert detail in page


def test_every_form_of_the_case_screen_carries_its_csrf_token(case_a, officer_a):
    """A browser sends the token each form holds: the moves' forms are included templates and must keep it."""
    client = Client(enforce_csrf_checks=True)
    login_with_second_factor(client, officer_a)
    page = client.get(url("case", case_a)).content.decode()
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", page, flags=re.S)
    assert len(forms) >= 8
    assert all('name="csrfmiddlewaretoken"' in form for form in forms)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    response = client.post(url("answer", case_a), {"csrfmiddlewaretoken": token, "answer-text": "الجواب.", "full": ""})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.ANSWERED
