"""The public pages of proposals as visitors read them: the list (filters, orders, pages), the map and its GeoJSON,
a space's page and feed, a proposal's page with its history; and what the public never sees (drafts, hidden
proposals, hidden comments' text, anyone's email)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation.proposals import services, views
from participation.proposals.models import Proposal, Space, Status
from portal.accounts.models import Notification
from tests.factories import OrganisationFactory, UserFactory

from .conftest import INSIDE_NORTH, INSIDE_SOUTH, write
from .support import jpeg

INDEX = "/fr/proposals/"


def bulk(space, author, count: int, **fields) -> list[Proposal]:
    """`count` published proposals, straight into the table (the list reads only what is stored)."""
    now = timezone.now()
    rows = [
        Proposal(
            space=space,
            author=author,
            title=fields.get("title", f"Proposition numéro {number}"),
            text="Texte",
            language="fr",
            status=fields.get("status", Status.PUBLISHED),
            published_at=now - timedelta(minutes=number),
            supports_count=fields.get("supports_count", 0),
            longitude=fields.get("longitude"),
            latitude=fields.get("latitude"),
        )
        for number in range(count)
    ]
    return Proposal.objects.bulk_create(rows)


def titles(response) -> list[str]:
    return [proposal.title for proposal in response.context["page_obj"]]


@pytest.fixture
def photo() -> bytes:
    return jpeg()


@pytest.fixture
def pseudonymous(space, residents, category, south):
    return write(
        space,
        residents[0],
        title="Un jardin pour les enfants",
        text="Aménager le terrain vague.",
        language="fr",
        pseudonym="Voisin du sud",
        category=category,
        longitude=INSIDE_SOUTH[0],
        latitude=INSIDE_SOUTH[1],
    )


# The list ------------------------------------------------------------------------------------------------------


def test_the_list_shows_public_proposals_with_their_signature_and_counts(client, proposal, pseudonymous, author):
    draft = write(proposal.space, author, title="Brouillon secret", publish=False)
    response = client.get(INDEX)
    page = response.content.decode()
    assert response.status_code == 200
    assert set(titles(response)) == {proposal.title, pseudonymous.title}
    assert draft.title not in page
    assert "Voisin du sud" in page
    assert "resident0" not in page and "@example.org" not in page
    assert 'dir="auto"' in page and 'lang="fr"' in page
    assert "Proposals" in page or "Propositions" in page


def test_the_list_filters_by_space_category_district_status_and_words(client, proposal, pseudonymous, north, south):
    assert titles(client.get(INDEX, {"district": south.pk})) == [pseudonymous.title]
    assert titles(client.get(INDEX, {"district": north.pk})) == [proposal.title]
    assert set(titles(client.get(INDEX, {"space": proposal.space.slug, "category": proposal.category_id}))) == {
        proposal.title,
        pseudonymous.title,
    }
    assert titles(client.get(INDEX, {"status": Status.ACCEPTED})) == []
    assert titles(client.get(INDEX, {"q": "jardin"})) == [pseudonymous.title]
    assert titles(client.get(INDEX, {"q": "introuvable"})) == []


def options(page: str, name: str) -> dict[str, str]:
    """The options of the filter form's select `name`: value to label, "*" after the label of the chosen one."""
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return {
        value: label + ("*" if selected else "")
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    }


def test_the_filter_offers_every_space_category_and_district_and_marks_the_chosen(client, space, north, south):
    page = client.get(INDEX).content.decode()
    assert options(page, "space") == {"": "Tous*", space.slug: "Idées pour Blida"}
    assert options(page, "district") == {"": "Tous*", str(north.pk): "Nord", str(south.pk): "Sud"}
    assert set(options(page, "category")) == {"", *(str(pk) for pk in space.categories.values_list("pk", flat=True))}
    chosen = client.get(INDEX, {"space": space.slug, "district": south.pk, "status": Status.ACCEPTED}).content.decode()
    assert options(chosen, "space")[space.slug] == "Idées pour Blida*"
    assert options(chosen, "district") == {"": "Tous", str(north.pk): "Nord", str(south.pk): "Sud*"}
    assert options(chosen, "status")[Status.ACCEPTED] == f"{Status.ACCEPTED.label}*"


