"""At the counter, staff may record the date of birth on the document (a minimum age needs it)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from portal.accounts.identity import eligibility
from portal.accounts.models import Verification
from portal.bodies.models import Role
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory
from tests.staff import login_with_second_factor


@pytest.mark.django_db
def test_the_counter_records_the_date_of_birth():
    body = PublicBodyFactory(slug="blida")
    client = Client()
    login_with_second_factor(client, RoleGrantFactory(body=body, role=Role.MODERATOR).user)
    resident = UserFactory(email="karima@example.org")

    response = client.post(
        reverse("verifications_admin:verify"),
        {"email": resident.email, "identity_number": "109876543210", "body": body.pk, "born_on": "2001-04-30"},
    )

    assert response.status_code == 302
    assert Verification.objects.get(user=resident).born_on == date(2001, 4, 30)
    assert eligibility(resident, body, min_age=18, on=date(2026, 1, 1))[0]
