"""A proposal's life: written and published, edited under its supporters' eyes, hidden after reports, answered by
the council, merged or turned into a budgeting project; each move recorded with who, when and why."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from wagtail.models import ModelLogEntry

from participation.proposals import services
from participation.proposals.models import Answer, ModerationEntry, Reason, Status
from participation.proposals.services import ProposalRefused
from portal.accounts.models import Membership
from portal.workflow import TransitionNotAllowed, history
from tests.factories import OrganisationFactory

from .conftest import INSIDE_NORTH, INSIDE_SOUTH, OUTSIDE, write


def test_a_point_places_the_proposal_in_its_district(space, author, north, south):
    assert write(space, author, longitude=INSIDE_SOUTH[0], latitude=INSIDE_SOUTH[1]).district == south
    assert write(space, author, longitude=INSIDE_NORTH[0], latitude=INSIDE_NORTH[1]).district == north


def test_a_point_outside_the_territory_is_refused(space, author):
    with translation.override("en"), pytest.raises(ProposalRefused, match="outside the territory"):
        write(space, author, longitude=OUTSIDE[0], latitude=OUTSIDE[1])
    with pytest.raises(ProposalRefused):
        write(space, author, longitude=500.0, latitude=36.41)
    assert not space.proposals.exists()


def test_a_point_in_another_district_than_the_one_chosen_is_refused(space, author, south):
    with pytest.raises(ProposalRefused):
        write(space, author, district=south, longitude=INSIDE_NORTH[0], latitude=INSIDE_NORTH[1])


def test_a_closed_space_takes_no_proposal(space, author):
    space.opens_on = space.opens_on.replace(year=space.opens_on.year + 1)
    space.save()
    with pytest.raises(ProposalRefused):
        write(space, author)


def test_an_author_writes_for_an_approved_association_only(space, author, body):
    pending = OrganisationFactory(body=body, status="pending")
    Membership.objects.create(organisation=pending, user=author)
    with pytest.raises(ProposalRefused):
        write(space, author, organisation=pending)
    approved = OrganisationFactory(body=body, status="approved", name="جمعية الحي")
    with pytest.raises(PermissionDenied):  # not a member
        write(space, author, organisation=approved)
    Membership.objects.create(organisation=approved, user=author)
    proposal = write(space, author, organisation=approved, pseudonym="ignored")
    assert proposal.signature() == "جمعية الحي"
    assert proposal.pseudonym == ""


def test_a_pseudonym_hides_the_authors_name(space, author):
    author.first_name, author.last_name = "أمينة", "السعيدي"
    author.save()
    assert write(space, author, pseudonym="ساكنة الحي").signature() == "ساكنة الحي"
    assert write(space, author).signature() == "أمينة السعيدي"


def test_an_edit_after_supports_is_kept_for_everyone_to_see(proposal, author, residents):
    services.support(proposal, residents[0])
    services.edit(proposal, author, title="إنارة شارع الاستقلال والحديقة", text="نص جديد")
    edit = proposal.edits.get()
    assert (edit.old_title, edit.new_title, edit.supports_at_edit) == (
        "إنارة شارع الاستقلال",
        "إنارة شارع الاستقلال والحديقة",
        1,
    )
    proposal.refresh_from_db()
    assert proposal.title == "إنارة شارع الاستقلال والحديقة"


def test_only_the_author_edits_and_only_while_open(proposal, author, residents, publisher):
    with pytest.raises(PermissionDenied):
        services.edit(proposal, residents[0], title="x", text="y")
    services.answer(proposal, publisher, Status.ACCEPTED, "سننجز المشروع في 2027.", language="ar")
    with pytest.raises(ProposalRefused):
        services.edit(proposal, author, title="عنوان آخر", text="نص")


def test_editing_a_draft_keeps_no_history(space, author):
    draft = write(space, author, publish=False)
    services.edit(draft, author, title="عنوان", text="نص")
    assert not draft.edits.exists()


def test_reports_by_several_people_hide_the_proposal_until_review(proposal, residents, moderator, settings):
    settings.PROPOSALS_REPORTS_TO_HIDE = 2
    services.report(residents[0], reason=Reason.SPAM, proposal=proposal)
    with pytest.raises(ProposalRefused):
        services.report(residents[0], reason=Reason.SPAM, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.PUBLISHED
    services.report(residents[1], reason=Reason.OFFENSIVE, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.MODERATION
    assert proposal.hidden_from == Status.PUBLISHED
    services.restore_proposal(proposal, moderator, "بلاغات غير مؤسسة")
    assert proposal.status == Status.PUBLISHED
    assert not proposal.reports.filter(resolved_at=None).exists()


def test_a_hidden_proposal_returns_to_the_status_it_had(proposal, residents, moderator, publisher):
    services.answer(proposal, publisher, Status.EVALUATING, "قيد الدراسة لدى المصالح التقنية.", language="ar")
    services.hide_proposal(proposal, moderator, "معطيات شخصية في النص")
    assert proposal.status == Status.MODERATION
    services.restore_proposal(proposal, moderator)
    assert proposal.status == Status.EVALUATING
    entries = ModerationEntry.objects.filter(proposal=proposal).values_list("action", flat=True)
    assert set(entries) == {ModerationEntry.Action.HIDE_PROPOSAL, ModerationEntry.Action.RESTORE_PROPOSAL}


def test_a_moderator_of_another_body_cannot_hide(proposal, other_moderator):
    with pytest.raises(PermissionDenied):
        services.hide_proposal(proposal, other_moderator, "سبب")
    proposal.refresh_from_db()
    assert proposal.status == Status.PUBLISHED


def test_the_official_answer_is_the_publishers_and_is_recorded(proposal, publisher, moderator):
    with pytest.raises(PermissionDenied):
        services.answer(proposal, moderator, Status.REJECTED, "لا", language="ar")
    with pytest.raises(ProposalRefused):
        services.answer(proposal, publisher, Status.REJECTED, "  ", language="ar")
    answer = services.answer(proposal, publisher, Status.NOT_COMPETENT, "من اختصاص الولاية.", language="ar")
    assert answer.by == publisher
    assert proposal.status == Status.NOT_COMPETENT
    assert ModelLogEntry.objects.filter(action="proposals.answer.not_competent", user=publisher).exists()
    with pytest.raises(TransitionNotAllowed):
        services.answer(proposal, publisher, Status.ACCEPTED, "نعم", language="ar")
    assert Answer.objects.count() == 1


def test_under_study_then_accepted_then_converted(proposal, publisher, budget_manager):
    services.answer(proposal, publisher, Status.EVALUATING, "ندرس الكلفة.", language="ar")
    services.answer(proposal, publisher, Status.ACCEPTED, "مقبول.", language="ar")
    with pytest.raises(PermissionDenied):
        services.convert(proposal, publisher, "مشروع ميزانية تشاركية 2027")
    services.convert(proposal, budget_manager, "مشروع ميزانية تشاركية 2027")
    moves = [(event.to_status, event.by) for event in history(proposal)]
    assert moves == [
        (Status.PUBLISHED, proposal.author),
        (Status.EVALUATING, publisher),
        (Status.ACCEPTED, publisher),
        (Status.CONVERTED, budget_manager),
    ]


def test_merging_moves_supports_and_followers_without_doubling(space, author, residents, moderator):
    original = write(space, author, title="إصلاح الطريق")
    duplicate = write(space, residents[4], title="إصلاح طريق الحي")
    services.support(original, residents[0])
    services.support(duplicate, residents[0])
    services.support(duplicate, residents[1])
    services.merge(duplicate, original, moderator, "نفس الاقتراح")
    original.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.merged_into == original
    assert original.supports_count == original.supports.count() == 2
    assert original.follows.filter(user=residents[4]).exists()
    with pytest.raises(ProposalRefused):
        services.merge(original, original, moderator, "نفسه")


def test_the_author_withdraws_and_followers_stay_told(proposal, author, residents):
    with pytest.raises(PermissionDenied):
        services.withdraw(proposal, residents[0])
    services.withdraw(proposal, author)
    assert proposal.status == Status.WITHDRAWN