def test_a_new_or_renamed_space_category_or_district_is_offered_at_once(client, space, north, other_body):
    client.get(INDEX)
    client.get(INDEX, {"space": space.slug})
    space.categories.create(slug="pistes", name_ar="مسالك", name_fr="Pistes <cyclables>")
    north.name_fr = "Nord-Est"
    north.save()
    Space.objects.create(
        body=other_body,
        slug="idees-tipaza",
        title_ar="اقتراحات تيبازة",
        title_fr="Idées pour Tipaza",
        support_threshold=3,
    )
    for query in ({}, {"space": space.slug}):
        page = client.get(INDEX, query).content.decode()
        assert "Pistes &lt;cyclables&gt;" in options(page, "category").values()
        assert "Nord-Est" in options(page, "district").values()
        assert "Idées pour Tipaza" in options(page, "space").values()


def test_once_cached_the_filters_options_cost_no_query(client, space, north, django_assert_num_queries):
    client.get(INDEX)
    # The proposals counted (none: no page of them to read) and the open spaces; the frame and the options: none.
    with django_assert_num_queries(2):
        page = client.get(INDEX).content.decode()
    assert "Nord" in options(page, "district").values()


def test_the_words_use_the_portals_search(client, proposal, pseudonymous, monkeypatch):
    monkeypatch.setattr(views, "matching_ids", lambda kind, q: [str(proposal.pk)] if kind == "proposal" else [])
    assert titles(client.get(INDEX, {"q": "lumière"})) == [proposal.title]


def test_bad_filters_are_ignored_not_errors(client, proposal):
    for query in [
        {"space": "nope"},
        {"district": "abc"},
        {"category": "999999"},
        {"status": "draft"},
        {"sort": "bogus"},
        {"page": "x"},
        {"q": "'\"()*"},
    ]:
        response = client.get(INDEX, query)
        assert response.status_code == 200, query


def test_the_list_sorts_by_supports_and_comments(client, space, author):
    quiet, loud, talked = bulk(space, author, 3)
    Proposal.objects.filter(pk=loud.pk).update(supports_count=40)
    Proposal.objects.filter(pk=talked.pk).update(comments_count=12, supports_count=3)
    assert titles(client.get(INDEX, {"sort": "supported"}))[:2] == [loud.title, talked.title]
    assert titles(client.get(INDEX, {"sort": "commented"}))[0] == talked.title
    assert titles(client.get(INDEX))[0] == quiet.title  # the most recent first


def test_the_list_pages_without_javascript_in_a_constant_number_of_queries(
    client, space, author, body, residents, no_page_cache
):
    bulk(space, author, 45)
    client.get(INDEX, {"space": space.slug})  # the page's frame and the filter's options, cached until a change
    with CaptureQueriesContext(connection) as few:
        first = client.get(INDEX, {"space": space.slug})
    assert len(first.context["page_obj"]) == views.PER_PAGE
    assert first.context["page_obj"].paginator.count == 45
    page = first.content.decode()
    assert 'rel="next"' in page and f"space={space.slug}" in page
    association = OrganisationFactory(body=body)
    for resident in residents:
        write(space, resident, category=space.categories.get(), organisation=None, pseudonym="P")
    Proposal.objects.filter(author=author).update(organisation=association)
    client.get(INDEX, {"space": space.slug})
    with CaptureQueriesContext(connection) as more:
        client.get(INDEX, {"space": space.slug})
    # The chosen space (read and checked), the proposals counted, their ids, those of the page with their space,
    # category, district, association and author, the open spaces; the frame and the options come from the cache.
    assert len(more.captured_queries) == len(few.captured_queries) <= 7
    last = client.get(INDEX, {"space": space.slug, "page": 3})
    assert len(last.context["page_obj"]) == 10


