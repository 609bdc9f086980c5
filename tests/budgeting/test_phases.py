"""A cycle's calendar: phases move forward only, on schedule or by a budget manager, and rules lock at voting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from participation.budgeting import services, tasks
from participation.budgeting.models import Budget, Cycle, Phase, Project, RulesLocked
from participation.budgeting.services import BudgetingRefused
from portal.workflow import history


def test_the_scheduler_moves_a_cycle_to_each_phase_whose_date_has_come(cycle, projects):
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(
        review_at=now - timedelta(days=3), costs_at=now - timedelta(days=2), voting_opens_at=now - timedelta(minutes=1)
    )
    assert tasks.advance_phases() == 1
    cycle.refresh_from_db()
    assert cycle.phase == Phase.VOTING and cycle.is_voting_open()
    assert [event.to_status for event in history(cycle)] == [Phase.SUBMISSION, Phase.VOTING]
    assert tasks.advance_phases() == 0  # nothing more is due

    Cycle.objects.filter(pk=cycle.pk).update(voting_closes_at=now - timedelta(seconds=1))
    assert services.advance_phases() == 1
    cycle.refresh_from_db()
    assert cycle.phase == Phase.BALLOT_REVIEW and not cycle.is_voting_open()


def test_the_scheduler_never_publishes_results_nor_moves_drafts(body, cycle):
    past = timezone.now() - timedelta(days=1)
    draft = Cycle.objects.create(body=body, slug="draft", title_ar="مسودة", voting_opens_at=past, voting_closes_at=past)
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.BALLOT_REVIEW, voting_opens_at=past, voting_closes_at=past)
    assert services.advance_phases() == 0
    draft.refresh_from_db()
    assert draft.phase == Phase.DRAFT


def test_phases_only_move_forward_and_only_by_the_bodys_budget_managers(cycle, manager, other_manager):
    with pytest.raises(PermissionDenied):
        services.move_cycle(cycle, Phase.REVIEW, by=other_manager)
    services.move_cycle(cycle, Phase.REVIEW, by=manager)
    with translation.override("en"), pytest.raises(BudgetingRefused, match="cannot go from"):
        services.move_cycle(cycle, Phase.SUBMISSION, by=manager)
    with pytest.raises(BudgetingRefused):
        services.move_cycle(cycle, Phase.RESULTS, by=manager)


def test_rules_budgets_and_costs_are_locked_once_voting_opens(voting, projects):
    voting.max_projects = 10
    with translation.override("en"), pytest.raises(RulesLocked, match="cannot change once voting has opened"):
        voting.save()
    voting.refresh_from_db()
    voting.title_fr = "Un titre corrigé"
    voting.save()  # the wording may still change

    budget = voting.budgets.get(slug="nord")
    budget.amount = Decimal("1")
    with pytest.raises(RulesLocked):
        budget.save()

    project = projects["nord"][0]
    project.cost = Decimal("1")
    with pytest.raises(RulesLocked):
        project.save()
    project.refresh_from_db()
    project.title = "عنوان مصحح"
    project.save()

    with pytest.raises(RulesLocked):
        Project.objects.create(cycle=voting, budget=budget, title="x", description="x", language="ar", cost=1)
    with pytest.raises(RulesLocked):
        Budget(cycle=voting, slug="new", name_ar="x", amount=1).save()


def test_voting_cannot_open_without_a_budget(body):
    now = timezone.now()
    empty = Cycle.objects.create(body=body, slug="empty", title_ar="x", voting_opens_at=now, voting_closes_at=now)
    services.move_cycle(empty, Phase.INFORMATION)
    with translation.override("en"), pytest.raises(BudgetingRefused, match="budget"):
        services.move_cycle(empty, Phase.VOTING)
