"""Saved searches: double opt-in by email, signed links, one-click deletion, and the daily alerts."""

import re
import smtplib

import pytest
import time_machine
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.utils import timezone

from portal.celery import app as celery_app
from search import alerts
from search.indexing import refresh_entries
from search.models import SavedSearch
from search.tasks import send_saved_search_alerts
from tests.factories import UserFactory
from tests.opendata.factories import DatasetFactory
from tests.ratelimits import rate_limits
from tests.staff import login_with_second_factor

SAVE = "/fr/search/alerts/"
GOOD = {"q": "budget", "kind": "dataset", "email": "Amina@Example.org"}
ADDRESS = "amina@example.org"


def link(message, name: str) -> str:
    """The path of the `name` link ("confirm", "unsubscribe") in an email's text."""
    base = settings.WAGTAILADMIN_BASE_URL
    found = re.search(rf"{re.escape(base)}(/\w+/search/alerts/{name}/[^/\s]+/)", message.body)
    assert found, message.body
    return found[1]


def html_part(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def subscribe(client, mailoutbox, **data) -> SavedSearch:
    """Save a search through the form and follow the link of its confirmation email."""
    assert client.post(SAVE, {**GOOD, **data}).status_code == 302
    assert client.post(link(mailoutbox[-1], "confirm")).status_code == 200
    return SavedSearch.objects.get()


class MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def budget(commune):
    with time_machine.travel("2026-01-05 09:00 +0000", tick=False):
        dataset = DatasetFactory(name="comptes-2024", body=commune, title_fr="Budget communal 2024", title_ar="ميزانية")
        refresh_entries(["dataset"])
    return dataset


@pytest.mark.django_db
class SaveSearchTestCase:
    def test_it_mails_a_confirmation_link_and_confirms_only_when_it_is_followed(self, client, mailoutbox):
        response = client.post(SAVE, GOOD)
        assert response.status_code == 302
        assert response["Location"] == "/fr/search/?q=budget&kind=dataset"
        saved = SavedSearch.objects.get()
        assert (saved.email, saved.query, saved.language) == (ADDRESS, {"q": "budget", "kind": "dataset"}, "fr")
        assert not saved.is_confirmed
        [message] = mailoutbox
        assert message.to == [ADDRESS]
        assert "budget" in message.subject
        assert (
            message.extra_headers["List-Unsubscribe"]
            == f"<{settings.WAGTAILADMIN_BASE_URL}{link(message, 'unsubscribe')}>"
        )
        # Following the link shows a button (mail scanners follow links too); pressing it confirms.
        confirm = link(message, "confirm")
        assert confirm.startswith("/fr/search/alerts/confirm/")
        assert client.get(confirm).status_code == 200
        assert not SavedSearch.objects.get().is_confirmed
        assert client.post(confirm).status_code == 200
        saved = SavedSearch.objects.get()
        assert saved.is_confirmed
        assert saved.notified_until == saved.confirmed_at

    def test_it_saves_the_same_search_for_the_same_address_once(self, client, mailoutbox):
        client.post(SAVE, GOOD)
        client.post(SAVE, {**GOOD, "email": " amina@example.org"})
        assert SavedSearch.objects.count() == 1
        assert len(mailoutbox) == 2  # the first email may have been lost
        client.post(link(mailoutbox[-1], "confirm"))
        client.post(SAVE, GOOD)
        assert SavedSearch.objects.count() == 1
        assert len(mailoutbox) == 2  # confirmed already: nothing more to confirm
        client.post(SAVE, {**GOOD, "kind": ""})
        assert SavedSearch.objects.count() == 2

    def test_it_refuses_a_tampered_or_misused_token(self, client, mailoutbox):
        client.post(SAVE, GOOD)
        confirm, unsubscribe = link(mailoutbox[0], "confirm"), link(mailoutbox[0], "unsubscribe")
        token = confirm.rstrip("/").rsplit("/", 1)[1]
        tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert client.post(f"/fr/search/alerts/confirm/{tampered}/").status_code == 404
        # An unsubscribe link does not confirm, and a confirmation link does not delete.
        assert client.post(unsubscribe.replace("/unsubscribe/", "/confirm/")).status_code == 404
        assert client.post(confirm.replace("/confirm/", "/unsubscribe/")).status_code == 404
        assert not SavedSearch.objects.get().is_confirmed
        with time_machine.travel(SavedSearch.objects.get().created_at + alerts.CONFIRM_MAX_AGE * 2):
            assert client.post(confirm).status_code == 404
        assert not SavedSearch.objects.get().is_confirmed

    def test_it_deletes_the_saved_search_from_the_link_in_every_email(self, client, mailoutbox):
        subscribe(client, mailoutbox)
        unsubscribe = link(mailoutbox[0], "unsubscribe")
        assert client.get(unsubscribe).status_code == 200
        assert SavedSearch.objects.exists()
        # A mail client's one-click POST (RFC 8058) comes without a CSRF token: the signed link is the proof.
        assert Client(enforce_csrf_checks=True).post(unsubscribe).status_code == 200
        assert not SavedSearch.objects.exists()
        assert client.post(unsubscribe).status_code == 404

    @pytest.mark.parametrize(
        "data", [{"q": ""}, {"q": "!!"}, {"email": "pas-une-adresse"}, {"email": ""}, {"year": "abc"}]
    )
    def test_it_refuses_a_search_without_words_or_an_address(self, client, mailoutbox, data):
        response = client.post(SAVE, {**GOOD, **data})
        assert response.status_code == 400
        assert not SavedSearch.objects.exists()
        assert mailoutbox == []

    def test_a_get_is_refused(self, client):
        assert client.get(SAVE, GOOD).status_code == 405

    def test_it_requires_the_csrf_token(self, mailoutbox, budget):
        checked = Client(enforce_csrf_checks=True)
        assert checked.post(SAVE, GOOD).status_code == 403
        assert not SavedSearch.objects.exists()
        token = checked.get("/fr/search/?q=budget").context["csrf_token"]
        assert checked.post(SAVE, {**GOOD, "csrfmiddlewaretoken": str(token)}).status_code == 302
        assert SavedSearch.objects.count() == 1

    @rate_limits(**{"search.subscribe": "5/h"})
    def test_it_limits_the_searches_saved_per_address(self, client, mailoutbox):
        for number in range(5):
            assert client.post(SAVE, {**GOOD, "q": f"budget {number}"}).status_code == 302
        response = client.post(SAVE, {**GOOD, "q": "budget 6"})
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 3600
        assert SavedSearch.objects.count() == 5
        assert len(mailoutbox) == 5

    def test_the_address_never_shows_on_the_search_pages(self, client, mailoutbox, budget):
        subscribe(client, mailoutbox)
        pages = [
            client.post(SAVE, GOOD, follow=True),
            client.get("/fr/search/?q=budget&kind=dataset"),
            client.get("/ar/search/?q=budget"),
            client.get("/fr/search/feed/?q=budget"),
            client.get(link(mailoutbox[0], "confirm")),
            client.get(link(mailoutbox[0], "unsubscribe")),
        ]
        for page in pages:
            assert page.status_code == 200
            assert ADDRESS not in page.content.decode().lower()
        assert "Consultez votre boîte de réception" in pages[0].content.decode()

    def test_a_signed_in_person_finds_their_address_filled_in(self, client, budget):
        client.force_login(UserFactory(email="karim@example.org"))
        html = client.get("/fr/search/?q=budget").content.decode()
        assert 'value="karim@example.org"' in html
        assert 'action="/fr/search/alerts/"' in html


@pytest.mark.django_db
class SavedSearchAlertsTestCase:
    def test_it_mails_what_became_public_since_and_nothing_the_next_day(self, client, mailoutbox, budget, commune):
        with time_machine.travel("2026-02-01 09:00 +0000", tick=False):
            subscribe(client, mailoutbox)
        with time_machine.travel("2026-02-03 12:00 +0000", tick=False):
            DatasetFactory(name="comptes-2025", body=commune, title_fr="Budget communal 2025", title_ar="ميزانية")
            DatasetFactory(name="eau", body=commune, title_fr="Réseau d'eau")
            refresh_entries(["dataset"])
        mailoutbox.clear()
        with time_machine.travel("2026-02-04 06:00 +0000", tick=False):
            assert send_saved_search_alerts.delay().get() == 1
        [message] = mailoutbox
        assert message.to == [ADDRESS]
        assert "Budget communal 2025" in message.body
        assert f"{settings.WAGTAILADMIN_BASE_URL}/fr/data/comptes-2025/" in message.body
        assert "Budget communal 2024" not in message.body  # public before the alert was confirmed
        assert "eau" not in message.body.lower()
        assert "ميزانية" not in message.body  # the Arabic entry has no "budget" in it
        assert f'href="{settings.WAGTAILADMIN_BASE_URL}/fr/data/comptes-2025/"' in html_part(message)
        assert message.extra_headers["List-Unsubscribe"]
        with time_machine.travel("2026-02-05 06:00 +0000", tick=False):
            assert send_saved_search_alerts.delay().get() == 0
        assert len(mailoutbox) == 1

    def test_it_sends_nothing_before_confirmation_and_forgets_what_is_never_confirmed(
        self, client, mailoutbox, commune
    ):
        with time_machine.travel("2026-02-01 09:00 +0000", tick=False):
            client.post(SAVE, GOOD)
        with time_machine.travel("2026-02-03 12:00 +0000", tick=False):
            DatasetFactory(name="comptes-2025", body=commune, title_fr="Budget communal 2025")
            refresh_entries(["dataset"])
        with time_machine.travel("2026-02-04 06:00 +0000", tick=False):
            assert alerts.send_alerts(timezone.now()) == 0
        assert len(mailoutbox) == 1  # the confirmation only
        assert SavedSearch.objects.exists()
        with time_machine.travel("2026-02-08 09:01 +0000", tick=False):
            alerts.send_alerts(timezone.now())
        assert not SavedSearch.objects.exists()  # its link has expired: nobody can confirm it any more

    def test_it_lists_at_most_a_few_records_and_says_how_many_more(self, client, mailoutbox, commune, monkeypatch):
        monkeypatch.setattr(alerts, "ALERT_SIZE", 1)
        with time_machine.travel("2026-02-01 09:00 +0000", tick=False):
            subscribe(client, mailoutbox, kind="")
        with time_machine.travel("2026-02-03 12:00 +0000", tick=False):
            DatasetFactory(name="comptes-2025", body=commune, title_fr="Budget communal 2025")
            DatasetFactory(name="comptes-2026", body=commune, title_fr="Budget communal 2026")
            refresh_entries(["dataset"])
        with time_machine.travel("2026-02-04 06:00 +0000", tick=False):
            alerts.send_alerts(timezone.now())
        assert "Et 1 autre" in mailoutbox[-1].body

    def test_it_writes_in_the_saved_searchs_language(self, client, mailoutbox, commune):
        with time_machine.travel("2026-02-01 09:00 +0000", tick=False):
            assert client.post("/ar/search/alerts/", {**GOOD, "q": "ميزانية"}).status_code == 302
            assert link(mailoutbox[0], "confirm").startswith("/ar/search/alerts/confirm/")
            client.post(link(mailoutbox[0], "confirm"))
        with time_machine.travel("2026-02-03 12:00 +0000", tick=False):
            DatasetFactory(name="comptes-2025", body=commune, title_fr="Budget communal 2025", title_ar="ميزانية")
            refresh_entries(["dataset"])
        with time_machine.travel("2026-02-04 06:00 +0000", tick=False):
            alerts.send_alerts(timezone.now())
        body = mailoutbox[-1].body
        assert f"{settings.WAGTAILADMIN_BASE_URL}/ar/data/comptes-2025/" in body
        assert "/ar/search/alerts/unsubscribe/" in body

    def test_it_escapes_the_words_searched_for(self, client, mailoutbox, commune):
        payload = '<script>alert("x")</script> budget'
        with time_machine.travel("2026-02-01 09:00 +0000", tick=False):
            subscribe(client, mailoutbox, q=payload)
        with time_machine.travel("2026-02-03 12:00 +0000", tick=False):
            DatasetFactory(name="comptes-2025", body=commune, title_fr="Budget <b>communal</b> 2025", notes_fr=payload)
            refresh_entries(["dataset"])
        with time_machine.travel("2026-02-04 06:00 +0000", tick=False):
            assert alerts.send_alerts(timezone.now()) == 1
        for message in (mailoutbox[0], mailoutbox[-1]):
            html = html_part(message)
            assert "<script>" not in html
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; budget" in html
        assert "Budget &lt;b&gt;communal&lt;/b&gt; 2025" in html_part(mailoutbox[-1])

    def test_it_announces_again_what_a_failed_email_did_not(self, client, mailoutbox, commune):
        with time_machine.travel("2026-02-01 09:00 +0000", tick=False):
            subscribe(client, mailoutbox)
        with time_machine.travel("2026-02-03 12:00 +0000", tick=False):
            DatasetFactory(name="comptes-2025", body=commune, title_fr="Budget communal 2025")
            refresh_entries(["dataset"])
        with (
            time_machine.travel("2026-02-04 06:00 +0000", tick=False),
            override_settings(EMAIL_BACKEND=f"{__name__}.MailServerDown"),
        ):
            assert alerts.send_alerts(timezone.now()) == 0
        with time_machine.travel("2026-02-05 06:00 +0000", tick=False):
            assert alerts.send_alerts(timezone.now()) == 1
        assert "Budget communal 2025" in mailoutbox[-1].body

    def test_it_runs_every_day(self):
        schedule = settings.CELERY_BEAT_SCHEDULE["send-saved-search-alerts"]
        assert schedule["task"] in celery_app.tasks
        assert schedule["schedule"].hour == {6}


@pytest.mark.django_db
class SavedSearchAdminTestCase:
    def test_it_lists_the_saved_searches_to_superusers_only(self, client, mailoutbox):
        client.post(SAVE, GOOD)
        staff = Client()
        login_with_second_factor(staff, UserFactory(email="root@example.org", is_staff=True, is_superuser=True))
        response = staff.get("/admin/saved-searches/")
        assert response.status_code == 200
        assert "budget" in response.content.decode()
        saved = SavedSearch.objects.get()
        assert ADDRESS in staff.get(f"/admin/saved-searches/inspect/{saved.pk}/").content.decode()
        assert staff.get(f"/admin/saved-searches/edit/{saved.pk}/").status_code in (302, 403)
        editor = Client()
        login_with_second_factor(editor, UserFactory(email="editor@example.org", is_staff=True))
        assert editor.get("/admin/saved-searches/").status_code in (302, 403)