# The map -------------------------------------------------------------------------------------------------------


def test_the_map_page_embeds_no_point_list_and_says_how_many_it_shows(client, proposal, north):
    response = client.get("/fr/proposals/map/", {"space": proposal.space.slug})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="districts-geojson"' in page
    assert "map.geojson?space=" in page
    assert "2\u00a0000" in page or "2 000" in page or "2000" in page
    assert "<noscript>" in page


def test_the_geojson_answers_the_points_within_the_box_with_the_filters(client, proposal, pseudonymous):
    everything = client.get("/fr/proposals/map.geojson").json()
    assert {feature["properties"]["id"] for feature in everything["features"]} == {proposal.pk, pseudonymous.pk}
    assert everything["truncated"] is False
    feature = next(item for item in everything["features"] if item["properties"]["id"] == proposal.pk)
    assert feature["geometry"]["coordinates"] == list(INSIDE_NORTH)
    assert feature["properties"]["url"] == proposal.get_absolute_url().replace("/en/", "/fr/")
    north_box = client.get("/fr/proposals/map.geojson", {"bbox": "3.0,36.4,3.02,36.42"}).json()
    assert [item["properties"]["id"] for item in north_box["features"]] == [proposal.pk]
    filtered = client.get("/fr/proposals/map.geojson", {"q": "jardin"}).json()
    assert [item["properties"]["id"] for item in filtered["features"]] == [pseudonymous.pk]


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "3,36,2,37", "0,-100,1,1", "1,2,3,4,5"])
def test_a_bad_box_is_a_400(client, bbox):
    assert client.get("/fr/proposals/map.geojson", {"bbox": bbox}).status_code == 400


def test_the_geojson_is_capped_to_the_most_supported(client, space, author, monkeypatch):
    monkeypatch.setattr(views, "MAP_LIMIT", 3)
    made = bulk(space, author, 5, longitude=3.01, latitude=36.41)
    for number, proposal in enumerate(made):
        Proposal.objects.filter(pk=proposal.pk).update(supports_count=number)
    answer = client.get("/fr/proposals/map.geojson").json()
    assert answer["truncated"] is True
    assert [item["properties"]["supports"] for item in answer["features"]] == [4, 3, 2]


# A space -------------------------------------------------------------------------------------------------------


