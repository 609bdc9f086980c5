"""/sitemap.xml: the sitemaps of every app that has a `sitemaps` module with a `SITEMAPS` dict, in
INSTALLED_APPS order; and what makes a sitemap's pages and index cost the same at any size."""

from datetime import datetime
from html import escape  # what Django's escape calls, without its wrapper for lazy text: 805 calls at 100×
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import QuerySet
from django.utils import timezone

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


def index(request, **kwargs):
    """Django's sitemap index, its entries written without the template engine.

    By the protocol the index lists one sitemap a page of SITEMAP_PAGE_SIZE addresses, so it grows with the portal:
    805 entries at bench/growth.py's 100× (100,000 decisions, 100,000 datasets). Through Django's template that index
    took 34 ms against 9 at 1×; written here, 12.6 ms. The same XML, `lastmod` in the current time zone as the
    template's `date:"c"` wrote it (tests/opendata/test_dataset_page.py compares them).
    """
    response = sitemap_views.index(request, **kwargs)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    ]
    dates: dict[Any, str] = {}  # a section's pages share its date: written once
    for item in (response.context_data or {})["sitemaps"]:
        lastmod = item.last_mod
        if lastmod is None:
            lines.append(f"<sitemap><loc>{escape(item.location)}</loc></sitemap>")
            continue
        if lastmod not in dates:
            aware = isinstance(lastmod, datetime) and timezone.is_aware(lastmod)
            local = timezone.localtime(lastmod) if aware else lastmod
            dates[lastmod] = f"<lastmod>{local.isoformat()}</lastmod>"
        lines.append(f"<sitemap><loc>{escape(item.location)}</loc>{dates[lastmod]}</sitemap>")
    lines.append("</sitemapindex>\n")
    response.content = "\n".join(lines)  # marks the response rendered: its template is never read
    return response
