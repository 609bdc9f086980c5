"""Laws and announced holidays in the Wagtail admin: superusers only; an announced holiday recalculates."""

import datetime

import pytest
from django.urls import reverse

from participation.requests import deadlines
from participation.requests.models import DeadlineChange, HolidayDate, Law
from portal.bodies.models import Role
from tests.factories import RoleGrantFactory, UserFactory
from tests.requests.factories import CaseFactory
from tests.staff import login_with_second_factor

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_refused(response):
    assert (response.status_code, response.get("Location")) == (302, reverse("wagtailadmin_home"))


@pytest.fixture
def superuser(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    login_with_second_factor(client, user)
    return user


def test_staff_who_are_not_superusers_are_refused(client):
    administrator = RoleGrantFactory(role=Role.ADMINISTRATOR).user
    login_with_second_factor(client, administrator)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    law = Law.objects.get(code="ma-31-13")
    assert_refused(client.get(reverse("information_requests_laws:index")))
    assert_refused(client.get(reverse("information_requests_laws:edit", args=[law.pk])))
    assert_refused(client.get(reverse("information_requests_holidays:add")))


def test_superusers_edit_a_law_with_its_reasons_and_steps(client, superuser):
    law = Law.objects.get(code="ma-31-13")
    response = client.get(reverse("information_requests_laws:edit", args=[law.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "refusal_reasons-TOTAL_FORMS" in html and "appeal_steps-TOTAL_FORMS" in html
    assert client.get(reverse("information_requests_body_laws:add")).status_code == 200


def test_announcing_a_holiday_recalculates(client, superuser):
    case = CaseFactory(received_on=D(2026, 3, 17))
    deadlines.recalculate(case, reason="filed")
    url = reverse("information_requests_holidays:add")
    form = {"country": "MA", "name": "Eid al-Fitr", "estimated_on": "2026-03-20", "announced_on": "2026-03-21"}
    response = client.post(url, form)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.due_on == D(2026, 4, 14)
    holiday = HolidayDate.objects.get()
    assert holiday.confirmed_by == superuser
    assert DeadlineChange.objects.get(case=case).due_on == D(2026, 4, 14)

    # Editing it back recalculates too; its holiday and estimated date cannot change.
    edit = reverse("information_requests_holidays:edit", args=[holiday.pk])
    response = client.post(edit, {**form, "name": "Throne Day", "announced_on": "2026-03-20"})
    assert response.status_code == 302
    holiday.refresh_from_db()
    assert (holiday.name, holiday.announced_on) == ("Eid al-Fitr", D(2026, 3, 20))
    case.refresh_from_db()
    assert case.due_on == D(2026, 4, 15)
    assert DeadlineChange.objects.count() == 2
    assert_refused(client.get(reverse("information_requests_holidays:delete", args=[holiday.pk])))


def test_an_announced_holiday_must_be_an_estimated_one(client, superuser):
    url = reverse("information_requests_holidays:add")
    response = client.post(
        url, {"country": "MA", "name": "Throne Day", "estimated_on": "2026-07-30", "announced_on": "2026-07-31"}
    )
    assert response.status_code == 200
    assert "عطلة مقدَّرة بهذا الاسم" in response.context["form"].errors["name"][0]  # no estimated one of this name
    response = client.post(
        url, {"country": "MA", "name": "Eid al-Fitr", "estimated_on": "2026-03-20", "announced_on": "2026-04-20"}
    )
    assert response.status_code == 200
    response = client.post(
        url, {"country": "XX", "name": "Eid al-Fitr", "estimated_on": "2026-03-20", "announced_on": "2026-03-21"}
    )
    assert response.status_code == 200
    assert not HolidayDate.objects.exists()
