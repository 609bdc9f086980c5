import os
import socket
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.core.management import call_command

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


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def demo(db):
    """The demo content of `make run`: bodies, staff, associations, pages in three languages."""
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)
