import pytest
from playwright.sync_api import Page, expect

from portal.accounts.demo import CITIZEN_EMAIL

from .support import follow, visit

WRONG_PASSWORD = "not-the-password-2026"


def try_to_sign_in(page: Page, login_url: str, email: str, password: str) -> str:
    """Submit the login form, check it comes back, and return the error it shows."""
    visit(page, login_url)
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    follow(page, page.locator("main form [type=submit]"))
    expect(page).to_have_url(login_url)
    errors = page.locator("main form .errorlist")
    expect(errors).to_have_count(1)
    return errors.inner_text().strip()


class FailedLoginTestCase:
    @pytest.mark.parametrize(("language", "password_word"), [("ar", "كلمة المرور"), ("fr", "mot de passe")])
    def test_it_shows_the_same_error_for_a_wrong_password_and_an_unknown_address(
        self, page: Page, live_server, language: str, password_word: str
    ):
        login_url = f"{live_server.url}/{language}/accounts/login/"

        wrong_password = try_to_sign_in(page, login_url, CITIZEN_EMAIL, WRONG_PASSWORD)
        unknown_address = try_to_sign_in(page, login_url, "nobody@example.org", WRONG_PASSWORD)

        assert password_word in wrong_password
        # No enumeration: an unknown address gets exactly the wrong password's answer.
        assert wrong_password == unknown_address
        expect(page.locator(".account-nav form")).to_have_count(0)
