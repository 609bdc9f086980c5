"""No door shows the public a draft or withdrawn dataset, its resources, rows, files or versions, nor a reporter's email.

Each test asks one public address about a catalogue holding a published dataset and a hidden one (draft or
withdrawn) whose name, title, tag, theme, format, body and ids are found nowhere else, and checks that none of
them appears in the answer, and that counts leave the hidden dataset out.
"""

import json

import pytest

from opendata.models import Dataset, ProblemReport, Theme
from tests.factories import PublicBodyFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file, loaded_resource
from tests.sitemaps import sitemap_text

pytestmark = pytest.mark.django_db

CKAN = "/api/3/action/"
SECRET_EMAIL = "reporter-secret@example.org"


@pytest.fixture(params=[Dataset.Status.DRAFT, Dataset.Status.WITHDRAWN])
def world(request, commune, region):
    public = DatasetFactory(name="public-budget", body=commune, themes=["economy"], tags=["budget"])
    loaded_resource([{"city": "Blida", "amount": "12"}], dataset=public, format="CSV")
    # A body whose only dataset is hidden, a theme and a tag that only the hidden dataset has.
    lonely_body = PublicBodyFactory(parent=region, name_fr="Service caché", slug="hidden-service")
    theme = Theme.objects.exclude(slug="economy").first()
    hidden = DatasetFactory(
        name="hidden-dataset",
        body=lonely_body,
        title_fr="Titre caché",
        title_ar="عنوان مخفي",
        status=request.param,
        themes=[theme.slug],
        tags=["hiddentag"],
    )
    rows = loaded_resource([{"secretcol": "secretvalue"}], dataset=hidden, format="HIDDENFMT")
    add_file(rows, b"secretcol\nsecretvalue2\n", filename="second.csv")
    link = ResourceFactory(dataset=hidden, url="https://example.org/hidden.geojson", format="GEOJSON")
    ProblemReport.objects.create(dataset=public, kind="other", message="Typo", email=SECRET_EMAIL)
    ProblemReport.objects.create(dataset=hidden, kind="other", message="Typo", email=SECRET_EMAIL)
    return {"public": public, "hidden": hidden, "rows": rows, "link": link, "body": lonely_body, "theme": theme}


def secrets(world) -> list[str]:
    hidden = world["hidden"]
    return [
        "hidden-dataset",
        "Titre caché",
        "عنوان مخفي",
        "hiddentag",
        "HIDDENFMT",
        "secretcol",
        "secretvalue",
        "hidden.geojson",
        str(hidden.uuid),
        str(world["rows"].uuid),
        world["rows"].uuid.hex,
        str(world["link"].uuid),
        SECRET_EMAIL,
    ]


def assert_hidden(world, response):
    text = response.content.decode() if not response.streaming else b"".join(response.streaming_content).decode()
    for secret in secrets(world):
        assert secret not in text, f"{secret!r} leaks through {response.request['PATH_INFO']}"


def ckan(client, action, **params):
    return client.get(
        f"{CKAN}{action}", {key: json.dumps(v) if isinstance(v, list) else v for key, v in params.items()}
    )


class PublicPagesTestCase:
    @pytest.mark.parametrize("query", ["", "?q=cach", "?tag=hiddentag", "?format=HIDDENFMT", "?body=hidden-service"])
    def test_the_listing_and_its_facets_leave_it_out(self, client, world, query):
        response = client.get(f"/fr/data/{query}")
        assert response.status_code == 200
        text = response.content.decode()
        for secret in ("hidden-dataset", "Titre caché"):
            assert secret not in text
        if not query:  # a value ticked in the address is listed (with 0) so that it can be unticked
            for secret in ("hiddentag", "HIDDENFMT", "Service caché"):
                assert secret not in text

    def test_its_pages_do_not_exist(self, client, world):
        rows = world["rows"]
        assert client.get("/fr/data/hidden-dataset/").status_code == 404
        assert client.get(f"/fr/data/hidden-dataset/resources/{rows.uuid}/").status_code == 404
        assert client.get(f"/fr/data/public-budget/resources/{rows.uuid}/").status_code == 404
        assert client.post("/fr/data/hidden-dataset/report/", {"kind": "other", "message": "x"}).status_code == 404

    def test_the_public_dataset_page_shows_no_reporter_email(self, client, world):
        assert_hidden(world, client.get("/fr/data/public-budget/"))

    def test_the_sitemap_leaves_it_out(self, client, world):
        text = sitemap_text(client)
        for secret in secrets(world):
            assert secret not in text


class DownloadsTestCase:
    def test_its_files_and_rows_are_not_found(self, client, world):
        rows, link = world["rows"], world["link"]
        for path in (
            f"/download/{rows.uuid}/",
            f"/download/{rows.uuid}/v1/",
            f"/download/{rows.uuid}/v2/",
            f"/download/{link.uuid}/",
            *(f"/download/{rows.uuid}/rows.{format}" for format in ("csv", "json", "xlsx")),
        ):
            assert client.get(path).status_code == 404, path


