"""Spending import rate: `import_spending` of a finance system's payment export against plain PostgreSQL COPY of
the same rows already clean, and its peak memory.

Generates, for each size of BENCH_PAYMENTS (default 100,000 and 1,000,000), a payment file twice with the same
rows (Arabic and French supplier names and purposes, 5,000 suppliers with a tax number, function and economic
codes with leading zeros, a mandate number each):

  export: as the finance system writes it, Windows-1256, `;` between cells, decimal commas with a space
      between thousands ("1 234,56"), day-first dates ("31/12/2024");
  clean: the same payments as rows of the payment table, ready to load (UTF-8, `,`, decimal dots, ISO dates,
      the supplier's id, the record's key and UUID): what COPY can load as it is;

then measures on PostgreSQL:

  (a) baseline: `COPY … FROM STDIN (FORMAT csv, HEADER)` of the clean file into a table of the payment table's
      shape (`LIKE spending_payment INCLUDING ALL`: its types, unique constraints and indexes, no foreign keys);
      and, for reference, the same COPY into a bare table of those types (no index at all);
  (b) ours: `import_spending(kind="payments")` of the export file into a fresh body, in a fresh process (the
      command's path: encoding and number detection, every row checked, suppliers found or created, payments
      bulk-inserted in batches, one transaction): rows per second and the ratio to (a), goal ≥ 0.5;
  (c) the peak resident memory (ru_maxrss) of that process, which must not grow with the file;
  and the rate of importing the last file again (every row unchanged, nothing written).

BENCH_RUNS runs of each (default 3; 1 for sizes of a million rows and more), median reported. PostgreSQL only:
the server comes from DATABASE_URL, the data goes to its own database, BENCH_DATABASE (default
baladiya_bench_spending), dropped and created again by each run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/spending_import.py
    DATABASE_URL=… BENCH_PAYMENTS=20000 .venv/bin/python bench/spending_import.py     # a quick run
"""

