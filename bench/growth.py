"""Every public page and API family at 1×, 10× and 100× the demo's scale, uncached and cached, against /healthz.

1× is the demo's scale made round: 1,000 decisions and 1,000 datasets (bench/decisions.py's and
bench/catalogue_data.py's loaders add to the demo's content). Each scale is measured by two gunicorn servers
(2 workers each, DEBUG off, one after the other): one with the page cache off (PAGE_CACHE_TIMEOUT=0), one with it
on, both sharing Redis as in production. For each address: median and p95 in milliseconds, requests per second,
and req/s as a fraction of /healthz's in the same server (the cached figure the issue asks for: ≥ 0.5); at the end,
each uncached p95 at the largest scale over its p95 at 1× (the goal: ≤ 1.5).

PostgreSQL only. Each scale has its own database, BENCH_DATABASE_<scale>x (BENCH_DATABASE defaults to
baladiya_bench_growth), so that every scale is measured in one stretch of minutes, back to back, whatever the
loading took; the cache is Redis database 14 of BENCH_REDIS_URL's server (flushed). BENCH_SCALES picks the scales
(default "1,10,100"; 100× loads 100,000 decisions and 100,000 datasets: about 15 minutes on two cores).
BENCH_REUSE=1 keeps a scale's database when it is already loaded whole (it is dropped and loaded again otherwise);
BENCH_LOAD_ONLY=1 loads and measures nothing (to load 100× ahead of a quiet window).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/growth.py
    BENCH_LOAD_ONLY=1 BENCH_REUSE=1 …   then   BENCH_REUSE=1 …
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, database_exists, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_growth")
SCALES = [int(scale) for scale in os.environ.get("BENCH_SCALES", "1,10,100").split(",")]
UNIT = 1_000
REQUESTS, CONCURRENCY, SERVER_WORKERS = int(os.environ.get("BENCH_REQUESTS", "200")), 4, 2
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

REUSE, LOAD_ONLY = os.environ.get("BENCH_REUSE") == "1", os.environ.get("BENCH_LOAD_ONLY") == "1"

bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/growth.py")
os.environ.update(
    DATABASE_URL=bench_url,
    DJANGO_SETTINGS_MODULE="portal.settings.dev",
    DEBUG="false",
    REDIS_URL=REDIS_URL,
    ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    # bench/decisions.py has room for 1,000 × this many decisions: 100×'s, the same at every scale.
    BENCH_DECISIONS_PER_SESSION="100",
)

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.utils import ProgrammingError  # noqa: E402

from bench.catalogue_data import bench_bodies, load_datasets  # noqa: E402
from bench.decisions import load_decisions  # noqa: E402
from bench.http_load import load, serve  # noqa: E402
from cms.models import DecisionPage  # noqa: E402
from opendata.models import Dataset  # noqa: E402
from search.indexing import refresh_entries  # noqa: E402


def addresses() -> dict[str, str]:
    """One address per public page and API family, chosen in the loaded data."""
    decision = DecisionPage.objects.live().order_by("-decision_date", "pk").first()
    # The filters: the body and year of most decisions, so that their pages are full at every scale (the latest
    # decision's body and year had a few at 1× and a full page at 100×: not the same page to compare).
    fullest = (
        DecisionPage.objects.live().values("body__slug", "year").annotate(count=Count("pk")).order_by("-count").first()
    )
    dataset = Dataset.objects.published().order_by("-modified_at", "pk").first()
    commune = bench_bodies()[0].slug
    return {
        "/healthz": "/healthz",
        "home": "/fr/",
        "decisions": "/fr/decisions/",
        "decisions, body + year": f"/fr/decisions/?body={fullest['body__slug']}&year={fullest['year']}",
        "decision page": decision.get_url(),
        "decisions feed": "/fr/feeds/decisions/rss/",
        "catalogue": "/fr/data/",
        "catalogue, body + format": f"/fr/data/?body={commune}&format=CSV",
        "dataset page": f"/fr/data/{dataset.name}/",
        "bodies": "/fr/bodies/",
        "REST decisions": "/api/v1/decisions/",
        "REST decisions, year": f"/api/v1/decisions/?year={fullest['year']}",
        "REST datasets": "/api/v1/datasets/",
        "package_search": "/api/3/action/package_search",
        "package_search, fq": "/api/3/action/package_search?fq=" + quote(f"organization:{commune} res_format:CSV"),
        "package_search, facets": "/api/3/action/package_search?facet.field="
        + quote('["organization","groups","tags","res_format","license_id"]'),
        "package_show": f"/api/3/action/package_show?id={dataset.name}",
        "DCAT catalogue (Turtle)": "/catalog.ttl",
        "sitemap": "/sitemap.xml",
    }


def measure(paths: dict[str, str], cached: bool) -> dict[str, dict]:
    cache.clear()
    # No rate limit for the load generator: it is one address sending thousands of requests.
    environment = {"PAGE_CACHE_TIMEOUT": "3600" if cached else "0", "RATE_LIMIT_API": "1000000/s"}
    with serve(workers=SERVER_WORKERS, env=environment) as base:
        return {label: load(base + path, REQUESTS, CONCURRENCY) for label, path in paths.items()}


def use_database(scale: int) -> None:
    """Point this process and the servers it starts at the scale's database."""
    name = f"{BENCH_DATABASE}_{scale}x"
    connection.close()
    connection.settings_dict["NAME"] = name
    os.environ["DATABASE_URL"] = bench_url.rsplit("/", 1)[0] + f"/{name}"


