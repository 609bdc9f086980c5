"""The Atom feed of a search: newest in the search first, public records only, its link on the search page."""

import pytest
import time_machine
from defusedxml import ElementTree as ET

from opendata.models import Dataset
from search import feeds
from search.indexing import refresh_entries
from tests.opendata.factories import DatasetFactory

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def atom(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def atom_entries(response) -> list[dict[str, str]]:
    return [
        {
            **{child.tag.removeprefix(ATOM): child.text or child.get("href") for child in entry},
            "lang": entry.get(XML_LANG),
        }
        for entry in atom(response).findall(f"{ATOM}entry")
    ]


@pytest.fixture
def budgets(commune):
    """An older budget, then a newer one published a month later, and a draft nobody may see."""
    with time_machine.travel("2026-01-05 09:00 +0000", tick=False):
        older = DatasetFactory(name="comptes-2024", body=commune, title_fr="Budget communal 2024", title_ar="ميزانية")
        refresh_entries(["dataset"])
    with time_machine.travel("2026-02-05 09:00 +0000", tick=False):
        newer = DatasetFactory(name="comptes-2025", body=commune, title_fr="Budget communal 2025", title_ar="ميزانية")
        DatasetFactory(name="brouillon", body=commune, title_fr="Budget en préparation", status=Dataset.Status.DRAFT)
        refresh_entries(["dataset"])
    return {"older": older, "newer": newer}


class SearchFeedTestCase:
    def test_it_lists_newly_public_records_first_and_never_a_draft(self, client, budgets):
        entries = atom_entries(client.get("/fr/search/feed/?q=budget"))
        assert [entry["title"] for entry in entries] == ["Budget communal 2025", "Budget communal 2024"]
        newest = entries[0]
        assert newest["link"] == "http://testserver/fr/data/comptes-2025/"
        assert newest["summary"] == "Description du jeu de données"
        assert newest["published"] == "2026-02-05T09:00:00+00:00"
        assert newest["lang"] == "fr"
        assert "préparation" not in client.get("/fr/search/feed/?q=budget").content.decode()

    def test_it_takes_the_search_pages_filters(self, client, budgets):
        entries = atom_entries(client.get("/fr/search/feed/?q=%D9%85%D9%8A%D8%B2%D8%A7%D9%86%D9%8A%D8%A9&language=ar"))
        assert [(entry["title"], entry["lang"]) for entry in entries] == [("ميزانية", "ar"), ("ميزانية", "ar")]
        assert atom_entries(client.get("/fr/search/feed/?q=budget&kind=decision")) == []

    def test_it_lists_at_most_fifty_records(self, client, budgets, monkeypatch):
        monkeypatch.setattr(feeds, "FEED_SIZE", 1)
        assert [entry["title"] for entry in atom_entries(client.get("/fr/search/feed/?q=budget"))] == [
            "Budget communal 2025"
        ]

    @pytest.mark.parametrize("query", ["", "?q=", "?q=%20%21%21", "?q=budget&year=abc", "?q=" + "x" * 600])
    def test_it_answers_404_without_words_or_with_bad_parameters(self, client, budgets, query):
        assert client.get("/fr/search/feed/" + query).status_code == 404

    def test_it_escapes_the_words_searched_for_and_the_records_text(self, client, budgets, commune):
        payload = '<script>alert("x")</script>'
        DatasetFactory(name="piege", body=commune, title_fr=f"Budget {payload}", notes_fr=f"Budget {payload}")
        refresh_entries(["dataset"])
        response = client.get("/fr/search/feed/", {"q": f"{payload} budget"})
        feed = atom(response)
        assert feed.findtext(f"{ATOM}title") == f"Recherche : « {payload} budget »"
        [entry] = feed.findall(f"{ATOM}entry")
        assert entry.findtext(f"{ATOM}title") == f"Budget {payload}"  # text: a reader shows it as is
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "html"
        assert summary.text == "Budget &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"  # HTML that shows the text
        assert "<script>" not in response.content.decode()

    def test_the_search_page_links_to_its_feed(self, client, budgets):
        html = client.get("/fr/search/?q=budget&kind=dataset&page=1").content.decode()
        href = "/fr/search/feed/?q=budget&amp;kind=dataset"
        assert (
            f'<link rel="alternate" type="application/atom+xml" title="Recherche : « budget » (Atom)" href="{href}">'
            in html
        )
        assert f'<a href="{href}" type="application/atom+xml">' in html
