"""RSS and Atom feeds of the latest decisions, the links that announce them, and the sitemap in every language."""

import pytest
from defusedxml import ElementTree as ET
from django.utils import translation

from cms import feeds
from cms.feeds import feed_links_for
from cms.models import DecisionPage
from tests.cms import builders, test_api
from tests.sitemaps import sitemap_locations, sitemap_text

# The same pages as the API's tests: two councils, three sessions, four decisions, one translated.
council_tree = test_api.council_tree

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(response.content).find("channel")
    return [{child.tag: child.text for child in item} for item in channel.findall("item")]


def atom_entries(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    return [
        {child.tag.removeprefix(ATOM): child.text or child.get("href") for child in entry}
        for entry in feed.findall(f"{ATOM}entry")
    ]


@pytest.mark.django_db
class DecisionFeedTestCase:
    def test_it_lists_the_decisions_of_the_active_language_newest_first(self, client, council_tree):
        items = rss_items(client.get("/ar/feeds/decisions/rss/"))
        assert [item["title"] for item in items] == [
            "2025/001 — Budget",  # the other body's, of 12 March
            "2025/002 — Réseau d'eau potable",  # same day as the next: the one published last comes first
            "2025/001 — الميزانية الإضافية",
            "2024/010 — Plan de circulation",
        ]
        budget = council_tree["budget"]
        item = next(item for item in items if item["guid"] == budget.uuid.urn)
        assert item["description"] == "اعتماد الميزانية الإضافية لسنة 2025"
        assert item["link"] == "http://testserver/ar/council/session-2025-03-10/2025-001/"
        assert item["pubDate"] == "Mon, 10 Mar 2025 00:00:00 +0100"
        assert item["category"] == "الميزانية"
        french = rss_items(client.get("/fr/feeds/decisions/rss/"))
        assert [item["title"] for item in french] == ["2025/001 — Budget supplémentaire"]

    def test_it_answers_in_atom_too(self, client, council_tree):
        entries = atom_entries(client.get("/fr/feeds/decisions/atom/"))
        assert len(entries) == 1
        assert entries[0]["title"] == "2025/001 — Budget supplémentaire"
        assert entries[0]["id"] == council_tree["budget"].uuid.urn
        assert entries[0]["summary"] == "Adoption du budget supplémentaire 2025"
        assert entries[0]["link"] == "http://testserver/fr/council/session-2025-03-10/2025-001/"

    def test_it_lists_one_bodys_decisions(self, client, council_tree):
        items = rss_items(client.get("/ar/feeds/decisions/commune-test/rss/"))
        assert [item["guid"] for item in items] == [council_tree[name].uuid.urn for name in ("water", "budget", "plan")]
        channel = ET.fromstring(client.get("/ar/feeds/decisions/commune-test/rss/").content).find("channel")
        assert channel.findtext("link") == "http://testserver/ar/decisions/?body=commune-test"
        assert len(atom_entries(client.get("/ar/feeds/decisions/region-voisine/atom/"))) == 1

    def test_it_lists_one_topics_decisions(self, client, council_tree):
        items = rss_items(client.get("/ar/feeds/topics/water/rss/"))
        assert [item["guid"] for item in items] == [council_tree["water"].uuid.urn]
        french = atom_entries(client.get("/fr/feeds/topics/budget/atom/"))
        assert [entry["id"] for entry in french] == [council_tree["budget_fr"].uuid.urn]

    @pytest.mark.parametrize(
        "path", ["/ar/feeds/decisions/nowhere/rss/", "/fr/feeds/decisions/nowhere/atom/", "/ar/feeds/topics/none/rss/"]
    )
    def test_it_answers_404_for_an_unknown_body_or_topic(self, client, council_tree, path):
        assert client.get(path).status_code == 404

    def test_it_leaves_out_unpublished_decisions(self, client, council_tree):
        council_tree["water"].unpublish()
        items = rss_items(client.get("/ar/feeds/decisions/commune-test/rss/"))
        assert council_tree["water"].uuid.urn not in {item["guid"] for item in items}

    def test_it_keeps_the_latest_items_only(self, client, council_tree, monkeypatch):
        monkeypatch.setattr(feeds, "FEED_SIZE", 2)
        items = rss_items(client.get("/ar/feeds/decisions/commune-test/rss/"))
        assert [item["guid"] for item in items] == [council_tree[name].uuid.urn for name in ("water", "budget")]

    def test_it_escapes_markup_in_titles_and_summaries(self, client, council_tree):
        page = DecisionPage.objects.get(pk=council_tree["water"].pk)
        page.title = "<script>alert('x')</script>"
        page.summary = "<img src=x onerror=alert(1)> & co"
        builders.publish(page)
        rss = client.get("/ar/feeds/decisions/rss/")
        atom = client.get("/ar/feeds/decisions/atom/")
        for response in (rss, atom):
            assert b"<script>" not in response.content
            assert b"<img" not in response.content
            assert b"&lt;script&gt;" in response.content
        item = next(item for item in rss_items(rss) if item["guid"] == page.uuid.urn)
        assert item["title"] == "2025/002 — <script>alert('x')</script>"
        assert item["description"] == "<img src=x onerror=alert(1)> & co"
        entry = next(entry for entry in atom_entries(atom) if entry["id"] == page.uuid.urn)
        assert entry["title"] == "2025/002 — <script>alert('x')</script>"


@pytest.mark.django_db
class FeedLinksTestCase:
    def test_it_announces_the_body_topic_and_all_decisions_feeds(self, council_tree, commune):
        with translation.override("fr"):
            links = feed_links_for(body=commune, topic=council_tree["budget_topic"])
        assert [(link["href"], link["type"]) for link in links] == [
            ("/fr/feeds/decisions/commune-test/rss/", "application/rss+xml"),
            ("/fr/feeds/decisions/commune-test/atom/", "application/atom+xml"),
            ("/fr/feeds/topics/budget/rss/", "application/rss+xml"),
            ("/fr/feeds/topics/budget/atom/", "application/atom+xml"),
            ("/fr/feeds/decisions/rss/", "application/rss+xml"),
            ("/fr/feeds/decisions/atom/", "application/atom+xml"),
        ]
        assert links[0]["title"] == "Délibérations de Commune de Test (RSS)"

    def test_it_takes_slugs_and_defaults_to_all_decisions(self, client, council_tree):
        with translation.override("ar"):
            assert [link["href"] for link in feed_links_for()] == [
                "/ar/feeds/decisions/rss/",
                "/ar/feeds/decisions/atom/",
            ]
            links = feed_links_for(topic="water")
        assert links[0]["href"] == "/ar/feeds/topics/water/rss/"
        for link in links:
            assert client.get(link["href"]).status_code == 200


@pytest.mark.django_db
class SitemapTestCase:
    def test_it_lists_decisions_in_every_language(self, client, council_tree):
        locations = sitemap_locations(client)
        assert "http://localhost/ar/council/session-2025-03-10/2025-001/" in locations
        assert "http://localhost/fr/council/session-2025-03-10/2025-001/" in locations
        assert "http://localhost/fr/" in locations

    def test_it_leaves_out_unpublished_pages(self, client, council_tree):
        council_tree["water"].unpublish()
        assert "/2025-002/" not in sitemap_text(client)
