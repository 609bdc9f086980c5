"""The unified search page: every kind of record, ranked, with facets, highlighted words and pages."""

import pytest

from portal.models import SearchEntry
from search import services
from search.services import SearchQuery

pytestmark = pytest.mark.django_db


def titles(outcome) -> list[str]:
    return [hit.entry.title for hit in outcome.hits]


class SearchServiceTestCase:
    def test_it_finds_arabic_words_without_article_hamza_or_ta_marbuta(self, records):
        assert titles(services.search(SearchQuery(q="ميزانيه اضافيه"))) == [records["budget"].title]
        assert records["lighting"].title in titles(services.search(SearchQuery(q="انارة")))
        assert titles(services.search(SearchQuery(q="والمياه")))[0] == records["water"].title

    def test_it_finds_french_words_without_accents_or_plural(self, records):
        found = titles(services.search(SearchQuery(q="depense fonctionnement")))
        assert found == ["Dépenses de fonctionnement 2024"]
        assert "Travaux d'éclairage public au quartier En-Nasr" in titles(services.search(SearchQuery(q="l'eclairage")))

    def test_it_mixes_kinds_and_languages(self, records):
        outcome = services.search(SearchQuery(q="2024 نفقات"))
        assert outcome.hits[0].entry.kind == "dataset"
        kinds = {value.value: value.count for value in outcome.facets["kind"]}
        assert kinds == {"dataset": 1}

    def test_it_never_finds_drafts_or_withdrawn_records(self, records):
        outcome = services.search(SearchQuery(q="depenses"))
        assert {hit.entry.record_id for hit in outcome.hits} == {str(records["spending"].pk)}
        assert titles(outcome)[0] == "Dépenses de fonctionnement 2024"

    def test_it_counts_facets_without_their_own_filter(self, records):
        outcome = services.search(SearchQuery(q="اشغال", kind="news"))
        assert titles(outcome) == [records["water"].title]
        kinds = {value.value: value.count for value in outcome.facets["kind"]}
        assert kinds == {"decision": 1, "news": 1}  # the other kind stays offered
        assert [value.selected for value in outcome.facets["kind"] if value.value == "news"] == [True]

    def test_it_combines_filters(self, records):
        assert services.search(SearchQuery(q="eclairage", language="fr", kind="decision")).count == 1
        assert services.search(SearchQuery(q="eclairage", language="ar")).count == 0
        assert services.search(SearchQuery(q="الإنارة", body="commune-test", year=2025)).count == 1
        assert services.search(SearchQuery(q="الإنارة", body="no-such-body")).count == 0

    def test_it_falls_back_to_some_of_the_words(self, records):
        outcome = services.search(SearchQuery(q="ميزانية zzzunknown"))
        assert outcome.partial
        assert titles(outcome) == [records["budget"].title]

    def test_it_sorts_by_date(self, records):
        outcome = services.search(SearchQuery(q="اشغال", sort="-date"))
        assert [hit.entry.kind for hit in outcome.hits] == ["news", "decision"]
        outcome = services.search(SearchQuery(q="اشغال", sort="date"))
        assert [hit.entry.kind for hit in outcome.hits] == ["decision", "news"]

    def test_it_highlights_the_words_escaped(self, records):
        SearchEntry.objects.filter(record_id=str(records["about"].pk)).update(
            summary="<script>alert(1)</script> البلدية"
        )
        hit = services.search(SearchQuery(q="البلديه")).hits
        about = next(h for h in hit if h.entry.record_id == str(records["about"].pk))
        assert "<script>" not in about.snippet
        assert "&lt;script&gt;" in about.snippet
        assert "<mark>البلدية</mark>" in about.snippet


class SearchPageTestCase:
    def test_it_shows_results_facets_and_highlights(self, client, records):
        response = client.get("/fr/search/", {"q": "eclairage"})
        assert response.status_code == 200
        content = response.content.decode()
        assert "Travaux <mark>d&#x27;éclairage</mark> public" in content
        assert 'href="?q=eclairage&amp;kind=decision"' in content
        assert response.headers["Content-Language"] == "fr"

    def test_it_links_each_result_to_its_page(self, client, records):
        response = client.get("/ar/search/", {"q": "نفقات"})
        assert 'href="/ar/data/depenses-2024/"' in response.content.decode()

    def test_it_pages_without_javascript(self, client, records, monkeypatch):
        monkeypatch.setattr(services, "PAGE_SIZE", 1)
        first = client.get("/ar/search/", {"q": "اشغال"}).content.decode()
        assert 'rel="next" href="?q=%D8%A7%D8%B4%D8%BA%D8%A7%D9%84&amp;page=2"' in first
        second = client.get("/ar/search/", {"q": "اشغال", "page": "2"}).content.decode()
        assert 'rel="prev"' in second

    def test_it_bounds_deep_pages(self, client, records):
        response = client.get("/ar/search/", {"q": "اشغال", "page": "100000"})
        assert response.status_code == 200

    def test_it_counts_what_people_search_for_and_what_found_nothing(self, client, records):
        from wagtail.contrib.search_promotions.models import Query

        from search.models import UnansweredQuery

        client.get("/ar/search/", {"q": "الميزانية"})
        client.get("/ar/search/", {"q": "الميزانية"})
        client.get("/ar/search/", {"q": "xyzzy"})
        assert Query.get("الميزانية").hits == 2
        assert list(UnansweredQuery.objects.values_list("query", "times")) == [("xyzzy", 1)]

    def test_it_puts_promoted_records_first(self, client, records):
        from wagtail.contrib.search_promotions.models import Query, SearchPromotion

        SearchPromotion.objects.create(query=Query.get("budget"), page=records["about"], description="Lisez ceci")
        content = client.get("/fr/search/", {"q": "budget"}).content.decode()
        assert "Lisez ceci" in content
        assert records["about"].title in content

    def test_it_offers_suggestions_while_typing(self, client, records):
        response = client.get("/ar/search/suggestions/", {"q": "الانا"})
        assert response.json()["suggestions"] == [
            {"title": records["lighting"].title, "url": records["lighting"].url, "kind": "decision"}
        ]

    def test_every_page_has_a_search_box(self, client, records):
        content = client.get("/ar/").content.decode()
        assert 'action="/ar/search/"' in content
