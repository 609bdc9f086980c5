"""Citizen sign-up with email confirmation; a duplicate address neither fails loudly nor leaks."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from portal.accounts.models import User
from tests.factories import UserFactory

SIGNUP = "/fr/accounts/signup/"


def sign_up(client, email="nouvelle@example.org", password="un-mot-de-passe-solide"):
    return client.post(SIGNUP, {"email": email, "password1": password, "password2": password})


class SignupTestCase:
    def test_it_creates_an_unconfirmed_account_and_sends_a_link(self, client, db):
        response = sign_up(client)
        assert response.status_code == 302
        assert response["Location"] == "/fr/accounts/confirm-email/"
        user = User.objects.get(email="nouvelle@example.org")
        assert user.preferred_language == "fr"
        assert not EmailAddress.objects.get(user=user).verified
        assert len(mail.outbox) == 1
        assert "/fr/accounts/confirm-email/" in mail.outbox[0].body

    def test_it_confirms_the_address_and_logs_in(self, client, db):
        sign_up(client)
        link = re.search(r"https?://[^/]+(/fr/accounts/confirm-email/[^\s]+)", mail.outbox[0].body).group(1)
        response = client.post(link)
        assert response.status_code == 302
        assert EmailAddress.objects.get(email="nouvelle@example.org").verified
        assert client.get("/fr/accounts/profile/").status_code == 200

    def test_it_does_not_log_in_before_confirmation(self, client, db):
        sign_up(client)
        response = client.post(
            "/fr/accounts/login/", {"login": "nouvelle@example.org", "password": "un-mot-de-passe-solide"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/fr/accounts/confirm-email/"
        assert client.get("/fr/accounts/profile/").status_code == 302

    def test_it_answers_a_duplicate_address_like_a_new_one(self, client, db):
        UserFactory(email="deja@example.org")
        response = sign_up(client, email="deja@example.org")
        fresh = sign_up(client.__class__(), email="fresh@example.org")
        assert response.status_code == fresh.status_code == 302
        assert response["Location"] == fresh["Location"]
        assert User.objects.filter(email__iexact="deja@example.org").count() == 1
        # The owner of the address is told that someone tried to sign up with it.
        assert [message.to for message in mail.outbox].count(["deja@example.org"]) == 1

    def test_it_treats_addresses_case_insensitively(self, client, db):
        UserFactory(email="deja@example.org")
        sign_up(client, email="DEJA@Example.org")
        assert User.objects.filter(email__iexact="deja@example.org").count() == 1

    def test_it_refuses_a_weak_password(self, client, db):
        response = sign_up(client, password="12345678")
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not User.objects.filter(email="nouvelle@example.org").exists()

    def test_it_refuses_a_bad_csrf_token(self, db):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post(
            SIGNUP,
            {"email": "x@example.org", "password1": "un-mot-de-passe-solide", "password2": "un-mot-de-passe-solide"},
        )
        assert response.status_code == 403
        assert not User.objects.exists()


@pytest.mark.django_db
def test_the_sign_up_page_says_password_and_sign_up_as_the_menu_does(client):
    html = client.get("/ar/accounts/signup/").content.decode()
    assert "كلمة المرور" in html and "إنشاء حساب" in html
    assert "رمز المرور" not in html  # Wagtail's word for a password
    assert "الاشتراك" not in html  # allauth's word for signing up
