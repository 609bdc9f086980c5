"""Moderation: the queue of reports grouped by what they report, hiding and dismissing, the hidden content and its
restoring, repeat offenders, the moderators' log; the public counts (no names, no hidden text); and every door
closed (403) to a moderator of another body."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participation.proposals import moderation, services
from participation.proposals.models import Comment, ModerationEntry, Proposal, Reason, Report, Space, Status
from participation.proposals.staff import moderator_bodies
from tests.staff import login_with_second_factor

from .conftest import write

PUBLIC_LOG = "/ar/proposals/moderation/"


def staff_client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    login_with_second_factor(client, user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"proposals_admin:{name}", args=args)


@pytest.fixture
def insult(proposal, residents):
    return services.comment(proposal, residents[0], "كلام مسيء للجيران", language="ar")


@pytest.fixture
def reported(proposal, insult, residents):
    """A comment reported twice (offensive, personal data) and the proposal once (spam)."""
    services.report(residents[1], reason=Reason.OFFENSIVE, details="شتم صريح", target=insult)
    services.report(residents[2], reason=Reason.PERSONAL_DATA, target=insult)
    services.report(residents[3], reason=Reason.SPAM, proposal=proposal)
    return insult


@pytest.fixture
def moderator_client(moderator) -> Client:
    return staff_client(moderator)


@pytest.mark.django_db
class QueueTestCase:
    def test_it_groups_the_open_reports_by_target_with_reasons_and_counts(
        self, moderator_client, reported, proposal, other_body, author
    ):
        elsewhere = write(
            Space.objects.create(body=other_body, slug="ailleurs", title_ar="فضاء"), author, title="مقترح بعيد"
        )
        services.report(author, reason=Reason.SPAM, proposal=elsewhere)

        response = moderator_client.get(url("moderation"))

        assert response.status_code == 200
        targets = response.context["targets"]
        assert [(target.proposal, target.comment, target.count) for target in targets] == [
            (proposal, reported, 2),
            (proposal, None, 1),
        ]
        assert targets[0].reasons == {Reason.OFFENSIVE: 1, Reason.PERSONAL_DATA: 1}
        assert targets[0].details == ["شتم صريح"]
        html = response.content.decode()
        assert "كلام مسيء للجيران" in html and elsewhere.title not in html
        assert response.context["open_count"] == 3
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S)
        assert len(forms) == 4  # hide and dismiss, for each target
        assert all('name="csrfmiddlewaretoken"' in form for form in forms)

    def test_it_hides_a_comment_with_its_reason_from_the_queue(self, moderator_client, moderator, reported, proposal):
        refused = moderator_client.post(url("hide_comment", reported.pk), {"comment-reason": " "})
        assert refused.status_code == 302
        assert not Comment.objects.get(pk=reported.pk).is_hidden

        response = moderator_client.post(
            url("hide_comment", reported.pk), {"comment-reason": "إساءة للجيران", "next": url("moderation")}
        )

        assert response.status_code == 302 and response.url == url("moderation")
        comment = Comment.objects.get(pk=reported.pk)
        assert comment.is_hidden and comment.hidden_reason == "إساءة للجيران" and comment.hidden_by == moderator
        assert not Report.objects.filter(comment=comment, resolved_at=None).exists()
        assert ModerationEntry.objects.filter(comment=comment, action="hide_comment", by=moderator).exists()
        assert [target.comment for target in moderation.queue(moderator_bodies(moderator))] == [None]

    def test_it_goes_back_only_to_a_page_of_this_site(self, moderator_client, reported):
        response = moderator_client.post(url("dismiss_comment", reported.pk), {"next": "https://evil.example/phish"})
        assert response.url == url("proposal", reported.proposal_id)

    def test_it_dismisses_reports_and_leaves_the_content(self, moderator_client, reported, proposal):
        moderator_client.post(url("dismiss_comment", reported.pk))
        moderator_client.post(url("dismiss", proposal.pk))

        assert not Report.objects.filter(resolved_at=None).exists()
        assert set(Report.objects.values_list("outcome", flat=True)) == {Report.Outcome.DISMISSED}
        assert not Comment.objects.get(pk=reported.pk).is_hidden
        assert Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED
        assert ModerationEntry.objects.filter(action="dismiss").count() == 2
        assert moderator_client.get(url("moderation")).context["targets"] == []

    def test_it_hides_a_reported_proposal_from_the_queue_with_a_reason(self, moderator_client, reported, proposal):
        moderator_client.post(url("hide", proposal.pk), {"hide-reason": "إعلان", "next": url("moderation")})
        assert Proposal.objects.get(pk=proposal.pk).status == Status.MODERATION


@pytest.mark.django_db
class HiddenContentTestCase:
    def test_it_lists_hidden_proposals_and_comments_and_restores_them(
        self, moderator_client, moderator, proposal, insult
    ):
        services.hide_comment(insult, moderator, "إساءة")
        services.hide_proposal(proposal, moderator, "مكرر")

        page = moderator_client.get(url("hidden"))

        assert list(page.context["proposals"]) == [proposal]
        assert list(page.context["comments"]) == [insult]
        moderator_client.post(url("restore_comment", insult.pk), {"comment-reason": ""})
        moderator_client.post(url("restore", proposal.pk), {"restore-reason": "بعد المراجعة"})
        assert not Comment.objects.get(pk=insult.pk).is_hidden
        assert Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED
        page = moderator_client.get(url("hidden"))
        assert not page.context["proposals"] and not page.context["comments"]


@pytest.mark.django_db
class RepeatOffendersTestCase:
    def test_it_lists_authors_hidden_twice_or_more_with_their_signatures(
        self, moderator_client, moderator, proposal, residents, space
    ):
        offender, once = residents[0], residents[1]
        first = services.comment(proposal, offender, "أول إساءة", language="ar", pseudonym="الغاضب")
        second = services.comment(proposal, offender, "ثاني إساءة", language="ar")
        single = services.comment(proposal, once, "مرة واحدة", language="ar")
        for comment in (first, second, single):
            services.hide_comment(comment, moderator, "إساءة")

        response = moderator_client.get(url("offenders"))

        offenders = response.context["offenders"]
        assert [(row.author, row.comments, row.proposals) for row in offenders] == [(offender, 2, 0)]
        assert offenders[0].signatures == sorted(["الغاضب", offender.get_full_name()])
        html = response.content.decode()
        assert offender.email in html and once.email not in html

    def test_another_bodys_hidings_do_not_count(self, moderator, other_moderator, other_body, residents, space):
        elsewhere = write(Space.objects.create(body=other_body, slug="ailleurs", title_ar="فضاء"), residents[0])
        services.hide_proposal(elsewhere, other_moderator, "إساءة")
        services.hide_proposal(write(space, residents[0]), moderator, "إساءة")

        assert moderation.repeat_offenders(moderator_bodies(moderator)) == []
        assert moderation.repeat_offenders(moderator_bodies(moderator) | moderator_bodies(other_moderator)) != []


@pytest.mark.django_db
class ModerationLogTestCase:
    def test_the_staff_log_lists_the_entries_of_the_moderators_bodies(self, moderator_client, moderator, proposal):
        services.hide_proposal(proposal, moderator, "إعلان تجاري")
        response = moderator_client.get(url("moderation_log"))
        assert [entry.action for entry in response.context["page"]] == ["hide_proposal"]
        assert "إعلان تجاري" in response.content.decode()
        filtered = moderator_client.get(url("moderation_log"), {"action": "dismiss"})
        assert list(filtered.context["page"]) == []

    def test_the_public_log_counts_without_names_or_hidden_text(self, client, moderator, proposal, insult, residents):
        services.report(residents[2], reason=Reason.OFFENSIVE, details="تفاصيل البلاغ", target=insult)
        services.hide_comment(insult, moderator, "سبب الإخفاء السري")
        services.hide_proposal(proposal, moderator, "إعلان")

        response = client.get(PUBLIC_LOG)

        assert response.status_code == 200
        [summary] = response.context["summaries"]
        assert summary.body == proposal.space.body
        assert summary.actions == {"hide_comment": 1, "hide_proposal": 1}
        assert summary.reasons == {Reason.OFFENSIVE: {Report.Outcome.HIDDEN: 1}}
        assert sum(sum(counts) for _month, counts in summary.month_rows) == 2
        html = response.content.decode()
        for secret in (
            "كلام مسيء للجيران",
            "سبب الإخفاء السري",
            "تفاصيل البلاغ",
            proposal.title,
            moderator.email,
            residents[0].email,
            residents[0].get_full_name(),
            "@example.org",
        ):
            assert secret not in html
        assert summary.body.name in html

    def test_the_public_log_narrows_to_one_body(self, client, moderator, proposal, other_body):
        services.hide_proposal(proposal, moderator, "إعلان")
        assert client.get(PUBLIC_LOG, {"body": other_body.slug}).context["summaries"] == []
        assert len(client.get(PUBLIC_LOG, {"body": proposal.space.body.slug}).context["summaries"]) == 1
        assert client.get(PUBLIC_LOG, {"body": "nowhere"}).status_code == 404


def doors(proposal: Proposal, comment: Comment) -> list[tuple[str, str, dict]]:
    """Every staff door on a proposal or a comment, with what a moderator would post to it."""
    return [
        ("get", url("proposal", proposal.pk), {}),
        ("post", url("hide", proposal.pk), {"hide-reason": "x"}),
        ("post", url("restore", proposal.pk), {}),
        ("post", url("dismiss", proposal.pk), {}),
        ("post", url("merge", proposal.pk), {"merge-reason": "x"}),
        (
            "post",
            url("answer", proposal.pk),
            {"answer-outcome": "accepted", "answer-text": "x", "answer-language": "ar"},
        ),
        ("post", url("convert", proposal.pk), {"convert-note": "x"}),
        ("post", url("hide_comment", comment.pk), {"comment-reason": "x"}),
        ("post", url("restore_comment", comment.pk), {}),
        ("post", url("dismiss_comment", comment.pk), {}),
    ]


@pytest.mark.django_db
class AnotherBodysModeratorTestCase:
    def test_every_door_is_403(self, other_moderator, reported, proposal):
        client = staff_client(other_moderator)
        for method, door, data in doors(proposal, reported):
            assert getattr(client, method)(door, data).status_code == 403, door
        assert Proposal.objects.get(pk=proposal.pk).status == Status.PUBLISHED
        assert not Comment.objects.get(pk=reported.pk).is_hidden
        assert Report.objects.filter(resolved_at=None).count() == 3
        assert not ModerationEntry.objects.exists()

    def test_their_lists_show_nothing_of_this_body(self, other_moderator, reported, proposal, moderator):
        services.hide_comment(reported, moderator, "إساءة")
        client = staff_client(other_moderator)
        assert client.get(url("moderation")).context["targets"] == []
        assert not client.get(url("hidden")).context["comments"]
        assert not list(client.get(url("moderation_log")).context["page"])
        assert proposal.title not in client.get(url("index")).content.decode()

    def test_staff_without_the_moderator_role_see_no_queue(self, publisher, reported):
        client = staff_client(publisher)
        for name in ("moderation", "hidden", "offenders", "moderation_log"):
            assert client.get(url(name)).status_code == 403, name
        assert client.post(url("hide_comment", reported.pk), {"comment-reason": "x"}).status_code == 403

    def test_the_menu_shows_the_moderation_pages_to_moderators_only(self, moderator_client, publisher):
        assert url("moderation") in moderator_client.get("/admin/").content.decode()
        publisher_page = staff_client(publisher).get("/admin/").content.decode()
        assert url("index") in publisher_page and url("moderation") not in publisher_page


@pytest.mark.django_db
def test_the_queue_costs_the_same_queries_for_2_or_6_reported_comments(moderator_client, proposal, residents):
    def reported_comment(n):
        comment = services.comment(proposal, residents[n % 2], f"تعليق {n}", language="ar")
        services.report(residents[4], reason=Reason.SPAM, target=comment)

    for n in range(2):
        reported_comment(n)
    moderator_client.get(url("moderation"))  # the session and the menu's first reads
    with CaptureQueriesContext(connection) as few:
        moderator_client.get(url("moderation"))
    for n in range(2, 6):
        reported_comment(n)
    with CaptureQueriesContext(connection) as many:
        response = moderator_client.get(url("moderation"))
    assert len(response.context["targets"]) == 6
    assert len(many) == len(few)
