"""PostgreSQL ranks in two steps (portal.searching.PostgresEngine): what must hold whatever the number of matches."""

import datetime

import pytest
from django.db import connection, transaction

from portal.models import SearchEntry
from portal.searching import EntrySearch, PostgresEngine
from search.indexing import index_entries
from search.sources import Document

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the entries' own vectors are PostgreSQL's"),
]


def entry(number: int, title: str, text: str = "", day: int = 1) -> tuple[str, str, Document]:
    document = Document(
        language="fr",
        title=title,
        url=f"/fr/record/{number}/",
        text=text,
        date=datetime.date(2025, 1, day),
    )
    return ("page", str(number), document)


def found(q: str, start: int = 0, stop: int = 20) -> list[str]:
    return [hit.record_id for hit in EntrySearch(q).page(start, stop)]


def test_a_word_in_a_title_outranks_words_in_the_text_and_the_text_ranks_by_its_words():
    index_entries(
        [
            entry(1, "Collecte des ordures", "cantine " * 3, day=20),  # newest: ranked by date among equals
            entry(2, "Rapport annuel", "cantine " * 9, day=2),
            entry(3, "Cantine scolaire", "menus", day=1),
            entry(4, "Marché hebdomadaire", "cantine", day=30),
        ]
    )

    assert found("cantine") == ["3", "2", "1", "4"]


def test_the_pages_share_one_order_past_the_ranked_matches(monkeypatch):
    monkeypatch.setattr(PostgresEngine, "RANKED", 4)
    index_entries(
        [entry(number, f"Titre {number}", "budget " * (number % 5 + 1), day=number % 28 + 1) for number in range(30)]
    )
    whole = found("budget", 0, 30)

    pages = [record for start in range(0, 30, 7) for record in found("budget", start, start + 7)]

    assert sorted(whole, key=int) == [str(number) for number in range(30)]
    assert pages == whole
    counts = {record: SearchEntry.objects.get(record_id=record).text.count("budget") for record in whole[:4]}
    assert list(counts.values()) == sorted(counts.values(), reverse=True), "the first ranked by all their words"


def test_an_edited_entry_is_found_by_its_new_words_only():
    index_entries([entry(1, "Éclairage public")])
    index_entries([entry(1, "Voirie communale")])

    assert found("eclairage") == []
    assert found("voirie") == ["1"]
    assert [hit.record_id for hit in EntrySearch("voi", prefix=True).page(0, 8)] == ["1"]


def test_a_search_inside_a_transaction_leaves_its_plans_alone():
    index_entries([entry(1, "Éclairage public")])
    with transaction.atomic(), connection.cursor() as cursor:
        assert found("eclairage") == ["1"]
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
