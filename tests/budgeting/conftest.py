"""Shared pieces of the budgeting tests: a commune with two districts (north, south), a cycle with a budget per
district and a city-wide one, projects on each ballot, verified residents of each district, and staff of each role.

`cycle` is taking projects; `voting` is the same cycle with its projects reviewed and voting open.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from participation.budgeting import services
from participation.budgeting.models import Budget, Cycle, Phase, Project, ProjectStatus
from portal.accounts.identity import verify_person
from portal.bodies.models import Role
from tests.factories import DistrictFactory, PublicBodyFactory, RoleGrantFactory, UserFactory, square

# Two districts side by side: 3.00–3.02 and 3.02–3.04 east, 36.40–36.42 north.
INSIDE_NORTH = (3.01, 36.41)
INSIDE_SOUTH = (3.03, 36.41)
OUTSIDE = (5.0, 35.0)


def resident(email: str, body, district=None, number: str | None = None):
    """A resident of `body` (and `district`) whose identity staff checked."""
    user = UserFactory(email=email)
    verify_person(user, number or f"ID{abs(hash(email)) % 10**8:08d}", body, district=district)
    return user


def project(cycle, budget, title="ملعب جواري", cost="100000", status=ProjectStatus.FEASIBLE, **fields):
    """A project straight in the table (the review's own tests go through services.review_project)."""
    return Project.objects.create(
        cycle=cycle,
        budget=budget,
        title=title,
        description="وصف المشروع",
        language="ar",
        district=budget.district,
        cost=Decimal(cost) if cost is not None else None,
        status=status,
        **fields,
    )


def open_voting(cycle) -> Cycle:
    """Move the cycle to voting, its window around now."""
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(
        voting_opens_at=now - timedelta(hours=1), voting_closes_at=now + timedelta(days=7)
    )
    cycle.refresh_from_db()
    return services.move_cycle(cycle, Phase.VOTING)


@pytest.fixture
def body(db):
    return PublicBodyFactory(name_ar="بلدية البليدة", name_fr="Commune de Blida", slug="commune-blida-pb")


@pytest.fixture
def other_body(db):
    return PublicBodyFactory(name_ar="بلدية تيبازة", name_fr="Commune de Tipaza", slug="commune-tipaza-pb")


@pytest.fixture
def north(body):
    return DistrictFactory(body=body, slug="nord", name_fr="Nord", boundary=square(3.00, 36.40, 0.02))


@pytest.fixture
def south(body):
    return DistrictFactory(body=body, slug="sud", name_fr="Sud", boundary=square(3.02, 36.40, 0.02))


@pytest.fixture
def cycle(body, north, south):
    now = timezone.now()
    cycle = Cycle.objects.create(
        body=body,
        slug="blida-2027",
        title_ar="الميزانية التشاركية 2027",
        title_fr="Budget participatif 2027",
        voting_opens_at=now + timedelta(days=30),
        voting_closes_at=now + timedelta(days=40),
        max_projects=3,
    )
    Budget.objects.create(cycle=cycle, slug="nord", name_ar="الشمال", name_fr="Nord", district=north, amount=300_000)
    Budget.objects.create(cycle=cycle, slug="sud", name_ar="الجنوب", name_fr="Sud", district=south, amount=300_000)
    Budget.objects.create(cycle=cycle, slug="ville", name_ar="المدينة", name_fr="Toute la ville", amount=1_000_000)
    services.move_cycle(cycle, Phase.SUBMISSION)
    return cycle


@pytest.fixture
def budgets(cycle):
    return {budget.slug: budget for budget in cycle.budgets.all()}


@pytest.fixture
def projects(cycle, budgets):
    """Three projects on each ballot: north and south at 100,000, 150,000, 200,000; city-wide at 400,000, 500,000,
    600,000."""
    made = {}
    for slug, costs in (("nord", (100_000, 150_000, 200_000)), ("sud", (100_000, 150_000, 200_000))):
        made[slug] = [project(cycle, budgets[slug], f"مشروع {slug} {n}", str(cost)) for n, cost in enumerate(costs)]
    made["ville"] = [
        project(cycle, budgets["ville"], f"مشروع المدينة {n}", str(cost))
        for n, cost in enumerate((400_000, 500_000, 600_000))
    ]
    return made


@pytest.fixture
def voting(cycle, projects):
    return open_voting(cycle)


@pytest.fixture
def voter(body, north):
    return resident("voter@example.org", body, north, "VOTER0001")


@pytest.fixture
def south_voter(body, south):
    return resident("south-voter@example.org", body, south, "VOTER0002")


@pytest.fixture
def unverified(db):
    return UserFactory(email="unverified@example.org")


@pytest.fixture
def outsider(other_body):
    return resident("outsider@example.org", other_body, None, "OUTSIDER01")


@pytest.fixture
def manager(body):
    return RoleGrantFactory(body=body, role=Role.BUDGET_MANAGER, user__email="budget@example.org").user


@pytest.fixture
def other_manager(other_body):
    return RoleGrantFactory(body=other_body, role=Role.BUDGET_MANAGER, user__email="budget-b@example.org").user


@pytest.fixture
def officer(body):
    return RoleGrantFactory(body=body, role=Role.POLLING_OFFICER, user__email="officer@example.org").user


@pytest.fixture
def second_officer(body):
    return RoleGrantFactory(body=body, role=Role.POLLING_OFFICER, user__email="officer2@example.org").user
