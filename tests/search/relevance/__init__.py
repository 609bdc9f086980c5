"""The relevance set: municipal records in Arabic and French, and queries with the records they must find first.

corpus.json: [{id, kind, language, title, summary, text, date, topic}]; queries.json: [{q, expected, why}].
A query passes when one of its expected records is among the first three results.
"""

import datetime
import json
from pathlib import Path

from portal.models import SearchEntry
from search.indexing import index_entries
from search.sources import Document

HERE = Path(__file__).parent


def load_relevance_set() -> tuple[list[dict], list[dict]]:
    """Write the corpus as search entries (the index empty before) and return it with the queries."""
    corpus = json.loads((HERE / "corpus.json").read_text(encoding="utf-8"))
    queries = json.loads((HERE / "queries.json").read_text(encoding="utf-8"))
    index_entries(
        [
            (
                record["kind"],
                record["id"],
                Document(
                    language=record["language"],
                    title=record["title"],
                    url=f"/{record['language']}/relevance/{record['id']}/",
                    summary=record.get("summary", ""),
                    text=record.get("text", ""),
                    date=datetime.date.fromisoformat(record["date"]) if record.get("date") else None,
                    topic=record.get("topic", ""),
                ),
            )
            for record in corpus
        ]
    )
    assert SearchEntry.objects.count() == len(corpus)
    return corpus, queries


def hit_rate_at_3(queries: list[dict], search) -> tuple[float, list[str]]:
    """The share of `queries` whose expected records meet the first three ids `search(q)` returns, and the misses."""
    misses = [case["q"] for case in queries if not set(search(case["q"])[:3]) & set(case["expected"])]
    return 1 - len(misses) / len(queries), misses
