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


@shared_task(name="cms.import_decisions")
def import_decisions_task(
    council_id: int, path: str, files_root: str | None = None, mapping: dict | None = None
) -> dict | None:
    """Import a decisions file into a council and return the report as a dict; None if the council is gone.

    `mapping` is a ColumnMapping's data (portal.importing), as saved for the council's body."""
    from pathlib import Path

    from cms.importing import decision_mapping, import_decisions
    from cms.models import CouncilIndexPage

    council = CouncilIndexPage.objects.filter(pk=council_id).first()
    if council is None:
        return None
    report = import_decisions(
        Path(path),
        council=council,
        files_root=Path(files_root) if files_root else None,
        mapping=decision_mapping(mapping) if mapping else None,
    )
    return report.as_dict()
