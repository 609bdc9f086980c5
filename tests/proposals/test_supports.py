"""Supports: one per verified person (and one per association), counted exactly, withdrawable while open, and the
threshold that obliges the council to answer."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from participation.proposals import services
from participation.proposals.models import Status, Support
from participation.proposals.services import ProposalRefused
from portal.accounts.models import Membership
from portal.caching import GENERATION_KEY, content_generation
from portal.workflow import history
from tests.factories import OrganisationFactory

from .conftest import verified, write


def test_a_verified_resident_supports_once(proposal, residents):
    assert services.support(proposal, residents[0]) == 1
    assert services.support(proposal, residents[0]) == 1  # twice changes nothing
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert proposal.follows.filter(user=residents[0]).exists()


def test_a_repeated_support_answers_the_count_as_it_is_now(proposal, residents):
    assert services.support(proposal, residents[0]) == 1
    assert services.support(proposal, residents[1]) == 2
    assert services.support(proposal, residents[0]) == 2
    proposal.refresh_from_db()
    assert proposal.supports_count == proposal.supports.count() == 2
    assert proposal.follows.filter(user__in=residents[:2]).count() == 2


def test_an_unverified_account_cannot_support(proposal, unverified):
    with translation.override("en"), pytest.raises(ProposalRefused, match="verified"):
        services.support(proposal, unverified)
    assert not Support.objects.exists()


def test_a_support_is_withdrawn_while_the_space_is_open(proposal, residents, space):
    services.support(proposal, residents[0])
    assert services.withdraw_support(proposal, residents[0]) == 0
    assert services.withdraw_support(proposal, residents[0]) == 0  # nothing left to withdraw
    services.support(proposal, residents[0])
    space.closes_on = space.opens_on
    space.opens_on = space.opens_on.replace(year=space.opens_on.year - 1)
    space.closes_on = space.opens_on
    space.save()
    proposal.refresh_from_db()
    with pytest.raises(ProposalRefused):
        services.withdraw_support(proposal, residents[0])
    assert proposal.supports.count() == 1


def test_an_association_supports_as_itself_and_its_members_as_persons(proposal, residents, body):
    association = OrganisationFactory(body=body, status="approved")
    Membership.objects.create(organisation=association, user=residents[0], role=Membership.Role.ADMIN)
    assert services.support(proposal, residents[0]) == 1
    assert services.support(proposal, residents[0], association) == 2
    assert services.support(proposal, residents[0], association) == 2
    member = residents[1]
    Membership.objects.create(organisation=association, user=member, role=Membership.Role.MEMBER)
    with pytest.raises(Exception):  # noqa: B017, PT011 (PermissionDenied: only managers act for it)
        services.support(proposal, member, association)


def test_reaching_the_threshold_sets_the_answer_due(proposal, residents, space):
    for resident in residents[:3]:
        services.support(proposal, resident)
    proposal.refresh_from_db()
    assert proposal.status == Status.THRESHOLD_REACHED
    assert proposal.answer_due is not None
    assert [event.to_status for event in history(proposal)] == [Status.PUBLISHED, Status.THRESHOLD_REACHED]


def test_a_draft_and_a_withdrawn_proposal_take_no_support(space, author, residents):
    draft = write(space, author, publish=False)
    with pytest.raises(ProposalRefused):
        services.support(draft, residents[0])
    published = write(space, author, title="حديقة")
    services.withdraw(published, author)
    with pytest.raises(ProposalRefused):
        services.support(published, residents[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_supports_racing_are_counted_exactly(body, north, south):
    """Twenty people click at once, each twice: twenty supports, and the count says twenty."""
    from participation.proposals.models import Space

    space = Space.objects.create(body=body, slug="course", title_ar="سباق", support_threshold=1000)
    author = verified("racer@example.org", body, "RACE0000")
    proposal = write(space, author)
    people = [verified(f"p{n}@example.org", body, f"RACE{n + 1:04d}") for n in range(20)]
    barrier = threading.Barrier(40)
    errors = []

    def click(person):
        try:
            barrier.wait()
            services.support(proposal, person)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(person,)) for person in people * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    proposal.refresh_from_db()
    assert not errors
    assert proposal.supports.count() == 20
    assert proposal.supports_count == 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the support's own transaction, as in production
def test_a_support_retires_the_cached_pages_when_it_commits(body, north, south):
    """The count is public: on PostgreSQL a new support is one statement in autocommit (a WITH statement),
    which portal.caching must see writing the proposal's table."""
    from participation.proposals.models import Space

    space = Space.objects.create(body=body, slug="cache", title_ar="ذاكرة", support_threshold=1000)
    proposal = write(space, verified("writer@example.org", body, "CACHE0000"))
    person = verified("reader@example.org", body, "CACHE0001")
    cache.delete(GENERATION_KEY)
    before = content_generation()
    time.sleep(0.001)
    assert services.support(proposal, person) == 1
    assert not connection.in_atomic_block
    assert cache.get(GENERATION_KEY) > before


def test_a_merged_proposals_supports_no_longer_change(space, author, residents, moderator):
    """The support lives on in the proposal that carries on: withdrawing it on the merged one would only lower a
    frozen count while the support still counted."""
    kept = write(space, author, title="ممر للراجلين")
    merged = write(space, residents[4], title="ممر الراجلين")
    services.support(merged, residents[0])
    services.merge(merged, kept, moderator, "نفس الاقتراح")
    with pytest.raises(ProposalRefused):
        services.withdraw_support(merged, residents[0])
    assert merged.supports.filter(user=residents[0]).exists()
    assert services.withdraw_support(kept, residents[0]) == 0
