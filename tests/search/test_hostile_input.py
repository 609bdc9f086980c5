"""What people (and robots) type into a search box: every input gets a page or a clear refusal, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

HOSTILE = [
    'title:"x" OR 1=1',
    "*",
    "?",
    '"budget',
    "(budget",
    "budget)]}",
    "' OR '1'='1' --",
    "budget\x00\x07\x1b",
    "预算 கணக்கு",  # scripts the analysers don't know
    "🏛️📊",
    "NEAR(a b) AND NOT c^2 ~3",
    "الميزانية\u200f\u202e",  # bidirectional controls
]


class HostileSearchInputTestCase:
    @pytest.mark.parametrize("q", HOSTILE)
    def test_the_page_answers(self, client, records, q):
        response = client.get("/ar/search/", {"q": q})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]

    @pytest.mark.parametrize("q", HOSTILE)
    def test_the_api_and_the_suggestions_answer(self, client, records, q):
        response = client.get("/api/v1/search/", {"q": q})
        if "\x00" in q:  # DRF refuses NUL characters: a problem that says so
            assert response.status_code == 400
            assert response["Content-Type"] == "application/problem+json"
        else:
            assert response.status_code == 200
        assert client.get("/ar/search/suggestions/", {"q": q}).status_code == 200

    def test_syntax_is_words_not_operators(self, client, records):
        # "OR 1=1" must not widen a search to everything.
        data = client.get("/api/v1/search/", {"q": "الإنارة OR 1=1"}).json()
        assert data["count"] <= 1

    def test_an_empty_query_shows_the_form(self, client, records):
        response = client.get("/ar/search/", {"q": "   "})
        assert response.status_code == 200
        assert "search-results" not in response.content.decode()

    def test_a_huge_query_is_refused_clearly(self, client, records):
        response = client.get("/ar/search/", {"q": "ميزانية " * 2000})
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
        assert client.get("/api/v1/search/", {"q": "ميزانية " * 2000}).status_code == 400

    def test_an_unknown_facet_value_finds_nothing(self, client, records):
        for parameters in ({"kind": "zzz"}, {"body": "nobody"}, {"year": "1066"}, {"format": "EXE"}):
            response = client.get("/ar/search/", {"q": "الإنارة", **parameters})
            assert response.status_code == 200
            assert "search-results" not in response.content.decode()
        assert client.get("/ar/search/", {"q": "الإنارة", "year": "abc"}).status_code == 200

    def test_a_page_far_past_the_end_is_bounded(self, client, records):
        assert client.get("/ar/search/", {"q": "الإنارة", "page": "100000"}).status_code == 200
        assert client.get("/ar/search/", {"q": "الإنارة", "page": "99999999999999999999"}).status_code == 200

    def test_the_script_payload_comes_back_escaped(self, client, records):
        content = client.get("/fr/search/", {"q": "<script>alert(1)</script>"}).content.decode()
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content

    def test_the_page_is_rate_limited(self, client, records, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "2/h"}
        assert client.get("/ar/search/", {"q": "a"}).status_code == 200
        assert client.get("/ar/search/", {"q": "b"}).status_code == 200
        response = client.get("/ar/search/", {"q": "c"})
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
