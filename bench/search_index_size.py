"""The size of the search index per search entry, to size Elasticsearch or OpenSearch (docs/deployment.md).

Indexes 5,000 generated entries (in the shape of search.indexing: folded title and words, the filters) into
osmem-server, the in-memory OpenSearch the tests use, with the index settings of portal/settings/base.py,
and prints the store size `_cat/indices` reports, against the JSON sent. An estimate: osmem is not Lucene on
disk, so the figure is compared with the JSON sent and rounded up in the docs. No database: the entries are
built in memory. Text: 60 % decisions (title, 40-word summary, 400 words of full text), 40 % datasets and
news (100 words), Arabic and French words from Faker.

    .venv/bin/python bench/search_index_size.py
"""

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

ENTRIES = 5000
BATCH = 100


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from faker import Faker
    from modelsearch.backends import get_search_backend
    from osmem_server import OsmemServer

    from portal.analysis import search_terms
    from portal.models import SearchEntry

    random.seed(1)
    fakers = {"ar": Faker("ar_AA"), "fr": Faker("fr_FR")}
    for faker in fakers.values():
        faker.seed_instance(1)

    def entry(pk: int) -> SearchEntry:
        language = random.choice(["ar", "fr"])
        words = fakers[language].words
        decision = random.random() < 0.6
        title = " ".join(words(10))
        summary = " ".join(words(40 if decision else 20))
        text = " ".join(words(400 if decision else 100))
        return SearchEntry(
            pk=pk,
            kind="decision" if decision else random.choice(["dataset", "news"]),
            record_id=str(pk),
            language=language,
            title=title,
            summary=summary,
            text=text,
            url=f"/{language}/x/{pk}/",
            body_id=random.randint(1, 50),
            year=random.randint(2015, 2026),
            topic=random.choice(["budget", "urbanisme", "eau", ""]),
            title_terms=search_terms(title),
            terms=search_terms(f"{title} {summary} {text}"),
        )

    with OsmemServer.start(japanese=False) as server:
        backend = get_search_backend(
            "wagtail.search.backends.opensearch3",
            URLS=[server.url],
            INDEX_PREFIX="bench_",
            TIMEOUT=300,
            INDEX_SETTINGS=settings.SEARCH_INDEX_SETTINGS,
        )
        index = backend.get_index_for_model(SearchEntry)
        index.reset()
        index.add_model(SearchEntry)
        mapping = backend.mapping_class(SearchEntry)
        sent = 0
        for start in range(0, ENTRIES, BATCH):
            entries = [entry(pk) for pk in range(start + 1, start + BATCH + 1)]
            sent += sum(len(json.dumps(mapping.get_document(item), ensure_ascii=False).encode()) for item in entries)
            index.add_items(SearchEntry, entries)
        index.refresh()
        (row,) = backend.es.cat.indices(index=index.name, format="json", bytes="b")
        store = int(row["store.size"])
        print(f"{row['docs.count']} entries; store {store / 1e6:.1f} MB ({store / int(row['docs.count']):,.0f} B each)")
        print(f"JSON sent {sent / 1e6:.1f} MB ({sent / ENTRIES:,.0f} B each)")
        print(f"per 100,000 entries: store {store * 100_000 / ENTRIES / 1e9:.2f} GB, JSON {sent * 20 / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
