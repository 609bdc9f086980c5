"""A council decision from the editor's draft to the citizen's download, and its French address.

An editor of the commune drafts a decision in Arabic in the Wagtail admin, attaches the signed
PDF and submits it to the commune's approval workflow; a publisher approves and publishes it;
a citizen finds it in the public listing by filtering, opens it and downloads the PDF. The
French address of a decision published in Arabic only shows the French interface with a notice.

The staff browse with a French browser, so the Wagtail admin speaks French: its own labels are
Wagtail's translations. Our form fields are found by their names, which do not depend on how
far the catalogue is translated. Only the public pages go through axe: the admin screens are
Wagtail's own templates (see test_staff_admin_login.py).
"""

import datetime
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.base import ContentFile
from django.utils import translation
from playwright.sync_api import Page, expect
from wagtail.models import WorkflowState

from cms.models import CouncilDocument, DecisionAttachment, DecisionPage
from portal.accounts.models import User
from portal.bodies.models import PublicBody, Role, RoleGrant
from portal.templatetags.portal_tags import language_name
from tests.cms.builders import council, decision, session

from .support import current_totp_code, follow, visit

PASSWORD = "Mairie-Blida-2026"
# The code pages also hold a Cancel button that submits another form (logout).
SUBMIT = "main form [type=submit]:not([form])"
SIGNED_PDF = Path(__file__).resolve().parent / "fixtures" / "deliberation-45-2024.pdf"

# Our own council, beside whatever council the demo has, so that the decision's address is known.
COUNCIL_SLUG, SESSION_SLUG = "majlis-e2e", "dawra-2024-11"
SESSION_DATE = datetime.date(2024, 11, 20)
MEMBERS_PRESENT = 29
TITLE = "ترميم السوق المغطى بوسط المدينة"
REFERENCE = "45/2024"
SLUG = "souk-2024"
DOCUMENT_TITLE = "المداولة الموقعة 45/2024"
# Another decision of the same session, which the words of TITLE do not find.
OTHER_TITLE = "تجديد الإنارة العمومية"
DECISION_PATH = f"/{COUNCIL_SLUG}/{SESSION_SLUG}/{SLUG}/"


def notice_in_french() -> re.Pattern:
    """The notice of a page in Arabic only, the language named as a French sentence names it (portal_tags)."""
    with translation.override("fr"):
        arabic = re.escape(language_name("ar"))
    return re.compile(rf"^Ce texte n’est disponible qu’en {arabic}\.$")


@pytest.fixture
def session_page(demo):
    """A held session of a council of the demo commune, in Arabic, with 29 members present."""
    body = PublicBody.objects.get(slug="commune-blida")
    assembly = council(body, title="المجلس الشعبي البلدي (اختبار)", slug=COUNCIL_SLUG, seats=33)
    page = session(assembly, date=SESSION_DATE, present=MEMBERS_PRESENT, slug=SESSION_SLUG)
    page.title = "الدورة العادية لشهر نوفمبر 2024"
    page.save_revision().publish()
    return page


@pytest.fixture
def new_page(browser, live_server, demo):
    """Open a page in a browser context of its own, as the conftest's `page`: one per person."""
    contexts = []

    def new_page() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Africa/Algiers")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def staff_member(email: str, role: Role) -> tuple[User, str]:
    """Return a member of the commune's staff with `role`, a confirmed address and an authenticator, and its secret."""
    user = User.objects.create_user(email=email, password=PASSWORD, first_name="Karim", last_name="Haddad")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    RoleGrant.objects.create(user=user, body=PublicBody.objects.get(slug="commune-blida"), role=role)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def sign_in_to_admin(page: Page, live_server, user: User, secret: str) -> None:
    """Open the admin, sign in with the password, then the authenticator code, and land on the dashboard."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/$"))
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    follow(page, page.locator(SUBMIT))
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.locator("main form input[name=code]").fill(current_totp_code(secret))
    follow(page, page.locator(SUBMIT), check=False)  # to the Wagtail dashboard
    expect(page).to_have_url(f"{live_server.url}/admin/")


def listing_query(page: Page) -> dict[str, list[str]]:
    """Return the query of the listing's address, after checking that the page is the listing."""
    address = urlsplit(page.url)
    assert address.path == "/ar/decisions/", page.url
    return parse_qs(address.query, keep_blank_values=True)


