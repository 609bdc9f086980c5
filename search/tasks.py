from celery import shared_task
from django.utils import timezone

from . import alerts, indexing


@shared_task(name="search.index_record")
def index_record(kind: str, record_id: str) -> None:
    """Write the search entries of one record after its change was committed."""
    indexing.index_record(kind, record_id)


@shared_task(name="search.index_records")
def index_records(kind: str, record_ids: list[str]) -> None:
    """Write the search entries of a batch of records (an import's) after its commit."""
    indexing.index_records(kind, record_ids)


@shared_task(name="search.send_saved_search_alerts")
def send_saved_search_alerts() -> int:
    """Mail each confirmed saved search what entered it since its last alert (each email in its own language)."""
    return alerts.send_alerts(timezone.now())
