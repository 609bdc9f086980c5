"""Celery entry points of participatory budgeting: each calls one domain function."""

from celery import shared_task

from . import services


@shared_task(name="budgeting.advance_phases")
def advance_phases() -> int:
    """Each minute: move the cycles whose next phase has come (services.advance_phases)."""
    return services.advance_phases()


@shared_task(name="budgeting.remind_unconfirmed_ballots")
def remind_unconfirmed_ballots() -> int:
    """Every half hour: remind, once, the voters who began a ballot and did not confirm it."""
    return services.remind_unconfirmed_ballots()


@shared_task(name="budgeting.publish_open_data")
def publish_open_data() -> list[int]:
    """Once a day: bring each body's "Participatory budgeting" dataset up to date (open_data.py); return their ids."""
    from .open_data import publish_budgeting

    return [dataset.pk for dataset in publish_budgeting()]
