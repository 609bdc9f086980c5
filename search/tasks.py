from celery import shared_task

from . import indexing


@shared_task(name="search.index_record")
def index_record(kind: str, record_id: str) -> None:
    """Write the search entries of one record after its change was committed."""
    indexing.index_record(kind, record_id)
