"""Decision and session pages: what they show, what they refuse, and the language fallback."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.cms.builders import decision, session, translate


@pytest.fixture
def session_page(council_page):
    return session(council_page)


class DecisionPageTestCase:
    def test_it_shows_the_decision_with_its_tally(self, client, session_page):
        page = decision(session_page, reference="2025/017", title="الميزانية الإضافية 2025")
        response = client.get(page.url)
        content = response.content.decode()
        assert response.status_code == 200
        assert "2025/017" in content
        assert "الميزانية الإضافية 2025" in content
        assert "<td>24</td><td>3</td><td>2</td><td>29</td>" in content
        assert page.body.slug == "commune-test"
        assert page.year == 2025

    def test_it_escapes_html_in_fields(self, client, session_page):
        page = decision(session_page, title='<script>alert("t")</script>', summary="<img src=x onerror=alert(1)>")
        content = client.get(page.url).content.decode()
        assert "<img src=x" not in content
        assert '<script>alert("t")</script>' not in content

    def test_it_refuses_a_reused_reference_in_the_same_body_and_year(self, session_page):
        decision(session_page, reference="2025/001")
        with pytest.raises(ValidationError) as error:
            decision(session_page, reference="2025/001", slug="other")
        assert "2025/001" in str(error.value.message_dict["reference"])

    def test_it_accepts_the_same_reference_another_year(self, council_page, session_page):
        decision(session_page, reference="001")
        later = session(council_page, date=datetime.date(2026, 1, 12), slug="later")
        assert decision(later, reference="001", slug="later-001").year == 2026

    def test_it_refuses_a_tally_that_does_not_match_the_members_present(self, session_page):
        with pytest.raises(ValidationError) as error:
            decision(session_page, votes=(20, 3, 2))
        assert "25" in str(error.value.message_dict["votes_for"])
        assert "29" in str(error.value.message_dict["votes_for"])

    def test_it_accepts_any_tally_for_a_postponed_item(self, session_page):
        assert decision(session_page, votes=(0, 0, 0), outcome="postponed").live


class SessionPageTestCase:
    def test_it_refuses_a_future_session_marked_held(self, council_page):
        with pytest.raises(ValidationError) as error:
            session(council_page, date=timezone.localdate() + datetime.timedelta(days=3))
        assert "status" in error.value.message_dict

    def test_it_refuses_more_members_present_than_seats(self, council_page):
        with pytest.raises(ValidationError) as error:
            session(council_page, present=40)
        assert "members_present" in error.value.message_dict


class LanguageFallbackTestCase:
    def test_it_shows_an_arabic_only_decision_in_french_with_a_notice(self, client, session_page):
        page = decision(session_page, title="تسمية شارع")
        response = client.get(page.url.replace("/ar/", "/fr/", 1))
        content = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="fr" dir="ltr">' in content
        assert '<p class="notice" role="note">Ce texte n’est disponible qu’en arabe.</p>' in content
        assert 'lang="ar" dir="rtl">تسمية شارع</h1>' in content
        # The French headings keep the page's direction; only the council's Arabic text runs right to left.
        assert '<section aria-labelledby="summary-title">\n    <h2 id="summary-title">Résumé</h2>' in content
        assert '<p lang="ar" dir="rtl">' in content

    def test_it_serves_the_translation_when_there_is_one(self, client, session_page):
        page = decision(session_page, title="تسمية شارع")
        translation = translate(page, "fr", title="Dénomination d'une rue")
        content = client.get(translation.url).content.decode()
        assert "Dénomination d&#x27;une rue" in content
        assert "disponible qu" not in content

    def test_it_still_answers_404_for_a_missing_page(self, client, session_page):
        assert client.get(session_page.url.replace("/ar/", "/fr/", 1) + "no-such-decision/").status_code == 404


class QueryCountTestCase:
    """A decision page makes a bounded number of queries, whatever it holds, in its language or another."""

    @pytest.fixture
    def page(self, session_page):
        from django.core.files.base import ContentFile
        from wagtail.models import Locale

        from cms.models import CouncilDocument, DecisionAttachment, Topic
        from tests.cms.builders import home_page

        home_page("fr")
        page = decision(session_page, title="تسمية شارع")
        locale = Locale.objects.get(language_code="ar")
        for slug in ("budget", "eau"):
            page.topics.add(Topic.objects.create(name=slug, slug=slug, locale=locale))
        page.save_revision().publish()  # topics are saved with the page (a ParentalManyToManyField)
        for order in range(3):
            document = CouncilDocument(title=f"Annex {order}")
            document.file.save(f"annex-{order}.pdf", ContentFile(b"%PDF-1.4 annex"), save=True)
            DecisionAttachment.objects.create(page=page, document=document, kind="annex", sort_order=order)
        return page

    @pytest.mark.parametrize("language", ["ar", "fr"])
    def test_it_makes_at_most_16_queries(self, client, page, language, django_assert_max_num_queries):
        url = page.url.replace("/ar/", f"/{language}/", 1)
        client.get(url)
        with django_assert_max_num_queries(16):  # 15, and its provenance (where a harvest brought it from)
            response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert "Annex 2" in content
        assert "eau" in content
