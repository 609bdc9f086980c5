"""Celery entry points of the opendata app: each loads its objects again and calls one domain function."""

from celery import shared_task
from django.conf import settings
from django.utils import translation


@shared_task(name="opendata.ingest_version")
def ingest_version(version_id: int, language: str | None = None) -> str | None:
    """Validate and load an uploaded version into the DataStore; return its final status, None if it is gone.

    Its messages are written in `language`, the uploader's (the portal's default when not given).
    """
    from opendata import ingest
    from opendata.models import ResourceVersion

    version = ResourceVersion.objects.select_related("resource").filter(pk=version_id).first()
    if version is None:
        return None
    with translation.override(language or settings.LANGUAGE_CODE):
        return ingest.ingest_version(version).status
