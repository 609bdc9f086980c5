import pytest

from portal.celery import app as celery_app


@pytest.fixture
def broker(settings):
    """Point Celery at a broker for one test, then back to in-process tasks."""
    previous = dict(celery_app.conf)

    def use(url: str):
        celery_app.conf.update(broker_url=url, task_always_eager=False)

    yield use
    celery_app.conf.update(broker_url=previous["broker_url"], task_always_eager=previous["task_always_eager"])


class HealthzTestCase:
    def test_it_reports_every_component(self, client, db):
        response = client.get("/healthz")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert set(body["checks"]) == {"database", "cache", "broker", "search"}
        assert body["checks"]["broker"]["detail"] == "in-process"
        assert response["Cache-Control"].startswith("max-age=0")

    def test_it_reaches_a_real_redis_broker(self, client, db, broker, redis_url):
        broker(redis_url)
        body = client.get("/healthz").json()
        assert body["checks"]["broker"] == {"ok": True, "detail": "redis", "ms": body["checks"]["broker"]["ms"]}

    def test_it_answers_503_when_the_broker_is_down(self, client, db, broker):
        broker("redis://127.0.0.1:1/0")
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["broker"]["ok"] is False
        assert body["checks"]["database"]["ok"] is True
