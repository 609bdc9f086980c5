"""The REST API of council sessions and decisions (/api/v1/), its OpenAPI schema and the decisions' JSON-LD."""

import datetime
import json
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Locale, PageViewRestriction

from cms.jsonld import decision_jsonld
from cms.models import CouncilDocument, CouncilMember, DecisionAttachment, DecisionPage, MemberVote, Topic
from search.indexing import refresh_entries
from tests.cms import builders

PROBLEM = "application/problem+json"


def topic(slug: str, name: str, language: str = "ar") -> Topic:
    locale, _created = Locale.objects.get_or_create(language_code=language)
    return Topic.objects.create(name=name, slug=slug, locale=locale)


def document(title: str = "Délibération signée", content: bytes = b"%PDF-1.4 signed") -> CouncilDocument:
    return CouncilDocument.objects.create(title=title, file=ContentFile(content, name="deliberation.pdf"))


@pytest.fixture
def council_tree(commune, other_region):
    """Two councils; the commune's has two sessions and three decisions, the first one translated into French.

    Returns the pages by name: council, march (session), june (session), budget, water, plan,
    budget_fr, elsewhere (the other body's decision), budget_topic, water_topic.
    """
    budget_topic, water_topic = topic("budget", "الميزانية"), topic("water", "الماء")
    budget_topic_fr = budget_topic.copy_for_translation(Locale.objects.get_or_create(language_code="fr")[0])
    budget_topic_fr.name = "Budget"
    budget_topic_fr.save()
    member = CouncilMember.objects.create(
        body=commune,
        name_ar="أمينة سعيدي",
        name_fr="Amina Saidi",
        party="Liste A",
        term_start=datetime.date(2021, 11, 27),
    )
    council = builders.council(commune)
    march = builders.session(council, date=datetime.date(2025, 3, 10))
    june = builders.session(council, date=datetime.date(2024, 6, 1))
    budget = builders.decision(
        march,
        reference="2025/001",
        title="الميزانية الإضافية",
        summary="اعتماد الميزانية الإضافية لسنة 2025",
        legal_basis="القانون البلدي، المادة 181",
        topics=[budget_topic],
        member_votes=[MemberVote(member=member, vote="for")],
        attachments=[DecisionAttachment(document=document(), kind="signed")],
    )
    water = builders.decision(
        march, reference="2025/002", title="Réseau d'eau potable", outcome="rejected", topics=[water_topic]
    )
    plan = builders.decision(june, reference="2024/010", title="Plan de circulation", outcome="postponed")
    budget_fr = builders.translate(
        budget, "fr", title="Budget supplémentaire", summary="Adoption du budget supplémentaire 2025"
    )
    budget_fr.topics = [budget_topic_fr]
    builders.publish(budget_fr)
    other = builders.council(other_region, slug="council-region")
    elsewhere = builders.decision(builders.session(other, date=datetime.date(2025, 3, 12)), reference="2025/001")
    refresh_entries()  # what the search's task writes after each commit
    return {
        "council": council,
        "march": march,
        "june": june,
        "budget": budget,
        "water": water,
        "plan": plan,
        "budget_fr": budget_fr,
        "elsewhere": elsewhere,
        "budget_topic": budget_topic,
        "water_topic": water_topic,
    }


