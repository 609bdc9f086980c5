"""DataStore load rate: our whole load step against plain PostgreSQL COPY of the same CSV, and its peak memory.

Generates a 100,000-row and a 1,000,000-row spending CSV (Arabic and French text, decimal amounts, dates,
integers) in a temporary folder, each size twice with the same rows:

  standard: UTF-8, comma-separated, decimal dot, ISO dates ("1234.56", "2025-12-31");
  spreadsheet: as a French or Maghreb spreadsheet exports it, semicolon-separated, decimal comma with a space
      as thousands separator, day-first dates ("1 234,56", "31/12/2025"), which `load_file` must rewrite;

then measures on PostgreSQL, in one run and `RUNS` times each (median reported):

  (a) baseline: `COPY table FROM STDIN (FORMAT csv, HEADER)` of the *standard* file's bytes into a typed table
      via psycopg (the spreadsheet file cannot be COPYed into typed columns as it is): the ratios of both
      files are against this one figure;
  (b) ours: the load step of `ingest_version` (encoding, delimiter and number detection, schema inference on
      a sample, every cell checked, `datastore.load`'s COPY and primary key) for each file — rows per second
      and the ratio to (a); the target is ≥ 0.5;
  (c) peak memory (ru_maxrss) of a fresh process running (b) for each size and file: it must not grow with
      the file;
  and frictionless' validation rate over the first 100,000 rows, the part `ingest_version` caps.

PostgreSQL only: the server comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/), the data
goes to its own database, BENCH_DATABASE (default baladiya_bench), dropped and created again by each run.

    .venv/bin/python bench/datastore_load.py
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
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench")
SIZES = [100_000, 1_000_000]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
VALIDATED_ROWS = 100_000
COLUMNS = [
    ("رقم_العملية", "BIGINT"),
    ("البلدية", "TEXT"),
    ("المستفيد", "TEXT"),
    ("البند", "TEXT"),
    ("المبلغ", "NUMERIC"),
    ("تاريخ_الدفع", "DATE"),
    ("السنة_المالية", "BIGINT"),
    ("الكمية", "BIGINT"),
]
COMMUNES = ["البليدة", "بوفاريك", "العفرون", "موزاية", "الأربعاء", "Ouled Yaïch", "Chréa", "Beni Mered"]
PAYEES = [
    "مؤسسة الأشغال العمومية",
    "شركة النظافة الحضرية",
    "Entreprise Générale de Bâtiment",
    "Société des Eaux de la Mitidja",
    "مكتب الدراسات التقنية",
    "Librairie El Amel — fournitures",
]
ITEMS = [
    "تعبيد الطرق",
    "الإنارة العمومية",
    "صيانة المدارس",
    "Éclairage public",
    "Entretien des écoles",
    "النقل المدرسي",
]

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/baladiya_bench")
bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/datastore_load.py")
os.environ.update(DATABASE_URL=bench_url, DJANGO_SETTINGS_MODULE="portal.settings.dev", DEBUG="false")
CHILD = len(sys.argv) > 1 and sys.argv[1] == "--child"


DIALECTS = ["standard", "spreadsheet"]


def generate(path: Path, rows: int, dialect: str = "standard") -> None:
    """The spending file; the same rows (same seed) in either dialect (see the module docstring)."""
    rng = random.Random(rows)
    start = date(2020, 1, 1)
    spreadsheet = dialect == "spreadsheet"
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";" if spreadsheet else ",", lineterminator="\n")
        writer.writerow([name for name, _type in COLUMNS])
        for number in range(1, rows + 1):
            day = start + timedelta(days=rng.randrange(1800))
            amount = rng.randrange(100, 50_000_000) / 100
            if spreadsheet:
                amount_text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")  # 1 234,56
                day_text = day.strftime("%d/%m/%Y")
            else:
                amount_text, day_text = f"{amount:.2f}", day.isoformat()
            writer.writerow(
                [
                    number,
                    rng.choice(COMMUNES),
                    rng.choice(PAYEES),
                    rng.choice(ITEMS),
                    amount_text,
                    day_text,
                    day.year,
                    rng.randrange(1, 500),
                ]
            )


def copy_baseline(path: Path) -> float:
    """Seconds for plain COPY of the file into a typed table (a fresh one each time)."""
    import psycopg

    columns = ", ".join(f"c{index} {kind}" for index, (_name, kind) in enumerate(COLUMNS))
    with psycopg.connect(bench_url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS copy_baseline")
        connection.execute(f"CREATE TABLE copy_baseline ({columns})")
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            open(path, "rb") as file,
            cursor.copy("COPY copy_baseline FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while block := file.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE copy_baseline")
    return seconds


def our_load(path: Path, resource_pk: int, number: int) -> tuple[float, int]:
    """Seconds and rows of ingest's load step for the file, as a new version of the bench resource."""
    from opendata import ingest
    from opendata.models import Resource, ResourceVersion
    from portal import files

    resource = Resource.objects.get(pk=resource_pk)
    version = ResourceVersion.objects.create(
        resource=resource, number=number, file="bench.csv", original_name=path.name, size=path.stat().st_size, sha256=""
    )
    started = time.perf_counter()
    dialect = {"encoding": files.detect_encoding(path)}
    text = files.sample_text(path, dialect["encoding"])
    dialect["delimiter"] = files.detect_delimiter(text)
    records = files.records(text, dialect["delimiter"], ingest.schema.INFER_ROWS + 1)
    dialect["decimal"], dialect["thousands"] = files.detect_numbers(records[1:])
    names, _warnings = ingest.schema.clean_labels(records[0])
    schema = ingest.schema.infer_schema(path, dialect, names)
    result = ingest.load.load_file(resource, version, path, dialect, schema)
    seconds = time.perf_counter() - started
    assert not result.errors, result.errors[:3]
    assert [field["type"] for field in schema["fields"]] == [
        "integer",
        "string",
        "string",
        "string",
        "number",
        "date",
        "integer",
        "integer",
    ], schema
    return seconds, result.rows


