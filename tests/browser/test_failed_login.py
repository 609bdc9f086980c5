from playwright.sync_api import Page, expect

from portal.accounts.demo import CITIZEN_EMAIL, DEMO_PASSWORD

from .support import assert_accessible, visit


def try_to_sign_in(page: Page, email: str, password: str) -> str:
    """Submit the login form and return the error text it shows."""
    visit(page, "/fr/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()
    assert_accessible(page)
    expect(page).to_have_url(f"{page.url.split('/fr/')[0]}/fr/accounts/login/")
    errors = page.locator("main form .errorlist")
    expect(errors).to_have_count(1)
    return errors.inner_text().strip()


class FailedLoginTestCase:
    def test_it_shows_the_same_error_for_a_wrong_password_and_an_unknown_address(self, page: Page):
        assert DEMO_PASSWORD != "not-the-password-2026"
        wrong_password = try_to_sign_in(page, CITIZEN_EMAIL, "not-the-password-2026")
        unknown_address = try_to_sign_in(page, "nobody@example.org", "not-the-password-2026")

        assert wrong_password
        assert wrong_password == unknown_address
        expect(page.locator(".account-nav a[href='/fr/accounts/profile/']")).to_have_count(0)