def footer_actions(page: Page):
    """Return the editor's footer actions, with the "Plus d'actions" menu open."""
    footer = page.get_by_role("navigation", name="Actions (pied de page)")
    more = footer.get_by_role("button", name="Plus d'actions")
    if more.get_attribute("aria-expanded") != "true":
        more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    return footer


def draft_decision(page: Page, session_page) -> None:
    """From the session in the page explorer, fill in a new decision and attach the signed PDF."""
    page.goto(f"/admin/pages/{session_page.pk}/")
    # A session takes decisions only: Wagtail goes straight to the decision form.
    follow(page, page.get_by_role("link", name="Ajouter une sous-page"), check=False)
    expect(page).to_have_url(re.compile(rf"/admin/pages/add/cms/decisionpage/{session_page.pk}/$"))

    page.locator("[name=title]").fill(TITLE)
    page.locator("[name=reference]").fill(REFERENCE)
    page.locator("[name=decision_date]").fill(SESSION_DATE.isoformat())
    page.locator("[name=decision_date]").press("Escape")  # closes the date picker
    page.locator("[name=summary]").fill(
        "صادق المجلس على مشروع ترميم السوق المغطى بوسط المدينة وتخصيص الاعتمادات اللازمة له."
    )
    page.locator("[name=outcome]").select_option("adopted")
    # For, against and abstentions add up to the members present, or the form refuses them.
    page.locator("[name=votes_for]").fill("20")
    page.locator("[name=votes_against]").fill("5")
    page.locator("[name=votes_abstain]").fill("4")

    # The signed deliberation: a new attachment, its document uploaded through the chooser.
    page.locator("#id_attachments-ADD").click()
    chooser = page.locator("#id_attachments-0-document-chooser")
    chooser.get_by_role("button", name="Choisir un document").click()
    dialog = page.get_by_role("dialog").filter(has=page.get_by_role("heading", name="Choisir un document"))
    expect(dialog).to_be_visible()
    upload_tab = dialog.get_by_role("tab", name="Transférer")
    expect(upload_tab, "the chooser offers no upload: editors lack Wagtail's document permissions").to_be_visible()
    upload_tab.click()
    dialog.get_by_label("Fichier").set_input_files(SIGNED_PDF)
    dialog.get_by_label("Titre").fill(DOCUMENT_TITLE)
    dialog.get_by_role("button", name="Transférer").click()
    expect(dialog).to_be_hidden()
    expect(chooser).to_contain_text(DOCUMENT_TITLE)

    page.get_by_role("tab", name="Promotion").click()
    page.locator("[name=slug]").fill(SLUG)


