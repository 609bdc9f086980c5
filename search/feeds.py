"""The Atom feed of any search: what it finds, newest in the search first (newly published records on top)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from portal.models import SearchEntry
from portal.searching import query_terms

from .forms import SearchForm
from .services import SearchQuery, newest

# Items per feed, as the decisions' feeds (cms.feeds.FEED_SIZE): several days of news in one small response.
FEED_SIZE = 50


class LanguageAtom1Feed(Atom1Feed):
    """Atom with each entry's own language (xml:lang): one search lists records in Arabic, French and English."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("language"):
            attributes["xml:lang"] = item["language"]
        return attributes


def feed_parameters(parameters) -> str:
    """The search's parameters as its feed takes them: without the page and the sort (a feed is newest first)."""
    parameters = parameters.copy()
    for name in ("page", "sort"):
        parameters.pop(name, None)
    return parameters.urlencode()


@dataclass
class FeedScope:
    request: HttpRequest
    query: SearchQuery
    parameters: str  # the search page's query string


class SearchFeed(Feed):
    feed_type = LanguageAtom1Feed

    def get_object(self, request, *args, **kwargs) -> FeedScope:
        form = SearchForm(request.GET)
        if not form.is_valid() or not query_terms(form.cleaned_data["q"]):
            raise Http404("A search feed needs words to search for.")
        return FeedScope(request=request, query=form.search_query(), parameters=feed_parameters(request.GET))

    def title(self, scope: FeedScope) -> str:
        return _("Search: “%(q)s”") % {"q": scope.query.q}

    def subtitle(self, scope: FeedScope) -> str:
        return _("The newest records that match this search.")

    def link(self, scope: FeedScope) -> str:
        return f"{reverse('search:search')}?{scope.parameters}"

    def feed_url(self, scope: FeedScope) -> str:
        return f"{reverse('search:feed')}?{scope.parameters}"

    def items(self, scope: FeedScope) -> list[SearchEntry]:
        return newest(scope.query, limit=FEED_SIZE)[0]  # SearchUnavailable: the middleware's 503

    def item_title(self, item: SearchEntry) -> str:
        return item.title

    def item_description(self, item: SearchEntry) -> str:
        # Atom's <summary type="html"> is read as HTML: the summary is text, so its markup must show, never run.
        return escape(item.summary)

    def item_link(self, item: SearchEntry) -> str:
        return item.url

    def item_guid(self, item: SearchEntry) -> str:
        return f"urn:baladiya:{item.kind}:{item.record_id}:{item.language}"

    def item_pubdate(self, item: SearchEntry) -> datetime:
        return item.created_at

    def item_extra_kwargs(self, item: SearchEntry) -> dict:
        return {"language": item.language}


search_feed = SearchFeed()