import csv
import os
import random
import resource as rusage
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_spending")
SIZES = [int(size) for size in os.environ.get("BENCH_PAYMENTS", "100000,1000000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SUPPLIERS = 5000
HEADER = ["تاريخ الدفع", "المستفيد", "رقم التعريف الجبائي", "المبلغ", "الغرض", "الباب", "المادة", "رقم الحوالة"]
MAPPING = {
    "columns": {
        "date": "تاريخ الدفع",
        "supplier": "المستفيد",
        "supplier_id": "رقم التعريف الجبائي",
        "amount": "المبلغ",
        "purpose": "الغرض",
        "function": "الباب",
        "economic": "المادة",
        "reference": "رقم الحوالة",
    }
}
NAMES = ["مؤسسة الأشغال العمومية", "شركة النظافة الحضرية", "مكتب الدراسات التقنية", "Société des Eaux", "SARL El Amel"]
PURPOSES = ["تعبيد الطرق", "الإنارة العمومية", "صيانة المدارس", "éclairage public", "النقل المدرسي", "Fournitures"]
FUNCTIONS = ["011", "012", "021", "022", "031", "041"]
ECONOMICS = ["6061", "6062", "6132", "6156", "2313", "2315"]
CLEAN_COLUMNS = [
    "uuid", "body_id", "kind", "fiscal_year", "date", "supplier_id", "amount", "currency", "purpose", "function_code",
    "economic_code", "reference", "decision_reference", "key", "updated_at",
]  # fmt: skip
UPDATED_AT = "2026-12-05T12:00:00+00:00"
COPY_CLEAN = (
    f"COPY copy_baseline ({', '.join(CLEAN_COLUMNS)}) FROM STDIN "
    "(FORMAT csv, HEADER true, FORCE_NOT_NULL (decision_reference))"  # an empty cell is "", not NULL
)

bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/spending_import.py")
os.environ.update(DATABASE_URL=bench_url, DJANGO_SETTINGS_MODULE="portal.settings.dev", DEBUG="false")
CHILD = len(sys.argv) > 1 and sys.argv[1] == "--child"


def generate(export: Path, clean: Path, rows: int) -> None:
    """The same rows twice: as the finance system exports them, and clean (see the module docstring)."""
    rng = random.Random(rows)
    start = date(2024, 1, 1)
    with (
        export.open("w", encoding="cp1256", newline="") as raw,
        clean.open("w", encoding="utf-8", newline="") as tidy,
    ):
        exported, cleaned = csv.writer(raw, delimiter=";", lineterminator="\r\n"), csv.writer(tidy, lineterminator="\n")
        exported.writerow(HEADER)
        cleaned.writerow(CLEAN_COLUMNS)
        for number in range(1, rows + 1):
            day = start + timedelta(days=rng.randrange(730))
            supplier = rng.randrange(SUPPLIERS)
            name = f"{NAMES[supplier % len(NAMES)]} {supplier}"
            tax_number = f"{supplier:015d}"
            amount = rng.randrange(100, 500_000_000) / 100
            purpose, function, economic = rng.choice(PURPOSES), rng.choice(FUNCTIONS), rng.choice(ECONOMICS)
            reference = f"MDT-{day.year}-{number:07d}"
            amount_text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
            exported.writerow(
                [day.strftime("%d/%m/%Y"), name, tax_number, amount_text, purpose, function, economic, reference]
            )
            cleaned.writerow(
                [uuid.UUID(int=rng.getrandbits(128), version=4), 1, "payment", day.year, day.isoformat(), supplier + 1,
                 f"{amount:.2f}", "DZD", purpose, function, economic, reference, "", f"ref:{reference}", UPDATED_AT]
            )  # fmt: skip


def copy_baseline(path: Path, like: str) -> float:
    """Seconds for plain COPY of the clean file into a fresh table `LIKE spending_payment <like>`."""
    import psycopg

    with psycopg.connect(bench_url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS copy_baseline")
        connection.execute(f"CREATE TABLE copy_baseline (LIKE spending_payment {like})")
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            open(path, "rb") as file,
            cursor.copy(COPY_CLEAN) as copy,
        ):
            while block := file.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE copy_baseline")
    return seconds


def child(path: str, body_slug: str) -> None:
    """Import the file once in this fresh process; print the peak resident memory (MiB), the report and seconds."""
    import django

    django.setup()
    from opendata.spending.importing import import_spending
    from portal.bodies.models import PublicBody

    body = PublicBody.objects.get(slug=body_slug)
    started = time.perf_counter()
    report = import_spending(Path(path), body=body, kind="payments", mapping=MAPPING)
    seconds = time.perf_counter() - started
    assert not report.errors and not report.repeated, (report.errors[:3], report.repeated[:3])
    peak = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak:.1f} {report.created} {report.unchanged} {seconds:.3f}")


def run_child(path: Path, body_slug: str) -> tuple[float, int, int, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", str(path), body_slug],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    ).stdout.split()
    return float(output[0]), int(output[1]), int(output[2]), float(output[3])


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    import django

    recreate_database(BENCH_DATABASE, maintenance_url)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from portal.bodies.models import PublicBody

    def new_body(number: int) -> str:
        slug = f"bench-spending-{number}"
        PublicBody.add_root(instance=PublicBody(slug=slug, name_ar=f"بلدية {number}", name_fr=f"Commune {number}"))
        return slug

    bodies = 0
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-spending-") as folder:
        for size in SIZES:
            export, clean = Path(folder) / f"export-{size}.csv", Path(folder) / f"clean-{size}.csv"
            started = time.perf_counter()
            generate(export, clean, size)
            print(
                f"generated {size:,} payments: export {export.stat().st_size / 1e6:.0f} MB (Windows-1256), "
                f"clean {clean.stat().st_size / 1e6:.0f} MB, in {time.perf_counter() - started:.0f} s"
            )
            runs = RUNS if size < 1_000_000 else int(os.environ.get("BENCH_LARGE_RUNS", "1"))
            copies, bare, ours, peaks = [], [], [], []
            for _run in range(runs):
                copies.append(copy_baseline(clean, "INCLUDING ALL"))
                bare.append(copy_baseline(clean, "INCLUDING DEFAULTS INCLUDING IDENTITY"))
                bodies += 1
                slug = new_body(bodies)
                peak, created, _unchanged, seconds = run_child(export, slug)
                assert created == size, (created, size)
                ours.append(seconds)
                peaks.append(peak)
                print(
                    f"  {size:,}: COPY {copies[-1]:.2f} s (bare table {bare[-1]:.2f} s), import {seconds:.2f} s, "
                    f"peak RSS {peak:.0f} MiB"
                )
            peak_again, _created, unchanged, again = run_child(export, slug)
            assert unchanged == size, (unchanged, size)
            print(f"  {size:,}: the same file again (all unchanged) {again:.2f} s, peak RSS {peak_again:.0f} MiB")
            results[size] = (
                statistics.median(copies), statistics.median(bare), statistics.median(ours), max(peaks), again, runs
            )  # fmt: skip

    print()
    print("Spending import on PostgreSQL: payments, Windows-1256, ';', '1 234,56', '31/12/2024'")
    print("baseline: plain COPY of the same rows, clean, into a table of the payment table's shape (indexes and")
    print("unique constraints); bare: into a table of its types alone, no index")
    header = (
        f"{'rows':>10}  {'runs':>4}  {'COPY rows/s':>12}  {'bare rows/s':>12}  {'ours rows/s':>12}  {'ours/COPY':>9}  "
        f"{'ours/bare':>9}  {'peak RSS':>9}  {'again rows/s':>12}"
    )
    print(header)
    print("-" * len(header))
    for size, (copy_seconds, bare_seconds, our_seconds, peak, again, runs) in results.items():
        print(
            f"{size:>10,}  {runs:>4}  {size / copy_seconds:>12,.0f}  {size / bare_seconds:>12,.0f}  "
            f"{size / our_seconds:>12,.0f}  {copy_seconds / our_seconds:>9.2f}  {bare_seconds / our_seconds:>9.2f}  "
            f"{peak:>5.0f} MiB  {size / again:>12,.0f}"
        )
    print("peak RSS: ru_maxrss of a fresh process importing the file once; again: importing it a second time")


if __name__ == "__main__":
    if CHILD:
        child(*sys.argv[2:4])
    else:
        main()
