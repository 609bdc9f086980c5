"""The spending import in the admin: a body's publishers upload, map, preview, import and read the report; nobody
imports into a body that is not theirs."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from opendata.spending.models import BudgetLine
from portal.models import ImportMapping
from tests.factories import RoleGrantFactory
from tests.staff import login_with_second_factor

URL = reverse("spending_import")
pytestmark = pytest.mark.django_db
BUDGET = "Exercice;Chapitre;Libellé;Crédits votés\n2024;011;Charges générales;1 500,00\n2024;012;Personnel;2 000,00\n"
MAPPING = {"columns": {"year": "Exercice", "function": "Chapitre", "label": "Libellé", "amount": "Crédits votés"}}


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.IMPORT_STAGING_ROOT = tmp_path / "imports"


@pytest.fixture
def publisher(client, commune):
    user = RoleGrantFactory(body=commune, role="publisher", user__email="publisher@example.org").user
    login_with_second_factor(client, user)
    return user


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("budget primitif.csv", BUDGET.encode("cp1252"), content_type="text/csv")


def post(client, **data):
    with translation.override("en"):
        return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")


def test_a_publisher_previews_imports_and_reads_the_report(client, publisher, commune):
    response = post(client, body=commune.pk, kind="budget", file=upload(), mapping='{"columns": {"amount": "Montant"}}')
    assert "'Montant'" in response.context["file_error"] and "'Crédits votés'" in response.context["file_error"]

    response = post(client, body=commune.pk, kind="budget", file=upload(), mapping=json.dumps(MAPPING))
    preview = response.context["preview"]
    assert (preview["encoding"], preview["columns"][3]) == ("windows-1252", "Crédits votés")
    assert [row["cells"][:1] + row["cells"][4:5] + row["cells"][7:8] for row in preview["rows"]] == [
        ["2024", "011", "1500.00"],
        ["2024", "012", "2000.00"],
    ]
    assert not BudgetLine.objects.exists()  # a preview writes nothing

    staged = response.context["form"]["staged"].value()
    data = {"body": commune.pk, "kind": "budget", "staged": staged, "mapping": json.dumps(MAPPING)}
    response = post(client, **data, save_mapping="on", **{"import": "1"})
    assert response.context["report"].created == 2
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in response.content.decode()
    assert BudgetLine.objects.filter(body=commune).count() == 2
    assert ImportMapping.objects.get(body=commune, kind="spending-budget").mapping == MAPPING | {"values": {}}
    entry = ModelLogEntry.objects.get(action="spending.import")
    assert (entry.user, entry.data["file"], entry.data["created"]) == (publisher, "budget primitif.csv", 2)

    response = post(client, body=commune.pk, kind="budget", file=upload())  # the saved mapping reads the next file
    assert response.context["saved_mapping"] is True
    assert [row["problem"] for row in response.context["preview"]["rows"]] == ["", ""]


def test_a_body_that_is_not_the_publishers_is_refused_on_save(client, publisher, other_region):
    response = post(client, body=other_region.pk, kind="budget", file=upload(), mapping=json.dumps(MAPPING))
    assert "body" in response.context["form"].errors
    response = post(client, body=other_region.pk, kind="budget", mapping=json.dumps(MAPPING), **{"import": "1"})
    assert "body" in response.context["form"].errors
    assert not BudgetLine.objects.exists() and not ModelLogEntry.objects.filter(action="spending.import").exists()


def test_staff_who_publish_for_no_body_and_visitors_are_refused(client, commune):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    editor = RoleGrantFactory(body=commune, role="editor").user
    login_with_second_factor(client, editor)
    response = client.post(URL, {"body": commune.pk, "kind": "budget", "file": upload()})
    # Wagtail's admin answers a refusal with a redirect to its home page and a message.
    assert (response.status_code, response.url) == (302, "/admin/")
    assert not BudgetLine.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(commune):
    client = Client(enforce_csrf_checks=True)
    login_with_second_factor(client, RoleGrantFactory(body=commune, role="publisher").user)
    response = client.post(
        URL, {"body": commune.pk, "kind": "budget", "file": upload(), "mapping": json.dumps(MAPPING)}
    )
    assert response.status_code == 403
    assert not BudgetLine.objects.exists()