def loaded(scale: int) -> bool:
    """Whether the scale's database holds its whole load (the datasets are loaded last)."""
    if not database_exists(f"{BENCH_DATABASE}_{scale}x", maintenance_url):
        return False
    use_database(scale)
    try:
        return Dataset.objects.filter(body__slug__startswith="commune-").count() >= scale * UNIT
    except ProgrammingError:  # not migrated
        return False


def load_scale(scale: int) -> None:
    """Create the scale's database and load the demo, then its decisions and datasets."""
    began = time.perf_counter()
    recreate_database(f"{BENCH_DATABASE}_{scale}x", maintenance_url)
    use_database(scale)
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    load_decisions(scale * UNIT)
    load_datasets(scale * UNIT)
    refresh_entries(["dataset"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"{scale}×: loaded in {time.perf_counter() - began:.0f} s (load average {os.getloadavg()[0]:.1f})")


def report(results: dict[str, dict[str, dict]]) -> None:
    print(f"{'address':28} {'':9} {'median ms':>9} {'p95 ms':>8} {'req/s':>7} {'× healthz':>9}")
    for mode, figures in results.items():
        healthz = figures["/healthz"]["requests_per_s"]
        for label, figure in figures.items():
            print(
                f"{label:28} {mode:9} {figure['median_ms']:9.1f} {figure['p95_ms']:8.1f} "
                f"{figure['requests_per_s']:7.0f} {figure['requests_per_s'] / healthz:9.2f}"
            )


def main() -> None:
    for scale in SCALES:
        if REUSE and loaded(scale):
            call_command("migrate", verbosity=0)  # the migrations that came since it was loaded
            print(f"{scale}×: reusing {BENCH_DATABASE}_{scale}x")
        else:
            load_scale(scale)
    if LOAD_ONLY:
        return
    by_scale = {}
    for scale in SCALES:
        use_database(scale)
        print(
            f"\n== {scale}×: {DecisionPage.objects.count():,} decisions, {Dataset.objects.count():,} datasets; "
            f"cache {REDIS_URL}; load average {os.getloadavg()[0]:.1f}"
        )
        paths = addresses()
        by_scale[scale] = {"uncached": measure(paths, cached=False), "cached": measure(paths, cached=True)}
        report(by_scale[scale])
    first, last = SCALES[0], SCALES[-1]
    if last != first:
        print(f"\n== uncached p95 at {last}× over {first}× (goal ≤ 1.5)")
        for label, figure in by_scale[last]["uncached"].items():
            ratio = figure["p95_ms"] / by_scale[first]["uncached"][label]["p95_ms"]
            print(f"{label:28} {ratio:6.2f}")


if __name__ == "__main__":
    main()
