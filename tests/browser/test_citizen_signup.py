import re

from django.core import mail
from playwright.sync_api import Page, expect

from .support import follow, visit

EMAIL = "amina.saidi@example.org"
PASSWORD = "Zitouna-Blida-2026"
# The header reads "Mon compte" once the French catalogue has the string, "My account" until then.
MY_ACCOUNT = re.compile(r"^(Mon compte|My account)$")


def submit(page: Page) -> None:
    follow(page, page.locator("main form [type=submit]"))


def account_link(page: Page):
    return page.locator(".account-nav").get_by_role("link", name=MY_ACCOUNT)


class CitizenSignupTestCase:
    def test_it_confirms_the_address_signs_in_then_out_and_in_again_with_the_password(self, page: Page, live_server):
        visit(page, "/fr/accounts/signup/")
        page.locator("input[name=email]").fill(EMAIL)
        page.locator("input[name=password1]").fill(PASSWORD)
        page.locator("input[name=password2]").fill(PASSWORD)
        submit(page)
        expect(page).to_have_url(f"{live_server.url}/fr/accounts/confirm-email/")
        expect(account_link(page)).to_have_count(0)

        # The live server runs in this process: the locmem backend's outbox is this one.
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [EMAIL]
        links = re.findall(rf"{re.escape(live_server.url)}/fr/accounts/confirm-email/[^/\s]+/", message.body)
        assert len(links) == 1, message.body

        visit(page, links[0])
        expect(page.locator("main")).to_contain_text(EMAIL)
        submit(page)
        expect(page).to_have_url(f"{live_server.url}/fr/accounts/profile/")
        expect(account_link(page)).to_be_visible()
        expect(page.locator("main")).to_contain_text(EMAIL)

        follow(page, page.locator(".account-nav form [type=submit]"))
        expect(account_link(page)).to_have_count(0)
        visit(page, "/fr/accounts/profile/")
        expect(page).to_have_url(re.compile(r"/fr/accounts/login/\?next=/fr/accounts/profile/$"))

        page.locator("input[name=login]").fill(EMAIL)
        page.locator("input[name=password]").fill(PASSWORD)
        submit(page)
        expect(page).to_have_url(f"{live_server.url}/fr/accounts/profile/")
        expect(account_link(page)).to_be_visible()