def test_the_space_page_shows_its_rules_categories_districts_and_proposals(client, space, proposal):
    space.rules_fr = "Une proposition par personne et par mois."
    space.save()
    response = client.get(f"/fr/proposals/spaces/{space.slug}/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in ["Une proposition par personne", "Éclairage", "Nord", "Sud", proposal.title, "/feed/"]:
        assert text in page, text
    assert client.get("/fr/proposals/spaces/nope/").status_code == 404


def test_the_space_feed_lists_public_proposals_without_addresses(client, space, proposal, pseudonymous, author):
    write(space, author, title="Brouillon du fil", publish=False)
    response = client.get(f"/fr/proposals/spaces/{space.slug}/feed/")
    feed = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert proposal.title in feed and pseudonymous.title in feed
    assert "Brouillon du fil" not in feed
    assert "@" not in re.sub(r"<\?xml[^>]*>", "", feed).replace("xmlns", "")
    assert "Voisin du sud" in feed


# A proposal ------------------------------------------------------------------------------------------------------


def test_the_page_shows_everything_public_with_the_history_and_the_diff(client, proposal, author, residents, publisher):
    services.support(proposal, residents[0])
    services.edit(
        proposal, author, title="إنارة شارع الاستقلال والحديقة", text="نقترح تركيب إنارة عمومية في الشارع والحديقة."
    )
    services.answer(proposal, publisher, Status.EVALUATING, "Le service technique étudie la demande.", language="fr")
    Proposal.objects.filter(pk=proposal.pk).update(estimated_cost="1250000.50")
    response = client.get(f"/fr/proposals/{proposal.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<ins> والحديقة</ins>" in page
    assert "<del>الشارع.</del><ins>الشارع والحديقة.</ins>" in page
    assert "1 soutien" in page or "1 support" in page
    assert "Le service technique étudie la demande." in page
    assert "1\u202f250\u202f000,50" in page or "1\u00a0250\u00a0000,50" in page
    assert "DA" in page
    assert "@example.org" not in page
    history = response.context["history"]
    assert [entry.kind for entry in history] == ["move", "edit", "move"]
    assert history[1].edit.supports_at_edit == 1


def test_an_association_signs_with_its_verified_badge(client, space, author, body):
    association = OrganisationFactory(body=body, name="Association Horizon", status="approved")
    association.memberships.create(user=author, role="admin")
    proposal = write(space, author, title="Nettoyer l'oued", language="fr", organisation=association)
    page = client.get(f"/fr/proposals/{proposal.pk}/").content.decode()
    assert "Association Horizon" in page
    assert "badge--verified" in page
    assert "Amina" not in page  # the author's own name stays behind the association's


def test_a_hidden_comment_shows_only_its_reason(client, proposal, residents, moderator):
    kept = services.comment(proposal, residents[0], "Très bonne idée", language="fr")
    hidden = services.comment(proposal, residents[1], "Texte insultant caché", language="fr")
    reply = services.comment(proposal, residents[2], "Je réponds", language="fr", parent=kept)
    services.hide_comment(hidden, moderator, "Propos insultants")
    page = client.get(f"/fr/proposals/{proposal.pk}/").content.decode()
    assert "Très bonne idée" in page and "Je réponds" in page
    assert "Texte insultant caché" not in page
    assert "Propos insultants" in page
    # The reply is nested inside its parent's item.
    assert page.index(f'id="comment-{kept.pk}"') < page.index(f'id="comment-{reply.pk}"')
    assert page.index(f'id="comment-{reply.pk}"') < page.index(f'id="comment-{hidden.pk}"')


def test_a_merged_proposal_links_to_the_one_that_carries_on(client, proposal, space, residents, moderator):
    duplicate = write(space, residents[0], title="Éclairer la rue de l'Indépendance", language="fr")
    services.merge(duplicate, proposal, moderator, "Même demande")
    page = client.get(f"/fr/proposals/{duplicate.pk}/").content.decode()
    assert proposal.get_absolute_url().replace("/en/", "/fr/") in page or f"/fr/proposals/{proposal.pk}/" in page


def test_drafts_and_hidden_proposals_are_404_for_others_but_seen_by_their_author(
    client, space, author, residents, moderator, proposal
):
    draft = write(space, author, title="Mon brouillon", publish=False)
    services.hide_proposal(proposal, moderator, "Signalée")
    for hidden in (draft, proposal):
        assert client.get(f"/fr/proposals/{hidden.pk}/").status_code == 404
        client.force_login(residents[0])
        assert client.get(f"/fr/proposals/{hidden.pk}/").status_code == 404
        assert client.post(f"/fr/proposals/{hidden.pk}/comment/", {"text": "x"}).status_code == 404
        client.force_login(author)
        assert client.get(f"/fr/proposals/{hidden.pk}/").status_code == 200
        client.logout()
    listed = client.get(INDEX)
    assert titles(listed) == []
    assert client.get("/fr/proposals/map.geojson").json()["features"] == []


def test_a_photo_is_served_for_a_public_proposal_only(client, space, author, photo):
    proposal = write(space, author, uploads=[services.Upload("rue.jpg", photo)])
    item = proposal.attachments.get()
    response = client.get(f"/fr/proposals/{proposal.pk}/files/{item.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "sandbox" in response["Content-Security-Policy"]
    assert (
        f"/fr/proposals/{proposal.pk}/files/{item.pk}/" in client.get(f"/fr/proposals/{proposal.pk}/").content.decode()
    )
    draft = write(space, author, publish=False, uploads=[services.Upload("brouillon.jpg", photo)])
    assert client.get(f"/fr/proposals/{draft.pk}/files/{draft.attachments.get().pk}/").status_code == 404


# The person's notifications ---------------------------------------------------------------------------------------


def test_the_notifications_page_lists_them_and_marks_them_read(client, author):
    Notification.objects.create(user=author, subject="P-00001 : sous étude", url="https://example.org/fr/p/1/")
    Notification.objects.create(user=UserFactory(), subject="Pas pour vous")
    client.force_login(author)
    profile = client.get("/fr/accounts/profile/").content.decode()
    assert "/fr/accounts/notifications/" in profile
    response = client.get("/fr/accounts/notifications/")
    page = response.content.decode()
    assert "P-00001 : sous étude" in page and "Pas pour vous" not in page
    assert response.context["unread"]
    assert not Notification.objects.filter(user=author, read_at=None).exists()
    assert not client.get("/fr/accounts/notifications/").context["unread"]
    client.logout()
    assert client.get("/fr/accounts/notifications/").status_code == 302


def test_the_profile_says_whether_the_person_is_verified(client, author, unverified):
    client.force_login(author)
    assert "Blida" in client.get("/fr/accounts/profile/").content.decode()
    client.force_login(unverified)
    with_counter = client.get("/fr/accounts/profile/").content.decode()
    assert 'id="verification"' in with_counter
    assert "Blida" not in with_counter


def test_every_page_answers_in_arabic_right_to_left(client, proposal, pseudonymous, residents, space):
    services.comment(proposal, residents[1], "فكرة جيدة", language="ar")
    client.force_login(residents[0])
    for path in [
        "/ar/proposals/",
        "/ar/proposals/?sort=supported&status=published",
        "/ar/proposals/map/",
        f"/ar/proposals/spaces/{space.slug}/",
        f"/ar/proposals/spaces/{space.slug}/new/",
        f"/ar/proposals/{proposal.pk}/",
        f"/ar/proposals/{pseudonymous.pk}/edit/",
        "/ar/accounts/notifications/",
        "/ar/accounts/profile/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="ar" dir="rtl">' in response.content.decode(), path


def test_a_long_discussion_costs_no_more_queries(client, proposal, residents, moderator):
    def queries() -> int:
        client.get(f"/fr/proposals/{proposal.pk}/")  # the page's frame, cached again after the writes
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/fr/proposals/{proposal.pk}/").status_code == 200
        return len(captured.captured_queries)

    association = OrganisationFactory(body=proposal.space.body)
    association.memberships.create(user=residents[4])
    first = services.comment(proposal, residents[0], "Premier", language="fr")
    client.force_login(residents[1])
    few = queries()
    for number, resident in enumerate(residents):
        made = services.comment(proposal, resident, f"Avis {number}", language="fr", parent=first)
        services.comment(proposal, resident, f"Réponse {number}", language="fr", parent=made, organisation=None)
        services.support(proposal, resident)
    services.comment(proposal, residents[4], "Au nom de l'association", language="fr", organisation=association)
    services.hide_comment(first, moderator, "Hors sujet")
    assert queries() == few


def test_the_contracts_names_reverse_under_the_language_prefix(space):
    from django.urls import reverse
    from django.utils import translation

    with translation.override("ar"):
        assert reverse("proposals:index") == "/ar/proposals/"
        assert reverse("proposals:moderation_log") == "/ar/proposals/moderation/"
        assert reverse("proposals:geojson") == "/ar/proposals/map.geojson"
        assert reverse("accounts:notifications") == "/ar/accounts/notifications/"
