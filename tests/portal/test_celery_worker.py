"""A real Celery worker on real Redis runs the portal's tasks."""

import subprocess
import sys

from celery.backends.redis import RedisBackend
from celery.result import AsyncResult

from portal.celery import app as celery_app
from portal.tasks import ping


class CeleryWorkerTestCase:
    def test_it_runs_a_task_on_a_worker(self, redis_worker):
        redis_url = redis_worker
        # Send and read through connections of their own: the app caches its producer pool and
        # its result backend, and earlier tests in this process may have cached other ones.
        backend = RedisBackend(app=celery_app, url=redis_url)
        with celery_app.connection_for_write(redis_url) as connection:
            sent = ping.apply_async(connection=connection)
        result = AsyncResult(sent.id, backend=backend, app=celery_app)
        assert result.get(timeout=10) == "pong"
        assert result.successful()

    def test_it_registers_the_portal_tasks_on_a_fresh_worker_app(self):
        """A worker process imports only what the Celery app names; check from a clean interpreter."""
        script = (
            "import django; django.setup(); from portal.celery import app; "
            "app.loader.import_default_modules(); print(' '.join(sorted(app.tasks)))"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        registered = set(result.stdout.split())
        assert {"portal.ping", "portal.publish_scheduled_pages", "portal.clear_expired_sessions"} <= registered
        for entry in celery_app.conf.beat_schedule.values():
            assert entry["task"] in registered
