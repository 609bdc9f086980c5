"""The CKAN `package_search` action and the HTML catalogue with 100 and then 10,000 published datasets.

Bulk-loads datasets (bench/catalogue_data.py: ten communes, the thirteen EU themes, the licences, forty
keywords and one to three resources each), then measures `/api/3/action/package_search` plain,
with words, with `fq` filters, with the five facets, with 100 rows and on a deep page, and the catalogue
page `/fr/data/` (its listing with five facets, a filter, a deep page by number and by its "next" link):
median and p95 under load (gunicorn in a second process, DEBUG off) and the SQL queries of a first request and of
the same request again.
Baseline: the same requests with 100 datasets, measured in the same run.

PostgreSQL only: the data go to their own database, BENCH_DATABASE (default baladiya_bench_catalogue),
dropped and created again by each run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/catalogue_search.py
"""

import contextlib
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_catalogue")
STEPS = [100, 10_000]
REQUESTS, CONCURRENCY, SERVER_WORKERS = 100, 4, 2

bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/catalogue_search.py")
os.environ.update(
    DATABASE_URL=bench_url,
    DJANGO_SETTINGS_MODULE="portal.settings.dev",
    DEBUG="false",
    # The query counts come from Django's test client, which calls itself "testserver".
    ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    # What a request costs to compute: the page cache (portal.caching) would answer from Redis.
    PAGE_CACHE_TIMEOUT="0",
)
recreate_database(BENCH_DATABASE, maintenance_url)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.catalogue_data import load_datasets  # noqa: E402
from bench.http_load import load, serve  # noqa: E402
from search.indexing import refresh_entries  # noqa: E402

CATALOGUE_PAGE_SIZE = 20  # opendata.views.PAGE_SIZE


def requests_to_measure(total: int) -> dict[str, str]:
    facets = json.dumps(["organization", "groups", "tags", "res_format", "license_id"])
    base = "/api/3/action/package_search"
    last_page = max(1, (total + CATALOGUE_PAGE_SIZE - 1) // CATALOGUE_PAGE_SIZE)
    return {
        "plain (10 rows)": base,
        "words": f"{base}?{urlencode({'q': 'ميزانية'})}",
        "fq organisation": f"{base}?{urlencode({'fq': 'organization:commune-3'})}",
        "fq theme + format": f"{base}?{urlencode({'fq': 'groups:economy res_format:CSV'})}",
        "five facets": f"{base}?{urlencode({'facet.field': facets, 'facet.limit': 20})}",
        "100 rows": f"{base}?rows=100",
        "deep page": f"{base}?{urlencode({'start': max(0, total - 20), 'rows': 10})}",
        "html listing": "/fr/data/",
        "html theme + format": f"/fr/data/?{urlencode({'theme': 'economy', 'format': 'CSV'})}",
        "html deep page": f"/fr/data/?page={last_page}",
    }


def next_link(path: str) -> str:
    """The address of the "Next" link of the catalogue page at `path` (a keyset cursor, where the order allows)."""
    content = Client().get(path).content.decode()
    marker = 'rel="next" href="'
    found = content.find(marker)
    if found < 0:
        raise RuntimeError(f"{path} has no next link")
    link = content[found + len(marker) : content.index('"', found + len(marker))].replace("&amp;", "&")
    return path.split("?")[0] + link


def deep_next_link(total: int) -> str:
    """The "Next" link of the page before the last one, reached by following the links' own addresses."""
    last_page = max(1, (total + CATALOGUE_PAGE_SIZE - 1) // CATALOGUE_PAGE_SIZE)
    return next_link(f"/fr/data/?page={max(1, last_page - 2)}")


def query_counts(path: str) -> str:
    """The SQL queries of a first request of `path` and of the same request again ("7/1"): what the catalogue
    keeps until the next change of content (counts, CKAN dictionaries) is read from the cache the second time."""
    counts = []
    for _attempt in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(path)
        if response.status_code != 200 or (path.startswith("/api/") and not response.json()["success"]):
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        counts.append(len(queries))
    return "/".join(map(str, counts))


def main() -> None:
    call_command("migrate", verbosity=0)
    results = {}
    for step in STEPS:
        started = time.perf_counter()
        added = load_datasets(step)
        print(f"{step:,} datasets: loaded {added:,} in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        refresh_entries(["dataset"])  # bulk loading sends no signals: the search entries are written here
        print(f"  search entries written and indexed in {time.perf_counter() - started:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE"
            )  # as autovacuum soon would: statistics, and the visibility map that index-only scans need
        connection.close()
        paths = requests_to_measure(step)
        with contextlib.suppress(RuntimeError):  # a catalogue without keyset links has no such request
            paths["html next link (deep)"] = deep_next_link(step)
        figures = {label: {"queries": query_counts(path)} for label, path in paths.items()}
        # No rate limit for the load generator: it is one IP address sending thousands of requests.
        with serve(workers=SERVER_WORKERS, env={"RATE_LIMIT_API": "1000000/s"}) as base:
            for label, path in paths.items():
                figures[label].update(load(base + path, requests=REQUESTS, concurrency=CONCURRENCY))
        results[step] = figures

    labels = [label for label in results[STEPS[-1]] if all(label in results[step] for step in STEPS)]
    print(f"\ncatalogue ({REQUESTS} requests, {CONCURRENCY} at a time, gunicorn {SERVER_WORKERS} workers)")
    print(f"{'request':22}" + "".join(f" | {step:>7,} datasets: median   p95  queries" for step in STEPS))
    for label in labels:
        cells = "".join(
            f" | {'':17}{results[step][label]['median_ms']:7.1f} {results[step][label]['p95_ms']:6.1f} "
            f"{results[step][label]['queries']:>7}"
            for step in STEPS
        )
        ratio = results[STEPS[-1]][label]["median_ms"] / results[STEPS[0]][label]["median_ms"]
        print(f"{label:22}{cells} | ×{ratio:.2f} median vs {STEPS[0]}")


if __name__ == "__main__":
    main()
