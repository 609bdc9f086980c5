"""A real Celery worker on real Redis ingests an upload end to end, on a database committed for real."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from opendata import datastore, ingest, services
from opendata.models import ResourceVersion
from tests.conftest import until_the_worker_is_done
from tests.opendata.factories import ResourceFactory

CONTENT = "البلدية;المبلغ;التاريخ\nالبليدة;1 234,56;2024-01-15\nبوفاريك;987,5;2024-02-01\n".encode("cp1256")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class IngestWorkerTestCase:
    def test_it_ingests_an_upload_on_a_worker_once_the_upload_commits(self, redis_worker):
        with until_the_worker_is_done(), transaction.atomic():
            # In the same commit: the worker also indexes the new dataset for the search, and SQLite's in-memory
            # test database refuses (not delays) a second writer.
            resource = ResourceFactory()
            version = services.add_version(resource, ContentFile(CONTENT), filename="spending.csv")
            # Not before the commit: the worker would not see the version yet.
            assert ResourceVersion.objects.get(pk=version.pk).status == ResourceVersion.Status.PENDING
        version.refresh_from_db()
        assert version.status == ResourceVersion.Status.LOADED, version.error
        assert version.rows_loaded == 2
        resource.refresh_from_db()
        assert list(datastore.iter_rows(resource)) == [
            ("البليدة", "1234.56", "2024-01-15"),
            ("بوفاريك", "987.5", "2024-02-01"),
        ]
        assert ingest.progress(version)["status"] == "loaded"

    def test_a_bad_upload_on_a_worker_keeps_the_loaded_rows(self, redis_worker):
        with until_the_worker_is_done(), transaction.atomic():
            # In the same commit: the worker also indexes the new dataset for the search, and SQLite's in-memory
            # test database refuses (not delays) a second writer.
            resource = ResourceFactory()
            good = services.add_version(resource, ContentFile(CONTENT), filename="spending.csv")
        with until_the_worker_is_done(), transaction.atomic():
            bad = services.add_version(resource, ContentFile(b"a;b\n1;2\n3;4;5\n"), filename="spending.csv")
        bad.refresh_from_db()
        assert bad.status == ResourceVersion.Status.INVALID
        resource.refresh_from_db()
        assert resource.datastore_version_id == good.pk
        assert datastore.search(resource)["total"] == 2
