"""Defects found in review: an association's support belongs to the association (any of its managers sees it and
may take it back, a former manager may not), and a merge keeps the count equal to the rows while supports race."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models.query import QuerySet
from django.test import Client
from django.urls import reverse

from participation.proposals import services
from participation.proposals.models import Space, Support
from portal.accounts.models import Membership
from tests.factories import OrganisationFactory

from .conftest import verified, write


@pytest.fixture
def association(body, residents):
    association = OrganisationFactory(body=body, status="approved")
    for manager in residents[:2]:
        Membership.objects.create(organisation=association, user=manager, role=Membership.Role.ADMIN)
    return association


def test_another_manager_sees_and_withdraws_the_associations_support(proposal, residents, association):
    services.support(proposal, residents[0], association)
    other = Client()
    other.force_login(residents[1])
    state = other.get(proposal.get_absolute_url()).context["support"]
    assert state.organisations == [(association, True)]
    other.post(reverse("proposals:support", args=[proposal.pk]), {"organisation": association.pk, "action": "withdraw"})
    proposal.refresh_from_db()
    assert not Support.objects.filter(proposal=proposal).exists()
    assert proposal.supports_count == 0


def test_a_former_manager_cannot_withdraw_the_associations_support(proposal, residents, association):
    services.support(proposal, residents[0], association)
    Membership.objects.filter(user=residents[0]).update(role=Membership.Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.withdraw_support(proposal, residents[0], association)
    proposal.refresh_from_db()
    assert proposal.supports_count == Support.objects.filter(proposal=proposal).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_support_during_a_merge_is_counted(body, north, south):
    """A support of the proposal merged into commits while the merge counts its supports: it is not lost."""
    space = Space.objects.create(body=body, slug="fusion", title_ar="دمج", support_threshold=1000)
    author = verified("merge-author@example.org", body, "MERGE000")
    duplicate, kept = write(space, author, title="أ"), write(space, author, title="ب")
    first, late = verified("m1@example.org", body, "MERGE001"), verified("m2@example.org", body, "MERGE002")
    services.support(duplicate, first)
    moderator = verified("m-mod@example.org", body, "MERGE003")
    from portal.bodies.models import Role
    from tests.factories import RoleGrantFactory

    RoleGrantFactory(body=body, role=Role.MODERATOR, user=moderator)
    merging = threading.current_thread()
    original_count = QuerySet.count
    errors = []

    def support_late():
        try:
            services.support(kept, late)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=support_late)

    def count(queryset):
        result = original_count(queryset)
        if queryset.model is Support and threading.current_thread() is merging and not other.is_alive():
            other.start()
            other.join(timeout=1)  # blocks on the kept proposal's row once the merge locks it
        return result

    QuerySet.count = count
    try:
        services.merge(duplicate, kept, moderator, "Doublon")
    finally:
        QuerySet.count = original_count
    other.join()
    kept.refresh_from_db()
    assert not errors
    assert kept.supports.count() == 2
    assert kept.supports_count == 2


def test_a_merged_proposals_page_does_not_show_the_title_of_a_hidden_one(space, author, residents, moderator):
    duplicate = write(space, author, title="Doublon du trottoir")
    kept = write(space, author, title="Titre injurieux retenu")
    services.merge(duplicate, kept, moderator, "Doublon")
    kept.refresh_from_db()
    services.hide_proposal(kept, moderator, "Titre injurieux")
    page = Client().get(duplicate.get_absolute_url())
    assert page.status_code == 200
    assert "Titre injurieux retenu" not in page.content.decode()
