"""The CKAN-compatible Action API through HTTP: envelope, every action, CKAN's errors, permissions."""

import json
import uuid

import pytest
from rest_framework.authtoken.models import Token

from opendata.models import Dataset, Licence
from portal.bodies.models import Role
from search.indexing import refresh_entries
from tests.factories import RoleGrantFactory, UserFactory
from tests.opendata.factories import DatasetFactory, ResourceFactory, add_file, loaded_resource
from tests.ratelimits import rate_limits

pytestmark = pytest.mark.django_db

API = "/api/3/action/"


def call(client, action, params=None, *, method="get", prefix=API, slash="", **headers):
    url = f"{prefix}{action}{slash}"
    if method == "get":
        return client.get(url, params or {}, **headers)
    return client.post(url, json.dumps(params or {}), content_type="application/json", **headers)


def ok(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    return body["result"]


def error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    return body["error"]


@pytest.fixture
def world(commune, other_region):
    budget = DatasetFactory(
        name="budget-2024",
        body=commune,
        title_ar="ميزانية البلدية",
        title_fr="Budget communal",
        title_en="",
        themes=["economy"],
        tags=["budget", "finance"],
        version="1.0",
        spatial="Centre-ville",
    )
    transport = DatasetFactory(
        name="bus-stops",
        body=other_region,
        title_fr="Arrêts de bus",
        themes=["transport"],
        tags=["transport"],
        licence=Licence.objects.get(slug="cc-zero"),
    )
    draft = DatasetFactory(name="secret-draft", body=commune, status=Dataset.Status.DRAFT, tags=["hidden-tag"])
    withdrawn = DatasetFactory(name="old-data", body=commune, status=Dataset.Status.WITHDRAWN)
    csv = loaded_resource(
        [{"الحي": "المركز", "المبلغ": "1200.50"}, {"الحي": "الشمال", "المبلغ": "80"}],
        [{"name": "الحي", "type": "string"}, {"name": "المبلغ", "type": "number"}],
        dataset=budget,
        format="csv",
    )
    link = ResourceFactory(dataset=transport, url="https://example.org/stops.geojson", format="GeoJSON")
    return {"budget": budget, "transport": transport, "draft": draft, "withdrawn": withdrawn, "csv": csv, "link": link}


@pytest.fixture
def editor_token(commune):
    grant = RoleGrantFactory(body=commune, role=Role.EDITOR)
    return Token.objects.create(user=grant.user).key


class EnvelopeTestCase:
    @pytest.mark.parametrize("prefix", ["/api/3/action/", "/api/action/"])
    @pytest.mark.parametrize("slash", ["", "/"])
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_it_answers_every_spelling_without_redirect(self, client, world, prefix, slash, method):
        response = call(client, "package_show", {"id": "budget-2024"}, method=method, prefix=prefix, slash=slash)
        body = response.json()
        assert response.status_code == 200
        assert body["help"] == "http://testserver/api/3/action/help_show?name=package_show"
        assert body["result"]["name"] == "budget-2024"

    def test_it_needs_no_csrf_token(self, world):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        assert ok(call(client, "package_list", method="post")) == ["budget-2024", "bus-stops"]

    def test_it_reads_form_encoded_posts(self, client, world):
        response = client.post(f"{API}package_show", {"id": "bus-stops"})
        assert ok(response)["name"] == "bus-stops"

    def test_it_refuses_an_unknown_action_with_400(self, client):
        response = client.get(f"{API}package_destroy")
        assert response.status_code == 400
        assert response.json() == "Bad request - Action name not known: package_destroy"

    def test_it_refuses_malformed_json_with_400(self, client):
        response = client.post(f"{API}package_search", "{not json", content_type="application/json")
        assert response.status_code == 400
        assert response.json().startswith("Bad request - JSON Error")

    def test_it_refuses_json_that_is_not_an_object(self, client):
        response = client.post(f"{API}package_search", "[1, 2]", content_type="application/json")
        assert response.status_code == 400
        assert "needs to be a dictionary" in response.json()

    def test_it_refuses_other_methods(self, client):
        assert client.delete(f"{API}package_list").status_code == 405


class PackageSearchTestCase:
    def test_it_finds_published_datasets_only(self, client, world):
        result = ok(call(client, "package_search", {"rows": 100}))
        assert result["count"] == 2
        assert {package["name"] for package in result["results"]} == {"budget-2024", "bus-stops"}
        assert result["sort"] == "score desc, metadata_modified desc"

    def test_it_searches_words(self, client, world):
        refresh_entries()  # the search index (written after commits, which tests roll back)
        result = ok(call(client, "package_search", {"q": "Budget"}))
        assert [package["name"] for package in result["results"]] == ["budget-2024"]

    def test_it_reads_star_colon_star_as_everything(self, client, world):
        assert ok(call(client, "package_search", {"q": "*:*"}))["count"] == 2

    def test_it_reads_a_fielded_q_as_a_filter(self, client, world):
        result = ok(call(client, "package_search", {"q": "tags:transport"}))
        assert [package["name"] for package in result["results"]] == ["bus-stops"]

    @pytest.mark.parametrize(
        ("fq", "names"),
        [
            ("tags:finance", {"budget-2024"}),
            ('organization:"commune-test"', {"budget-2024"}),
            ("groups:economy", {"budget-2024"}),
            ("res_format:csv", {"budget-2024"}),
            ("res_format:GEOJSON", {"bus-stops"}),
            ("license_id:cc-zero", {"bus-stops"}),
            ("-license_id:cc-zero", {"budget-2024"}),
            ("+tags:budget +tags:finance", {"budget-2024"}),
            ("tags:budget tags:transport", set()),
            ("tags:budget AND groups:transport", set()),
            ("tags:budget OR tags:transport", {"budget-2024", "bus-stops"}),
            ("groups:(economy OR transport)", {"budget-2024", "bus-stops"}),
            ("name:bus-stops", {"bus-stops"}),
            ("name:bu*", {"budget-2024", "bus-stops"}),
            ("tags:fin*", {"budget-2024"}),
            ("state:active", {"budget-2024", "bus-stops"}),
            ("state:draft", set()),
            ("NOT tags:budget", {"bus-stops"}),
            ("metadata_modified:[2000-01-01T00:00:00Z TO *]", {"budget-2024", "bus-stops"}),
            ("metadata_modified:[* TO 2000-01-01T00:00:00Z]", set()),
            ("*:*", {"budget-2024", "bus-stops"}),
            ("", {"budget-2024", "bus-stops"}),
        ],
    )
    def test_it_filters_with_fq(self, client, world, fq, names):
        result = ok(call(client, "package_search", {"fq": fq, "rows": 10}))
        assert {package["name"] for package in result["results"]} == names
        assert result["count"] == len(names)

    def test_it_filters_by_id_and_owner_org(self, client, world):
        budget = world["budget"]
        result = ok(call(client, "package_search", {"fq": f"id:{budget.uuid}"}))
        assert [package["name"] for package in result["results"]] == ["budget-2024"]
        result = ok(call(client, "package_search", {"fq": f'owner_org:"{budget.body.uuid}"'}))
        assert [package["name"] for package in result["results"]] == ["budget-2024"]

    def test_it_combines_fq_and_fq_list(self, client, world):
        result = ok(call(client, "package_search", {"fq": "tags:budget", "fq_list": ["groups:economy"]}, method="post"))
        assert result["count"] == 1

    @pytest.mark.parametrize(
        "fq",
        ['tags:"unclosed', "unknown_field:x", "tags:", "tags:a)", "((tags:a)", "tags:[a TO b]", ":", "tags:a OR"],
    )
    def test_it_answers_a_malformed_fq_with_ckans_search_error(self, client, world, fq):
        problem = error(call(client, "package_search", {"fq": fq}), 409)
        assert problem["__type"] == "Search Error"
        assert problem["message"].startswith("Search error: ")

    def test_it_caps_rows_at_1000(self, client, commune):
        licence = Licence.objects.get(slug="cc-by-4.0")
        Dataset.objects.bulk_create(
            Dataset(name=f"row-{number}", body=commune, licence=licence, status=Dataset.Status.PUBLISHED)
            for number in range(1001)
        )
        result = ok(call(client, "package_search", {"rows": 100000}))
        assert (result["count"], len(result["results"])) == (1001, 1000)

    def test_it_validates_numbers_as_ckan(self, client, world):
        problem = error(call(client, "package_search", {"rows": "many", "start": -1}), 409)
        assert problem == {
            "__type": "Validation Error",
            "rows": ["Invalid integer"],
            "start": ["Must be a natural number"],
        }

    def test_it_pages_with_start_and_rows(self, client, world):
        first = ok(call(client, "package_search", {"rows": 1, "sort": "name asc"}))
        second = ok(call(client, "package_search", {"rows": 1, "start": 1, "sort": "name asc"}))
        assert [first["results"][0]["name"], second["results"][0]["name"]] == ["budget-2024", "bus-stops"]
        assert first["count"] == 2

    def test_it_sorts_by_id_as_harvesters_ask(self, client, world):
        result = ok(call(client, "package_search", {"sort": "id asc"}))
        assert [package["id"] for package in result["results"]] == sorted(p["id"] for p in result["results"])

    def test_it_refuses_an_unknown_sort_as_ckan(self, client, world):
        problem = error(call(client, "package_search", {"sort": "popularity desc"}), 400)
        assert problem["__type"] == "Search Query Error"
        assert 'Invalid "sort" parameter' in problem["message"]

    def test_it_refuses_unknown_parameters_as_ckan(self, client, world):
        problem = error(call(client, "package_search", {"qq": "x"}), 400)
        assert problem["__type"] == "Search Query Error"

    def test_it_counts_facets(self, client, world):
        params = {"facet.field": '["organization", "tags", "res_format", "license_id", "groups"]', "rows": 0}
        result = ok(call(client, "package_search", params))
        assert result["results"] == []
        assert result["facets"]["tags"] == {"budget": 1, "finance": 1, "transport": 1}
        assert result["facets"]["res_format"] == {"CSV": 1, "GEOJSON": 1}
        organizations = {item["name"]: item for item in result["search_facets"]["organization"]["items"]}
        assert organizations["commune-test"]["display_name"] == "بلدية الاختبار"
        assert organizations["commune-test"]["count"] == 1

    def test_it_limits_facets(self, client, world):
        params = {"facet.field": '["tags"]', "facet.limit": 1, "facet.mincount": 1}
        assert len(ok(call(client, "package_search", params))["facets"]["tags"]) == 1

    def test_it_refuses_facet_field_that_is_not_json(self, client, world):
        problem = error(call(client, "package_search", {"facet.field": "tags"}), 409)
        assert problem["facet.field"] == ["Could not parse as valid JSON"]

    def test_it_returns_only_the_fields_asked_for(self, client, world):
        result = ok(call(client, "package_search", {"fl": "id,name", "sort": "name asc"}))
        assert result["results"][0] == {"id": str(world["budget"].uuid), "name": "budget-2024"}

    def test_it_keeps_queries_flat(self, client, world, django_assert_max_num_queries):
        for number in range(100):
            dataset = DatasetFactory(name=f"many-{number}", themes=["economy"], tags=["a", "b"])
            add_file(ResourceFactory(dataset=dataset), b"a,b\n1,2\n")
        with django_assert_max_num_queries(10):
            result = ok(call(client, "package_search", {"rows": 100}))
        assert len(result["results"]) == 100


class PrivateDatasetsTestCase:
    def test_drafts_are_invisible_to_the_public(self, client, world):
        assert error(call(client, "package_show", {"id": "secret-draft"}), 404) == {
            "__type": "Not Found Error",
            "message": "Not found",
        }
        assert error(call(client, "package_show", {"id": "old-data"}), 404)["__type"] == "Not Found Error"
        result = ok(call(client, "package_search", {"include_private": True, "q": "*:*"}))
        assert "secret-draft" not in {package["name"] for package in result["results"]}
        assert "secret-draft" not in ok(call(client, "package_list"))
        assert "hidden-tag" not in ok(call(client, "tag_list"))

    def test_an_editor_token_sees_the_drafts_of_its_bodies(self, client, world, editor_token):
        for header in (editor_token, f"Token {editor_token}"):
            result = ok(call(client, "package_search", {"include_private": "true"}, HTTP_AUTHORIZATION=header))
            names = {package["name"] for package in result["results"]}
            assert {"secret-draft", "old-data", "budget-2024", "bus-stops"} <= names
        package = ok(call(client, "package_show", {"id": "secret-draft"}, HTTP_AUTHORIZATION=editor_token))
        assert (package["state"], package["private"]) == ("draft", True)

    def test_an_editor_token_finds_drafts_by_their_words_and_the_public_does_not(self, client, world, editor_token):
        refresh_entries()  # what the search's task writes after each commit: the published datasets only
        private = {"include_private": "true", "q": "secret hidden-tag"}
        result = ok(call(client, "package_search", private, HTTP_AUTHORIZATION=editor_token))
        assert [package["name"] for package in result["results"]] == ["secret-draft"]
        assert ok(call(client, "package_search", private))["count"] == 0
        result = ok(
            call(client, "package_search", {"include_private": "true", "q": "budget"}, HTTP_AUTHORIZATION=editor_token)
        )
        assert [package["name"] for package in result["results"]] == ["budget-2024"]

    def test_a_token_without_private_flag_sees_published_only(self, client, world, editor_token):
        result = ok(call(client, "package_search", {}, HTTP_AUTHORIZATION=editor_token))
        assert result["count"] == 2

    def test_a_token_of_another_body_is_refused_a_draft(self, client, world, other_region):
        user = RoleGrantFactory(body=other_region, role=Role.PUBLISHER).user
        key = Token.objects.create(user=user).key
        problem = error(call(client, "package_show", {"id": "secret-draft"}, HTTP_AUTHORIZATION=key), 403)
        assert problem["__type"] == "Authorization Error"
        result = ok(call(client, "package_search", {"include_private": True}, HTTP_AUTHORIZATION=key))
        assert result["count"] == 2

    def test_an_unknown_token_is_an_authorization_error(self, client, world):
        for key in ("0" * 40, "not a token", "Token \x00"):
            problem = error(call(client, "package_list", HTTP_AUTHORIZATION=key), 403)
            assert problem["__type"] == "Authorization Error"

    def test_a_token_of_an_inactive_user_is_refused(self, client, world):
        user = UserFactory(is_active=False)
        key = Token.objects.create(user=user).key
        assert error(call(client, "package_list", HTTP_AUTHORIZATION=key), 403)["__type"] == "Authorization Error"

    def test_resources_of_drafts_are_hidden(self, client, world):
        resource = ResourceFactory(dataset=world["draft"])
        assert error(call(client, "resource_show", {"id": str(resource.uuid)}), 404)


class PackageShowTestCase:
    def test_it_gives_ckans_package_dictionary(self, client, world):
        budget = world["budget"]
        package = ok(call(client, "package_show", {"id": str(budget.uuid)}))
        assert package["id"] == str(budget.uuid)
        assert package["name"] == "budget-2024"
        assert package["type"] == "dataset"
        assert package["title"] == "ميزانية البلدية"
        assert package["title_translated"] == {"ar": "ميزانية البلدية", "fr": "Budget communal", "en": ""}
        assert package["notes_translated"]["fr"] == "Description du jeu de données"
        assert (package["state"], package["private"]) == ("active", False)
        assert package["owner_org"] == str(budget.body.uuid)
        assert package["organization"]["name"] == "commune-test"
        assert package["license_id"] == "cc-by-4.0"
        assert package["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
        assert package["isopen"] is True
        assert package["version"] == "1.0"
        # CKAN's five keys; a tag's id is a UUID that stays the same wherever the tag appears.
        assert [sorted(tag) for tag in package["tags"]] == [
            ["display_name", "id", "name", "state", "vocabulary_id"]
        ] * 2
        assert [(tag["name"], tag["display_name"], tag["state"]) for tag in package["tags"]] == [
            ("budget", "budget", "active"),
            ("finance", "finance", "active"),
        ]
        assert all(tag["vocabulary_id"] is None for tag in package["tags"])
        assert str(uuid.UUID(package["tags"][0]["id"])) == package["tags"][0]["id"]
        other = ok(call(client, "package_search", {"q": "tags:budget"}))["results"][0]["tags"][0]
        assert other["id"] == package["tags"][0]["id"] != package["tags"][1]["id"]
        assert package["num_tags"] == 2
        assert [group["name"] for group in package["groups"]] == ["economy"]
        assert package["num_resources"] == 1
        extras = {extra["key"]: extra["value"] for extra in package["extras"]}
        assert extras["frequency"].endswith("/frequency/ANNUAL")
        assert extras["spatial_text"] == "Centre-ville"
        assert json.loads(extras["language"]) == ["ar", "fr"]
        # CKAN's timestamps: UTC without an offset.
        assert "+" not in package["metadata_modified"]
        assert package["metadata_modified"].startswith(str(budget.modified_at.year))

    def test_it_gives_ckans_resource_dictionaries(self, client, world):
        package = ok(call(client, "package_show", {"id": "budget-2024"}))
        resource = package["resources"][0]
        csv = world["csv"]
        assert resource["id"] == str(csv.uuid)
        assert resource["package_id"] == package["id"]
        assert resource["format"] == "CSV"
        assert resource["url"] == f"http://testserver/download/{csv.uuid}/"
        assert resource["url_type"] == "upload"
        assert resource["size"] == csv.current_version.size
        assert resource["hash"] == f"sha256:{csv.current_version.sha256}"
        assert resource["datastore_active"] is True
        assert resource["position"] == 0
        assert resource["name_translated"]["ar"] == csv.name_ar

    def test_a_link_keeps_its_remote_url(self, client, world):
        resource = ok(call(client, "package_show", {"id": "bus-stops"}))["resources"][0]
        assert resource["url"] == "https://example.org/stops.geojson"
        assert (resource["url_type"], resource["size"], resource["datastore_active"]) == (None, None, False)

    @pytest.mark.parametrize(
        ("params", "headers", "title"),
        [
            ({"lang": "fr"}, {}, "Budget communal"),
            ({}, {"HTTP_ACCEPT_LANGUAGE": "fr"}, "Budget communal"),
            ({"lang": "en"}, {}, "Budget communal"),  # no English title: French comes next for English
            ({}, {"HTTP_ACCEPT_LANGUAGE": "ar"}, "ميزانية البلدية"),
        ],
    )
    def test_it_speaks_the_language_asked(self, client, world, params, headers, title):
        package = ok(call(client, "package_show", {"id": "budget-2024", **params}, **headers))
        assert package["title"] == title

    def test_it_needs_an_id(self, client, world):
        assert error(call(client, "package_show"), 409) == {"__type": "Validation Error", "id": ["Missing value"]}

    def test_an_unknown_dataset_is_not_found(self, client, world):
        assert error(call(client, "package_show", {"id": "nothing-here"}), 404)["message"] == "Not found"

    def test_an_xss_payload_stays_data(self, client, commune):
        payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        DatasetFactory(name="xss", body=commune, title_ar=payload, notes_ar=payload, tags=[payload[:50]])
        refresh_entries()  # the search index (written after commits, which tests roll back)
        response = call(client, "package_show", {"id": "xss"})
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"
        package = ok(response)
        assert package["title"] == payload
        assert package["notes"] == payload
        result = ok(call(client, "package_search", {"q": "<script>"}))
        assert result["results"][0]["title"] == payload


class ListsTestCase:
    def test_package_list_pages_by_name(self, client, world):
        assert ok(call(client, "package_list")) == ["budget-2024", "bus-stops"]
        assert ok(call(client, "package_list", {"limit": 1, "offset": 1})) == ["bus-stops"]
        problem = error(call(client, "package_list", {"limit": "x"}), 409)
        assert problem["limit"] == ["Invalid integer"]

    def test_organization_list_and_show(self, client, world, commune):
        names = ok(call(client, "organization_list", {"sort": "name asc"}))
        assert "commune-test" in names and "region-voisine" in names
        everything = ok(call(client, "organization_list", {"all_fields": True, "organizations": ["commune-test"]}))
        assert everything[0]["package_count"] == 1  # the draft and the withdrawn dataset don't count
        assert everything[0]["title_translated"]["fr"] == "Commune de Test"
        assert ok(call(client, "organization_list", {"limit": 1, "offset": 1, "sort": "name asc"})) == [names[1]]

        organization = ok(call(client, "organization_show", {"id": str(commune.uuid), "include_datasets": True}))
        assert organization["name"] == "commune-test"
        assert [package["name"] for package in organization["packages"]] == ["budget-2024"]
        assert "packages" not in ok(call(client, "organization_show", {"id": "commune-test"}))
        assert error(call(client, "organization_show", {"id": "nowhere"}), 404)

    def test_organization_list_refuses_a_bad_sort(self, client, world):
        assert error(call(client, "organization_list", {"sort": "size"}), 409)["sort"]

    def test_group_list_lists_themes(self, client, world):
        names = ok(call(client, "group_list"))
        assert "economy" in names and "transport" in names
        groups = {group["name"]: group for group in ok(call(client, "group_list", {"all_fields": "true", "limit": 50}))}
        assert groups["economy"]["package_count"] == 1
        group = ok(call(client, "group_show", {"id": groups["economy"]["id"], "include_datasets": True}))
        assert [package["name"] for package in group["packages"]] == ["budget-2024"]

    def test_tag_list_lists_tags_of_published_datasets(self, client, world):
        assert ok(call(client, "tag_list")) == ["budget", "finance", "transport"]
        assert ok(call(client, "tag_list", {"query": "fin"})) == ["finance"]
        assert ok(call(client, "tag_list", {"all_fields": True}))[0]["name"] == "budget"


class ResourcesTestCase:
    def test_resource_show(self, client, world):
        resource = ok(call(client, "resource_show", {"id": str(world["csv"].uuid)}))
        assert resource["package_id"] == str(world["budget"].uuid)
        assert error(call(client, "resource_show", {"id": "not-a-uuid"}), 404)
        assert error(call(client, "resource_show", {}), 409) == {"__type": "Validation Error", "id": ["Missing value"]}

    def test_resource_view_list_offers_a_table_for_datastore_resources(self, client, world):
        views = ok(call(client, "resource_view_list", {"id": str(world["csv"].uuid)}))
        assert [view["view_type"] for view in views] == ["datatables_view"]
        assert views[0]["resource_id"] == str(world["csv"].uuid)
        assert ok(call(client, "resource_view_list", {"id": str(world["link"].uuid)})) == []


class DatastoreSearchTestCase:
    def test_it_returns_rows(self, client, world):
        result = ok(call(client, "datastore_search", {"resource_id": str(world["csv"].uuid)}))
        assert result["total"] == 2
        assert [field["id"] for field in result["fields"]] == ["_id", "الحي", "المبلغ"]
        assert result["records"][0] == {"_id": 1, "الحي": "المركز", "المبلغ": "1200.50"}
        assert result["_links"]["next"].startswith("/api/3/action/datastore_search?")

    def test_it_filters_searches_sorts_and_pages(self, client, world):
        resource_id = str(world["csv"].uuid)
        result = ok(call(client, "datastore_search", {"resource_id": resource_id, "filters": '{"الحي": "الشمال"}'}))
        assert [record["المبلغ"] for record in result["records"]] == ["80"]
        result = ok(call(client, "datastore_search", {"resource_id": resource_id, "q": "المركز"}, method="post"))
        assert result["total"] == 1
        result = ok(
            call(client, "datastore_search", {"resource_id": resource_id, "q": {"الحي": "شمال"}}, method="post")
        )
        assert result["total"] == 1
        params = {"resource_id": resource_id, "sort": "المبلغ asc", "fields": "المبلغ", "limit": 1, "offset": 1}
        result = ok(call(client, "datastore_search", params))
        assert result["records"] == [{"_id": 1, "المبلغ": "1200.50"}]
        assert result["total"] == 2

    @pytest.mark.parametrize(
        ("params", "key"),
        [
            ({"filters": '{"nope": 1}'}, "filters"),
            ({"filters": "[1]"}, "filters"),
            ({"filters": "{broken"}, "filters"),
            ({"filters": '{"المبلغ": "abc"}'}, "filters"),
            ({"sort": "nope desc"}, "sort"),
            ({"fields": "nope"}, "fields"),
            ({"q": '{"nope": "x"}'}, "q"),
            ({"limit": "lots"}, "limit"),
            ({"records_format": "xml"}, "records_format"),
        ],
    )
    def test_bad_queries_are_validation_errors(self, client, world, params, key):
        problem = error(call(client, "datastore_search", {"resource_id": str(world["csv"].uuid), **params}), 409)
        assert problem["__type"] == "Validation Error"
        assert key in problem

    def test_an_out_of_range_filter_is_no_server_error(self, client, world):
        # A number no column can hold is a validation error; a long exact one is a number that matches no row.
        expected = {"1e999999": 409, "9" * 400: 200, "NaN": 409, "-Infinity": 409}
        for value, status in expected.items():
            params = {"resource_id": str(world["csv"].uuid), "filters": json.dumps({"المبلغ": value})}
            assert call(client, "datastore_search", params).status_code == status, value

    def test_an_unknown_resource_is_not_found(self, client, world):
        for resource_id in ("x", str(world["link"].uuid), "00000000-0000-0000-0000-000000000000"):
            problem = error(call(client, "datastore_search", {"resource_id": resource_id}), 404)
            assert problem["message"].startswith("Not found: Resource")


class SiteTestCase:
    def test_status_show(self, client):
        status = ok(call(client, "status_show"))
        assert status["ckan_version"] == "2.10.0"
        assert status["site_url"] == "http://testserver"
        assert "datastore" in status["extensions"]

    def test_help_show(self, client):
        assert "rows" in ok(call(client, "help_show", {"name": "package_search"}))
        assert error(call(client, "help_show", {"name": "nothing"}), 404)


GARBAGE = [
    {"id": None},
    {"id": ["a", "b"], "name": {"x": 1}},
    {"id": "\x00", "q": "\x00", "fq": "tags:\x00"},
    {"q": "\ud800", "id": "\udfff"},
    {"rows": 10**30, "start": 10**30, "limit": -(10**30), "offset": 10**30},
    {"rows": True, "start": 1.5, "limit": [], "offset": {}},
    {"facet.field": [[["x"]]], "facet.limit": "∞", "facet.mincount": None},
    {"fq": "(" * 500, "sort": ")" * 50, "q": '"' * 7},
    {"filters": {"a": {"b": [{"c": "\x00"}]}}, "q": {"x": ["y"]}, "fields": [1, 2], "sort": {"a": 1}},
    {"resource_id": "' OR 1=1 --", "filters": '{"_id": "1; DROP TABLE x"}'},
    {"all_fields": "maybe", "include_datasets": "perhaps", "include_private": [1]},
    {"organizations": "\x00", "groups": 12, "query": ["x"], "name": "\x00"},
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_never_breaks_an_action(client, world, garbage):
    from opendata.ckan.registry import ACTIONS

    for name in ACTIONS:
        if name in ("datastore_search",):
            garbage = {"resource_id": str(world["csv"].uuid), **garbage}
        for method in ("get", "post"):
            if method == "get" and any(
                isinstance(value, dict | list) or "\ud800" in str(value) for value in garbage.values()
            ):
                continue  # not expressible in a query string
            params = garbage if method == "post" else {key: str(value) for key, value in garbage.items()}
            response = call(client, name, params, method=method)
            assert response.status_code < 500, (name, method, garbage, response.content)
            json.loads(response.content)


def test_an_unknown_action_with_odd_characters_stays_data(client):
    response = client.get(f"{API}%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == "Bad request - Action name not known: <img src=x onerror=alert(1)>"


@rate_limits(api="3/m")
def test_it_limits_the_rate_per_address_in_ckans_envelope(client, no_page_cache):
    for _number in range(3):
        ok(call(client, "status_show"))
    response = call(client, "status_show")
    assert response.status_code == 429
    # The seconds left in the one-minute window, in the header and in CKAN's message.
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 60
    body = response.json()
    assert body["success"] is False
    assert body["error"] == {"__type": "Rate Limit Error", "message": f"Too many requests: try again in {retry_after}s"}
    assert body["help"].endswith("help_show?name=status_show")
    other = call(client, "status_show", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
