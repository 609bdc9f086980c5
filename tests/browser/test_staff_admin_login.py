import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Page, expect

from portal.accounts.models import User
from portal.bodies.models import PublicBody, Role, RoleGrant

from .support import assert_accessible, current_totp_code, follow

EMAIL = "nadia.publisher@apc-blida.example"
PASSWORD = "Mairie-Blida-2026"
# The code pages also hold a Cancel button that submits another form (logout).
SUBMIT = "main form [type=submit]:not([form])"

# Only the public pages (login, code, authenticator setup) go through axe: the admin
# screens are Wagtail's own templates, which Wagtail tests for accessibility itself.


@pytest.fixture
def publisher(demo) -> User:
    """A publisher for the demo commune with a confirmed address; the grant opens the admin."""
    user = User.objects.create_user(email=EMAIL, password=PASSWORD, first_name="Nadia", last_name="Kaci")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    RoleGrant.objects.create(user=user, body=PublicBody.objects.get(slug="commune-blida"), role=Role.PUBLISHER)
    assert user.has_perm("wagtailadmin.access_admin")
    return user


def sign_in(page: Page, live_server) -> None:
    """Open the admin as a visitor, get sent to the login page, and submit email and password."""
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/$"))
    assert_accessible(page)
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    follow(page, page.locator(SUBMIT))


class StaffAdminLoginTestCase:
    def test_it_asks_for_the_authenticator_code_then_opens_the_dashboard(self, page: Page, live_server, publisher):
        secret = generate_totp_secret()
        TOTP.activate(publisher, secret)

        sign_in(page, live_server)
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
        page.locator("main form input[name=code]").fill(current_totp_code(secret))
        follow(page, page.locator(SUBMIT), check=False)  # to the Wagtail dashboard

        expect(page).to_have_url(f"{live_server.url}/admin/")
        expect(page.locator(".w-dashboard h1")).to_be_visible()

    def test_it_sends_staff_without_an_authenticator_to_set_one_up(self, page: Page, live_server, publisher):
        sign_in(page, live_server)

        # The admin sends them to the authenticator setup, for which allauth first asks
        # the password again (MFA_REAUTHENTICATION_REQUIRED, even right after login).
        expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=[^&]*2fa%2Ftotp%2Factivate%2F"))
        expect(page.locator(".message--warning")).to_be_visible()
        page.locator("main form input[name=password]").fill(PASSWORD)
        follow(page, page.locator(SUBMIT))

        expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fadmin%2F$"))
        secret = page.locator("#authenticator_secret").input_value()
        page.locator("main form input[name=code]").fill(current_totp_code(secret))
        follow(page, page.locator(SUBMIT))
        expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))

        # Setting the authenticator up is not passing the second factor: the admin asks for a code.
        page.goto(f"{live_server.url}/admin/")
        expect(page).to_have_url(re.compile(r"/accounts/2fa/reauthenticate/\?next=%2Fadmin%2F$"))
        assert_accessible(page)
        page.locator("main form input[name=code]").fill(current_totp_code(secret))
        follow(page, page.locator(SUBMIT), check=False)  # to the Wagtail dashboard
        expect(page).to_have_url(f"{live_server.url}/admin/")
        expect(page.locator(".w-dashboard h1")).to_be_visible()
