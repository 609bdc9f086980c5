"""Deleting a resource (or its dataset) also deletes its stored files and its DataStore table."""

from django.db import connection, transaction
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from . import datastore
from .models import Resource, ResourceVersion


@receiver(pre_delete, sender=Resource)
def drop_datastore_table(sender, instance: Resource, **kwargs):
    # After the commit: a rolled-back delete keeps its rows.
    table = datastore.table_name(instance)
    transaction.on_commit(lambda: _drop_table(table))


def _drop_table(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


@receiver(post_delete, sender=ResourceVersion)
def delete_version_file(sender, instance: ResourceVersion, **kwargs):
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
