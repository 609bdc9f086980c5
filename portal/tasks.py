from celery import shared_task


@shared_task(name="portal.ping")
def ping() -> str:
    """Answer "pong": the health check and the worker tests use it to see a worker at work."""
    return "pong"
