"""The forms and buttons of proposals through HTTP: writing (with its bad inputs), editing, supporting,
following, commenting and reporting; CSRF, honeypots and rate limits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from participation.proposals import forms as proposal_forms
from participation.proposals import services
from participation.proposals.models import Comment, Edit, Follow, Proposal, Report, Status, Support
from portal.accounts.models import Membership
from tests.factories import OrganisationFactory
from tests.ratelimits import rate_limits

from .conftest import INSIDE_NORTH, OUTSIDE
from .support import jpeg

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def new_url(space, language="en") -> str:
    return f"/{language}/proposals/spaces/{space.slug}/new/"


def form_data(**fields) -> dict:
    data = {
        "title": "Éclairer la rue de l'Indépendance",
        "text": "La rue est sombre le soir; des lampadaires la rendraient sûre.",
        "longitude": str(INSIDE_NORTH[0]),
        "latitude": str(INSIDE_NORTH[1]),
        "estimated_cost": "450000",
        "pseudonym": "",
        "website": "",
    }
    return {**data, **fields}


def errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(error) for field_errors in form.errors.values() for error in field_errors)


# Writing a proposal ---------------------------------------------------------------------------------------------


def test_a_resident_writes_a_proposal_through_the_form_with_csrf(space, author, category, north):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.post(new_url(space, "fr"), form_data()).status_code == 403  # no token
    token = client.get(new_url(space, "fr")).context["csrf_token"]
    photo = SimpleUploadedFile("rue.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(
        new_url(space, "fr"),
        {**form_data(category=category.pk), "files": [photo], "csrfmiddlewaretoken": str(token)},
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/fr/proposals/{proposal.pk}/"
    assert proposal.status == Status.PUBLISHED
    assert proposal.language == "fr"
    assert proposal.district == north  # found from the point
    assert proposal.category == category
    assert str(proposal.estimated_cost) == "450000.00"
    assert proposal.attachments.get().kind == "photo"
    assert Follow.objects.filter(proposal=proposal, user=author).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Éclairer la rue" in page
    assert "author@example.org" not in page


def test_writing_needs_an_account(client, space):
    response = client.get(new_url(space))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_closed_space_offers_no_form(client, space, author):
    space.opens_on = timezone.localdate().replace(year=2020)
    space.closes_on = space.opens_on
    space.save()
    client.force_login(author)
    response = client.get(new_url(space))
    assert response.status_code == 200
    assert "does not accept proposals now" in response.content.decode()
    client.post(new_url(space), form_data())
    assert not Proposal.objects.exists()


def test_script_in_the_title_the_text_and_a_file_name_is_escaped(client, space, author):
    client.force_login(author)
    name = '"><img src=x onerror=alert(1)>.pdf'
    response = client.post(
        new_url(space),
        {
            **form_data(title="<script>alert('t')</script>", text="<b onmouseover=alert(2)>texte</b>"),
            "files": [SimpleUploadedFile(name, PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302, errors(response)
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
    assert "<b onmouseover" not in page and "&lt;b onmouseover=alert(2)&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_text_file_named_like_a_photo_is_refused_clearly(client, space, author):
    client.force_login(author)
    fake = SimpleUploadedFile("photo.jpg", b"just some text, not an image\n" * 20, content_type="image/jpeg")
    response = client.post(new_url(space), {**form_data(), "files": [fake]})
    assert response.status_code == 200
    assert "“photo.jpg” is not an image that can be read." in errors(response)
    assert not Proposal.objects.exists()


def test_a_photo_over_the_limit_is_refused_before_it_is_read(client, space, author, settings, monkeypatch):
    settings.PROPOSALS_MAX_PHOTO_SIZE = 1000
    monkeypatch.setattr(proposal_forms, "uploads", lambda files: pytest.fail("the files were read"))
    client.force_login(author)
    big = SimpleUploadedFile("big.jpg", jpeg(400, 400) + b"\0" * 2000, content_type="image/jpeg")
    response = client.post(new_url(space), {**form_data(), "files": [big]})
    assert response.status_code == 200
    assert "“big.jpg” is larger than 1000" in errors(response)
    assert not Proposal.objects.exists()


def test_a_real_photo_larger_than_the_default_limit_is_refused(client, space, author, settings, monkeypatch):
    monkeypatch.setattr(proposal_forms, "uploads", lambda files: pytest.fail("the files were read"))
    client.force_login(author)
    huge = SimpleUploadedFile("huge.jpg", jpeg() + b"\0" * settings.PROPOSALS_MAX_PHOTO_SIZE, content_type="image/jpeg")
    response = client.post(new_url(space), {**form_data(), "files": [huge]})
    assert response.status_code == 200
    assert "“huge.jpg” is larger than" in errors(response)
    assert not Proposal.objects.exists()


def test_a_point_outside_the_territory_is_refused(client, space, author):
    client.force_login(author)
    response = client.post(new_url(space), form_data(longitude=str(OUTSIDE[0]), latitude=str(OUTSIDE[1])))
    assert response.status_code == 200
    assert "outside the territory" in errors(response)
    response = client.post(new_url(space), form_data(latitude=""))
    assert "longitude and the latitude" in errors(response)
    response = client.post(new_url(space), form_data(latitude="95"))
    assert "latitude" in response.context["form"].errors
    assert not Proposal.objects.exists()


def test_a_filled_honeypot_is_refused_and_nothing_is_saved(client, space, author):
    client.force_login(author)
    response = client.post(new_url(space), form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_an_author_writes_for_an_approved_association_they_belong_to(client, space, author, body):
    approved = OrganisationFactory(body=body, name="Association Horizon")
    pending = OrganisationFactory(body=body, name="Association en attente", status="pending")
    for organisation in (approved, pending):
        Membership.objects.create(organisation=organisation, user=author)
    client.force_login(author)
    choices = [
        str(label) for _value, label in client.get(new_url(space)).context["form"].fields["organisation"].choices
    ]
    assert "Association Horizon" in choices and "Association en attente" not in choices
    response = client.post(new_url(space), form_data(organisation=approved.pk))
    assert response.status_code == 302
    assert Proposal.objects.get().organisation == approved
    assert client.post(new_url(space), form_data(organisation=pending.pk)).status_code == 200


@rate_limits(proposal="2/h")
def test_writing_is_rate_limited(client, space, author):
    client.force_login(author)
    for number in range(2):
        client.post(new_url(space), form_data(title=f"Proposition {number}"))
    assert client.post(new_url(space), form_data(title="Une de trop")).status_code == 429
    assert Proposal.objects.count() == 2


# Editing --------------------------------------------------------------------------------------------------------


def test_the_author_edits_and_the_change_is_kept(client, proposal, author, residents):
    services.support(proposal, residents[0])
    client.force_login(author)
    url = f"/en/proposals/{proposal.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "إنارة شارع الاستقلال كاملا", "text": proposal.text})
    assert response.status_code == 302
    edit = Edit.objects.get()
    assert edit.old_title == "إنارة شارع الاستقلال" and edit.supports_at_edit == 1
    client.force_login(residents[0])
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "x", "text": "y"}).status_code == 403
    assert Edit.objects.count() == 1


# Supports ----------------------------------------------------------------------------------------------------------


def test_an_unverified_account_is_told_why_it_cannot_support(client, proposal, unverified):
    client.force_login(unverified)
    page = client.get(f"/en/proposals/{proposal.pk}/").content.decode()
    assert "Only residents whose identity the council has verified can support proposals." in page
    response = client.post(f"/en/proposals/{proposal.pk}/support/", follow=True)
    assert "Only residents whose identity is verified can support proposals." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.supports_count == 0


def test_a_visitor_is_asked_to_sign_in_to_support(client, proposal):
    assert "Sign in to support" in client.get(f"/en/proposals/{proposal.pk}/").content.decode()
    response = client.post(f"/en/proposals/{proposal.pk}/support/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_supporting_twice_counts_once_and_withdrawing_takes_it_back(client, proposal, residents):
    client.force_login(residents[0])
    url = f"/en/proposals/{proposal.pk}/support/"
    assert client.get(url).status_code == 405
    client.post(url)
    client.post(url)
    proposal.refresh_from_db()
    assert proposal.supports_count == 1 == Support.objects.count()
    page = client.get(f"/en/proposals/{proposal.pk}/").content.decode()
    assert "You support this proposal." in page and "Withdraw my support" in page
    client.post(url, {"action": "withdraw"})
    proposal.refresh_from_db()
    assert proposal.supports_count == 0 == Support.objects.count()


def test_a_closed_proposal_says_so(client, proposal, residents, publisher):
    services.answer(proposal, publisher, Status.REJECTED, "Hors budget.", language="fr")
    client.force_login(residents[0])
    page = client.get(f"/en/proposals/{proposal.pk}/").content.decode()
    assert "This proposal no longer gathers supports." in page
    client.post(f"/en/proposals/{proposal.pk}/support/")
    assert Support.objects.count() == 0


def test_following_and_unfollowing(client, proposal, residents):
    client.force_login(residents[0])
    client.post(f"/en/proposals/{proposal.pk}/follow/")
    assert Follow.objects.filter(proposal=proposal, user=residents[0]).exists()
    client.post(f"/en/proposals/{proposal.pk}/follow/", {"action": "unfollow"})
    assert not Follow.objects.filter(proposal=proposal, user=residents[0]).exists()


# Comments and reports ---------------------------------------------------------------------------------------------


def test_a_comment_and_a_reply_are_published(client, proposal, residents):
    client.force_login(residents[0])
    url = f"/en/proposals/{proposal.pk}/comment/"
    response = client.post(url, {"text": "<script>x()</script> Bonne idée"})
    first = Comment.objects.get()
    assert response["Location"].endswith(f"#comment-{first.pk}")
    client.post(url, {"text": "Je confirme", "parent": first.pk})
    reply = Comment.objects.exclude(pk=first.pk).get()
    assert reply.parent == first
    page = client.get(f"/en/proposals/{proposal.pk}/").content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt; Bonne idée" in page
    assert f"/en/proposals/comments/{first.pk}/edit/" in page  # within the edit window


def test_a_comment_with_a_filled_honeypot_is_refused(client, proposal, residents):
    client.force_login(residents[0])
    response = client.post(f"/en/proposals/{proposal.pk}/comment/", {"text": "Achetez", "website": "x"})
    assert response.status_code == 400
    assert not Comment.objects.exists()


@rate_limits(**{"proposal.comment": "2/h"})
def test_comments_are_rate_limited(client, proposal, residents):
    client.force_login(residents[0])
    url = f"/en/proposals/{proposal.pk}/comment/"
    for number in range(2):
        assert client.post(url, {"text": f"Commentaire {number}"}).status_code == 302
    response = client.post(url, {"text": "Un de trop"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Comment.objects.count() == 2


def test_the_author_corrects_a_comment_within_the_window_only(client, proposal, residents, time_machine):
    made = services.comment(proposal, residents[0], "Premier jet", language="fr")
    url = f"/en/proposals/comments/{made.pk}/edit/"
    client.force_login(residents[1])
    assert client.get(url).status_code == 404
    client.force_login(residents[0])
    assert client.post(url, {"text": "Version corrigée"}).status_code == 302
    made.refresh_from_db()
    assert made.text == "Version corrigée" and made.edited_at
    time_machine.move_to(timezone.now() + timezone.timedelta(hours=2))
    response = client.post(url, {"text": "Trop tard"})
    assert "can no longer be edited" in errors(response)


def test_a_proposal_and_a_comment_are_reported_with_a_reason(client, proposal, residents):
    made = services.comment(proposal, residents[1], "Spam spam", language="fr")
    client.force_login(residents[0])
    url = f"/en/proposals/{proposal.pk}/report/"
    client.post(url, {"reason": "duplicate", "details": "Voir P-00002"})
    client.post(url, {"reason": "spam", "comment": made.pk})
    response = client.post(url, {"reason": "spam", "comment": made.pk}, follow=True)
    assert "You have reported this already." in response.content.decode()
    assert Report.objects.filter(proposal=proposal, reason="duplicate").exists()
    assert Report.objects.filter(comment=made, reason="spam").count() == 1
    assert client.post(url, {"reason": "not-a-reason"}).status_code == 302
    assert Report.objects.count() == 2


def test_a_member_comments_on_behalf_of_an_approved_association(client, proposal, residents, body):
    association = OrganisationFactory(body=body, name="Association Horizon")
    Membership.objects.create(organisation=association, user=residents[0])
    stranger = OrganisationFactory(body=body, name="Autre association")
    client.force_login(residents[0])
    assert "Association Horizon" in client.get(f"/en/proposals/{proposal.pk}/").content.decode()
    url = f"/en/proposals/{proposal.pk}/comment/"
    client.post(url, {"text": "Nous soutenons", "organisation": association.pk})
    assert Comment.objects.get().organisation == association
    assert client.post(url, {"text": "Usurpation", "organisation": stranger.pk}).status_code == 403
    assert Comment.objects.count() == 1


def test_an_edit_with_script_is_escaped_in_the_diff(client, proposal, author):
    client.force_login(author)
    client.post(f"/en/proposals/{proposal.pk}/edit/", {"title": "<script>alert(1)</script>", "text": proposal.text})
    page = client.get(f"/en/proposals/{proposal.pk}/").content.decode()
    assert "<script>alert(1)" not in page
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in page


def test_the_form_asks_the_search_for_similar_proposals_while_typing(client, space, author):
    client.force_login(author)
    page = client.get(new_url(space)).content.decode()
    assert 'id="similar"' in page and 'data-search="/api/v1/search/"' in page
    assert "/static/js/similar-proposals.js" in page
