"""Importing decisions as drafts (`publish=False`): what a harvest source whose records wait for review does."""

import io

import pytest
from django.utils import translation

from cms.importing import import_decisions
from cms.models import DecisionPage

HEADER = "reference,title,decision_date,session_date,summary,outcome\n"


def csv_of(*rows: str) -> io.BytesIO:
    data = io.BytesIO((HEADER + "".join(f"{row}\n" for row in rows)).encode())
    data.name = "decisions.csv"
    return data


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.mark.django_db
class ImportDraftsTestCase:
    def test_it_adds_a_new_decision_unpublished_with_its_content_as_a_draft_revision(self, council_page):
        report = import_decisions(
            csv_of("2025/010,إنارة الحي,2025-03-10,2025-03-10,ملخص,adopted"), council=council_page, publish=False
        )
        assert (report.created, report.errors) == (1, [])
        page = DecisionPage.objects.get(reference="2025/010")
        assert not page.live and page.has_unpublished_changes
        assert page.latest_revision is not None and page.live_revision is None
        assert page.latest_revision.as_object().title == "إنارة الحي"
        assert not DecisionPage.objects.live().filter(pk=page.pk).exists()

    def test_a_published_decision_keeps_its_live_version_and_gets_the_change_as_a_draft(self, council_page):
        import_decisions(csv_of("2025/011,الطرق,2025-03-10,2025-03-10,ملخص أول,adopted"), council=council_page)
        page = DecisionPage.objects.get(reference="2025/011")
        live_revision = page.live_revision
        report = import_decisions(
            csv_of("2025/011,الطرق,2025-03-10,2025-03-10,ملخص ثان,adopted"), council=council_page, publish=False
        )
        assert (report.updated, report.errors) == (1, [])
        page.refresh_from_db()
        assert page.live and page.summary == "ملخص أول"  # what visitors read has not changed
        assert page.live_revision == live_revision
        assert page.latest_revision.as_object().summary == "ملخص ثان"

    def test_published_by_default(self, council_page):
        import_decisions(csv_of("2025/012,النظافة,2025-03-10,2025-03-10,ملخص,adopted"), council=council_page)
        assert DecisionPage.objects.get(reference="2025/012").live
