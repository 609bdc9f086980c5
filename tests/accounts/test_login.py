"""Login by email: one answer for wrong passwords and unknown addresses, and a limit on failures."""

import pytest
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD
from tests.portal.test_settings_env import import_production

LOGIN = "/fr/accounts/login/"


def log_in(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


class LoginTestCase:
    def test_it_logs_in_with_email_and_password(self, client, citizen):
        response = log_in(client, citizen.email, PASSWORD)
        assert response.status_code == 302
        assert client.get("/fr/accounts/profile/").status_code == 200

    def test_it_gives_the_same_error_for_an_unknown_address(self, client, citizen):
        wrong_password = log_in(client, citizen.email, "not-the-password")
        unknown = log_in(client, "nobody@example.org", "not-the-password")
        assert wrong_password.status_code == unknown.status_code == 200
        assert wrong_password.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
        assert wrong_password.context["form"].non_field_errors()

    def test_it_stops_guessing_after_five_failures(self, client, citizen):
        for _attempt in range(5):
            log_in(client, citizen.email, "guess")
        response = log_in(client, citizen.email, PASSWORD)
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "Trop de tentatives de connexion échouées. Veuillez réessayer ultérieurement."
        ]
        assert client.get("/fr/accounts/profile/").status_code == 302

    def test_it_limits_failures_per_address_not_only_per_browser(self, client, citizen):
        from django.test import Client

        for _attempt in range(5):
            log_in(Client(REMOTE_ADDR=f"10.0.0.{_attempt}"), citizen.email, "guess")
        # Five failures on this address from five connections: the right password is refused too, with a reason.
        response = log_in(client, citizen.email, PASSWORD)
        assert response.status_code == 200
        assert "Trop de tentatives de connexion échouées" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_four_failures_still_let_the_right_password_in(self, client, citizen):
        from django.test import Client

        for attempt in range(4):
            log_in(Client(REMOTE_ADDR=f"10.0.0.{attempt}"), citizen.email, "guess")
        assert log_in(client, citizen.email, PASSWORD).status_code == 302
        assert client.session["_auth_user_id"] == str(citizen.pk)


class PasswordResetTestCase:
    def test_it_sends_a_reset_link_to_a_known_address(self, client, citizen):
        response = client.post("/fr/accounts/password/reset/", {"email": citizen.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        assert "/fr/accounts/password/reset/key/" in mail.outbox[0].body

    def test_it_answers_the_same_for_an_unknown_address(self, client, citizen):
        known = client.post("/fr/accounts/password/reset/", {"email": citizen.email})
        unknown = client.post("/fr/accounts/password/reset/", {"email": "nobody@example.org"})
        assert known.status_code == unknown.status_code == 302
        assert known["Location"] == unknown["Location"]
        assert "/fr/accounts/password/reset/key/" not in mail.outbox[-1].body


class LoginLimitBehindTheProxyTestCase:
    """Behind the proxy every request comes from 127.0.0.1: allauth must count the address the proxy reports."""

    @pytest.fixture(autouse=True)
    def production_client_address(self, settings):
        result = import_production(show="settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER")
        assert result.returncode == 0, result.stderr
        settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = result.stdout.strip()
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,5/300s/key"}

    def test_it_locks_out_the_guessing_address_only(self, citizen):
        attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="197.112.4.20")
        for attempt in range(3):
            log_in(attacker, f"victim{attempt}@example.org", "guess")
        locked = log_in(attacker, citizen.email, PASSWORD)
        assert locked.status_code == 200
        assert locked.context["form"].non_field_errors() == [
            "Trop de tentatives de connexion échouées. Veuillez réessayer ultérieurement."
        ]
        assert attacker.get("/fr/accounts/profile/").status_code == 302

        neighbour = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="41.200.3.7")
        response = log_in(neighbour, citizen.email, PASSWORD)
        assert response.status_code == 302
        assert neighbour.get("/fr/accounts/profile/").status_code == 200


class WagtailPasswordResetTestCase:
    def test_it_is_turned_off_in_favour_of_allauths(self, client, citizen):
        response = client.post("/admin/password_reset/", {"email": citizen.email})
        assert response.status_code == 404
        assert mail.outbox == []
