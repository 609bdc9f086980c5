"""A citizen files a request in Arabic; the body's information officer answers it in the admin; the public page
shows the answer, and the requester's name appears nowhere: not on the page, in the feed, the API or the open
dataset of the figures."""

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Page, expect

from participation.requests.models import Case
from participation.requests.open_data import publish_statistics
from portal.accounts.demo import CITIZEN_EMAIL, DEMO_PASSWORD, STAFF_EMAIL
from portal.accounts.models import User

from .support import current_totp_code, follow, visit

NAME = "سلمى بوزيان"
LATIN_NAME = "Salma Bouzian"
SUBJECT = "عقود الإنارة العمومية لسنة 2025"


def sign_in(page: Page, email: str, next_path: str) -> None:
    page.goto(f"/ar/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    follow(page, page.locator("main form [type=submit]:not([form])"), check=False)


def test_a_request_filed_in_arabic_is_answered_and_published_without_the_requesters_name(browser, live_server, demo):
    citizen = browser.new_context(base_url=live_server.url, locale="ar-DZ", timezone_id="Africa/Algiers")
    citizen.set_default_timeout(10_000)
    page = citizen.new_page()
    sign_in(page, CITIZEN_EMAIL, "/ar/information-requests/new/%3Fbody%3Dcommune-blida")
    expect(page).to_have_url(re.compile(r"/ar/information-requests/new/\?body=commune-blida$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#id_subject").fill(SUBJECT)
    page.locator("#id_text").fill(f"أنا {NAME}، أطلب قائمة عقود الإنارة العمومية الموقعة سنة 2025 ومبالغها.")
    page.locator("#id_name").fill(NAME)
    page.locator("#id_address").fill("حي بن بولعيد، البليدة")
    follow(page, page.locator("main form [type=submit]"))
    case = Case.objects.get(subject=SUBJECT)
    expect(page).to_have_url(f"{live_server.url}/ar/information-requests/{case.reference}/")
    expect(page.locator("main")).to_contain_text(case.reference)
    citizen.close()

    staff = User.objects.get(email=STAFF_EMAIL)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    officer = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Africa/Algiers")
    officer.set_default_timeout(10_000)
    page = officer.new_page()
    sign_in(page, STAFF_EMAIL, f"/admin/information-requests/{case.pk}/")
    page.locator("main form input[name=code]").fill(current_totp_code(secret))
    follow(page, page.locator("main form [type=submit]:not([form])"), check=False)
    expect(page).to_have_url(f"{live_server.url}/admin/information-requests/{case.pk}/")
    answer = page.locator("form[action$='/answer/']")
    answer.locator("textarea[name=answer-text]").fill(
        f"إلى السيدة {LATIN_NAME}: تجدون قائمة العقود: 12 عقدا بمبلغ 48 مليون دج."
    )
    follow(page, answer.locator("button[name=full]"), check=False)
    case.refresh_from_db()
    assert case.status == "answered"
    officer.close()

    publish_statistics()
    public = browser.new_context(base_url=live_server.url, locale="ar-DZ", timezone_id="Africa/Algiers")
    page = public.new_page()
    visit(page, f"/ar/information-requests/{case.reference}/")
    expect(page.locator("main")).to_contain_text("12 عقدا بمبلغ 48 مليون دج")
    texts = [page.content()]
    for path in [
        "/ar/information-requests/feed/",
        "/ar/information-requests/",
        f"/api/v1/information-requests/{case.uuid}/",
        "/api/v1/information-requests/",
    ]:
        response = page.request.get(path)
        assert response.ok, path
        texts.append(response.text())
    dataset = page.request.get("/api/3/action/package_show?id=information-requests-statistics").json()["result"]
    for resource in dataset["resources"]:
        response = page.request.get(resource["url"])
        assert response.ok, resource["url"]
        texts.append(response.text())
    assert len(texts) == 7
    for text in texts:
        for secret in (NAME, "سلمى", "بوزيان", LATIN_NAME, "Bouzian", CITIZEN_EMAIL, "بن بولعيد، البليدة"):
            assert secret not in text
    public.close()
