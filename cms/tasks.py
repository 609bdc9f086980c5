"""Celery entry points of the cms app: each loads its objects again and calls one domain function."""

from celery import shared_task


@shared_task(name="cms.extract_document_text")
def extract_document_text(document_id: int) -> None:
    """Extract the text of a council document for search; nothing to do if it was deleted meanwhile."""
    from cms.documents import update_extracted_text
    from cms.models import CouncilDocument

    document = CouncilDocument.objects.filter(pk=document_id).first()
    if document is None:
        return
    update_extracted_text(document)
