"""The sitemap of the site's pages in every language (listed by portal.sitemaps)."""

from functools import reduce
from operator import or_

from django.db.models import Max, Q, QuerySet
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from portal.caching import cached_fragment
from portal.sitemaps import PagedSitemap


class TranslatedSitemap(PagedSitemap, Sitemap):
    """Wagtail's sitemap over the site's pages in every language.

    Wagtail lists the descendants of the site's root page only; with one tree per locale the other languages' home
    pages are its siblings, so their pages would be missing.
    """

    def pages(self) -> QuerySet:
        root = self.get_wagtail_site().root_page
        roots = Page.objects.filter(translation_key=root.translation_key)
        within = reduce(or_, (Q(path__startswith=page.path) for page in roots), Q(path__startswith=root.path))
        return Page.objects.filter(within).live().public()

    def items(self) -> QuerySet:
        return self.pages().order_by("path").defer_streamfields().specific()

    def get_latest_lastmod(self):
        # For the index: one aggregate, not every page built to read its date (seconds at 10,000 pages).
        # Kept until the next change of content: it reads every live page's date.
        return cached_fragment(
            "cms:sitemap-lastmod",
            lambda: self.pages().aggregate(latest=Max("last_published_at"))["latest"],
            self.get_wagtail_site().pk,
        )


SITEMAPS = {"pages": TranslatedSitemap}
