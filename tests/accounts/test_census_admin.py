"""The census in the Wagtail admin: administrators and budget managers of a body upload its census and read the
report line by line and the history; anyone else, and a manager of another body, gets a 403."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.accounts.models import CensusEntry, CensusImport
from portal.bodies.models import Role
from tests.factories import DistrictFactory, PublicBodyFactory, RoleGrantFactory
from tests.staff import login_with_second_factor

CSV = "identity_number;district;born_on\n109876543210;centre;30/04/2001\n209876543210;Atlantis;\n".encode("cp1256")


def url(name: str, *args) -> str:
    return reverse(f"verifications_admin:{name}", args=args)


@pytest.fixture
def body(db):
    body = PublicBodyFactory(slug="blida")
    DistrictFactory(body=body, slug="centre")
    return body


@pytest.fixture
def other_body(db):
    return PublicBodyFactory(slug="tipaza")


def staff(role, body) -> Client:
    client = Client()
    login_with_second_factor(client, RoleGrantFactory(body=body, role=role).user)
    return client


def post_census(client, body, content=CSV, **fields):
    return client.post(
        url("census"), {"body": body.pk, "file": SimpleUploadedFile("recensement.csv", content), **fields}
    )


@pytest.fixture(autouse=True)
def lenient(settings):
    settings.CENSUS_MAX_BAD_ROWS_PERCENT = 50


@pytest.mark.parametrize("role", [Role.BUDGET_MANAGER, Role.ADMINISTRATOR])
def test_a_budget_manager_or_administrator_uploads_and_reads_the_report(role, body):
    client = staff(role, body)
    response = post_census(client, body)

    record = CensusImport.objects.get()
    assert response.status_code == 302 and response.url == url("census_import", record.pk)
    assert record.applied and record.added == 1 and CensusEntry.objects.filter(body=body).count() == 1
    report = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Atlantis" in report and "<td>3</td>" in report, "the skipped line, with its number and why"
    assert "109876543210" not in report and "209876543210" not in report
    history = client.get(url("census")).content.decode()
    assert "recensement.csv" in history


def test_a_manager_of_a_body_above_uploads_for_a_body_below(body):
    wilaya = PublicBodyFactory(slug="wilaya")
    commune = PublicBodyFactory(slug="commune-below", parent=wilaya)
    assert post_census(staff(Role.BUDGET_MANAGER, wilaya), commune, b"identity_number\n123456789\n").status_code == 302


def test_a_budget_manager_of_another_body_gets_403(body, other_body):
    client = staff(Role.BUDGET_MANAGER, other_body)
    assert client.get(url("census")).status_code == 200, "they manage their own body's census"
    assert post_census(client, body).status_code == 403
    assert not CensusImport.objects.exists()
    own = post_census(staff(Role.BUDGET_MANAGER, body), body)
    assert client.get(own.url).status_code == 403, "another body's report is closed too"
    assert "recensement.csv" not in client.get(url("census")).content.decode()


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.EDITOR])
def test_other_roles_get_403(role, body):
    client = staff(role, body)
    assert client.get(url("census")).status_code == 403
    assert post_census(client, body).status_code == 403
    assert not CensusImport.objects.exists()


def test_a_refused_file_is_shown_and_changes_nothing(body):
    client = staff(Role.BUDGET_MANAGER, body)
    post_census(client, body)
    response = post_census(client, body, b"name;district\nAmina;centre\n")
    refused = CensusImport.objects.first()
    assert not refused.applied and "identity_number" in refused.refusal  # the column named, in any language
    assert CensusEntry.objects.filter(body=body).count() == 1
    assert client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_a_wrong_mapping_is_a_form_error(body):
    client = staff(Role.BUDGET_MANAGER, body)
    response = post_census(client, body, mapping='{"columns": {"nonsense": "x"}}')
    assert response.status_code == 200 and "mapping" in response.context["form"].errors
    assert not CensusImport.objects.exists()


def test_the_menu_item_shows_for_census_managers_only(body):
    assert "census/" in staff(Role.BUDGET_MANAGER, body).get("/admin/").content.decode()
    assert "census/" not in staff(Role.EDITOR, body).get("/admin/").content.decode()
