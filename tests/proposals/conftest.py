"""Shared pieces of the proposal tests: a commune with two districts, an open space, verified residents, staff
of each role, and proposals written the way residents write them (services.write)."""

import pytest

from participation.proposals import services
from participation.proposals.models import Category, Space
from portal.accounts.identity import verify_person
from portal.bodies.models import Role
from tests.factories import DistrictFactory, PublicBodyFactory, RoleGrantFactory, UserFactory, square

# Two districts side by side: 3.00–3.02 and 3.02–3.04 east, 36.40–36.42 north.
INSIDE_NORTH = (3.01, 36.41)
INSIDE_SOUTH = (3.03, 36.41)
OUTSIDE = (5.0, 35.0)


def verified(email: str, body, number: str | None = None):
    """A resident of `body` whose identity staff checked."""
    user = UserFactory(email=email)
    verify_person(user, number or f"ID{abs(hash(email)) % 10**8:08d}", body)
    return user


def write(
    space, author, *, title="إنارة شارع الاستقلال", text="نقترح تركيب إنارة عمومية في الشارع.", publish=True, **fields
):
    """A proposal written by `author` through the service, as the public form does."""
    draft = services.Draft(title=title, text=text, language=fields.pop("language", "ar"), **fields)
    return services.write(space, author, draft, publish=publish)


@pytest.fixture
def body(db):
    return PublicBodyFactory(name_ar="بلدية البليدة", name_fr="Commune de Blida", slug="commune-blida-test")


@pytest.fixture
def other_body(db):
    return PublicBodyFactory(name_ar="بلدية تيبازة", name_fr="Commune de Tipaza", slug="commune-tipaza-test")


@pytest.fixture
def north(body):
    return DistrictFactory(body=body, slug="nord", name_fr="Nord", boundary=square(3.00, 36.40, 0.02))


@pytest.fixture
def south(body):
    return DistrictFactory(body=body, slug="sud", name_fr="Sud", boundary=square(3.02, 36.40, 0.02))


@pytest.fixture
def space(body, north, south):
    space = Space.objects.create(
        body=body, slug="idees-blida", title_ar="اقتراحات البليدة", title_fr="Idées pour Blida", support_threshold=3
    )
    Category.objects.create(space=space, slug="eclairage", name_ar="الإنارة", name_fr="Éclairage")
    return space


@pytest.fixture
def category(space):
    return space.categories.get(slug="eclairage")


@pytest.fixture
def author(body):
    return verified("author@example.org", body, "AUTHOR001")


@pytest.fixture
def residents(body):
    return [verified(f"resident{n}@example.org", body, f"RES{n:05d}") for n in range(5)]


@pytest.fixture
def unverified(db):
    return UserFactory(email="unverified@example.org")


@pytest.fixture
def moderator(body):
    return RoleGrantFactory(body=body, role=Role.MODERATOR, user__email="moderator@example.org").user


@pytest.fixture
def other_moderator(other_body):
    return RoleGrantFactory(body=other_body, role=Role.MODERATOR, user__email="moderator-b@example.org").user


@pytest.fixture
def publisher(body):
    return RoleGrantFactory(body=body, role=Role.PUBLISHER, user__email="publisher@example.org").user


@pytest.fixture
def budget_manager(body):
    return RoleGrantFactory(body=body, role=Role.BUDGET_MANAGER, user__email="budget@example.org").user


@pytest.fixture
def proposal(space, author, category):
    return write(space, author, category=category, longitude=INSIDE_NORTH[0], latitude=INSIDE_NORTH[1])
