"""The page cache on the demo's pages: news and pages retire their entries when published; search is not cached."""

from tests.portal.test_page_cache import served


class DemoPagesTestCase:
    def test_the_search_page_counts_every_search_so_it_is_not_cached(self, client, demo):
        response = client.get("/fr/search/", {"q": "budget"})
        assert "X-Cache" not in response and "no-store" in response["Cache-Control"]

    def test_a_news_article_and_a_page(self, client, demo):
        from cms.models import NewsArticlePage, StandardPage

        article = NewsArticlePage.objects.live().filter(locale__language_code="fr").first()
        news_index = article.get_parent().get_url()
        served(client, news_index)
        article.title = "Une nouvelle toute fraîche"
        article.save_revision().publish()
        assert "Une nouvelle toute fraîche" in served(client, news_index)[0]
        standard = StandardPage.objects.live().filter(locale__language_code="fr").first()
        url = standard.get_url()
        served(client, url)
        standard.title = "Une page revue"
        standard.save_revision().publish()
        assert "Une page revue" in served(client, url)[0]
