"""The demo's proposals: every state of the workflow, in Arabic and French, in a space per demo commune, with
supports, threaded comments, a hidden comment, reports and answers; loaded twice, nothing new; the demo citizen
is a verified resident who can support."""

import io
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from participation.proposals import services
from participation.proposals.demo import PROPOSALS, demo_uuid
from participation.proposals.models import Answer, Comment, Proposal, Report, Space, Status, Support
from portal.accounts.demo import CITIZEN_EMAIL
from portal.accounts.models import User, Verification, is_verified


def test_every_status_is_there_in_both_communes_and_languages(demo):
    proposals = Proposal.objects.select_related("space__body")
    assert {proposal.status for proposal in proposals} == set(Status.values)
    assert {proposal.space.body.slug for proposal in proposals} == {"commune-blida", "commune-sale"}
    assert {proposal.language for proposal in proposals} == {"ar", "fr"}
    assert Space.objects.filter(slug__in=["blida-quartiers", "sale-idees"]).count() == 2
    assert all(space.categories.count() == 5 for space in Space.objects.all())


def test_points_lie_in_their_districts(demo):
    placed = Proposal.objects.exclude(longitude=None).select_related("district", "space")
    assert placed.count() >= len(PROPOSALS) - 1
    for proposal in placed:
        assert proposal.district is not None
        assert services.place(proposal.space, proposal.longitude, proposal.latitude) == proposal.district


def test_supports_comments_answers_and_moderation(demo):
    for proposal in Proposal.objects.all():
        assert proposal.supports_count == Support.objects.filter(proposal=proposal).count()
        assert proposal.comments_count == Comment.objects.filter(proposal=proposal).count()
    assert Comment.objects.exclude(parent=None).exists()
    hidden = Comment.objects.exclude(hidden_at=None).get()
    assert hidden.hidden_reason
    assert Report.objects.filter(comment=hidden, outcome=Report.Outcome.HIDDEN).exists()
    assert Report.objects.filter(proposal__status=Status.MODERATION, resolved_at=None).count() == 3
    assert {answer.status for answer in Answer.objects.all()} == {
        Status.EVALUATING,
        Status.ACCEPTED,
        Status.REJECTED,
        Status.NOT_COMPETENT,
        Status.ALREADY_PLANNED,
    }
    merged = Proposal.objects.get(status=Status.MERGED)
    assert merged.merged_into.status == Status.PUBLISHED
    assert Proposal.objects.overdue().exists()  # the daily reminder has something to say
    assert Proposal.objects.filter(organisation__isnull=False).exists()


def test_ids_are_the_same_on_every_machine(demo):
    for demo_proposal in PROPOSALS:
        assert Proposal.objects.filter(title=demo_proposal.title, uuid=demo_uuid(demo_proposal.title)).exists()


def test_the_conformance_run_asks_about_a_public_demo_proposal(demo):
    config = tomllib.loads((Path(settings.BASE_DIR) / "schemathesis.toml").read_text())
    [operation] = [entry for entry in config["operations"] if "proposals" in entry.get("include-path-regex", "")]
    proposal = Proposal.objects.public().get(uuid=operation["parameters"]["uuid"])
    assert proposal.comments.exclude(parent=None).exists()


def test_loading_twice_adds_nothing(demo):
    counts = [model.objects.count() for model in (Proposal, Support, Comment, Answer, Report, Verification, User)]
    call_command("load_demo", stdout=io.StringIO())
    assert [model.objects.count() for model in (Proposal, Support, Comment, Answer, Report, Verification, User)] == (
        counts
    )


def test_the_demo_citizen_is_a_verified_resident_who_can_support(demo):
    citizen = User.objects.get(email=CITIZEN_EMAIL)
    assert is_verified(citizen)
    assert citizen.verification.body.slug == "commune-blida"
    unsupported = (
        Proposal.objects.filter(status=Status.PUBLISHED).exclude(supports__user=citizen).exclude(author=citizen).first()
    )
    assert unsupported is not None
    before = unsupported.supports_count
    assert services.support(unsupported, citizen) == before + 1


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_open_proposals_exist_in_each_language(demo, language):
    assert Proposal.objects.filter(status=Status.PUBLISHED, language=language).exists()
