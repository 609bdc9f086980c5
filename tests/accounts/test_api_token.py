"""A person's key for the REST API (/accounts/api-token/): made on request, shown once, replaced on request."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory(email="person@example.org")


class ApiTokenTestCase:
    URL = "/fr/accounts/api-token/"

    def test_it_needs_a_signed_in_person(self, client):
        response = client.get(self.URL)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        assert client.post(self.URL).status_code == 302
        assert not Token.objects.exists()

    def test_it_makes_a_key_and_shows_it_once(self, client, person):
        client.force_login(person)
        assert "data-token" not in client.get(self.URL).content.decode()
        response = client.post(self.URL)
        token = Token.objects.get(user=person)
        assert token.key in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        page = client.get(self.URL).content.decode()
        assert token.key not in page

    def test_a_new_key_replaces_the_old_one(self, client, person):
        old = Token.objects.create(user=person)
        client.force_login(person)
        client.post(self.URL)
        new = Token.objects.get(user=person)
        assert new.key != old.key
        headers = {"Authorization": f"Token {old.key}"}
        assert (
            Client(headers=headers).post("/api/v1/proposals/00000000-0000-0000-0000-000000000000/support/").status_code
            == 401
        )

    def test_it_needs_the_csrf_token(self, person):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        assert client.post(self.URL).status_code == 403
        assert not Token.objects.exists()

    def test_the_account_page_links_to_it(self, client, person):
        client.force_login(person)
        assert 'href="/fr/accounts/api-token/"' in client.get("/fr/accounts/profile/").content.decode()
