"""Counts kept until the next change of content (portal.caching.KeptCountPaginator) and translated sitemaps read a
page at a time (portal.sitemaps.InEveryLanguage): the same figures and items as Django's, whatever the size."""

import pytest

from portal.bodies.models import PublicBody
from portal.caching import KeptCountPaginator
from portal.sitemaps import InEveryLanguage

LANGUAGES = ["ar", "fr", "en"]


@pytest.mark.django_db
def test_a_kept_count_is_each_querys_own_and_a_change_shows_at_once():
    for number in range(3):
        PublicBody.add_root(slug=f"body-{number}", name_ar=f"هيئة {number}", name_fr=f"Organisme {number}")
    every, some = PublicBody.objects.order_by("pk"), PublicBody.objects.filter(slug="body-1").order_by("pk")
    assert (KeptCountPaginator(every, 2).count, KeptCountPaginator(some, 2).count) == (3, 1)
    PublicBody.add_root(slug="body-3", name_ar="هيئة", name_fr="Organisme")
    assert (KeptCountPaginator(every, 2).count, KeptCountPaginator(some, 2).count) == (4, 1)
    assert KeptCountPaginator([1, 2, 3], 2).num_pages == 2  # a list is counted as it is


@pytest.mark.django_db
def test_the_pairs_read_by_page_are_those_django_lists():
    for number in range(5):
        PublicBody.add_root(slug=f"body-{number}", name_ar=f"هيئة {number}", name_fr=f"Organisme {number}")
    bodies = PublicBody.objects.order_by("pk")
    listed = [(body, code) for body in bodies for code in LANGUAGES]
    pairs = InEveryLanguage(bodies, LANGUAGES)
    assert len(pairs) == 15 and pairs[4] == listed[4]
    for start in range(16):
        for stop in range(start, 17):
            assert pairs[start:stop] == listed[start:stop], (start, stop)
    pages = KeptCountPaginator(pairs, 4)
    assert pages.num_pages == 4 and list(pages.page(4).object_list) == listed[12:]
