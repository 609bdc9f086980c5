"""The spending REST API and bulk exports at scale: summary p95, listings, and the CSV export's rate and memory.

Loads, with COPY, one commune with 10 fiscal years of budget lines (3 stages × 300 lines a year) and
1,000,000 payments (2,000 suppliers, one in twenty a private person), and a second commune with 100,000
payments; then measures, in this process through Django's test client (no HTTP server: the figure is the
view's own cost, the page cache off):

  - `/api/v1/budget-lines/summary/` grouped by function and year, by stage, economic and year, filtered to a
    year: median and p95 of REQUESTS calls each (target p95 ≤ 150 ms), and its SQL queries (one);
  - `/api/v1/payments/` of the large body and a year, and `/api/v1/suppliers/`: median and p95;
  - `/download/spending/<body>/payments.csv` of 100,000 and 1,000,000 payments, each in a fresh process:
    rows per second and peak memory (VmHWM), which must not grow with the rows (streamed in chunks).

PostgreSQL only: the server comes from DATABASE_URL, the data goes to BENCH_DATABASE (default
baladiya_bench_spending_api), dropped and created again by each run (about 5 minutes on two cores).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/spending_api.py
"""

import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_spending_api")
YEARS = list(range(2016, 2026))
LINES_PER_YEAR = 300
PAYMENTS = {"bench-large": 1_000_000, "bench-small": 100_000}
SUPPLIERS = 2_000
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))

import django  # noqa: E402
from django.apps import apps  # noqa: E402

EXPORT_CHILD = os.environ.get("BENCH_EXPORT_BODY")
# BENCH_REUSE=1 measures the data an earlier run loaded, without loading it again.
REUSE = os.environ.get("BENCH_REUSE") == "1"
if not apps.ready:
    bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/spending_api.py")
    os.environ.update(
        DATABASE_URL=bench_url, DJANGO_SETTINGS_MODULE="portal.settings.dev", DEBUG="false",
        RATE_LIMIT_API="1000000/m", RATE_LIMIT_DOWNLOAD="1000000/m", PAGE_CACHE_TIMEOUT="0",
    )  # fmt: skip
    if not EXPORT_CHILD and not REUSE:
        recreate_database(BENCH_DATABASE, maintenance_url)
    django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from opendata.spending.models import BudgetLine, Payment, Supplier  # noqa: E402
from portal.bodies.models import PublicBody  # noqa: E402


def copy_rows(table: str, columns: list[str], rows) -> None:
    connection.ensure_connection()
    with connection.connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load() -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    bodies = {slug: PublicBody.add_root(slug=slug, kind="commune", name_ar=slug, name_fr=slug) for slug in PAYMENTS}
    now = "2026-01-01 00:00:00+00"
    functions = [f"{code:03d}" for code in range(1, 31)]
    lines = []
    for year in YEARS:
        for stage in ("voted", "amended", "executed"):
            for number in range(LINES_PER_YEAR):
                function, economic = functions[number % 30], f"{number:05d}"
                lines.append((
                    str(uuid.uuid4()), bodies["bench-large"].pk, year, stage, "expenditure", "operating", function,
                    economic, f"Ligne {number}", f"{rng.randint(1, 10**9)}.{rng.randint(0, 99):02d}", "DZD", "",
                    f"{number:040d}"[:40], now,
                ))  # fmt: skip
    copy_rows(
        BudgetLine._meta.db_table,
        ["uuid", "body_id", "fiscal_year", "stage", "direction", "section", "function_code", "economic_code",
         "label", "amount", "currency", "decision_reference", "key", "updated_at"],
        lines,
    )  # fmt: skip
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            name=f"Fournisseur {number}", key=f"name:fournisseur {number}",
            kind=Supplier.Kind.INDIVIDUAL if number % 20 == 0 else Supplier.Kind.COMPANY,
        )
        for number in range(SUPPLIERS)
    )  # fmt: skip
    supplier_ids = [supplier.pk for supplier in suppliers]
    for slug, count in PAYMENTS.items():
        copy_rows(
            Payment._meta.db_table,
            ["uuid", "body_id", "kind", "fiscal_year", "date", "supplier_id", "amount", "currency", "purpose",
             "function_code", "economic_code", "reference", "decision_reference", "key", "updated_at"],
            (
                (str(uuid.uuid4()), bodies[slug].pk, "payment", YEARS[n % 10], f"{YEARS[n % 10]}-{n % 12 + 1:02d}-15",
                 supplier_ids[n % SUPPLIERS], f"{rng.randint(1, 10**7)}.{n % 100:02d}", "DZD", "Travaux =SUM(A1)",
                 functions[n % 30], f"{n % 300:05d}", f"M-{n}", "", f"ref:M-{n}", now)
                for n in range(count)
            ),
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm-up
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), statistics.quantiles(times, n=20)[18], len(queries)


def export_child(slug: str) -> None:
    """Stream the body's payments CSV and print rows, seconds and peak memory (this process's)."""
    response = Client(HTTP_HOST="127.0.0.1").get(f"/download/spending/{slug}/payments.csv")
    start, rows = time.perf_counter(), 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - start
    print(rows - 1, seconds, peak_memory_mib())


def peak_memory_mib() -> int:
    """This process's peak resident memory: VmHWM, not ru_maxrss, which Linux keeps across exec (the parent's)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) // 1024


def main() -> None:
    started = time.perf_counter()
    if not REUSE:
        load()
    print(f"loaded in {time.perf_counter() - started:.0f} s: {BudgetLine.objects.count():,} budget lines, "
          f"{Payment.objects.count():,} payments")  # fmt: skip
    client = Client(HTTP_HOST="127.0.0.1")
    print(f"\n{'request':<78} {'median ms':>9} {'p95 ms':>8} {'queries':>7}")
    for url in (
        "/api/v1/budget-lines/summary/?body=bench-large&group_by=function,year",
        "/api/v1/budget-lines/summary/?body=bench-large&group_by=stage,economic,year",
        "/api/v1/budget-lines/summary/?body=bench-large&year=2024&kind=executed&group_by=function",
        "/api/v1/budget-lines/?body=bench-large&year=2024",
        "/api/v1/payments/?body=bench-large&year=2024",
        "/api/v1/suppliers/?q=fournisseur",
    ):
        median, p95, queries = timed(client, url)
        print(f"{url:<78} {median:9.1f} {p95:8.1f} {queries:7d}")
    print(f"\n{'CSV export of payments':<30} {'rows':>10} {'rows/s':>10} {'peak RSS MiB':>12}")
    for slug in reversed(PAYMENTS):
        child = subprocess.run(
            [sys.executable, __file__], env={**os.environ, "BENCH_EXPORT_BODY": slug}, capture_output=True,
            text=True, check=True,
        )  # fmt: skip
        rows, seconds, peak = child.stdout.split()
        print(f"{slug:<30} {int(rows):>10,} {int(rows) / float(seconds):>10,.0f} {int(peak):>12}")


if __name__ == "__main__":
    if EXPORT_CHILD:
        export_child(EXPORT_CHILD)
    else:
        main()
