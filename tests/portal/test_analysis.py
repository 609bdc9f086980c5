"""portal.analysis: the words people type and the words the text says fold alike, in Arabic and French."""

import pytest

from portal.analysis import search_terms


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("ميزانية", "الميزانية"),  # the article
        ("ميزانية", "الميزانيات"),  # a sound feminine plural
        ("مياه", "وبالمياه"),  # attached conjunction, preposition and article
        ("إنارة", "الانارة"),  # hamza under alef, ta marbuta
        ("مدرسون", "مُدَرِّسِين"),  # tashkeel with shadda, the other case of the sound plural
        ("مسؤول", "المسؤولون"),  # hamza on waw, article and plural
        ("رئيس", "الرئيس"),  # hamza on ya
        ("مستشفى", "المستشفي"),  # alef maqsura
        ("ميزانية", "الـمـيـزانـيـة"),  # tatweel
        ("depenses", "Dépenses"),  # accents and case
        ("eclairage", "l’éclairage"),  # elision
        ("budget", "budgets"),  # plural
        ("journal", "journaux"),
    ],
)
def test_what_people_type_meets_what_the_text_says(typed, written):
    assert search_terms(typed) == search_terms(written)


@pytest.mark.parametrize(
    ("one", "other"),
    [("بلدية", "ولاية"), ("طرق", "مياه"), ("cantine", "canton"), ("mer", "mère des")],
)
def test_different_words_stay_different(one, other):
    assert search_terms(one) != search_terms(other)


def test_short_words_keep_their_letters_and_mixed_scripts_pass_through():
    assert search_terms("ال") == "ال"
    assert search_terms("LED إنارة 2025") == "led انار 2025"
    assert search_terms("") == ""
    assert search_terms('title:"x" OR 1=1 *') == "title x or 1 1"
