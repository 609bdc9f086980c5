"""Staff reach the Wagtail admin only after a second factor."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.factories import PASSWORD
from tests.staff import login_with_second_factor


class AdminTwoFactorTestCase:
    def test_it_sends_staff_without_an_authenticator_to_set_one_up(self, client, administrator):
        client.force_login(administrator)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == "/ar/accounts/2fa/totp/activate/?next=%2Fadmin%2F"

    def test_it_asks_for_a_code_when_the_login_did_not(self, client, administrator):
        TOTP.activate(administrator, generate_totp_secret())
        client.post("/ar/accounts/login/", {"login": administrator.email, "password": PASSWORD})
        # The login stopped at the code stage: the person is not logged in yet.
        assert client.get("/ar/accounts/profile/").status_code == 302
        client.force_login(administrator)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == "/ar/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"

    def test_it_opens_the_admin_after_the_second_factor(self, client, administrator):
        login_with_second_factor(client, administrator)
        response = client.get("/admin/")
        assert response.status_code == 200
        assert b"wagtail" in response.content.lower()

    def test_it_keeps_citizens_out_whatever_their_factors(self, client, citizen):
        login_with_second_factor(client, citizen)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_it_sends_wagtails_own_login_form_to_the_accounts_login(self, client, db):
        response = client.get("/admin/login/?next=/admin/pages/")
        assert response.status_code == 302
        assert response["Location"].endswith("/accounts/login/?next=/admin/pages/")

    @pytest.mark.parametrize("require", [False])
    def test_it_can_be_turned_off_for_the_demo(self, client, administrator, settings, require):
        settings.ADMIN_REQUIRE_2FA = require
        client.force_login(administrator)
        assert client.get("/admin/").status_code == 200
