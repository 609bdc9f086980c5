"""Filing a request, reading cases and their doors, as citizens and strangers do; and what the public never sees."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from participation.requests import services
from participation.requests.models import Case, Message, Status
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory
from tests.ratelimits import rate_limits

NAME = "Youssef El Amrani"
NAME_AR = "يوسف العمراني"
EMAIL = "youssef.amrani@example.ma"
ADDRESS = "Rue Oued Sebou 17, Salé"
ID_NUMBER = "AB123456"


@pytest.fixture
def sale(db):
    return PublicBodyFactory(slug="commune-sale-test", name_fr="Commune de Salé", name_ar="جماعة سلا", country="MA")


@pytest.fixture
def requester(db):
    return UserFactory(email=EMAIL, first_name="Youssef", last_name="El Amrani")


@pytest.fixture
def officer(sale):
    return RoleGrantFactory(body=sale, role="information_officer", user__email="officer@sale.ma").user


def filing(body, **fields) -> services.Filing:
    values = {
        "body": body,
        "subject": "Budget 2026 par arrondissement",
        "text": f"Je suis {NAME} ({NAME_AR}), {ADDRESS}. Je demande le budget 2026 par arrondissement.",
        "language": "fr",
        "name": NAME,
        "email": EMAIL,
        "address": ADDRESS,
        "identity_number": ID_NUMBER,
    }
    return services.Filing(**{**values, **fields})


def form_data(public_body, **fields) -> dict:
    data = {
        "kind": "request",
        "body": public_body.slug,
        "subject": "Budget 2026 par arrondissement",
        "text": "Je demande le budget 2026 par arrondissement.",
        "name": NAME,
        "email": EMAIL,
        "address": ADDRESS,
        "identity_number": ID_NUMBER,
        "is_public": "on",
    }
    return {**data, **fields}


def test_a_citizen_files_a_request_and_gets_its_number_and_due_date(
    client, sale, requester, officer, django_capture_on_commit_callbacks
):
    client.force_login(requester)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("information_requests:new"), form_data(sale))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert case.status == Status.SUBMITTED
    assert case.law.code == "ma-31-13"
    assert case.reference.startswith("R-")
    assert case.due_on > case.received_on
    assert case.identity_number and ID_NUMBER not in case.identity_number  # stored encrypted
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([EMAIL, "officer@sale.ma"])
    page = client.get(case.get_absolute_url())
    assert case.reference in page.content.decode()


def test_filing_needs_an_account(client, sale):
    response = client.get(reverse("information_requests:new"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 200_000}, "text"),
        ({"body": "no-such-body"}, "body"),
        ({"subject": ""}, "subject"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_filed(client, sale, requester, fields, field):
    client.force_login(requester)
    response = client.post(reverse("information_requests:new"), form_data(sale, **fields))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Case.objects.exists()


def test_the_law_of_morocco_asks_for_the_identity_number(client, sale, requester):
    client.force_login(requester)
    with translation.override("en"):
        response = client.post(reverse("information_requests:new"), form_data(sale, identity_number=""))
        assert "identity card number" in " ".join(response.context["form"].non_field_errors())
    assert not Case.objects.exists()


def test_a_program_or_a_web_page_cannot_be_attached(client, sale, requester):
    client.force_login(requester)
    for name, content in [
        ("tool.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
        ("page.html", b"<html><script>x</script>"),
    ]:
        upload = SimpleUploadedFile(name, content)
        response = client.post(reverse("information_requests:new"), {**form_data(sale), "attachments": upload})
        assert response.status_code == 200
        assert name in " ".join(response.context["form"].non_field_errors())
    assert not Case.objects.exists()
    assert not Message.objects.exists()


def test_a_huge_attachment_is_refused(client, sale, requester, settings):
    settings.REQUESTS_MAX_ATTACHMENT_SIZE = 1000
    client.force_login(requester)
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * 2000)
    response = client.post(reverse("information_requests:new"), {**form_data(sale), "attachments": upload})
    assert response.status_code == 200
    assert "scan.pdf" in " ".join(response.context["form"].errors["attachments"])
    assert not Case.objects.exists()


def test_a_pdf_is_attached(client, sale, requester):
    client.force_login(requester)
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")
    client.post(reverse("information_requests:new"), {**form_data(sale), "attachments": upload})
    message = Message.objects.get()
    assert [attachment.name for attachment in message.attachments.all()] == ["plan.pdf"]


def test_a_hundred_requests_a_minute_from_one_account_are_stopped(client, sale, requester, no_page_cache):
    client.force_login(requester)
    with rate_limits(information_request="3/m"):
        statuses = [client.post(reverse("information_requests:new"), form_data(sale)).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Case.objects.count() == 3


def test_the_public_page_never_shows_the_requesters_identity(client, sale, requester, officer):
    case = services.file_case(filing(sale), requester=requester)
    services.answer(case, officer, f"Réponse à {NAME}: voici le budget. Écrivez à {EMAIL}.")
    for url in [
        case.get_absolute_url(),
        reverse("information_requests:list"),
        reverse("information_requests:feed"),
        reverse("information-request-list"),
        reverse("information-request-detail", args=[case.uuid]),
    ]:
        body = client.get(url).content.decode()
        assert "Budget 2026" in body, url
        for secret in [NAME, "Youssef", "Amrani", NAME_AR, "العمراني", EMAIL, ADDRESS, ID_NUMBER]:
            assert secret not in body, (url, secret)


def test_a_requester_who_chose_it_is_named_on_the_page_but_not_in_the_feed(client, sale, requester):
    case = services.file_case(filing(sale, show_name=True), requester=requester)
    assert NAME in client.get(case.get_absolute_url()).content.decode()
    assert NAME not in client.get(reverse("information_requests:feed")).content.decode()
    assert EMAIL not in client.get(case.get_absolute_url()).content.decode()


def test_a_private_request_is_a_404_to_everyone_but_its_requester_and_the_body(client, sale, requester, officer):
    case = services.file_case(filing(sale, is_public=False), requester=requester)
    stranger = UserFactory()
    other_officer = RoleGrantFactory(body=PublicBodyFactory(), role="information_officer").user
    doors = [
        ("get", case.get_absolute_url()),
        ("post", reverse("information_requests:reply", args=[case.reference])),
        ("post", reverse("information_requests:appeal", args=[case.reference])),
        ("post", reverse("information_requests:withdraw", args=[case.reference])),
        ("get", reverse("information-request-detail", args=[case.uuid])),
    ]
    for person in (None, stranger, other_officer):
        client.logout()
        if person is not None:
            client.force_login(person)
        for method, url in doors:
            response = getattr(client, method)(url, {"text": "Je veux voir."})
            assert response.status_code in (404, 302) if person is None else response.status_code == 404, url
            if person is None and response.status_code == 302:
                assert reverse("account_login") in response["Location"]
    assert case.subject not in client.get(reverse("information_requests:list")).content.decode()
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert case.messages.count() == 1
    client.force_login(requester)
    assert client.get(case.get_absolute_url()).status_code == 200
    client.force_login(officer)
    assert client.get(case.get_absolute_url()).status_code == 200


def test_a_stranger_cannot_move_a_public_request(client, sale, requester):
    case = services.file_case(filing(sale), requester=requester)
    client.force_login(UserFactory())
    assert client.post(reverse("information_requests:withdraw", args=[case.reference])).status_code == 404
    assert client.post(reverse("information_requests:reply", args=[case.reference]), {"text": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_the_requester_replies_and_withdraws(client, sale, requester):
    case = services.file_case(filing(sale), requester=requester)
    client.force_login(requester)
    client.post(reverse("information_requests:reply", args=[case.reference]), {"text": "Précision: 2026 seulement."})
    assert case.messages.filter(kind=Message.Kind.REPLY).count() == 1
    client.post(reverse("information_requests:withdraw", args=[case.reference]))
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    assert client.get(reverse("information_requests:list")).content.decode().count(case.reference) == 0


def test_an_xss_payload_in_a_request_is_shown_as_text(client, sale, requester):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    case = services.file_case(filing(sale, subject=payload, text=payload), requester=requester)
    body = client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_the_archive_and_the_api_list_public_cases_with_filters(client, sale, requester):
    other = PublicBodyFactory(slug="commune-autre", country="MA")
    services.file_case(filing(sale), requester=requester)
    services.file_case(filing(other, subject="Autre demande"), requester=requester)
    services.file_case(filing(sale, subject="Demande privée", is_public=False), requester=requester)
    page = client.get(reverse("information_requests:list"), {"body": sale.slug}).content.decode()
    assert "Budget 2026" in page
    assert "Autre demande" not in page
    assert "Demande privée" not in page
    listing = client.get(reverse("information-request-list"), {"body": sale.slug}).json()
    assert [case["subject"] for case in listing["results"]] == ["Budget 2026 par arrondissement"]
    assert client.get(reverse("information-request-list"), {"status": "nonsense"}).status_code == 400
    client.force_login(requester)
    mine = client.get(reverse("information-request-list")).json()
    assert mine["count"] == 3


def test_the_archive_the_feed_and_the_api_cost_the_same_queries_for_many_cases(
    client, sale, requester, django_assert_max_num_queries
):
    for number in range(30):
        services.file_case(filing(sale, subject=f"Demande {number}"), requester=requester)
    for url, queries in [
        (reverse("information_requests:list"), 12),
        (reverse("information_requests:feed"), 6),
        (reverse("information-request-list"), 6),
    ]:
        with django_assert_max_num_queries(queries):
            assert client.get(url).status_code == 200
