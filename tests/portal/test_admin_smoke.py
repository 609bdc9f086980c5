"""Every staff screen we add or depend on renders for a site administrator."""

import pytest

from tests.factories import UserFactory
from tests.staff import login_with_second_factor

SCREENS = [
    "/admin/",
    "/admin/pages/",
    "/admin/users/",
    "/admin/users/new/",
    "/admin/public_bodies/",
    "/admin/public_bodies/new/",
    "/admin/districts/",
    "/admin/role_grants/new/",
    "/admin/organisations/",
    "/admin/settings/cms/portalsettings/",
    "/admin/reports/site-history/",
]


@pytest.fixture
def superuser_client(client, demo):
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    login_with_second_factor(client, superuser)
    return client


@pytest.mark.parametrize("path", SCREENS)
def test_it_renders_the_staff_screen(superuser_client, path):
    response = superuser_client.get(path, follow=True)
    assert response.status_code == 200, path


def test_it_creates_a_staff_account_by_email(superuser_client):
    from portal.accounts.models import User

    response = superuser_client.post(
        "/admin/users/new/",
        {
            "email": "clerk@example.org",
            "first_name": "Yacine",
            "last_name": "Mansouri",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert User.objects.get(email="clerk@example.org").check_password("a-long-enough-password")
