"""The spending pages in every language (listed by portal.sitemaps): the index, contracts, each body's overview."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse

from portal.bodies.models import PublicBody

from .models import BudgetLine


class SpendingSitemap(Sitemap):
    i18n = True
    languages = [code for code, _name in settings.LANGUAGES]
    alternates = True

    def items(self):
        bodies = PublicBody.objects.filter(Exists(BudgetLine.objects.filter(body=OuterRef("pk")))).order_by("slug")
        return ["spending:index", "spending:contracts", *bodies.values_list("slug", flat=True)]

    def location(self, item: str) -> str:
        if item.startswith("spending:"):
            return reverse(item)
        return reverse("spending:overview", args=[item])

    def get_latest_lastmod(self):
        return BudgetLine.objects.aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS = {"spending": SpendingSitemap}