class RestApiTestCase:
    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/datasets/",
            "/api/v1/datasets/?tag=hiddentag",
            "/api/v1/datasets/?q=cach",
            "/api/v1/organizations/",
            "/api/v1/themes/",
            "/api/v1/datasets/public-budget/",
        ],
    )
    def test_listings_leave_it_out(self, client, world, path):
        response = client.get(path)
        assert response.status_code == 200
        assert_hidden(world, response)
        assert "hidden-service" not in response.content.decode()

    def test_theme_counts_leave_it_out(self, client, world):
        theme = client.get(f"/api/v1/themes/{world['theme'].slug}/").json()
        assert theme["dataset_count"] == 0

    def test_its_records_are_not_found(self, client, world):
        rows = world["rows"]
        for path in (
            "/api/v1/datasets/hidden-dataset/",
            f"/api/v1/resources/{rows.uuid}/",
            f"/api/v1/resources/{rows.uuid}/rows/",
            f"/api/v1/resources/{world['link'].uuid}/",
            f"/api/v1/organizations/{world['body'].uuid}/",
        ):
            assert client.get(path).status_code == 404, path


class CkanApiTestCase:
    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"q": "cach"},
            {"q": "name:hidden-dataset"},
            {"fq": "tags:hiddentag"},
            {"fq": "state:draft"},
            {"fq": "state:deleted"},
            {"include_private": "true", "include_drafts": "true", "include_deleted": "true"},
            {"facet.field": ["tags", "res_format", "organization", "groups", "license_id"], "facet.limit": -1},
        ],
    )
    def test_package_search_leaves_it_out(self, client, world, params):
        response = ckan(client, "package_search", **params)
        assert response.status_code == 200, response.content
        assert_hidden(world, response)
        assert "hidden-service" not in response.content.decode()

    def test_group_and_organization_counts_leave_it_out(self, client, world):
        groups = ckan(client, "group_list", all_fields="true").json()["result"]
        assert {group["name"]: group["package_count"] for group in groups}[world["theme"].slug] == 0
        orgs = ckan(client, "organization_list", all_fields="true").json()["result"]
        assert {org["name"]: org["package_count"] for org in orgs}["hidden-service"] == 0

    @pytest.mark.parametrize(
        ("action", "params"),
        [
            ("package_list", {}),
            ("tag_list", {}),
            ("tag_list", {"all_fields": "true"}),
            ("organization_show", {"id": "hidden-service", "include_datasets": "true"}),
            ("group_show", {"id": "__theme__", "include_datasets": "true"}),
            ("group_list", {"all_fields": "true"}),
        ],
    )
    def test_lists_leave_it_out(self, client, world, action, params):
        params = {key: world["theme"].slug if value == "__theme__" else value for key, value in params.items()}
        response = ckan(client, action, **params)
        assert response.status_code == 200, response.content
        assert_hidden(world, response)

    def test_its_records_are_not_found(self, client, world):
        hidden, rows, link = world["hidden"], world["rows"], world["link"]
        calls = [
            ("package_show", {"id": "hidden-dataset"}),
            ("package_show", {"id": str(hidden.uuid)}),
            ("package_show", {"name_or_id": "hidden-dataset"}),
            ("resource_show", {"id": str(rows.uuid)}),
            ("resource_show", {"id": str(link.uuid)}),
            ("resource_view_list", {"id": str(rows.uuid)}),
            ("datastore_search", {"resource_id": str(rows.uuid)}),
            ("datastore_search", {"id": str(rows.uuid)}),
        ]
        for action, params in calls:
            response = ckan(client, action, **params)
            assert response.status_code == 404, (action, response.content)
            assert_hidden(world, response)


class DcatAndExportsTestCase:
    @pytest.mark.parametrize(
        "path",
        [
            "/catalog.ttl",
            "/catalog.jsonld",
            "/catalog.rdf",
            "/catalog/datasets.csv",
            "/catalog/datasets.jsonl",
            "/catalog/datasets/public-budget.ttl",
            "/catalog/datasets/public-budget/datapackage.json",
        ],
    )
    def test_it_is_left_out(self, client, world, path):
        response = client.get(path)
        assert response.status_code == 200
        assert_hidden(world, response)

    def test_its_descriptions_are_not_found(self, client, world):
        for path in (
            "/catalog/datasets/hidden-dataset",
            "/catalog/datasets/hidden-dataset.ttl",
            "/catalog/datasets/hidden-dataset.jsonld",
            "/catalog/datasets/hidden-dataset/datapackage.json",
        ):
            assert client.get(path).status_code == 404, path


@pytest.fixture
def debug_urls(settings):
    """The URLs `make run` serves (DEBUG), which include the media folder."""
    import importlib

    from django.urls import clear_url_caches

    import portal.urls

    settings.DEBUG = True
    importlib.reload(portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(portal.urls)
    clear_url_caches()


class MediaFolderTestCase:
    def test_it_does_not_serve_open_data_files(self, client, world, debug_urls):
        version = world["rows"].current_version
        assert version.file.storage.exists(version.file.name)
        assert client.get(f"/media/{version.file.name}").status_code == 404
