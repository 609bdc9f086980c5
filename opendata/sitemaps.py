"""The published datasets' pages in every language (listed by portal.sitemaps)."""

from django.conf import settings
from django.db.models import Max

from portal.sitemaps import PagedSitemap

from .models import Dataset


class DatasetSitemap(PagedSitemap):
    i18n = True
    languages = [code for code, _name in settings.LANGUAGES]
    # Every language's address of a dataset is listed with the others as its alternates (hreflang).
    alternates = True

    def items(self):
        return Dataset.objects.published().order_by("pk").only("name", "modified_at")

    def lastmod(self, dataset: Dataset):
        return dataset.modified_at

    def get_latest_lastmod(self):
        # For the index: one aggregate, not a pass over every dataset.
        return Dataset.objects.published().aggregate(latest=Max("modified_at"))["latest"]


SITEMAPS = {"datasets": DatasetSitemap}
