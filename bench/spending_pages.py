"""Spending pages at scale: the budget overview of a body with 10 years of budget lines and 1,000,000 payments.

Loads one commune with 10 fiscal years of budget lines (three stages, 40 functions × 8 economic natures × two
sections, about 19,000 lines) and BENCH_PAYMENTS payments and subsidies (default 1,000,000; 6,000 suppliers,
one in twenty a private person) with `COPY`, then measures in this process, the page cache emptied before each
request (uncached, as after any change of content): the overview page `/fr/spending/<body>/` (latest year and an
older one), the payments listing, and `budget_summary` grouped by year and function; median and p95 in
milliseconds and the SQL queries of one request. Goal: p95 ≤ 150 ms.

PostgreSQL only: the server and credentials come from DATABASE_URL, the data goes to its own database,
BENCH_DATABASE (default baladiya_bench_spending), dropped and created again by each run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya BENCH_PAYMENTS=50000 \
        .venv/bin/python bench/spending_pages.py
"""

import datetime
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_spending")
PAYMENTS = int(os.environ.get("BENCH_PAYMENTS", "1000000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
YEARS = list(range(2016, 2026))
FUNCTIONS, ECONOMIC = 40, 8
SUPPLIERS = 6_000
SUBSIDY_SHARE = 10  # one payment in ten is a subsidy

import django  # noqa: E402

bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/spending_pages.py")
os.environ.update(DATABASE_URL=bench_url, DJANGO_SETTINGS_MODULE="portal.settings.dev", DEBUG="false")
os.environ.pop("REDIS_URL", None)  # the cache in this process's memory: emptied before each measured request
recreate_database(BENCH_DATABASE, maintenance_url)
django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from opendata.spending.models import BudgetLine, ClassificationCode, Payment, Supplier  # noqa: E402
from opendata.spending.summaries import budget_summary  # noqa: E402
from portal.bodies.models import PublicBody  # noqa: E402


def load() -> PublicBody:
    call_command("migrate", verbosity=0)
    body = PublicBody.add_root(kind="commune", slug="commune-bench", name_ar="بلدية", name_fr="Commune de Bench")
    random.seed(13)
    ClassificationCode.objects.bulk_create(
        ClassificationCode(scheme="functional", code=f"{number:03d}", label_fr=f"Fonction {number}",
                           label_ar=f"وظيفة {number}")
        for number in range(FUNCTIONS)
    )  # fmt: skip
    lines = []
    for year in YEARS:
        for stage in ("voted", "amended", "executed"):
            for function in range(FUNCTIONS):
                for economic in range(ECONOMIC):
                    for section in ("operating", "investment"):
                        line = BudgetLine(
                            body=body, fiscal_year=year, stage=stage, direction="expenditure", section=section,
                            function_code=f"{function:03d}", economic_code=f"6{economic}",
                            amount=random.randint(10_000, 50_000_000), currency="DZD",
                        )  # fmt: skip
                        line.key = line.identity()
                        lines.append(line)
    BudgetLine.objects.bulk_create(lines, batch_size=5000)
    Supplier.objects.bulk_create(
        Supplier(name=f"Fournisseur {number}", key=f"name:fournisseur {number}",
                 kind="individual" if number % 20 == 0 else ("association" if number % 7 == 0 else "company"))
        for number in range(SUPPLIERS)
    )  # fmt: skip
    supplier_ids = list(Supplier.objects.values_list("id", flat=True))
    now = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        columns = ("uuid, body_id, kind, fiscal_year, date, supplier_id, amount, currency, purpose, function_code, "
                   "economic_code, reference, decision_reference, key, updated_at")  # fmt: skip
        with cursor.copy(f"COPY spending_payment ({columns}) FROM STDIN") as copy:
            for number in range(PAYMENTS):
                year = YEARS[number % len(YEARS)]
                kind = "subsidy" if number % SUBSIDY_SHARE == 0 else "payment"
                copy.write_row((
                    uuid.uuid4(), body.pk, kind, year, datetime.date(year, 1 + number % 12, 1 + number % 28),
                    supplier_ids[number * 7919 % len(supplier_ids)],
                    f"{random.randint(1_000, 9_000_000)}.{number % 100:02d}",
                    "DZD", "Travaux", f"{number % FUNCTIONS:03d}", f"6{number % ECONOMIC}", f"MDT-{number}",
                    "", f"ref:MDT-{number}", now,
                ))  # fmt: skip
        cursor.execute("VACUUM ANALYZE")  # the visibility map, as autovacuum leaves it: index-only scans
    print(
        f"loaded {len(lines):,} budget lines and {PAYMENTS:,} payments ({time.perf_counter() - started:.0f} s for COPY)"
    )
    return body


def measure(label: str, run) -> None:
    for _warm in range(3):
        run()
    timings = []
    for _request in range(REQUESTS):
        cache.clear()
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        run()
    p95 = statistics.quantiles(timings, n=20)[18]
    print(f"{label:44} {statistics.median(timings):9.1f} {p95:8.1f} {len(queries):8}")


def main() -> None:
    body = load()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    print(f"\n{'request':44} {'median ms':>9} {'p95 ms':>8} {'queries':>8}")
    measure("overview, latest year", get(f"/fr/spending/{body.slug}/"))
    measure("overview, 2019", get(f"/fr/spending/{body.slug}/?year=2019"))
    measure("payments listing, latest year", get(f"/fr/spending/{body.slug}/payments/?year=2025"))
    measure(
        "payments listing, function and words", get(f"/fr/spending/{body.slug}/payments/?function=007&q=Fournisseur 42")
    )
    lines = BudgetLine.objects.filter(body=body)
    measure("budget_summary by year and function", lambda: budget_summary(lines, ["year", "function"]))
    measure("budget_summary of one year by stage", lambda: budget_summary(lines.filter(fiscal_year=2020), ["stage"]))
    load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    version = getattr(connection, "pg_version", "?")
    print(f"\n{Payment.objects.count():,} payments; PostgreSQL {version}; load average {load_average}")


if __name__ == "__main__":
    main()
