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
