"""/sitemap.xml: the sitemaps of every app that has a `sitemaps` module with a `SITEMAPS` dict, in
INSTALLED_APPS order; and what makes a sitemap's pages and index cost the same at any size."""

from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from portal.caching import KeptCountPaginator, cached_fragment, query_key
from portal.discovery import app_modules


def app_sitemaps() -> dict[str, type[Sitemap]]:
    sitemaps: dict[str, type[Sitemap]] = {}
    for _app, module in app_modules("sitemaps"):
        if module.__name__ != __name__:  # this registry is the `portal` app's own sitemaps module
            sitemaps.update(module.SITEMAPS)
    return sitemaps


class InEveryLanguage:
    """The (item, language) pairs of Django's translated sitemaps, read a page at a time.

    Django's Sitemap lists the pairs of every item before it takes a page of them, or counts them for the index
    (two seconds at 100,000 datasets); these are read from the queryset a page at a time and counted by it."""

    def __init__(self, items: QuerySet, languages: list[str]):
        self.items, self.languages = items, languages

    def count(self) -> int:
        # Kept as KeptCountPaginator keeps counts, under the items' query and the languages.
        key, width = query_key(self.items), len(self.languages)
        if key is None:
            return self.items.count() * width
        return cached_fragment("portal:count", lambda: self.items.count() * width, key, tuple(self.languages))

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        width = len(self.languages)
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        first = start // width
        pairs = [(item, code) for item in self.items[first : -(-stop // width)] for code in self.languages]
        return pairs[start - first * width : stop - first * width]


class PagedSitemap(Sitemap):
    """A sitemap whose index and pages read only what they show: SITEMAP_PAGE_SIZE items a page, in every language
    as InEveryLanguage pairs when `i18n`, their count kept until the next change of content."""

    @property
    def limit(self) -> int:  # type: ignore[override]
        return settings.SITEMAP_PAGE_SIZE

    @property
    def paginator(self) -> KeptCountPaginator:
        items: Any = self.items()
        if self.i18n:
            items = InEveryLanguage(items, self._languages())  # type: ignore[attr-defined]  # Django's, unstubbed
        return KeptCountPaginator(items, self.limit)
