"""The decision import in the admin: upload a council's export, check the mapping on a preview, import, read the
report; only for the councils the person publishes for."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry, PageLogEntry

from cms.models import DecisionPage
from portal.models import ImportMapping
from tests.cms.test_import_council_exports import FRENCH_EXPORT, FRENCH_MAPPING
from tests.factories import PublicBodyFactory, RoleGrantFactory
from tests.staff import login_with_second_factor

URL = reverse("cms_import_decisions")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.IMPORT_STAGING_ROOT = tmp_path / "imports"
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def publisher(client, commune):
    user = RoleGrantFactory(body=commune, role="publisher", user__email="publisher@example.org").user
    login_with_second_factor(client, user)
    return user


def export_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("deliberations.csv", FRENCH_EXPORT.encode("cp1252"), content_type="text/csv")


def post(client, **data):
    with translation.override("en"):
        return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")


class DecisionImportScreenTestCase:
    def test_staff_preview_the_mapped_rows_then_import_and_read_the_report(self, client, publisher, council_page):
        response = post(
            client, council=council_page.pk, file=export_file(), mapping=json.dumps(FRENCH_MAPPING), save_mapping="on"
        )
        assert response.status_code == 200
        preview = response.context["preview"]
        assert (preview["count"], preview["encoding"]) == (3, "windows-1252")
        assert "Observations" in preview["columns"]
        assert preview["rows"][0]["cells"][:3] == ["2024-031", "Budget primitif 2024", "12/03/2024"]
        assert [row["problem"] for row in preview["rows"]] == ["", "", ""]
        assert not DecisionPage.objects.exists()  # a preview imports nothing

        staged = response.context["form"]["staged"].value()
        response = post(
            client,
            council=council_page.pk,
            staged=staged,
            mapping=json.dumps(FRENCH_MAPPING),
            **{
                "save_mapping": "on",
                "import": "1",
            },
        )
        assert response.status_code == 200
        assert response.context["report"].created == 3
        assert "3 created, 0 updated, 0 unchanged, 0 failed" in response.content.decode()
        assert DecisionPage.objects.filter(live=True).count() == 3
        assert ImportMapping.objects.get(body=council_page.body, kind="decisions").mapping == FRENCH_MAPPING
        entry = PageLogEntry.objects.get(action="cms.import_decisions")
        assert (entry.user, entry.data["file"], entry.data["created"]) == (publisher, "deliberations.csv", 3)

    def test_the_bodys_saved_mapping_reads_the_next_file(self, client, publisher, council_page):
        ImportMapping.objects.create(body=council_page.body, kind="decisions", mapping=FRENCH_MAPPING)
        response = post(client, council=council_page.pk, file=export_file())
        assert response.context["saved_mapping"] is True
        assert [row["problem"] for row in response.context["preview"]["rows"]] == ["", "", ""]

    def test_a_wrong_mapping_or_file_is_named_and_nothing_is_imported(self, client, publisher, council_page):
        response = post(client, council=council_page.pk, file=export_file(), mapping='{"columns": {"titre": "x"}}')
        assert "Unknown fields in the mapping: titre." in response.content.decode()
        response = post(client, council=council_page.pk, file=export_file())
        assert "unknown columns" in response.context["file_error"]
        assert "N° délibération" in response.context["columns"]
        assert not DecisionPage.objects.exists()

    def test_an_xss_in_the_file_is_shown_as_text(self, client, publisher, council_page):
        payload = '<img src=x onerror="alert(1)">'
        content = FRENCH_EXPORT.replace("Budget primitif 2024", payload).encode("utf-8")
        upload = SimpleUploadedFile("d.csv", content, content_type="text/csv")
        response = post(client, council=council_page.pk, file=upload, mapping=json.dumps(FRENCH_MAPPING))
        html = response.content.decode()
        assert payload not in html
        assert "&lt;img src=x" in html


class DecisionImportDoorsTestCase:
    def test_staff_without_a_council_to_publish_are_refused(self, client, commune):
        editor = RoleGrantFactory(body=commune, role="editor").user
        login_with_second_factor(client, editor)
        response = client.get(URL)
        # Wagtail's admin answers a refusal with a redirect to its home page and a message.
        assert (response.status_code, response.url) == (302, "/admin/")

    def test_a_council_of_another_body_is_refused_on_save(self, client, publisher, council_page):
        from tests.cms.builders import council

        other = council(PublicBodyFactory(slug="apc-oran"), slug="apc-oran")
        response = post(
            client, council=other.pk, file=export_file(), mapping=json.dumps(FRENCH_MAPPING), **{"import": "1"}
        )
        assert response.status_code == 200
        assert "council" in response.context["form"].errors
        assert not DecisionPage.objects.exists()

    def test_a_file_staged_by_someone_else_cannot_be_imported(self, client, publisher, council_page, commune):
        response = post(client, council=council_page.pk, file=export_file(), mapping=json.dumps(FRENCH_MAPPING))
        staged = response.context["form"]["staged"].value()
        other = RoleGrantFactory(body=commune, role="publisher", user__email="other@example.org").user
        client.logout()
        login_with_second_factor(client, other)
        response = post(
            client, council=council_page.pk, staged=staged, mapping=json.dumps(FRENCH_MAPPING), **{"import": "1"}
        )
        assert "staged" in response.context["form"].errors
        assert not DecisionPage.objects.exists()

    def test_a_visitor_is_sent_to_log_in(self, client, council_page):
        response = client.get(URL)
        assert response.status_code == 302 and "/accounts/login/?next=/admin/decisions/import/" in response.url
        assert not ModelLogEntry.objects.filter(action="cms.import_decisions").exists()
