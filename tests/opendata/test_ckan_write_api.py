"""The CKAN API's writing actions through HTTP: who may write what, CKAN's errors, the admin's ingest and audit."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.authtoken.models import Token
from wagtail.models import ModelLogEntry

from opendata.models import Dataset, Resource, ResourceVersion
from portal.bodies.models import Role
from portal.workflow import history
from tests.factories import RoleGrantFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file
from tests.ratelimits import rate_limits

pytestmark = pytest.mark.django_db

API = "/api/3/action/"
CSV = b"quartier,montant\nCentre,1200.50\nNord,80\n"


def post(client, action, params=None, token=None, **extra):
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    return client.post(f"{API}{action}", json.dumps(params or {}), content_type="application/json", **headers, **extra)


def upload(client, action, params, token, content=CSV, filename="budget.csv"):
    # As ckanapi sends a file: multipart, every other parameter a string.
    data = {**params, "upload": SimpleUploadedFile(filename, content, content_type="text/csv")}
    return client.post(f"{API}{action}", data, HTTP_AUTHORIZATION=token)


def ok(response):
    assert response.status_code == 200, response.content
    assert response.json()["success"] is True
    return response.json()["result"]


def error(response, status):
    assert response.status_code == status, response.content
    assert response.json()["success"] is False
    return response.json()["error"]


def token_for(body, role):
    return Token.objects.create(user=RoleGrantFactory(body=body, role=role).user).key


@pytest.fixture
def editor(commune):
    return token_for(commune, Role.EDITOR)


@pytest.fixture
def publisher(commune):
    return token_for(commune, Role.PUBLISHER)


NEW = {"name": "water-quality", "owner_org": "commune-test", "title": "Qualité de l'eau", "license_id": "cc-by-4.0"}


class PackageCreateTestCase:
    def test_it_creates_a_draft_for_an_editor(self, client, editor, commune):
        params = {**NEW, "private": True, "tags": [{"name": "eau"}], "groups": [{"name": "environment"}]}
        result = ok(post(client, "package_create", params, editor, HTTP_ACCEPT_LANGUAGE="fr"))
        assert result["name"] == "water-quality"
        assert result["state"] == "draft" and result["private"] is True
        assert result["organization"]["name"] == "commune-test"
        assert [tag["name"] for tag in result["tags"]] == ["eau"]
        assert [group["name"] for group in result["groups"]] == ["environment"]
        dataset = Dataset.objects.get(name="water-quality")
        assert dataset.status == Dataset.Status.DRAFT and dataset.body == commune
        entry = ModelLogEntry.objects.get(object_id=str(dataset.pk), action="wagtail.create")
        assert entry.user.auth_token.key == editor

    def test_it_refuses_a_publication_by_an_editor(self, client, editor):
        assert error(post(client, "package_create", NEW, editor), 403)["__type"] == "Authorization Error"
        assert not Dataset.objects.filter(name="water-quality").exists()

    def test_a_publisher_publishes_through_the_workflow(self, client, publisher):
        result = ok(post(client, "package_create", NEW, publisher))
        assert result["state"] == "active" and result["private"] is False
        dataset = Dataset.objects.get(name="water-quality")
        assert [(event.from_status, event.to_status) for event in history(dataset)] == [("draft", "published")]
        assert ModelLogEntry.objects.filter(object_id=str(dataset.pk), action="opendata.publish").exists()

    def test_it_refuses_anonymous_callers(self, client):
        message = error(post(client, "package_create", {**NEW, "private": True}), 403)["message"]
        assert message == "Access denied: Action package_create requires an authenticated user"
        assert not Dataset.objects.exists()

    def test_it_refuses_a_body_the_caller_has_no_role_on(self, client, editor, other_region):
        params = {**NEW, "owner_org": other_region.slug, "private": True}
        assert error(post(client, "package_create", params, editor), 403)["__type"] == "Authorization Error"
        assert not Dataset.objects.exists()

    def test_it_refuses_an_unknown_body_and_missing_fields(self, client, editor):
        errors = error(post(client, "package_create", {**NEW, "owner_org": "nowhere", "private": True}, editor), 409)
        assert errors == {"__type": "Validation Error", "owner_org": ["Organization does not exist"]}
        errors = error(post(client, "package_create", {"owner_org": "commune-test"}, editor), 409)
        assert errors["name"] == ["Missing value"]
        errors = error(post(client, "package_create", {**NEW, "title": "", "private": True}, editor), 409)
        assert "title" in errors
        errors = error(post(client, "package_create", {**NEW, "license_id": "nope", "private": True}, editor), 409)
        assert "license_id" in errors
        assert not Dataset.objects.exists()

    def test_it_refuses_a_name_taken(self, client, publisher, commune):
        DatasetFactory(name="water-quality", body=commune)
        assert "name" in error(post(client, "package_create", NEW, publisher), 409)

    def test_it_answers_malformed_json_with_a_bad_request(self, client, editor):
        response = client.post(
            f"{API}package_create", "{not json", content_type="application/json", HTTP_AUTHORIZATION=editor
        )
        assert response.status_code == 400
        assert response.json().startswith("Bad request - JSON Error")

    def test_it_refuses_a_get(self, client, editor):
        response = client.get(f"{API}package_create", NEW, HTTP_AUTHORIZATION=editor)
        assert response.status_code == 400
        assert "POST" in response.json()

    @rate_limits(**{"ckan.write": "2/h"})
    def test_it_limits_the_rate_of_writes(self, client, editor):
        for _number in range(2):
            post(client, "package_create", {**NEW, "private": True}, editor)
        response = post(client, "package_create", {**NEW, "name": "other", "private": True}, editor)
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0


class PackageUpdateTestCase:
    def test_an_editor_patches_a_published_dataset_without_changing_its_status(self, client, editor, commune):
        dataset = DatasetFactory(name="budget", body=commune, tags=["budget"], version="1")
        result = ok(post(client, "package_patch", {"id": "budget", "version": "2"}, editor))
        assert result["version"] == "2" and result["state"] == "active"
        assert [tag["name"] for tag in result["tags"]] == ["budget"]
        assert ModelLogEntry.objects.filter(object_id=str(dataset.pk), action="wagtail.edit").exists()

    def test_an_editor_cannot_publish_a_draft(self, client, editor, commune):
        DatasetFactory(name="draft", body=commune, status=Dataset.Status.DRAFT)
        error(post(client, "package_patch", {"id": "draft", "private": False}, editor), 403)
        assert Dataset.objects.get(name="draft").status == Dataset.Status.DRAFT

    def test_a_publisher_publishes_a_draft(self, client, publisher, commune):
        DatasetFactory(name="draft", body=commune, status=Dataset.Status.DRAFT)
        assert ok(post(client, "package_patch", {"id": "draft", "private": False}, publisher))["state"] == "active"

    def test_update_replaces_what_it_is_given_and_clears_the_rest(self, client, editor, commune):
        DatasetFactory(name="budget", body=commune, tags=["budget"], version="1")
        params = {"id": "budget", "title_translated": {"fr": "Budget 2025"}}
        result = ok(post(client, "package_update", params, editor))
        assert result["title_translated"] == {"ar": "", "fr": "Budget 2025", "en": ""}
        assert result["tags"] == [] and result["version"] is None
        assert result["name"] == "budget" and result["state"] == "active"

    def test_it_refuses_moving_a_dataset_to_a_body_of_someone_else(self, client, editor, commune, other_region):
        DatasetFactory(name="budget", body=commune)
        error(post(client, "package_patch", {"id": "budget", "owner_org": other_region.slug}, editor), 403)
        assert Dataset.objects.get(name="budget").body == commune

    def test_it_refuses_a_dataset_of_another_body(self, client, editor, other_region):
        DatasetFactory(name="theirs", body=other_region, version="1")
        error(post(client, "package_patch", {"id": "theirs", "version": "2"}, editor), 403)
        assert Dataset.objects.get(name="theirs").version == "1"
        error(post(client, "package_patch", {"id": "missing"}, editor), 404)


class PackageDeleteTestCase:
    def test_a_publisher_withdraws_a_published_dataset(self, client, publisher, commune):
        DatasetFactory(name="budget", body=commune)
        assert ok(post(client, "package_delete", {"id": "budget"}, publisher)) is None
        assert Dataset.objects.get(name="budget").status == Dataset.Status.WITHDRAWN
        error(post(client, "package_show", {"id": "budget"}), 404)

    def test_an_editor_cannot_withdraw(self, client, editor, commune):
        DatasetFactory(name="budget", body=commune)
        error(post(client, "package_delete", {"id": "budget"}, editor), 403)
        assert Dataset.objects.get(name="budget").status == Dataset.Status.PUBLISHED

    def test_an_editor_deletes_a_draft_for_good(self, client, editor, commune):
        dataset = DatasetFactory(name="draft", body=commune, status=Dataset.Status.DRAFT)
        ok(post(client, "package_delete", {"id": "draft"}, editor))
        assert not Dataset.objects.filter(name="draft").exists()
        assert ModelLogEntry.objects.filter(object_id=str(dataset.pk), action="wagtail.delete").exists()


class ResourceWriteTestCase:
    def test_it_uploads_a_file_through_the_admins_ingest(self, client, editor, commune):
        dataset = DatasetFactory(name="budget", body=commune)
        result = ok(upload(client, "resource_create", {"package_id": "budget", "name": "Budget"}, editor))
        resource = Resource.objects.get(uuid=result["id"])
        assert resource.dataset == dataset and result["url_type"] == "upload"
        version = resource.versions.get()
        assert version.original_name == "budget.csv" and version.status == ResourceVersion.Status.PENDING
        assert version.uploaded_by.auth_token.key == editor
        assert ModelLogEntry.objects.filter(object_id=str(resource.pk), action="opendata.upload").exists()

    def test_it_adds_a_link(self, client, editor, commune):
        DatasetFactory(name="budget", body=commune)
        params = {"package_id": "budget", "url": "https://example.org/data.json", "format": "json"}
        result = ok(post(client, "resource_create", params, editor))
        assert result["url"] == "https://example.org/data.json" and result["format"] == "JSON"

    def test_it_refuses_a_resource_without_link_or_file(self, client, editor, commune):
        DatasetFactory(name="budget", body=commune)
        assert "upload" in error(post(client, "resource_create", {"package_id": "budget", "name": "x"}, editor), 409)
        errors = error(post(client, "resource_create", {"name": "x"}, editor), 409)
        assert errors["package_id"] == ["Missing value"]
        assert not Resource.objects.exists()

    def test_it_refuses_a_program_and_keeps_the_earlier_versions(self, client, editor, commune):
        resource = ResourceFactory(dataset=DatasetFactory(body=commune))
        add_file(resource, CSV)
        response = upload(client, "resource_patch", {"id": str(resource.uuid)}, editor, b"MZ\x90\x00" * 100, "x.csv")
        assert "upload" in error(response, 409)
        assert resource.versions.count() == 1

    @override_settings(OPENDATA_MAX_UPLOAD_SIZE=1000)
    def test_it_refuses_a_file_past_the_size_limit_with_nothing_stored(self, client, editor, commune):
        resource = ResourceFactory(dataset=DatasetFactory(body=commune))
        add_file(resource, CSV)
        response = upload(client, "resource_update", {"id": str(resource.uuid)}, editor, CSV * 1000)
        assert "upload" in error(response, 409)
        assert resource.versions.count() == 1

    def test_it_patches_and_updates_a_resource(self, client, editor, commune):
        resource = ResourceFactory(dataset=DatasetFactory(body=commune), url="https://example.org/a", format="CSV")
        result = ok(post(client, "resource_patch", {"id": str(resource.uuid), "format": "json"}, editor))
        assert result["format"] == "JSON" and result["url"] == "https://example.org/a"
        error(post(client, "resource_update", {"id": str(resource.uuid), "format": "csv"}, editor), 409)

    def test_it_refuses_a_resource_of_another_body(self, client, editor, other_region):
        resource = ResourceFactory(dataset=DatasetFactory(body=other_region), url="https://example.org/a")
        error(post(client, "resource_patch", {"id": str(resource.uuid), "format": "json"}, editor), 403)
        error(upload(client, "resource_create", {"package_id": resource.dataset.name}, editor), 403)
        assert Resource.objects.count() == 1
        error(post(client, "resource_patch", {"id": str(resource.uuid), "format": "json"}), 403)


class PackageWithResourcesTestCase:
    def test_it_creates_the_links_given_with_the_dataset(self, client, editor):
        resources = [{"url": "https://example.org/a.csv", "name": "A", "format": "csv"}]
        result = ok(post(client, "package_create", {**NEW, "private": True, "resources": resources}, editor))
        assert [(r["name"], r["url"], r["format"]) for r in result["resources"]] == [
            ("A", "https://example.org/a.csv", "CSV")
        ]

    def test_one_bad_resource_undoes_the_whole_call(self, client, editor):
        resources = [{"url": "https://example.org/a.csv", "format": "csv"}, {"url": "not a link", "name": "B"}]
        errors = error(post(client, "package_create", {**NEW, "private": True, "resources": resources}, editor), 409)
        assert errors["resources"][0] == {} and "url" in errors["resources"][1]
        assert not Dataset.objects.exists() and not Resource.objects.exists()


class SessionTestCase:
    def test_a_signed_in_session_without_a_token_cannot_write(self, client, commune):
        user = RoleGrantFactory(body=commune, role=Role.PUBLISHER).user
        client.force_login(user)
        assert error(post(client, "package_create", NEW), 403)["__type"] == "Authorization Error"
        assert not Dataset.objects.exists()

    def test_help_show_describes_a_writing_action(self, client):
        response = client.get(f"{API}help_show", {"name": "package_create"})
        assert "owner_org" in response.json()["result"]


class RoundTripTestCase:
    def test_package_show_then_package_update_keeps_the_dataset(self, client, editor, commune):
        dataset = DatasetFactory(
            name="budget",
            body=commune,
            status=Dataset.Status.DRAFT,
            tags=["budget", "eau potable"],
            themes=["economy"],
            version="3",
            spatial="Centre",
            contact_email="data@example.org",
        )
        package = ok(client.get(f"{API}package_show", {"id": "budget"}, HTTP_AUTHORIZATION=editor))
        updated = ok(post(client, "package_update", package, editor))
        for key in ("name", "title_translated", "notes_translated", "tags", "groups", "version", "extras"):
            assert updated[key] == package[key], key
        assert (updated["state"], updated["owner_org"], updated["license_id"]) == (
            "draft",
            str(commune.uuid),
            "cc-by-4.0",
        )
        dataset.refresh_from_db()
        assert (dataset.frequency, dataset.contact_email) == (Dataset.Frequency.ANNUAL, "data@example.org")


WRITE_GARBAGE = [
    {"id": None, "name": ["a"], "owner_org": {"x": 1}, "private": "maybe", "state": "gone"},
    {"name": "\x00", "owner_org": "\x00", "title": "\ud800", "tags": "not json", "groups": 12},
    {"name": "x" * 500, "owner_org": "commune-test", "private": True, "tags": [{"name": 5}], "extras": {"a": 1}},
    {"name": "ok-name", "owner_org": "commune-test", "private": True, "title_translated": ["x"], "license_id": 3},
    {
        "name": "ok-name",
        "owner_org": "commune-test",
        "private": True,
        "title": "T",
        "extras": [{"key": "temporal_start", "value": "soon"}],
    },
    {"package_id": "budget", "url": "javascript:alert(1)", "schema": "{bad", "position": -1, "format": ["x"]},
    {"package_id": "budget", "name": "x", "url": "https://example.org", "schema": {"fields": "nope"}},
]


@pytest.mark.parametrize("garbage", WRITE_GARBAGE)
def test_garbage_never_breaks_a_write(client, editor, commune, garbage):
    from opendata.ckan.write_actions import WRITE_ACTIONS

    dataset = DatasetFactory(name="budget", body=commune, status=Dataset.Status.DRAFT)
    resource = ResourceFactory(dataset=dataset, url="https://example.org/a")
    for name in WRITE_ACTIONS:
        target = str(resource.uuid) if name.startswith("resource_") else "budget"
        params = (
            {**garbage, "id": garbage.get("id", target)}
            if name not in ("package_create", "resource_create")
            else garbage
        )
        response = post(client, name, params, editor)
        assert response.status_code in (200, 400, 403, 404, 409), (name, garbage, response.content)
        json.loads(response.content)