def references(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.content
    return sorted((item["reference"], item["language"]) for item in response.json()["results"])


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert {"type", "title", "status", "detail"} <= problem.keys()
    return problem


@pytest.mark.django_db
class DecisionListTestCase:
    def test_it_lists_every_published_decision_in_every_language(self, client, council_tree):
        assert references(client.get("/api/v1/decisions/")) == [
            ("2024/010", "ar"),
            ("2025/001", "ar"),
            ("2025/001", "ar"),
            ("2025/001", "fr"),
            ("2025/002", "ar"),
        ]

    def test_it_filters_by_body(self, client, council_tree):
        assert references(client.get("/api/v1/decisions/", {"body": "region-voisine"})) == [("2025/001", "ar")]
        assert references(client.get("/api/v1/decisions/", {"body": "nowhere"})) == []

    def test_it_filters_by_year(self, client, council_tree):
        assert references(client.get("/api/v1/decisions/", {"year": 2024})) == [("2024/010", "ar")]

    def test_a_year_holds_its_first_and_last_day_only(self, client, council_tree):
        council = council_tree["council"]
        for day, reference in [((2023, 12, 31), "2023/099"), ((2024, 1, 1), "2024/001"), ((2024, 12, 31), "2024/099")]:
            builders.decision(builders.session(council, date=datetime.date(*day)), reference=reference)
        found = references(client.get("/api/v1/decisions/", {"year": 2024}))
        assert sorted(found) == [("2024/001", "ar"), ("2024/010", "ar"), ("2024/099", "ar")]

    def test_it_filters_by_session_id_in_every_language(self, client, council_tree):
        key = council_tree["march"].translation_key
        response = client.get("/api/v1/decisions/", {"session": str(key), "body": "commune-test"})
        assert references(response) == [("2025/001", "ar"), ("2025/001", "fr"), ("2025/002", "ar")]

    def test_it_filters_by_session_page_id(self, client, council_tree):
        response = client.get("/api/v1/decisions/", {"session": council_tree["june"].pk})
        assert references(response) == [("2024/010", "ar")]

    def test_it_filters_by_topic_slug(self, client, council_tree):
        assert references(client.get("/api/v1/decisions/", {"topic": "budget"})) == [
            ("2025/001", "ar"),
            ("2025/001", "fr"),
        ]
        assert references(client.get("/api/v1/decisions/", {"topic": "unknown"})) == []

    def test_it_filters_by_outcome(self, client, council_tree):
        assert references(client.get("/api/v1/decisions/", {"outcome": "rejected"})) == [("2025/002", "ar")]

    def test_it_filters_by_language(self, client, council_tree):
        assert references(client.get("/api/v1/decisions/", {"language": "fr"})) == [("2025/001", "fr")]

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("réseau", [("2025/002", "ar")]),  # title
            ("2024/010", [("2024/010", "ar")]),  # reference
            ("BUDGET SUPPL", [("2025/001", "fr")]),  # summary and title, any case
            ("الإضافية", [("2025/001", "ar")]),
        ],
    )
    def test_it_searches_reference_title_and_summary(self, client, council_tree, q, expected):
        assert references(client.get("/api/v1/decisions/", {"q": q, "body": "commune-test"})) == expected

    def test_it_sorts_newest_first_by_default_and_on_request(self, client, council_tree):
        params = {"body": "commune-test", "language": "ar"}
        newest = client.get("/api/v1/decisions/", params).json()["results"]
        assert [item["decision_date"] for item in newest] == ["2025-03-10", "2025-03-10", "2024-06-01"]
        oldest = client.get("/api/v1/decisions/", {**params, "sort": "date"}).json()["results"]
        assert oldest[0]["reference"] == "2024/010"
        by_reference = client.get("/api/v1/decisions/", {**params, "sort": "reference"}).json()["results"]
        assert [item["reference"] for item in by_reference] == ["2024/010", "2025/001", "2025/002"]

    @pytest.mark.parametrize("sort", [",", ",,", "reference,"])
    def test_it_ignores_empty_sort_keys(self, client, council_tree, sort):
        response = client.get("/api/v1/decisions/", {"body": "commune-test", "language": "ar", "sort": sort})
        assert response.status_code == 200
        expected = (
            ["2024/010", "2025/001", "2025/002"]
            if sort.startswith("reference")
            else ["2025/001", "2025/002", "2024/010"]
        )
        assert [item["reference"] for item in response.json()["results"]] == expected

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"year": "abc"}, "year"),
            ({"outcome": "maybe"}, "outcome"),
            ({"language": "de"}, "language"),
            ({"session": "not-a-session"}, "session"),
            ({"sort": "title"}, "sort"),
        ],
    )
    def test_it_answers_a_bad_filter_value_with_a_400_problem(self, client, council_tree, params, field):
        problem = assert_problem(client.get("/api/v1/decisions/", params), 400)
        assert problem["title"] == "Bad Request"
        assert list(problem["errors"]) == [field]

    def test_it_paginates_with_count_next_and_previous(self, client, council_tree):
        first = client.get("/api/v1/decisions/", {"page_size": 2}).json()
        assert first["count"] == 5
        assert len(first["results"]) == 2
        assert first["previous"] is None
        assert first["next"] == "http://testserver/api/v1/decisions/?page=2&page_size=2"
        last = client.get("/api/v1/decisions/", {"page_size": 2, "page": 3}).json()
        assert last["next"] is None
        assert last["previous"] == "http://testserver/api/v1/decisions/?page=2&page_size=2"
        assert len(last["results"]) == 1

    def test_it_answers_a_page_beyond_the_last_with_a_404_problem(self, client, council_tree):
        assert_problem(client.get("/api/v1/decisions/", {"page": 9}), 404)

    def test_it_never_shows_drafts_unpublished_or_private_decisions(self, client, council_tree):
        march = council_tree["march"]
        draft = march.add_child(
            instance=DecisionPage(
                title="Brouillon",
                slug="draft",
                reference="2025/099",
                decision_date=datetime.date(2025, 3, 10),
                summary="Pas encore publié",
                outcome="adopted",
                votes_for=29,
                live=False,
            )
        )
        draft.save_revision()
        council_tree["water"].unpublish()
        PageViewRestriction.objects.create(page=council_tree["june"], restriction_type="password", password="secret")
        listed = references(client.get("/api/v1/decisions/", {"body": "commune-test"}))
        assert listed == [("2025/001", "ar"), ("2025/001", "fr")]
        for hidden in (draft, council_tree["water"], council_tree["plan"]):
            assert_problem(client.get(f"/api/v1/decisions/{hidden.uuid}/"), 404)

    def test_its_query_count_does_not_grow_with_the_page(self, client, council_tree, no_page_cache):
        def count_queries() -> int:
            client.get("/api/v1/decisions/", {"page_size": 100})
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/api/v1/decisions/", {"page_size": 100})
            assert response.status_code == 200
            return len(response.json()["results"]), len(queries)

        member = CouncilMember.objects.get()
        attachment = CouncilDocument.objects.get()

        def add(count: int) -> None:
            start = DecisionPage.objects.count()
            for number in range(start, start + count):
                builders.decision(
                    council_tree["june"],
                    reference=f"2024/{100 + number}",
                    topics=[council_tree["budget_topic"], council_tree["water_topic"]],
                    member_votes=[MemberVote(member=member, vote="against")],
                    attachments=[DecisionAttachment(document=attachment, kind="annex")],
                )

        add(1)
        few, few_queries = count_queries()
        add(25)
        many, many_queries = count_queries()
        assert (few, many) == (6, 31)
        assert many_queries == few_queries
        assert many_queries <= 10, many_queries


