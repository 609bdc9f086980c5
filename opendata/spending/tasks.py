"""Celery entry points of the spending app: each loads its objects again and calls one domain function."""

from celery import shared_task


@shared_task(name="spending.import_spending")
def import_spending_task(
    body_id: int, path: str, kind: str, mapping: dict | None = None, year: int | None = None, currency: str = ""
) -> dict | None:
    """Import a spending file for a body and return the report as a dict; None if the body is gone.

    For harvesters and files too large for a web request; `mapping` is a ColumnMapping's data, as saved for
    the body (portal.models.ImportMapping, kind "spending-<kind>")."""
    from pathlib import Path

    from opendata.spending.importing import import_spending
    from portal.bodies.models import PublicBody

    body = PublicBody.objects.filter(pk=body_id).first()
    if body is None:
        return None
    report = import_spending(Path(path), body=body, kind=kind, mapping=mapping, year=year, currency=currency or None)
    return report.as_dict()
