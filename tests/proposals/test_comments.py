"""The discussion of a proposal: threaded comments, a short window to correct one, mentions that notify, reports,
and comments hidden by a moderator with a reason."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from participation.proposals import services
from participation.proposals.models import ModerationEntry, Reason, Report
from participation.proposals.services import ProposalRefused
from portal.accounts.models import Notification


def test_a_reply_belongs_to_its_thread(proposal, residents):
    first = services.comment(proposal, residents[0], "فكرة جيدة", language="ar")
    reply = services.comment(proposal, residents[1], "أوافق", language="ar", parent=first)
    assert list(first.replies.all()) == [reply]
    proposal.refresh_from_db()
    assert proposal.comments_count == 2


def test_a_reply_to_another_proposals_comment_is_refused(space, proposal, author, residents):
    from .conftest import write

    other = write(space, author, title="حديقة عمومية")
    elsewhere = services.comment(other, residents[0], "رأي", language="ar")
    with pytest.raises(ProposalRefused):
        services.comment(proposal, residents[1], "رد", language="ar", parent=elsewhere)


def test_a_comment_can_be_corrected_for_a_short_while(proposal, residents, settings):
    settings.PROPOSALS_COMMENT_EDIT_MINUTES = 15
    written = services.comment(proposal, residents[0], "فكره جيده", language="ar")
    with pytest.raises(PermissionDenied):
        services.edit_comment(written, residents[1], "تعديل")
    services.edit_comment(written, residents[0], "فكرة جيدة")
    assert written.edited_at is not None
    with time_machine.travel(timezone.now() + timedelta(minutes=16)), pytest.raises(ProposalRefused):
        services.edit_comment(written, residents[0], "تعديل متأخر")


def test_an_empty_or_overlong_comment_is_refused(proposal, residents, settings):
    settings.PROPOSALS_MAX_COMMENT_LENGTH = 20
    with pytest.raises(ProposalRefused):
        services.comment(proposal, residents[0], "   ", language="ar")
    with pytest.raises(ProposalRefused):
        services.comment(proposal, residents[0], "ا" * 21, language="ar")
    assert not proposal.comments.exists()


def test_a_mention_tells_the_participant_by_the_name_they_appear_under(
    proposal, residents, django_capture_on_commit_callbacks
):
    services.comment(proposal, residents[0], "أقترح إضافة ممر", language="ar", pseudonym="ساكن_النصر")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment(proposal, residents[1], "@ساكن_النصر فكرة جيدة", language="ar")
    told = Notification.objects.filter(user=residents[0])
    assert told.count() == 1
    assert residents[1].get_full_name() in told.get().subject  # who mentioned them
    # The author follows the proposal: told of the new comment, once.
    assert Notification.objects.filter(user=proposal.author).count() == 1
    assert all(residents[0].email not in message.body for message in mail.outbox)


def test_a_moderator_hides_a_comment_with_a_reason(proposal, residents, moderator, other_moderator):
    rude = services.comment(proposal, residents[0], "كلام مسيء", language="ar")
    services.report(residents[1], reason=Reason.OFFENSIVE, target=rude)
    with pytest.raises(PermissionDenied):
        services.hide_comment(rude, other_moderator, "مسيء")
    services.hide_comment(rude, moderator, "يتضمن إساءة لشخص")
    assert rude.is_hidden
    assert rude.hidden_reason == "يتضمن إساءة لشخص"
    assert Report.objects.get().outcome == Report.Outcome.HIDDEN
    entry = ModerationEntry.objects.get(comment=rude)
    assert (entry.author, entry.by, entry.body) == (residents[0], moderator, proposal.space.body)
    with pytest.raises(ProposalRefused):
        services.edit_comment(rude, residents[0], "تعديل")
    services.restore_comment(rude, moderator)
    assert not rude.is_hidden


def test_dismissing_reports_leaves_the_comment(proposal, residents, moderator):
    fine = services.comment(proposal, residents[0], "رأي مخالف", language="ar")
    services.report(residents[1], reason=Reason.OTHER, target=fine)
    services.dismiss_reports(moderator, target=fine)
    fine.refresh_from_db()
    assert not fine.is_hidden
    assert fine.reports_count == 0


def test_the_discussion_closes_with_the_proposal(proposal, residents, publisher):
    services.answer(proposal, publisher, "rejected", "غير ممكن تقنيا.", language="ar")
    with pytest.raises(ProposalRefused):
        services.comment(proposal, residents[0], "للأسف", language="ar")
