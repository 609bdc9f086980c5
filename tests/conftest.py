import os
import socket
import threading
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import after_task_publish, task_postrun
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from kombu import pools as kombu_pools

from portal.celery import app as celery_app
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory


def require_service(name: str, available: bool, hint: str) -> None:
    """Skip a test whose service is missing on a developer's machine; fail in CI, where it must be there."""
    if available:
        return
    message = f"{name} is not available: {hint}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def redis_test_url() -> str:
    return os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def is_listening(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    url = redis_test_url()
    require_service("Redis", is_listening(url), f"start redis-server or set REDIS_TEST_URL (tried {url})")
    return url


# A Redis database of its own per database engine, so that the SQLite and PostgreSQL runs can go side by side:
# other test runs on this server register the same task names, and a worker of theirs would take our message
# and find no such record in its database.
WORKER_REDIS_DB = {"sqlite": 13, "postgresql": 12}


def _forget_connections():
    # The app (and kombu, globally) cache producer pools with the connections they first met; a worker
    # started earlier in this process may have left one whose connection is gone.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_worker(redis_url) -> str:
    """A real Celery worker (in a thread of this process) on real Redis; yields the broker's URL."""
    worker_url = f"{redis_url.rsplit('/', 1)[0]}/{WORKER_REDIS_DB[connection.vendor]}"
    keys = ("broker_url", "result_backend", "task_always_eager")
    previous = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url=worker_url, result_backend=worker_url, task_always_eager=False)
    _forget_connections()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield worker_url
    celery_app.conf.update(previous)
    _forget_connections()


@contextmanager
def until_the_worker_is_done(timeout: float = 60):
    """On leaving, wait until the worker has run every task sent inside, and every task those sent in turn.

    Then read the database: never while the worker writes to it. SQLite's in-memory test database shares one cache
    between threads, where a writer meeting a reader's lock on its table fails at once (it does not wait)."""
    sent: set[str] = set()
    done: set[str] = set()
    changed = threading.Condition()

    def on_sent(headers=None, **kwargs):
        with changed:
            sent.add(headers["id"])

    def on_done(task_id=None, **kwargs):
        with changed:
            done.add(task_id)
            changed.notify_all()

    after_task_publish.connect(on_sent, weak=False)
    task_postrun.connect(on_done, weak=False)
    try:
        yield
        with changed:
            if not changed.wait_for(lambda: sent <= done, timeout):
                raise AssertionError(f"{len(sent - done)} of {len(sent)} tasks not run after {timeout} s")
    finally:
        after_task_publish.disconnect(on_sent)
        task_postrun.disconnect(on_done)


def cache_content_types_as_migrated() -> None:
    """Fill Django's content-type cache with the ids that the migrations gave, which every serialized rollback
    brings back, and nothing else.

    A serialized rollback into a flushed table needs them: it builds Wagtail's approval task, whose __init__ asks
    the cache for its content type before the content types are restored; on a miss it would create the row
    under a new id, and the restored row would then collide with it (IntegrityError on django_content_type)."""
    import json

    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    ContentType.objects.clear_cache()
    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        for row in json.loads(contents) if contents else ():
            if row["model"] == "contenttypes.contenttype":
                ContentType.objects._add_to_cache(alias, ContentType(pk=row["pk"], **row["fields"]))


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_page_cache(settings):
    """For tests that count what computing a page costs (queries, rate limits): every request reaches its view."""
    settings.PAGE_CACHE_TIMEOUT = 0


@pytest.fixture
def region(db):
    return PublicBodyFactory(kind="region", name_ar="ولاية الاختبار", name_fr="Wilaya de Test", slug="wilaya-test")


@pytest.fixture
def commune(region):
    return PublicBodyFactory(parent=region, name_ar="بلدية الاختبار", name_fr="Commune de Test", slug="commune-test")


@pytest.fixture
def department(commune):
    return PublicBodyFactory(
        parent=commune,
        kind="department",
        name_ar="المصلحة التقنية",
        name_fr="Service technique",
        slug="service-technique",
    )


@pytest.fixture
def other_region(db):
    return PublicBodyFactory(kind="region", name_ar="الجهة المجاورة", name_fr="Région voisine", slug="region-voisine")


@pytest.fixture
def citizen(db):
    return UserFactory(email="citizen@example.org")


@pytest.fixture
def administrator(commune):
    """A staff member who administers the commune (and so its departments)."""
    return RoleGrantFactory(body=commune, role="administrator", user__email="admin@example.org").user


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo, loaded once per test module in a transaction that is rolled back after the module's last test
    (each test runs inside it in a savepoint of its own, as TestCase.setUpTestData does)."""
    with django_db_blocker.unblock(), transaction.atomic(), open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_once, db):
    """The demo content of `make run`: bodies, staff, associations, pages in three languages. For tests that only
    read it, or whose changes are undone with their own savepoint; a module using it uses no other database."""


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, no_page_cache):
    """pytest-django's, counting what a view costs: the page cache is off, or a stored answer would cost nothing."""
    return django_assert_num_queries


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries, no_page_cache):
    """pytest-django's, counting what a view costs: the page cache is off, or a stored answer would cost nothing."""
    return django_assert_max_num_queries
