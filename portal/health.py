"""Reachability of what the portal depends on, for load balancers and operators."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from wagtail.search.backends import get_search_backend

from portal.celery import app as celery_app

TIMEOUT_SECONDS = 2
logger = logging.getLogger(__name__)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    key = "healthz:probe"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("value written to the cache could not be read back")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_broker() -> str:
    if celery_app.conf.task_always_eager:
        return "in-process"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    return celery_app.conf.broker_url.split("://", 1)[0]


def check_search() -> str:
    backend = get_search_backend()
    es = getattr(backend, "es", None)
    if es is not None and not es.ping():
        raise RuntimeError("search server did not answer")
    return type(backend).__module__.rsplit(".", 1)[-1]


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "search": check_search,
}


def run_checks() -> dict[str, dict]:
    """Return each component's status, detail and time taken; one failure does not stop the rest."""
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail, ok = check(), True
        except Exception as exc:  # any failure is a finding, not a crash of the endpoint
            # The endpoint is public: the message (hosts, ports) goes to the log only.
            logger.warning("health check %s failed: %s", name, exc)
            detail, ok = type(exc).__name__, False
        results[name] = {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return results


@never_cache
def healthz(request):
    results = run_checks()
    healthy = all(r["ok"] for r in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503
    )
