"""The public decision listing: filters, sort, pagination, languages, constant query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import Topic
from search.indexing import refresh_entries
from tests.cms.builders import council, decision, session, translate
from tests.factories import PublicBodyFactory

LISTING = "/fr/decisions/"


@pytest.fixture
def march(council_page):
    return session(council_page, date=datetime.date(2025, 3, 10))


@pytest.fixture
def topic(db):
    from wagtail.models import Locale

    return Topic.objects.create(
        name="Budget", slug="budget", locale=Locale.objects.get_or_create(language_code="fr")[0]
    )


def titles(response) -> list[str]:
    return [decision.title for decision in response.context["decisions"]]


class DecisionListingTestCase:
    def test_it_lists_the_newest_first(self, client, council_page, march):
        decision(march, reference="2025/001", title="Premier")
        june = session(council_page, date=datetime.date(2025, 6, 2), slug="june")
        decision(june, reference="2025/030", title="Dernier")
        response = client.get(LISTING)
        assert response.status_code == 200
        assert titles(response) == ["Dernier", "Premier"]
        assert titles(client.get(LISTING + "?sort=date")) == ["Premier", "Dernier"]

    def test_it_filters_by_body_year_outcome_and_words(self, client, region, council_page, march):
        decision(march, reference="2025/001", title="Éclairage public", outcome="adopted")
        decision(march, reference="2025/002", title="Cession de terrain", outcome="rejected", votes=(10, 17, 2))
        other = council(PublicBodyFactory(parent=region, slug="voisine"), slug="apc-voisine")
        decision(session(other, date=datetime.date(2024, 5, 5)), reference="2024/009", title="Cantine scolaire")

        refresh_entries()  # the search index (written after commits, which tests roll back)
        assert titles(client.get(LISTING + "?body=voisine")) == ["Cantine scolaire"]
        assert titles(client.get(LISTING + "?year=2024")) == ["Cantine scolaire"]
        assert titles(client.get(LISTING + "?outcome=rejected")) == ["Cession de terrain"]
        assert titles(client.get(LISTING + "?q=éclairage")) == ["Éclairage public"]
        assert titles(client.get(LISTING + "?q=2025/002")) == ["Cession de terrain"]

    def test_it_filters_by_topic_and_session(self, client, council_page, march, topic):
        tagged = decision(march, reference="2025/001", title="Budget supplémentaire")
        tagged.topics.add(topic)
        tagged.save_revision().publish()
        decision(march, reference="2025/002", title="Sans thème")
        june = session(council_page, date=datetime.date(2025, 6, 2), slug="june")
        decision(june, reference="2025/030", title="En juin")
        assert titles(client.get(LISTING + "?topic=budget")) == ["Budget supplémentaire"]
        assert sorted(titles(client.get(f"{LISTING}?session={march.translation_key}"))) == [
            "Budget supplémentaire",
            "Sans thème",
        ]

    def test_it_ignores_bad_filter_values(self, client, march):
        decision(march, title="Budget")
        response = client.get(LISTING + "?year=abc&outcome=<script>&page=999")
        assert response.status_code == 200
        assert titles(response) == ["Budget"]
        assert "<script>" not in response.content.decode()

    def test_it_works_without_javascript(self, client, march):
        decision(march, title="Budget")
        content = client.get(LISTING).content.decode()
        assert '<form method="get" class="filters"' in content
        assert "<script" not in content.split("<main", 1)[1].split("</main>", 1)[0]

    def test_it_paginates(self, client, march):
        for number in range(25):
            decision(
                march,
                reference=f"2025/{number:03d}",
                title=f"Décision {number:02d}",
                outcome="postponed",
                votes=(0, 0, 0),
            )
        first = client.get(LISTING + "?outcome=postponed")
        second = client.get(LISTING + "?outcome=postponed&page=2")
        assert len(titles(first)) == 20
        assert len(titles(second)) == 5
        # The next page continues from the last decision shown (a cursor), page numbers still answer.
        assert 'rel="next" href="?outcome=postponed&amp;after=2025-03-10%2C2025/005%2C' in first.content.decode()

    def test_its_query_count_does_not_grow_with_the_results(self, client, march, topic, no_page_cache):
        def count():
            client.get(LISTING)
            with CaptureQueriesContext(connection) as queries:
                client.get(LISTING)
            return len(queries)

        decision(march, reference="2025/000", title="Seule").topics.add(topic)
        client.get(LISTING)  # the site's settings, created on first use
        few = count()
        for number in range(1, 15):
            decision(
                march, reference=f"2025/{number:03d}", title=f"Décision {number}", outcome="postponed", votes=(0, 0, 0)
            ).topics.add(topic)
        # The decisions counted and those of the page with their session, council and topics; the filter's options
        # and the page's frame come from the cache.
        assert count() == few <= 5


class ListingFilterOptionsTestCase:
    def test_a_new_body_year_or_topic_is_offered_at_once(self, client, council_page, march, topic, region):
        decision(march, reference="2025/001", title="Budget")
        options = client.get(LISTING).context["form"].fields
        assert [year for year, _ in options["year"].choices] == ["", 2025]
        assert region.slug not in dict(options["body"].choices)
        older = session(council_page, date=datetime.date(2023, 6, 1), slug="juin-2023")
        decision(older, reference="2023/001", title="Ancienne").topics.add(topic)
        wilaya = council(region, title="Assemblée de wilaya", slug="apw")
        decision(session(wilaya, date=datetime.date(2025, 1, 5)), reference="APW/1", title="De la wilaya")
        page = client.get(LISTING).content.decode()
        assert '<option value="2023">2023</option>' in page
        assert '<option value="budget">Budget</option>' in page
        assert f'<option value="{region.slug}">{region.name}</option>' in page
        chosen = client.get(LISTING, {"year": 2023})
        assert '<option value="2023" selected>2023</option>' in chosen.content.decode()
        assert titles(chosen) == ["Ancienne"]


class ListingLanguagesTestCase:
    def test_it_prefers_the_translation_and_falls_back_to_the_original(self, client, march):
        translated = decision(march, reference="2025/001", title="ميزانية")
        translate(translated, "fr", title="Budget")
        decision(march, reference="2025/002", title="تسمية شارع")
        response = client.get(LISTING)
        assert sorted(titles(response)) == ["Budget", "تسمية شارع"]
        content = response.content.decode()
        assert 'lang="ar" dir="rtl"><a href="/fr/apc-test/session-2025-03-10/2025-002/">تسمية شارع</a>' in content
        assert client.get("/fr/apc-test/session-2025-03-10/2025-002/").status_code == 200

    def test_it_lists_arabic_decisions_in_arabic(self, client, march):
        translated = decision(march, reference="2025/001", title="ميزانية")
        translate(translated, "fr", title="Budget")
        assert titles(client.get("/ar/decisions/")) == ["ميزانية"]


class ArabicAndFrenchWordsTestCase:
    """What people type finds what the text says, in the listing and in the REST API alike."""

    @pytest.fixture
    def decisions(self, march):
        decision(march, reference="2025/001", title="المصادقة على الميزانية الإضافية", summary="صادق المجلس.")
        decision(march, reference="2025/002", title="صيانة الإنارة العمومية", summary="تجديد المصابيح.")
        decision(march, reference="2025/003", title="Tarifs des cantines scolaires", summary="Les dépenses augmentent.")

    @pytest.mark.parametrize(
        ("words", "reference"),
        [
            ("ميزانية", "2025/001"),
            ("الميزانيات", "2025/001"),
            ("إنارة", "2025/002"),
            ("مصباح المصابيح", None),  # every word must be found; the singular is another stem
            ("cantine", "2025/003"),
            ("depenses", "2025/003"),
            ("DÉPENSE", "2025/003"),
        ],
    )
    def test_the_listing_and_the_api_find_the_same_decisions(self, client, decisions, words, reference):
        refresh_entries()  # the search index (written after commits, which tests roll back)
        expected = [reference] if reference else []
        listing = client.get("/ar/decisions/", {"q": words}).context["decisions"]
        assert [page.reference for page in listing] == expected
        api = client.get("/api/v1/decisions/", {"q": words}).json()["results"]
        assert [item["reference"] for item in api] == expected


class KeysetPagingTestCase:
    """Past the first page, the "Next" link carries a cursor (`after=`): the listing goes on from there."""

    @pytest.fixture
    def decisions(self, council_page):
        # 45 decisions over three dates, 15 a day: pages cross days and share dates, which the cursor must order.
        for day in (1, 2, 3):
            sitting = session(council_page, date=datetime.date(2025, 3, day), slug=f"march-{day}")
            for number in range(15):
                decision(sitting, reference=f"{day}-{number:03d}", title=f"D{day}-{number:02d}")

    def walk(self, client, url: str) -> list[list[str]]:
        pages = []
        while url:
            response = client.get(url)
            assert response.status_code == 200
            pages.append(titles(response))
            page = response.context["decisions"]
            url = f"{LISTING}?{page.next_query}" if page.next_query else ""
        return pages

    def test_it_walks_every_decision_once_in_order(self, client, decisions):
        for sort in ("-date", "date"):
            pages = self.walk(client, f"{LISTING}?sort={sort}")
            walked = [title for page in pages for title in page]
            assert [len(page) for page in pages] == [20, 20, 5]
            assert walked == sorted(walked, reverse=sort == "-date")  # no gap, no repeat, in order
            assert len(set(walked)) == 45

    def test_its_next_link_carries_the_cursor_and_the_filters(self, client, decisions):
        content = client.get(f"{LISTING}?year=2025").content.decode()
        assert 'rel="next" href="?year=2025&amp;after=2025-03-02%2C2-010%2C' in content

    def test_the_numbered_pages_still_work(self, client, decisions):
        assert titles(client.get(f"{LISTING}?page=2")) == self.walk(client, LISTING)[1]

    @pytest.mark.parametrize(
        "bad",
        [
            "page=999999",
            "page=-3",
            "page=abc",
            "page=1e9",
            "after=garbage",
            "after=2025-13-01,x,1",
            "after=,,",
            "after=2025-03-01,x,-1",
        ],
    )
    def test_it_answers_bad_pages_and_cursors_with_a_page(self, client, decisions, bad):
        response = client.get(f"{LISTING}?{bad}")
        assert response.status_code == 200
        assert len(titles(response)) in {5, 20}

    def test_a_bad_cursor_gives_the_first_page(self, client, decisions):
        assert titles(client.get(f"{LISTING}?after=not-a-cursor")) == titles(client.get(LISTING))

    def test_it_counts_no_further_than_the_numbered_pages(self, client, decisions):
        from cms import listing

        response = client.get(LISTING)
        assert response.context["decisions"].count == 45
        assert response.context["decisions"].count_is_exact
        assert listing.COUNT_LIMIT == listing.PAGE_SIZE * listing.MAX_NUMBERED_PAGES

    def test_its_query_count_does_not_depend_on_the_page(self, client, decisions, no_page_cache):
        def count(url):
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            return len(queries)

        client.get(LISTING)  # the site's settings, created on first use
        first = count(LISTING)
        cursor = client.get(LISTING).context["decisions"].next_query
        assert count(f"{LISTING}?{cursor}") == first
        assert count(f"{LISTING}?page=3") == first
