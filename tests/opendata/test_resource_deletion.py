from django.db import connection

from opendata import datastore
from tests.opendata.factories import loaded_resource


def table_exists(name: str) -> bool:
    return name in connection.introspection.table_names()


def test_deleting_a_resource_drops_its_datastore_table_and_files(db, django_capture_on_commit_callbacks):
    resource = loaded_resource([{"commune": "البليدة", "montant": "12.50"}])
    version = resource.current_version
    table, storage, name = datastore.table_name(resource), version.file.storage, version.file.name
    assert table_exists(table) and storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        resource.delete()

    assert not table_exists(table)
    assert not storage.exists(name)


def test_deleting_a_dataset_cleans_every_resource(db, django_capture_on_commit_callbacks):
    resource = loaded_resource([{"x": "1"}])
    table = datastore.table_name(resource)

    with django_capture_on_commit_callbacks(execute=True):
        resource.dataset.delete()

    assert not table_exists(table)