@pytest.mark.django_db
class DecisionDetailTestCase:
    def test_it_shows_a_decision_with_its_vote_topics_documents_and_translations(self, client, council_tree):
        budget, budget_fr = council_tree["budget"], council_tree["budget_fr"]
        response = client.get(f"/api/v1/decisions/{budget.uuid}/", {"language": "ar"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        data = response.json()
        signed = CouncilDocument.objects.get()
        assert data == {
            "uuid": str(budget.uuid),
            "reference": "2025/001",
            "title": "الميزانية الإضافية",
            "language": "ar",
            "url": "http://testserver/ar/council/session-2025-03-10/2025-001/",
            "body": {"slug": "commune-test", "name": "بلدية الاختبار"},
            "session": {
                "id": str(council_tree["march"].translation_key),
                "date": "2025-03-10",
                "kind": "ordinary",
            },
            "decision_date": "2025-03-10",
            "outcome": "adopted",
            "votes": {"for": 24, "against": 3, "abstain": 2, "cast": 29},
            "member_votes": [{"member": "أمينة سعيدي", "party": "Liste A", "vote": "for"}],
            "topics": ["budget"],
            "summary": "اعتماد الميزانية الإضافية لسنة 2025",
            "legal_basis": "القانون البلدي، المادة 181",
            "execution_status": "not_started",
            "attachments": [
                {
                    "title": "Délibération signée",
                    "kind": "signed",
                    "url": f"http://testserver{signed.url}",
                    "size": len(b"%PDF-1.4 signed"),
                    "sha1": signed.file_hash,
                    "content_type": "application/pdf",
                }
            ],
            "translations": [{"language": "fr", "url": "http://testserver" + budget_fr.get_url()}],
            "first_published_at": data["first_published_at"],
            "last_published_at": data["last_published_at"],
        }
        assert len(signed.file_hash) == 40
        published = datetime.datetime.fromisoformat(data["first_published_at"])
        assert published.tzinfo is not None

    def test_it_answers_in_the_language_asked_for(self, client, council_tree):
        key = council_tree["budget"].uuid
        french = client.get(f"/api/v1/decisions/{key}/", {"language": "fr"}).json()
        assert (french["title"], french["language"]) == ("Budget supplémentaire", "fr")
        assert french["member_votes"][0]["member"] == "Amina Saidi"  # names follow the page's language
        assert french["body"]["name"] == "Commune de Test"
        response = client.get(f"/api/v1/decisions/{key}/", headers={"accept-language": "fr-FR,fr;q=0.9"})
        assert response.json()["language"] == "fr"
        assert "Accept-Language" in response["Vary"]
        assert client.get(f"/api/v1/decisions/{key}/").json()["language"] == "ar"
        english = client.get(f"/api/v1/decisions/{key}/", headers={"accept-language": "en"}).json()
        assert english["language"] == "fr"  # English falls back to French first (LANGUAGE_FALLBACKS)

    def test_it_answers_an_unknown_or_malformed_id_with_a_404_problem(self, client, council_tree):
        problem = assert_problem(client.get(f"/api/v1/decisions/{uuid.uuid4()}/"), 404)
        assert problem["title"] == "Not Found"
        assert_problem(client.get("/api/v1/decisions/not-a-uuid/"), 404)
        assert_problem(client.get(f"/api/v1/decisions/{council_tree['water'].uuid}/", {"language": "fr"}), 404)

    def test_it_refuses_writes(self, client, council_tree):
        response = client.post("/api/v1/decisions/", {}, content_type="application/json")
        assert_problem(response, 405)


@pytest.mark.django_db
class SessionApiTestCase:
    def test_it_lists_sessions_with_their_body_and_decisions_link(self, client, council_tree):
        data = client.get("/api/v1/sessions/", {"body": "commune-test", "language": "ar"}).json()
        assert data["count"] == 2
        march = data["results"][0]
        assert march["id"] == str(council_tree["march"].translation_key)
        assert march["page_id"] == council_tree["march"].pk
        assert (march["date"], march["kind"], march["status"]) == ("2025-03-10", "ordinary", "held")
        assert march["body"] == {"slug": "commune-test", "name": "بلدية الاختبار"}
        assert march["url"] == "http://testserver/ar/council/session-2025-03-10/"
        assert [item["language"] for item in march["translations"]] == ["fr"]
        decisions = client.get(march["decisions"]).json()
        assert sorted(item["reference"] for item in decisions["results"]) == ["2025/001", "2025/002"]

    def test_it_filters_sessions_by_year(self, client, council_tree):
        data = client.get("/api/v1/sessions/", {"year": 2024}).json()
        assert [item["date"] for item in data["results"]] == ["2024-06-01"]
        assert_problem(client.get("/api/v1/sessions/", {"year": "20x4"}), 400)

    def test_it_shows_a_session_by_its_id_or_page_id(self, client, council_tree):
        march = council_tree["march"]
        by_key = client.get(f"/api/v1/sessions/{march.translation_key}/", {"language": "fr"}).json()
        assert (by_key["language"], by_key["id"]) == ("fr", str(march.translation_key))
        by_page = client.get(f"/api/v1/sessions/{march.pk}/").json()
        assert (by_page["language"], by_page["page_id"]) == ("ar", march.pk)
        assert_problem(client.get(f"/api/v1/sessions/{uuid.uuid4()}/"), 404)
        assert_problem(client.get("/api/v1/sessions/nothing/"), 404)


@pytest.mark.django_db
class OpenApiTestCase:
    def test_it_serves_the_schema_with_the_decisions_endpoint(self, client):
        response = client.get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        schema = json.loads(response.content)
        assert schema["openapi"].startswith("3.")
        assert {"/api/v1/decisions/", "/api/v1/decisions/{uuid}/", "/api/v1/sessions/"} <= schema["paths"].keys()
        assert not [path for path in schema["paths"] if path.startswith("/admin/")]

    def test_its_documentation_page_loads_nothing_from_elsewhere(self, client):
        response = client.get("/api/explorer/")
        content = response.content.decode()
        assert response.status_code == 200
        for host in ("cdn", "unpkg", "jsdelivr", "googleapis", "http:", "https:"):
            assert host not in content.lower()
        assets = re.findall(r'(?:src|href)="([^"]+)"', content)
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
        assert all(asset.startswith("/static/") for asset in assets), assets
        assert '"validatorUrl": null' in content
        for asset in assets:  # shipped by drf-spectacular-sidecar, collected with the other static files
            assert finders.find(asset.removeprefix("/static/")), asset


def page_request(path: str = "/ar/"):
    return RequestFactory().get(path)


@pytest.mark.django_db
class DecisionJsonLdTestCase:
    def test_it_describes_the_decision_as_legislation(self, council_tree):
        page = DecisionPage.objects.get(pk=council_tree["budget"].pk)
        with translation.override("ar"):
            data = decision_jsonld(page, page_request())
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "Legislation"
        assert data["legislationIdentifier"] == "2025/001"
        assert data["legislationDate"] == "2025-03-10"
        assert data["name"] == "الميزانية الإضافية"
        assert data["abstract"] == "اعتماد الميزانية الإضافية لسنة 2025"
        assert data["inLanguage"] == "ar"
        assert data["legislationPassedBy"]["name"] == "بلدية الاختبار"
        assert data["url"] == "http://testserver/ar/council/session-2025-03-10/2025-001/"
        assert data["identifier"] == council_tree["budget"].uuid.urn
        [encoding] = data["encoding"]
        assert encoding["@type"] == "MediaObject"
        assert encoding["encodingFormat"] == "application/pdf"
        assert encoding["contentUrl"].startswith("http://testserver/documents/")

    def test_its_script_cannot_be_closed_by_a_title(self, council_tree):
        page = council_tree["water"]
        page.title = "</script><script>alert('x')</script> & co"
        builders.publish(page)
        html = render_to_string(
            "cms/includes/decision_jsonld.html", {"page": DecisionPage.objects.get(pk=page.pk)}, page_request()
        )
        assert html.count("<script") == 1
        assert html.count("</script>") == 1
        body = re.search(r'<script type="application/ld\+json">(.*)</script>', html, re.S).group(1)
        assert json.loads(body)["name"] == "</script><script>alert('x')</script> & co"

    def test_the_decision_page_carries_it(self, client, council_tree):
        content = client.get("/ar/council/session-2025-03-10/2025-001/").content.decode()
        body = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1)
        assert json.loads(body)["legislationIdentifier"] == "2025/001"


def test_a_session_id_past_the_database_integers_names_no_session(client, council_tree):
    # The schema allows any digits: a number no page can have filters to nothing, never a 400 or an overflow.
    response = client.get("/api/v1/decisions/", {"session": "99999999999999999999"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_huge_session_id_in_the_path_is_a_404(client, council_tree):
    response = client.get("/api/v1/sessions/99999999999999999999/")
    assert response.status_code == 404
