"""Shared pieces of the information-request tests: Moroccan bodies (law 31-13, from migration 0002_laws), their
officers, and cases filed the way citizens file them (services.file_case)."""

import pytest
from django.test import Client

from participation.requests import services
from portal.bodies.models import Role
from tests.factories import PublicBodyFactory, RoleGrantFactory, UserFactory
from tests.staff import login_with_second_factor

IDENTITY_NUMBER = "BK482913"


def file_request(
    body, requester, *, subject="ميزانية الجماعة", text="أطلب نسخة من ميزانية الجماعة لسنة 2026.", **fields
):
    """A request filed by `requester` through the service, as the public form does."""
    filing = services.Filing(
        body=body,
        subject=subject,
        text=text,
        language="ar",
        name=fields.pop("name", "أمينة السعيدي"),
        email=requester.email,
        identity_number=fields.pop("identity_number", IDENTITY_NUMBER),
        address=fields.pop("address", "12 شارع الحرية، الرباط"),
        **fields,
    )
    return services.file_case(filing, requester=requester)


def officer_client(user) -> Client:
    client = Client()
    login_with_second_factor(client, user)
    return client


@pytest.fixture
def body_a(db):
    """A Moroccan commune (law 31-13), with a department below it."""
    return PublicBodyFactory(country="MA", name_fr="Commune de Salé", slug="commune-sale")


@pytest.fixture
def department_a(body_a):
    return PublicBodyFactory(
        parent=body_a, kind="department", country="MA", name_fr="Service de l'urbanisme", slug="urbanisme-sale"
    )


@pytest.fixture
def body_b(db):
    return PublicBodyFactory(country="MA", name_fr="Commune de Témara", slug="commune-temara")


@pytest.fixture
def requester(db):
    return UserFactory(email="amina@example.org")


@pytest.fixture
def officer_a(body_a):
    return RoleGrantFactory(body=body_a, role=Role.INFORMATION_OFFICER, user__email="officer-a@example.org").user


@pytest.fixture
def officer_b(body_b):
    return RoleGrantFactory(body=body_b, role=Role.INFORMATION_OFFICER, user__email="officer-b@example.org").user


@pytest.fixture
def head_a(body_a):
    """The head of body A: administrator, who decides appeals (and may answer)."""
    return RoleGrantFactory(body=body_a, role=Role.ADMINISTRATOR, user__email="head-a@example.org").user


@pytest.fixture
def officer_a_client(officer_a) -> Client:
    return officer_client(officer_a)


@pytest.fixture
def case_a(body_a, requester):
    return file_request(body_a, requester)


@pytest.fixture
def case_b(body_b, requester):
    return file_request(body_b, requester, subject="رخص البناء")
