"""The CKAN `package_search` action and the HTML catalogue with 100 and then 10,000 published datasets.

Bulk-loads datasets spread over ten communes, the thirteen EU themes, the licences, forty keywords and
one to three resources each (CSV, XLSX, JSON, PDF), then measures `/api/3/action/package_search` plain,
with words, with `fq` filters, with the five facets, with 100 rows and on a deep page, and the catalogue
page `/fr/data/` (its listing with five facets, a filter, a deep page by number and by its "next" link):
median and p95 under load (gunicorn in a second process, DEBUG off) and the SQL queries of one request.
Baseline: the same requests with 100 datasets, measured in the same run.

`load_datasets(count)` is the loader other benchmarks import (bench/growth.py): it adds datasets to the
current database until it holds `count` of them.

PostgreSQL only: the data go to their own database, BENCH_DATABASE (default baladiya_bench_catalogue),
dropped and created again by each run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/catalogue_search.py
"""

import contextlib
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_catalogue")
STEPS = [100, 10_000]
COMMUNES = 10
REQUESTS, CONCURRENCY, SERVER_WORKERS = 100, 4, 2

bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/catalogue_search.py")
os.environ.update(
    DATABASE_URL=bench_url,
    DJANGO_SETTINGS_MODULE="portal.settings.dev",
    DEBUG="false",
    # The query counts come from Django's test client, which calls itself "testserver".
    ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
)
recreate_database(BENCH_DATABASE, maintenance_url)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from taggit.models import Tag  # noqa: E402

from bench.http_load import load, serve  # noqa: E402
from opendata.models import Dataset, Licence, Resource, TaggedDataset, Theme  # noqa: E402
from portal.bodies.models import PublicBody  # noqa: E402
from search.indexing import refresh_entries  # noqa: E402

SUBJECTS = [
    ("ميزانية البلدية", "Budget communal", "budget"),
    ("تنفيذ الميزانية", "Exécution du budget", "execution-budget"),
    ("المرافق العمومية", "Équipements publics", "equipements"),
    ("حضور أعضاء المجلس", "Présence des élus", "presence"),
    ("جمع النفايات", "Collecte des déchets", "dechets"),
    ("شبكة المياه", "Réseau d'eau potable", "eau"),
    ("الحالة المدنية", "État civil", "etat-civil"),
    ("رخص البناء", "Permis de construire", "permis"),
    ("إعانات الجمعيات", "Subventions aux associations", "subventions"),
    ("الصفقات العمومية", "Marchés publics", "marches"),
]
KEYWORDS = [f"kw-{index}" for index in range(40)]
FORMATS = ["CSV", "XLSX", "JSON", "PDF"]


BATCH = 10_000  # datasets built in memory at a time: 100,000 of them stay within a few hundred MB


def bench_bodies() -> list[PublicBody]:
    """The ten communes (under one wilaya) that own the bench's datasets, created on first use."""
    wilaya = PublicBody.objects.filter(slug="wilaya-bench").first()
    if wilaya is None:
        wilaya = PublicBody.add_root(slug="wilaya-bench", kind="region", name_ar="ولاية الاختبار", name_fr="Wilaya")
    bodies = {body.slug: body for body in PublicBody.objects.filter(slug__startswith="commune-")}
    for index in range(COMMUNES):
        slug = f"commune-{index}"
        if slug not in bodies:
            wilaya.refresh_from_db()
            bodies[slug] = wilaya.add_child(
                slug=slug, kind="commune", name_ar=f"بلدية {index}", name_fr=f"Commune {index}"
            )
    return [bodies[f"commune-{index}"] for index in range(COMMUNES)]


def load_datasets(count: int) -> int:
    """Add published datasets (themes, keywords, resources) until the bench's bodies hold `count`; return how
    many were added. Bulk inserts send no signals: call search.indexing.refresh_entries(["dataset"]) after."""
    bodies = bench_bodies()
    loaded = Dataset.objects.filter(body__in=bodies).count()
    for start in range(loaded, count, BATCH):
        _load_batch(start, min(count, start + BATCH), bodies)
    return max(0, count - loaded)


def _load_batch(start: int, stop: int, bodies: list[PublicBody]) -> None:
    """Datasets number `start` to `stop - 1`, with their themes, keywords and resources, in bulk."""
    random.seed(start)
    licences = list(Licence.objects.all())
    themes = list(Theme.objects.all())
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=KEYWORDS)}
    tags.update({name: Tag.objects.create(name=name, slug=name) for name in KEYWORDS if name not in tags})
    now = timezone.now()
    datasets = []
    for number in range(start, stop):
        title_ar, title_fr, slug = SUBJECTS[number % len(SUBJECTS)]
        year = 2015 + number % 11
        datasets.append(
            Dataset(
                name=f"{slug}-{number}",
                body=bodies[number % COMMUNES],
                title_ar=f"{title_ar} {year} ({number})",
                title_fr=f"{title_fr} {year} ({number})",
                notes_ar=f"بيانات {title_ar} لسنة {year}، تنشرها البلدية للعموم.",
                notes_fr=f"Données « {title_fr} » de l'année {year}, publiées par la commune.",
                licence=licences[number % len(licences)],
                status=Dataset.Status.PUBLISHED,
                frequency=Dataset.Frequency.ANNUAL,
                temporal_start=datetime.date(year, 1, 1),
                temporal_end=datetime.date(year, 12, 31),
                created_at=now - datetime.timedelta(hours=number),
                published_at=now,
            )
        )
    datasets = Dataset.objects.bulk_create(datasets, batch_size=2000)
    Dataset.themes.through.objects.bulk_create(
        [
            Dataset.themes.through(dataset_id=dataset.pk, theme_id=theme.pk)
            for dataset in datasets
            for theme in random.sample(themes, 2)
        ],
        batch_size=5000,
    )
    TaggedDataset.objects.bulk_create(
        [
            TaggedDataset(content_object=dataset, tag=tags[name])
            for dataset in datasets
            for name in random.sample(KEYWORDS, 3)
        ],
        batch_size=5000,
    )
    Resource.objects.bulk_create(
        [
            Resource(dataset=dataset, position=position, name_ar=f"ملف {position}", format=random.choice(FORMATS))
            for dataset in datasets
            for position in range(random.randint(1, 3))
        ],
        batch_size=5000,
    )


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


def query_count(path: str) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200 or (path.startswith("/api/") and not response.json()["success"]):
        raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    return len(queries)


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
            cursor.execute("ANALYZE")  # as autovacuum would soon after a bulk load: the planner's statistics
        connection.close()
        paths = requests_to_measure(step)
        with contextlib.suppress(RuntimeError):  # a catalogue without keyset links has no such request
            paths["html next link (deep)"] = deep_next_link(step)
        figures = {label: {"queries": query_count(path)} for label, path in paths.items()}
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
            f"{results[step][label]['queries']:7d}"
            for step in STEPS
        )
        ratio = results[STEPS[-1]][label]["median_ms"] / results[STEPS[0]][label]["median_ms"]
        print(f"{label:22}{cells} | ×{ratio:.2f} median vs {STEPS[0]}")


if __name__ == "__main__":
    main()
