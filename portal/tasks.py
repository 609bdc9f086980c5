from celery import shared_task
from django.core.management import call_command


@shared_task(name="portal.ping")
def ping() -> str:
    """Answer "pong": operators (`celery -A portal call portal.ping`) and tests use it to see a worker at work."""
    return "pong"


@shared_task(name="portal.publish_scheduled_pages")
def publish_scheduled_pages() -> None:
    """Publish the pages and snippets whose scheduled time has come (Wagtail's `publish_scheduled`)."""
    call_command("publish_scheduled")


@shared_task(name="portal.clear_expired_sessions")
def clear_expired_sessions() -> None:
    call_command("clearsessions")
