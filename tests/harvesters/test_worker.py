"""A real Celery worker on real Redis runs a harvest queued from the admin, on a database committed for real."""

import pytest

from harvesters.models import HarvestJob
from harvesters.tasks import queue_run, run_source
from portal.bodies.models import District
from tests.conftest import cache_content_types_as_migrated, until_the_worker_is_done

from .plugin_kind import make_source


@pytest.fixture(autouse=True)
def content_types_as_migrated():
    """Django caches content types by id (provenance and harvested objects point to them). This test's serialized
    rollback brings back the ids the migrations gave; its flush then empties the table, and the next test's
    serialized rollback (the live-server tests of tests/opendata) needs the cache to hold those same ids."""
    cache_content_types_as_migrated()
    yield
    cache_content_types_as_migrated()


@pytest.mark.redis
# Serialized rollback, as every test on real transactions that runs before the live-server ones: without it the
# flush after the test emits post_migrate, which creates the content types again under new ids, and the next
# test's serialized rollback (tests/opendata/test_ckanapi_client.py) then inserts their migration-time ids on top.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class HarvestWorkerTestCase:
    def test_a_worker_runs_a_queued_harvest_and_a_second_run_changes_nothing(self, redis_worker, remote):
        source = make_source(remote)
        with until_the_worker_is_done():
            job = queue_run(source)
        job.refresh_from_db()
        assert (job.status, job.created, job.failed) == ("finished", 6, 0), job.message
        assert District.objects.count() == 6

        with until_the_worker_is_done():
            again = queue_run(source)
        again.refresh_from_db()
        assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


@pytest.mark.django_db
def test_a_scheduled_run_of_a_busy_source_is_skipped_not_doubled(remote):
    source = make_source(remote)
    source.__class__.objects.filter(pk=source.pk).update(locked_until="2999-01-01T00:00:00Z")
    assert run_source.apply(args=(source.pk, "schedule")).get() == {"job": None, "status": "busy"}
    assert not HarvestJob.objects.exists()
