"""The real `ckanapi` client, in process and as a command, against the portal served on a live server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest
from rest_framework.authtoken.models import Token

from opendata.models import Dataset
from portal.bodies.models import Role
from search.indexing import refresh_entries
from tests.factories import RoleGrantFactory
from tests.opendata.factories import DatasetFactory, loaded_resource

BIN = Path(sys.executable).parent
# The live server reads through its own thread: data must be committed. Serialized rollback brings back
# the licences and themes that a migration loads, which the flush between tests removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def catalogue(commune):
    budget = DatasetFactory(name="budget-2024", body=commune, title_fr="Budget communal", tags=["budget"])
    DatasetFactory(name="bus-stops", body=commune, title_fr="Arrêts de bus", tags=["transport"])
    DatasetFactory(name="secret-draft", body=commune, status=Dataset.Status.DRAFT)
    resource = loaded_resource(
        [{"quartier": "Centre", "montant": "1200.50"}, {"quartier": "Nord", "montant": "80"}],
        [{"name": "quartier", "type": "string"}, {"name": "montant", "type": "number"}],
        dataset=budget,
    )
    return {"budget": budget, "resource": resource}


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    # `ckanapi dump` starts its workers as `ckanapi …`: the virtualenv's bin must be on PATH.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [str(BIN / "ckanapi"), *arguments], capture_output=True, text=True, env=env, timeout=120, check=False
    )


class RemoteCKANTestCase:
    def test_it_searches_datasets(self, live_server, catalogue):
        refresh_entries()  # the search index (written after commits, which tests roll back)
        remote = ckanapi.RemoteCKAN(live_server.url)
        result = remote.action.package_search(q="Budget", rows=10, **{"facet.field": ["tags"]})
        assert [package["name"] for package in result["results"]] == ["budget-2024"]
        assert result["facets"]["tags"] == {"budget": 1}

    def test_it_shows_a_dataset_with_its_resources(self, live_server, catalogue):
        package = ckanapi.RemoteCKAN(live_server.url).action.package_show(id="budget-2024")
        assert package["id"] == str(catalogue["budget"].uuid)
        resource = package["resources"][0]
        assert resource["url"] == f"{live_server.url}/download/{catalogue['resource'].uuid}/"
        assert resource["datastore_active"] is True

    def test_it_reads_the_datastore(self, live_server, catalogue):
        result = ckanapi.RemoteCKAN(live_server.url).action.datastore_search(
            resource_id=str(catalogue["resource"].uuid), filters={"quartier": "Nord"}
        )
        assert result["records"] == [{"_id": 2, "quartier": "Nord", "montant": "80"}]
        assert result["total"] == 1

    def test_it_turns_our_errors_into_ckanapi_exceptions(self, live_server, catalogue):
        remote = ckanapi.RemoteCKAN(live_server.url)
        with pytest.raises(ckanapi.NotFound):
            remote.action.package_show(id="secret-draft")
        with pytest.raises(ckanapi.ValidationError) as raised:
            remote.action.package_show()
        assert raised.value.error_dict["id"] == ["Missing value"]
        with pytest.raises(ckanapi.SearchError):
            remote.action.package_search(fq='tags:"unclosed')
        with pytest.raises(ckanapi.CKANAPIError):
            remote.action.package_destroy(id="budget-2024")
        with pytest.raises(ckanapi.NotAuthorized):
            ckanapi.RemoteCKAN(live_server.url, apikey="0" * 40).action.package_list()

    def test_its_api_key_reaches_the_drafts_of_an_editor(self, live_server, catalogue, commune):
        key = Token.objects.create(user=RoleGrantFactory(body=commune, role=Role.EDITOR).user).key
        remote = ckanapi.RemoteCKAN(live_server.url, apikey=key)
        assert remote.action.package_show(id="secret-draft")["state"] == "draft"
        result = remote.action.package_search(include_private=True)
        assert result["count"] == 3

    def test_it_works_with_get_requests_too(self, live_server, catalogue):
        remote = ckanapi.RemoteCKAN(live_server.url, get_only=True)
        assert remote.action.package_list() == ["budget-2024", "bus-stops"]


class WriteTestCase:
    def test_it_creates_a_dataset_uploads_a_csv_and_reads_its_rows_back(self, live_server, commune, tmp_path):
        key = Token.objects.create(user=RoleGrantFactory(body=commune, role=Role.PUBLISHER).user).key
        remote = ckanapi.RemoteCKAN(live_server.url, apikey=key)
        package = remote.action.package_create(
            name="depenses-2025", owner_org="commune-test", title="Dépenses 2025", license_id="cc-by-4.0"
        )
        assert package["state"] == "active"
        path = tmp_path / "depenses.csv"
        path.write_text("poste,montant\nÉclairage,1200.50\nVoirie,80\n", encoding="utf-8")
        with path.open("rb") as handle:
            resource = remote.action.resource_create(package_id=package["id"], name="Dépenses", upload=handle)
        assert resource["url_type"] == "upload"
        # The ingest ran once the upload committed (eager tasks): the rows are in the DataStore.
        result = ckanapi.RemoteCKAN(live_server.url).action.datastore_search(
            resource_id=resource["id"], filters={"poste": "Voirie"}
        )
        assert result["records"] == [{"_id": 2, "poste": "Voirie", "montant": "80"}]
        assert remote.action.package_show(id="depenses-2025")["resources"][0]["datastore_active"] is True

    def test_it_turns_write_refusals_into_ckanapi_exceptions(self, live_server, commune, other_region):
        key = Token.objects.create(user=RoleGrantFactory(body=commune, role=Role.EDITOR).user).key
        remote = ckanapi.RemoteCKAN(live_server.url, apikey=key)
        with pytest.raises(ckanapi.NotAuthorized):
            remote.action.package_create(name="x", owner_org=other_region.slug, private=True)
        with pytest.raises(ckanapi.NotAuthorized):
            remote.action.package_create(name="x", owner_org="commune-test", title="X")  # a publication
        with pytest.raises(ckanapi.ValidationError) as raised:
            remote.action.package_create(name="x", owner_org="nowhere", private=True)
        assert raised.value.error_dict["owner_org"] == ["Organization does not exist"]
        with pytest.raises(ckanapi.NotAuthorized):
            ckanapi.RemoteCKAN(live_server.url).action.package_create(name="x", owner_org="commune-test")
        assert not Dataset.objects.filter(name="x").exists()


class CommandLineTestCase:
    def test_it_searches_datasets(self, live_server, catalogue):
        completed = run_cli("search", "datasets", "q=transport", "-r", live_server.url)
        assert completed.returncode == 0, completed.stderr
        lines = [json.loads(line) for line in completed.stdout.splitlines()]
        assert [package["name"] for package in lines] == ["bus-stops"]

    def test_it_dumps_every_dataset_as_json_lines(self, live_server, catalogue):
        completed = run_cli("dump", "datasets", "--all", "-p", "1", "-q", "-r", live_server.url)
        assert completed.returncode == 0, completed.stderr
        lines = [json.loads(line) for line in completed.stdout.splitlines()]
        assert sorted(package["name"] for package in lines) == ["budget-2024", "bus-stops"]
        budget = next(package for package in lines if package["name"] == "budget-2024")
        assert budget["resources"][0]["format"] == "CSV"
