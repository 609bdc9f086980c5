"""Feeds of decisions (RSS 2.0, Atom, JSON Feed) harvested into the council of the source's body."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from cms.models import CouncilDocument, DecisionPage
from harvesters.kinds import KINDS
from harvesters.kinds.base import ObjectFailure, SourceFailure
from harvesters.kinds.feed import html_to_text
from harvesters.models import HarvestObject, HarvestSource
from tests.cms.builders import council

from .servers import Reply

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feed"
KIND = KINDS["feed"]
TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".pdf": "application/pdf",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def council_page(commune):
    return council(commune, slug="apc")


@pytest.fixture
def feeds(serve):
    """A server of the fixture feeds and of the file they attach."""
    routes = {
        f"/{path.name}": Reply(path.read_bytes(), content_type=TYPES[path.suffix]) for path in FIXTURES.glob("*.*")
    }
    routes["/files/deliberation.pdf"] = Reply(
        (FIXTURES / "deliberation.pdf").read_bytes(), content_type="application/pdf"
    )
    routes["/bad.rss"] = Reply(b"<html><body>Maintenance</body></html>", content_type="text/html")
    routes["/missing.json"] = Reply(
        (FIXTURES / "decisions.json").read_bytes().replace(b"/files/deliberation.pdf", b"/files/gone.pdf"),
        content_type="application/feed+json",
    )
    return serve(routes)


def source_of(body, url: str, **fields) -> HarvestSource:
    fields.setdefault("slug", "feed")
    return HarvestSource._default_manager.create(
        kind="feed", name="APC feed", body=body, url=url, target="decisions", **fields
    )


def harvest(source: HarvestSource) -> list:
    results = []
    for item in KIND.gather(source, ""):
        obj, _created = HarvestObject.objects.get_or_create(
            source=source, remote_id=item.remote_id, defaults={"guid": item.guid}
        )
        results.append(KIND.import_object(source, obj, item.content))
    return results


@pytest.mark.django_db
class FeedTestCase:
    def test_an_rss_feed_becomes_published_decisions_with_their_signed_deliberation(self, feeds, council_page):
        source = source_of(council_page.body, f"{feeds.url}/decisions.rss")
        KIND.check(source)
        gathered = list(KIND.gather(source, ""))
        assert [item.remote_id for item in gathered] == ["apc-2025-061", "apc-2025-062"]
        assert gathered[0].remote_url == "https://apc.example.dz/deliberations/2025-061"
        results = harvest(source)
        assert [result.outcome for result in results] == ["created", "created"]
        page = DecisionPage.objects.get(reference="2025/061")
        assert results[0].record == page and page.live
        assert page.title == "مداولة رقم 2025/061: المصادقة على مخطط التهيئة"
        assert page.summary == "صادق المجلس على مخطط التهيئة العمرانية."
        # Published at 00:30 in Algiers: the council's date, not the day before in UTC.
        assert page.decision_date == datetime.date(2025, 4, 12)
        assert page.votes_for == 27
        [attachment] = page.attachments.all()
        assert (attachment.kind, attachment.document.file_extension) == ("signed", "pdf")
        assert DecisionPage.objects.get(reference="2025/062").outcome == "rejected"
        again = harvest(source)
        assert [result.outcome for result in again] == ["unchanged", "unchanged"]
        assert CouncilDocument.objects.count() == 1

    def test_an_atom_feed_and_a_json_feed_carry_references_dates_and_attachments(self, feeds, council_page):
        atom = source_of(council_page.body, f"{feeds.url}/decisions.atom")
        [result] = harvest(atom)
        page = DecisionPage.objects.get(reference="2025/071")
        assert result.record == page
        assert page.get_parent().specific.session_date == datetime.date(2025, 5, 2)
        assert [block.block_type for block in page.full_text] == ["paragraph", "paragraph"]
        assert page.attachments.get().document.file_extension == "pdf"
        json_feed = source_of(council_page.body, f"{feeds.url}/decisions.json", slug="json")
        [result] = harvest(json_feed)
        page = DecisionPage.objects.get(reference="2025/081")
        assert (page.votes_for, page.votes_against, page.decision_date) == (30, 0, datetime.date(2025, 6, 7))
        assert "المادة الثانية" in str(page.full_text)
        assert CouncilDocument.objects.count() == 1  # the same file: one document

    def test_markup_in_an_entry_is_text_and_never_reaches_the_page_as_markup(self, feeds, council_page, client):
        source = source_of(council_page.body, f"{feeds.url}/xss.rss")
        [item] = KIND.gather(source, "")
        assert item.remote_url == ""  # a javascript: link is no remote page
        [result] = harvest(source)
        page = result.record
        assert "<" not in page.title and "alert" not in page.title
        assert "alert" not in page.summary and page.summary.startswith("نص رابط")
        response = client.get(page.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "onerror" not in html and "onclick" not in html and "javascript:" not in html
        assert "<script>alert" not in html and "<iframe" not in html

    def test_html_becomes_the_text_a_reader_sees(self):
        assert html_to_text("<p>one<br>two</p><p>three &amp; <b>four</b></p><style>p{}</style>") == (
            "one\ntwo\n\nthree & four"
        )

    def test_drafts_a_reference_missing_and_a_file_gone_are_reported(self, feeds, council_page):
        drafts = source_of(council_page.body, f"{feeds.url}/decisions.rss", publish=False)
        harvest(drafts)
        assert not DecisionPage.objects.filter(reference="2025/061").get().live
        no_reference = source_of(
            council_page.body,
            f"{feeds.url}/decisions.rss",
            slug="strict",
            options={"reference_pattern": r"n°(?P<reference>\d+)"},
        )
        items = list(KIND.gather(no_reference, ""))
        obj = HarvestObject.objects.create(source=no_reference, remote_id=items[0].remote_id, guid=items[0].guid)
        with pytest.raises(ObjectFailure, match="has no reference"):
            KIND.import_object(no_reference, obj, items[0].content)
        missing = source_of(council_page.body, f"{feeds.url}/missing.json", slug="missing")
        with pytest.raises(ObjectFailure, match="gone.pdf cannot be downloaded"):
            harvest(missing)
        assert not DecisionPage.objects.filter(reference="2025/081").exists()

    def test_a_page_instead_of_a_feed_fails_the_source(self, feeds, council_page):
        with pytest.raises(SourceFailure, match="not an RSS, Atom or JSON feed|not XML|web page"):
            list(KIND.gather(source_of(council_page.body, f"{feeds.url}/bad.rss"), ""))

    def test_it_checks_the_reference_pattern_and_the_council(self, commune):
        source = source_of(commune, "https://apc.example.dz/feed")
        with pytest.raises(ValidationError, match="no council page"):
            KIND.check(source)
        council(commune, slug="apc")
        source.options = {"reference_pattern": r"(\d+"}
        with pytest.raises(ValidationError, match="not a regular expression"):
            KIND.check(source)
        source.options = {"reference_pattern": r"(\d+/\d+)"}
        with pytest.raises(ValidationError, match="named “reference”"):
            KIND.check(source)

    def test_a_withdrawn_entry_unpublishes_its_decision_and_keeps_it(self, feeds, council_page):
        source = source_of(council_page.body, f"{feeds.url}/decisions.atom")
        [result] = harvest(source)
        obj = HarvestObject.objects.get(source=source)
        obj.record = result.record
        obj.save()
        KIND.withdraw(source, HarvestObject.objects.get(pk=obj.pk))
        page = DecisionPage.objects.get(reference="2025/071")
        assert not page.live
        KIND.withdraw(source, HarvestObject.objects.get(pk=obj.pk))  # again: nothing more to do


@pytest.mark.django_db
class FeedHarvestTestCase:
    def test_a_feed_harvested_shows_its_provenance_and_an_entry_gone_unpublishes_its_decision(
        self, serve, council_page, client
    ):
        from harvesters.models import HarvestJob
        from harvesters.runner import run_harvest

        rss = (FIXTURES / "decisions.rss").read_bytes()
        routes = {"/feed": Reply(rss, content_type="application/rss+xml")}
        routes["/files/deliberation.pdf"] = Reply(
            (FIXTURES / "deliberation.pdf").read_bytes(), content_type="application/pdf"
        )
        server = serve(routes)
        source = source_of(council_page.body, f"{server.url}/feed", withdraw_after=1)
        source.options = {"complete": True}  # this feed lists every decision: one that leaves it is withdrawn
        source.save()
        job = run_harvest(source)
        assert (job.status, job.created, job.failed) == (HarvestJob.Status.FINISHED, 2, 0)
        page = DecisionPage.objects.get(reference="2025/061")
        response = client.get(page.url)
        assert "APC feed" in response.content.decode()  # "Harvested from APC feed", in the page's Arabic
        assert 'href="https://apc.example.dz/deliberations/2025-061"' in response.content.decode()
        assert run_harvest(source).unchanged == 2
        # The second entry leaves the feed: at the next run its decision is unpublished, and kept.
        start, end = rss.index(b"<item>", rss.index(b"</item>")), rss.rindex(b"</item>") + len(b"</item>")
        routes["/feed"] = Reply(rss[:start] + rss[end:], content_type="application/rss+xml")
        third = run_harvest(source)
        assert (third.withdrawn, third.unchanged) == (1, 1)
        assert not DecisionPage.objects.get(reference="2025/062").live
        assert DecisionPage.objects.get(reference="2025/061").live

    def test_a_decision_that_scrolls_off_a_feed_of_latest_entries_stays_published(self, serve, council_page):
        from harvesters.runner import run_harvest

        rss = (FIXTURES / "decisions.rss").read_bytes()
        routes = {"/feed": Reply(rss, content_type="application/rss+xml")}
        routes["/files/deliberation.pdf"] = Reply(
            (FIXTURES / "deliberation.pdf").read_bytes(), content_type="application/pdf"
        )
        server = serve(routes)
        source = source_of(council_page.body, f"{server.url}/feed", withdraw_after=1)
        assert run_harvest(source).created == 2
        start, end = rss.index(b"<item>", rss.index(b"</item>")), rss.rindex(b"</item>") + len(b"</item>")
        routes["/feed"] = Reply(rss[:start] + rss[end:], content_type="application/rss+xml")
        assert run_harvest(source).withdrawn == 0
        assert DecisionPage.objects.get(reference="2025/062").live


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><title>&lol2;</title><item><guid>x</guid><title>&lol2;</title></item></channel></rss>"""


@pytest.mark.django_db
def test_a_feed_declaring_entities_is_refused_before_it_is_parsed(serve, council_page):
    server = serve({"/feed": Reply(BILLION_LAUGHS, content_type="application/rss+xml")})
    with pytest.raises(SourceFailure):
        list(KIND.gather(source_of(council_page.body, f"{server.url}/feed"), ""))
    assert not DecisionPage.objects.exists()