class CouncilDecisionTestCase:
    def test_an_editor_submits_a_decision_a_publisher_approves_it_and_a_citizen_downloads_it(
        self, page: Page, new_page, live_server, session_page
    ):
        editor, editor_secret = staff_member("samir.editor@apc-blida.example", Role.EDITOR)
        publisher, publisher_secret = staff_member("nadia.publisher@apc-blida.example", Role.PUBLISHER)
        # Another decision of the same session and year: only the words of the title tell them apart.
        decision(session_page, reference="44/2024", title=OTHER_TITLE, slug="inara-2024", votes=(29, 0, 0))

        # The editor drafts the decision and submits it to the commune's approval workflow.
        editing = new_page()
        sign_in_to_admin(editing, live_server, editor, editor_secret)
        draft_decision(editing, session_page)
        actions = footer_actions(editing)
        expect(actions.get_by_role("button", name="Publier")).to_have_count(0)  # editors do not publish
        follow(
            editing,
            actions.get_by_role("button", name=re.compile(r"^Soumettre à بلدية البليدة · Commune de Blida")),
            check=False,
        )
        expect(editing.get_by_role("status").filter(has_text="créée et soumise pour modération")).to_be_visible()

        submitted = DecisionPage.objects.get(body__slug="commune-blida", reference=REFERENCE)
        assert not submitted.live
        assert submitted.locale.language_code == "ar"
        assert submitted.get_parent().pk == session_page.pk
        assert [attachment.document.title for attachment in submitted.attachments.all()] == [DOCUMENT_TITLE]
        assert WorkflowState.objects.for_instance(submitted).get().status == WorkflowState.STATUS_IN_PROGRESS
        assert page.request.get(f"/ar{DECISION_PATH}").status == 404

        # The publisher finds it awaiting review on the dashboard and approves it, which publishes it.
        reviewing = new_page()
        sign_in_to_admin(reviewing, live_server, publisher, publisher_secret)
        awaiting = reviewing.get_by_role("region", name="En attente de votre vérification")
        follow(reviewing, awaiting.get_by_role("link", name=TITLE), check=False)
        expect(reviewing).to_have_url(re.compile(rf"/admin/pages/{submitted.pk}/edit/$"))
        follow(reviewing, footer_actions(reviewing).get_by_role("button", name="Approuver et Publier"), check=False)

        submitted.refresh_from_db()
        assert submitted.live
        assert not submitted.has_unpublished_changes
        assert WorkflowState.objects.for_instance(submitted).get().status == WorkflowState.STATUS_APPROVED

        # A citizen filters the listing by year, then also by words of the title: plain GET forms.
        visit(page, "/ar/decisions/")
        filters = page.locator("main").get_by_role("search")  # the header holds the site search
        filters.locator("[name=year]").select_option("2024")
        follow(page, filters.locator("[type=submit]"))
        assert listing_query(page)["year"] == ["2024"]
        results = page.locator(".decision-card")
        expect(results.filter(has_text=TITLE)).to_have_count(1)
        expect(results.filter(has_text=OTHER_TITLE)).to_have_count(1)
        expect(filters.locator("[name=year]")).to_have_value("2024")
        filters.locator("[name=q]").fill("السوق المغطى")
        follow(page, filters.locator("[type=submit]"))
        assert listing_query(page)["q"] == ["السوق المغطى"]
        assert listing_query(page)["year"] == ["2024"]
        expect(results.filter(has_text=OTHER_TITLE)).to_have_count(0)
        found = results.filter(has_text=TITLE)
        expect(found).to_have_count(1)
        expect(found.get_by_role("heading")).to_have_text(TITLE)
        expect(found).to_contain_text(REFERENCE)

        follow(page, found.get_by_role("link", name=TITLE))
        expect(page).to_have_url(f"{live_server.url}/ar{DECISION_PATH}")
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(page.locator("p.notice")).to_have_count(0)

        documents = page.get_by_role("region", name=re.compile(r"^(الوثائق|Documents)$"))
        link = documents.get_by_role("link", name=DOCUMENT_TITLE)
        with page.expect_download() as started:
            link.click()
        download = started.value
        assert download.failure() is None
        assert download.suggested_filename.endswith(".pdf")
        assert Path(download.path()).read_bytes() == SIGNED_PDF.read_bytes()

        response = page.request.get(link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")

    def test_the_french_address_of_an_arabic_only_decision_shows_a_notice(self, page: Page, live_server, session_page):
        arabic = decision(
            session_page,
            reference=REFERENCE,
            title=TITLE,
            slug=SLUG,
            summary="صادق المجلس على مشروع ترميم السوق المغطى بوسط المدينة.",
            votes=(20, 5, 4),
        )
        document = CouncilDocument(title=DOCUMENT_TITLE)
        document.file.save("deliberation-45-2024.pdf", ContentFile(SIGNED_PDF.read_bytes()), save=False)
        document.save()
        DecisionAttachment.objects.create(page=arabic, document=document)
        assert not arabic.get_translations().exists()

        visit(page, f"/fr{DECISION_PATH}")
        html = page.locator("html")
        expect(html).to_have_attribute("lang", "fr")
        expect(html).to_have_attribute("dir", "ltr")
        notice = page.locator("p.notice[role=note]")
        expect(notice).to_be_visible()
        expect(notice).to_have_text(notice_in_french())
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text(TITLE)
        expect(heading).to_have_attribute("lang", "ar")
        expect(heading).to_have_attribute("dir", "rtl")
        expect(page.get_by_role("link", name=DOCUMENT_TITLE)).to_be_visible()

        switcher = page.locator(".language-switcher")
        expect(switcher.locator("a[hreflang=fr]")).to_have_attribute("aria-current", "true")
        follow(page, switcher.locator("a[hreflang=ar]"))
        expect(page).to_have_url(f"{live_server.url}/ar{DECISION_PATH}")
        expect(html).to_have_attribute("lang", "ar")
        expect(html).to_have_attribute("dir", "rtl")
        expect(page.locator("p.notice")).to_have_count(0)
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

        follow(page, switcher.locator("a[hreflang=fr]"))
        expect(page).to_have_url(f"{live_server.url}/fr{DECISION_PATH}")
        expect(html).to_have_attribute("lang", "fr")
        expect(page.locator("p.notice[role=note]")).to_have_text(notice_in_french())
