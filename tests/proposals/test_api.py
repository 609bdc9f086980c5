"""The proposals' REST API: the public list with the list page's filters, one proposal, its discussion, and
supports by a verified person authenticated by token."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from participation.proposals import services
from participation.proposals.models import Status, Support
from portal.accounts.models import Membership
from search.indexing import refresh_entries
from tests.factories import OrganisationFactory
from tests.ratelimits import rate_limits

from .conftest import INSIDE_NORTH, verified, write

pytestmark = pytest.mark.usefixtures("no_page_cache")

LIST = "/api/v1/proposals/"


def detail_url(proposal) -> str:
    return f"{LIST}{proposal.uuid}/"


def support_url(proposal) -> str:
    return f"{LIST}{proposal.uuid}/support/"


def token_client(user) -> Client:
    return Client(headers={"Authorization": f"Token {Token.objects.create(user=user).key}"})


@pytest.fixture
def world(space, category, author, residents, publisher, moderator, south):
    """Public proposals of every kind the list shows, and some it must not show."""
    lighting = write(
        space,
        author,
        title="إنارة شارع الاستقلال",
        category=category,
        longitude=INSIDE_NORTH[0],
        latitude=INSIDE_NORTH[1],
        pseudonym="Abou Nour",
    )
    bench = write(
        space,
        residents[0],
        title="Des bancs au jardin public",
        text="Installer des bancs à l'ombre dans le jardin du quartier sud.",
        language="fr",
        district=south,
        estimated_cost=Decimal("125000.50"),
    )
    services.support(bench, residents[1])
    services.support(bench, residents[2])
    services.comment(bench, residents[1], "Bonne idée, surtout pour les personnes âgées.", language="fr")
    answered = write(space, residents[3], title="ملعب جواري في الحي الشمالي", text="ملعب لكرة القدم للشباب.")
    services.answer(answered, publisher, Status.ACCEPTED, "قبل المجلس الاقتراح وسيدرج في ميزانية 2027.", language="ar")
    draft = write(space, author, title="Brouillon secret", publish=False)
    hidden = write(space, residents[4], title="Texte injurieux")
    services.hide_proposal(hidden, moderator, "Propos injurieux.")
    return {"lighting": lighting, "bench": bench, "answered": answered, "draft": draft, "hidden": hidden}


class ProposalListTestCase:
    def test_it_lists_the_public_proposals_newest_first(self, client, world):
        response = client.get(LIST)
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == 3
        assert [item["title"] for item in data["results"]] == [
            world["answered"].title,
            world["bench"].title,
            world["lighting"].title,
        ]
        assert set(data) == {"count", "next", "previous", "results"}

    def test_it_says_what_the_public_page_says(self, client, world):
        bench = world["bench"]
        item = client.get(detail_url(bench)).json()
        assert item["id"] == str(bench.uuid)
        assert item["reference"] == bench.reference
        assert item["url"] == f"http://testserver/ar/proposals/{bench.pk}/"
        assert item["space"] == "idees-blida"
        assert (item["language"], item["district"], item["category"]) == ("fr", "sud", None)
        assert (item["estimated_cost"], item["currency"]) == ("125000.50", "DZD")
        assert (item["supports_count"], item["comments_count"]) == (2, 1)
        assert item["status"] == "published"
        assert item["point"] is None
        assert item["answers"] == [] and item["merged_into"] is None
        assert item["published_at"] and item["answer_due"] is None

    def test_a_point_is_geojson(self, client, world):
        item = client.get(detail_url(world["lighting"])).json()
        assert item["point"] == {"type": "Point", "coordinates": list(INSIDE_NORTH)}
        assert item["category"] == "eclairage" and item["district"] == "nord"

    def test_the_official_answers_are_public(self, client, world):
        item = client.get(detail_url(world["answered"])).json()
        assert item["status"] == "accepted"
        [answer] = item["answers"]
        assert answer["outcome"] == "accepted"
        assert answer["text"].startswith("قبل المجلس")
        assert answer["language"] == "ar" and answer["date"]

    def test_no_personal_data(self, client, world, author, residents):
        author.first_name, author.last_name = "Zoubir", "Hamidi"
        author.save()
        text = client.get(LIST).content.decode()
        for person in [author, *residents]:
            assert person.email not in text
        assert client.get(detail_url(world["lighting"])).json()["author"] == {"name": "Abou Nour", "organisation": None}
        assert author.get_full_name() not in text  # behind the pseudonym

    def test_an_association_signs_as_itself(self, client, space, author):
        association = OrganisationFactory(name="Association El Amel", slug="el-amel", body=space.body)
        Membership.objects.create(organisation=association, user=author, role=Membership.Role.ADMIN)
        proposal = write(space, author, title="Nettoyage de l'oued", language="fr", organisation=association)
        item = client.get(detail_url(proposal)).json()
        assert item["author"] == {"name": "Association El Amel", "organisation": {"slug": "el-amel", "verified": True}}

    def test_drafts_and_hidden_proposals_are_not_found(self, client, world):
        for name in ("draft", "hidden"):
            response = client.get(detail_url(world[name]))
            assert response.status_code == 404
            assert response["Content-Type"] == "application/problem+json"
        assert client.get(f"{LIST}{uuid.uuid4()}/").status_code == 404
        assert client.get(f"{LIST}not-a-uuid/").status_code == 404

    def test_it_filters_like_the_list_page(self, client, world, other_body):
        def titles(**params):
            response = client.get(LIST, params)
            assert response.status_code == 200, response.content
            return {item["title"] for item in response.json()["results"]}

        assert titles(space="idees-blida") == {world[name].title for name in ("lighting", "bench", "answered")}
        assert titles(space="elsewhere") == set()
        assert titles(category="eclairage") == {world["lighting"].title}
        assert titles(district="sud") == {world["bench"].title}
        assert titles(status="accepted") == {world["answered"].title}
        assert titles(status="published", district="nord") == {world["lighting"].title}

    def test_it_sorts_like_the_list_page(self, client, world):
        supported = client.get(LIST, {"sort": "supported"}).json()["results"]
        assert supported[0]["title"] == world["bench"].title
        commented = client.get(LIST, {"sort": "commented"}).json()["results"]
        assert commented[0]["title"] == world["bench"].title

    def test_q_finds_words_through_the_portal_search(self, client, world):
        refresh_entries(["proposal"])
        found = client.get(LIST, {"q": "انارة"}).json()["results"]  # no hamza, no article: still found
        assert [item["title"] for item in found] == [world["lighting"].title]
        assert client.get(LIST, {"q": "banc"}).json()["count"] == 1
        assert client.get(LIST, {"q": "injurieux"}).json()["count"] == 0  # hidden: not in the search
        assert client.get(LIST, {"q": "Brouillon"}).json()["count"] == 0

    @pytest.mark.parametrize(
        "params",
        [{"status": "draft"}, {"status": "moderation"}, {"sort": "oldest"}, {"page": "0"}, {"q": "x" * 5000}],
    )
    def test_bad_parameters_are_a_problem(self, client, world, params):
        response = client.get(LIST, params)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert set(response.json()["errors"]) <= set(params) | {"q"}

    def test_a_page_costs_the_same_queries_however_many_proposals(
        self, client, world, space, residents, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(3):
            client.get(LIST)
        for n in range(5):
            write(space, residents[n % 5], title=f"Proposition {n}", language="fr")
        with django_assert_max_num_queries(3):
            assert client.get(LIST).json()["count"] == 8


class CommentsTestCase:
    @pytest.fixture
    def discussion(self, world, residents, moderator):
        bench = world["bench"]
        first = bench.comments.get()
        reply = services.comment(bench, residents[2], "Et des poubelles aussi.", language="fr", parent=first)
        rude = services.comment(bench, residents[3], "Texte grossier visant une voisine.", language="fr")
        services.hide_comment(rude, moderator, "Propos injurieux envers une personne.")
        return bench, first, reply, rude

    def test_it_threads_the_discussion_oldest_first(self, client, discussion):
        bench, first, reply, rude = discussion
        data = client.get(f"{detail_url(bench)}comments/").json()
        assert data["count"] == 3
        first_item, reply_item, rude_item = data["results"]
        assert (first_item["id"], first_item["parent"]) == (first.pk, None)
        assert (reply_item["id"], reply_item["parent"]) == (reply.pk, first.pk)
        assert reply_item["text"] == "Et des poubelles aussi." and reply_item["language"] == "fr"
        assert reply_item["hidden"] is False and reply_item["hidden_reason"] is None
        assert set(reply_item["author"]) == {"name", "organisation"}

    def test_a_hidden_comment_shows_only_its_reason(self, client, discussion, residents):
        bench, _first, _reply, rude = discussion
        residents[3].first_name, residents[3].last_name = "Omar", "Belkacem"
        residents[3].save()
        response = client.get(f"{detail_url(bench)}comments/")
        item = response.json()["results"][2]
        assert item["hidden"] is True
        assert item["hidden_reason"] == "Propos injurieux envers une personne."
        assert item["text"] is None and item["author"] is None and item["language"] is None
        assert "grossier" not in response.content.decode()
        assert residents[3].get_full_name() not in response.content.decode()

    def test_no_email_reaches_the_discussion(self, client, discussion, residents):
        text = client.get(f"{detail_url(discussion[0])}comments/").content.decode()
        assert not any(person.email in text for person in residents)

    def test_the_discussion_of_a_hidden_proposal_is_not_found(self, client, world):
        assert client.get(f"{detail_url(world['hidden'])}comments/").status_code == 404

    def test_it_is_paginated(self, client, discussion):
        data = client.get(f"{detail_url(discussion[0])}comments/", {"page_size": 2}).json()
        assert len(data["results"]) == 2 and data["next"]

    def test_it_costs_a_few_queries(self, client, discussion, django_assert_max_num_queries):
        with django_assert_max_num_queries(3):
            client.get(f"{detail_url(discussion[0])}comments/")


class SupportTestCase:
    def test_a_verified_resident_supports_and_withdraws_by_token(self, proposal, residents):
        client = token_client(residents[0])
        response = client.post(support_url(proposal))
        assert response.status_code == 200
        assert response.json() == {"supports_count": 1, "supported": True}
        assert client.post(support_url(proposal)).json() == {"supports_count": 1, "supported": True}
        assert Support.objects.filter(proposal=proposal).count() == 1
        response = client.delete(support_url(proposal))
        assert response.json() == {"supports_count": 0, "supported": False}
        assert client.delete(support_url(proposal)).json() == {"supports_count": 0, "supported": False}

    def test_anonymous_is_unauthorised(self, client, proposal):
        for method in (client.post, client.delete):
            response = method(support_url(proposal))
            assert response.status_code == 401
            assert response["Content-Type"] == "application/problem+json"
            assert response["WWW-Authenticate"] == "Token"
        assert Client(headers={"Authorization": "Token not-a-token"}).post(support_url(proposal)).status_code == 401
        assert not Support.objects.exists()

    def test_a_session_is_not_enough(self, client, proposal, residents):
        client.force_login(residents[0])
        assert client.post(support_url(proposal)).status_code == 401
        assert not Support.objects.exists()

    def test_an_unverified_account_is_forbidden_with_the_reason(self, proposal, unverified):
        response = token_client(unverified).post(support_url(proposal), headers={"Accept-Language": "en"})
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
        assert "verified" in response.json()["detail"]
        assert not Support.objects.exists()

    def test_a_closed_proposal_refuses_supports(self, proposal, residents, publisher):
        services.answer(proposal, publisher, Status.REJECTED, "Hors budget.", language="fr")
        response = token_client(residents[0]).post(support_url(proposal), headers={"Accept-Language": "en"})
        assert response.status_code == 409
        assert response.json()["detail"] == "This proposal does not accept supports now."
        assert not Support.objects.exists()

    def test_a_closed_space_refuses_withdrawals(self, proposal, residents, space):
        client = token_client(residents[0])
        client.post(support_url(proposal))
        space.opens_on = space.opens_on.replace(year=space.opens_on.year - 1)
        space.closes_on = space.opens_on
        space.save()
        response = client.delete(support_url(proposal))
        assert response.status_code == 409
        assert Support.objects.count() == 1

    def test_drafts_and_unknown_proposals_are_not_found(self, space, author, residents):
        draft = write(space, author, publish=False)
        client = token_client(residents[0])
        assert client.post(support_url(draft)).status_code == 404
        assert client.post(f"{LIST}{uuid.uuid4()}/support/").status_code == 404

    def test_other_methods_are_not_allowed(self, proposal, residents):
        client = token_client(residents[0])
        assert client.get(support_url(proposal)).status_code == 405
        assert client.put(support_url(proposal)).status_code == 405

    def test_reaching_the_threshold_moves_the_proposal(self, proposal, residents):
        for resident in residents[:3]:
            token_client(resident).post(support_url(proposal))
        proposal.refresh_from_db()
        assert proposal.status == Status.THRESHOLD_REACHED and proposal.answer_due is not None

    def test_supports_are_rate_limited_per_person(self, proposal, residents):
        client = token_client(residents[0])
        with rate_limits(**{"proposal.support": "2/m"}):
            statuses = [client.post(support_url(proposal)).status_code for _ in range(4)]
            assert token_client(residents[1]).post(support_url(proposal)).status_code == 200
        assert statuses == [200, 200, 429, 429]

    def test_a_hidden_proposal_is_not_found(self, proposal, residents, moderator):
        services.hide_proposal(proposal, moderator, "Propos injurieux.")
        assert token_client(residents[0]).post(support_url(proposal)).status_code == 404
        assert not Support.objects.exists()

    def test_a_closed_space_refuses_supports(self, proposal, residents, space):
        space.opens_on = space.opens_on.replace(year=space.opens_on.year - 1)
        space.closes_on = space.opens_on
        space.save()
        response = token_client(residents[0]).post(support_url(proposal), headers={"Accept-Language": "en"})
        assert response.status_code == 409
        assert response.json()["detail"] == "This proposal does not accept supports now."
        assert not Support.objects.exists()

    def test_a_space_not_open_yet_refuses_supports(self, proposal, residents, space):
        space.opens_on = space.opens_on.replace(year=space.opens_on.year + 1)
        space.save()
        assert token_client(residents[0]).post(support_url(proposal)).status_code == 409
        assert not Support.objects.exists()

    def test_an_unverified_account_is_forbidden_on_a_closed_proposal_too(self, proposal, unverified, publisher):
        services.answer(proposal, publisher, Status.REJECTED, "Hors budget.", language="fr")
        assert token_client(unverified).post(support_url(proposal)).status_code == 403

    def test_an_id_that_is_not_a_uuid_is_not_found(self, proposal, residents):
        client = token_client(residents[0])
        assert client.post(f"{LIST}not-a-uuid/support/").status_code == 404
        assert client.delete(f"{LIST}{proposal.pk}/support/").status_code == 404

    def test_the_answer_counts_the_others_supports(self, proposal, residents):
        services.support(proposal, residents[1])
        client = token_client(residents[0])
        assert client.post(support_url(proposal)).json() == {"supports_count": 2, "supported": True}
        services.support(proposal, residents[2])
        # A repeated support writes nothing and answers the count as it is now.
        assert client.post(support_url(proposal)).json() == {"supports_count": 3, "supported": True}
        assert Support.objects.filter(proposal=proposal).count() == 3

    def test_it_costs_a_few_queries(self, proposal, residents, django_assert_num_queries):
        client = token_client(residents[0])
        if connection.vendor == "postgresql":
            # The token; the proposal with its space and the person's verification; the support, its follow and the
            # count in one statement (supports.add_support), no transaction of its own.
            new, again = 3, 4
        else:
            # The same reads; the savepoint, the support, the follow, the count, the savepoint released.
            new, again = 7, 6
        with django_assert_num_queries(new):
            assert client.post(support_url(proposal)).json()["supports_count"] == 1
        # Again: the support meets its unique constraint, nothing is written, the count is read.
        with django_assert_num_queries(again):
            assert client.post(support_url(proposal)).json() == {"supports_count": 1, "supported": True}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_supports_are_counted_once_each(space, author, body):
    """Each of 20 people sends 2 supports at once (40 requests, one connection each): one support each, the count
    exact. bench/proposals.py measures 200 concurrent clients."""
    proposal = write(space, author)
    space.support_threshold = 10_000
    space.save()
    people = [verified(f"racer{n}@example.org", body, f"RACE{n:05d}") for n in range(20)]
    keys = [Token.objects.create(user=person).key for person in people]
    answers: list[int] = []
    barrier = threading.Barrier(40)

    def send(key):
        try:
            barrier.wait()
            response = Client(headers={"Authorization": f"Token {key}"}).post(support_url(proposal))
            answers.append(response.status_code)
        finally:
            connection.close()

    with rate_limits(**{"proposal.support": "1000/m"}):
        threads = [threading.Thread(target=send, args=(key,)) for key in keys for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    proposal.refresh_from_db()
    assert answers.count(200) == 40
    assert Support.objects.filter(proposal=proposal).count() == 20
    assert proposal.supports_count == 20