def validation_rate(path: Path) -> float:
    from opendata import ingest

    dialect = {"encoding": "utf-8", "delimiter": ",", "decimal": ".", "thousands": ""}
    names = [name for name, _type in COLUMNS]
    schema = ingest.schema.infer_schema(path, dialect, names)
    started = time.perf_counter()
    report = ingest.schema.validate(path, dialect, schema, limit_rows=VALIDATED_ROWS)
    seconds = time.perf_counter() - started
    assert report["valid"], report["errors"][:3]
    return report["rows_checked"] / seconds


def child(path: str, resource_pk: str, number: str) -> None:
    """Run our load once in this fresh process and print its peak resident memory in MiB."""
    import django

    django.setup()
    seconds, rows = our_load(Path(path), int(resource_pk), int(number))
    peak = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak:.1f} {rows} {seconds:.2f}")


def main() -> None:
    import django

    recreate_database(BENCH_DATABASE, maintenance_url)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from opendata.models import Dataset, Licence, Resource
    from portal.bodies.models import PublicBody

    body = PublicBody.add_root(slug="bench-commune", kind=PublicBody.Kind.COMMUNE, name_ar="بلدية", name_fr="Commune")
    dataset = Dataset.objects.create(name="bench-spending", body=body, licence=Licence.objects.first())
    resource = Resource.objects.create(dataset=dataset, format="CSV")
    number = 0

    with tempfile.TemporaryDirectory(prefix="bench-datastore-") as folder:
        files = {}
        for size in SIZES:
            for dialect in DIALECTS:
                files[size, dialect] = Path(folder) / f"spending-{size}-{dialect}.csv"
                started = time.perf_counter()
                generate(files[size, dialect], size, dialect)
                print(
                    f"generated {size:>9,} rows ({dialect}), {files[size, dialect].stat().st_size / 1e6:.0f} MB "
                    f"in {time.perf_counter() - started:.1f} s",
                    flush=True,
                )

        # Warm up: the first load imports pandas' parsers and frictionless, a cost no later upload pays.
        for dialect in DIALECTS:
            warm = Path(folder) / f"warm-{dialect}.csv"
            generate(warm, 1000, dialect)
            number += 1
            our_load(warm, resource.pk, number)

        copies, ours = {}, {}
        for size in SIZES:
            copy_runs, our_runs = [], {dialect: [] for dialect in DIALECTS}
            for _run in range(RUNS):
                copy_runs.append(copy_baseline(files[size, "standard"]))
                for dialect in DIALECTS:
                    number += 1
                    seconds, rows = our_load(files[size, dialect], resource.pk, number)
                    assert rows == size
                    our_runs[dialect].append(seconds)
                print(
                    f"  {size:>9,} rows: COPY {copy_runs[-1]:.2f} s, "
                    + ", ".join(f"ours ({dialect}) {our_runs[dialect][-1]:.2f} s" for dialect in DIALECTS),
                    flush=True,
                )
            copies[size] = statistics.median(copy_runs)
            for dialect in DIALECTS:
                ours[size, dialect] = statistics.median(our_runs[dialect])

        memory = {}
        for size in SIZES:
            for dialect in DIALECTS:
                number += 1
                output = subprocess.run(
                    [sys.executable, __file__, "--child", str(files[size, dialect]), str(resource.pk), str(number)],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=os.environ,
                ).stdout.split()
                memory[size, dialect] = float(output[0])

        rate = validation_rate(files[SIZES[-1], "standard"])

    print()
    print(f"DataStore load on PostgreSQL, median of {RUNS} runs")
    print("baseline (COPY rows/s): plain COPY of the standard file (comma, decimal dot, ISO dates) into a typed table;")
    print('both files\' ratios are against it. spreadsheet file: \';\', "1 234,56", "31/12/2025", the same rows.')
    header = f"{'rows':>10}  {'file':<11}  {'COPY rows/s':>12}  {'ours rows/s':>12}  {'ours/COPY':>9}  {'peak RSS':>9}"
    print(header)
    print("-" * len(header))
    for size in SIZES:
        for dialect in DIALECTS:
            print(
                f"{size:>10,}  {dialect:<11}  {size / copies[size]:>12,.0f}  {size / ours[size, dialect]:>12,.0f}  "
                f"{copies[size] / ours[size, dialect]:>9.2f}  {memory[size, dialect]:>5.0f} MiB"
            )
    print("peak RSS: ru_maxrss of a fresh process loading that file once")
    print(f"frictionless validation: {rate:,.0f} rows/s over the first {VALIDATED_ROWS:,} rows of 8 fields")


if __name__ == "__main__":
    if CHILD:
        child(*sys.argv[2:5])
    else:
        main()
