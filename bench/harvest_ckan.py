"""Harvest rate of a CKAN portal, the cost of a run with nothing changed, and recovery after a killed worker.

A local CKAN fixture (tests/harvesters/ckan_fixture.py: the action API as CKAN 2.10 answers it, paged by 1,000)
serves BENCH_DATASETS synthetic datasets (default 10,000: one CSV resource, a tag, a group each). On PostgreSQL:

  (a) first run: `run_harvest` of a new CKAN source into a fresh body, in this process: objects per second
      (gathered, each imported through opendata.importing.import_dataset: created and published; the search
      index updates are queued for the workers, as in production, and not counted);
  (b) runs with nothing changed: BENCH_RUNS runs (default 3), median seconds; ratio (a) / (b), goal ≥ 5; and the
      proof that they wrote nothing: no dataset's modified_at moved, no dataset or resource added;
  (c) recovery: a second fixture of BENCH_RECOVERY_DATASETS (default 2,000), harvested by a source of another
      body queued on a real Celery worker (a separate process on real Redis); the worker is killed (SIGKILL) once
      BENCH_KILL_AT datasets (default 30 %) are in; a new worker
      starts and the source is run again, as its next schedule would: the seconds from the kill to the new job
      importing again (the dead job's lease must expire first: HARVEST_LEASE_SECONDS, set here to
      BENCH_LEASE, default 15 s), the seconds to finish, and the objects lost (datasets expected minus datasets
      harvested, and objects imported twice): goal 0.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/harvest_ckan.py
    DATABASE_URL=… BENCH_DATASETS=2000 BENCH_RECOVERY_DATASETS=500 .venv/bin/python bench/harvest_ckan.py  # quick

The database is its own (BENCH_DATABASE, default baladiya_bench_harvest), dropped and created by each run; the
worker's broker is Redis database BENCH_REDIS_DB (default 11) at REDIS_TEST_URL's server.
"""

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_harvest")
DATASETS = int(os.environ.get("BENCH_DATASETS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
RECOVERY_DATASETS = int(os.environ.get("BENCH_RECOVERY_DATASETS", "2000"))
KILL_AT = int(os.environ.get("BENCH_KILL_AT", str(RECOVERY_DATASETS * 3 // 10)))
LEASE = int(os.environ.get("BENCH_LEASE", "15"))
REDIS_SERVER = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0]
BROKER = f"{REDIS_SERVER}/{os.environ.get('BENCH_REDIS_DB', '11')}"

import django  # noqa: E402

bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/harvest_ckan.py")
ENVIRONMENT = {
    "DATABASE_URL": bench_url,
    "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
    "DEBUG": "false",
    "HARVEST_ALLOWED_HOSTS": "127.0.0.1",
    "HARVEST_LEASE_SECONDS": str(LEASE),
    "CELERY_BROKER_URL": BROKER,
    "CELERY_RESULT_BACKEND": BROKER,
}
os.environ.update(ENVIRONMENT)
os.environ.pop("REDIS_URL", None)
recreate_database(BENCH_DATABASE, maintenance_url)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402

from harvesters.models import HarvestJob, HarvestObject, HarvestSource  # noqa: E402
from harvesters.runner import run_harvest  # noqa: E402
from harvesters.tasks import run_source  # noqa: E402
from opendata.models import Dataset, Resource  # noqa: E402
from portal.bodies.models import PublicBody  # noqa: E402
from tests.harvesters.ckan_fixture import CkanFixture, synthetic_packages  # noqa: E402
from tests.harvesters.servers import FixtureServer  # noqa: E402


def make_source(server: FixtureServer, slug: str) -> HarvestSource:
    body = PublicBody.add_root(kind="commune", slug=slug, name_ar="بلدية", name_fr=f"Commune {slug}")
    return HarvestSource.objects.create(
        slug=slug, name=f"CKAN {slug}", kind="ckan", target="datasets", url=server.url, body=body,
        options={"organization": "commune"},
    )  # fmt: skip


def state(body: PublicBody) -> tuple:
    datasets = Dataset.objects.filter(body=body)
    resources = Resource.objects.filter(dataset__body=body)
    return datasets.count(), resources.count(), datasets.aggregate(Max("modified_at"))["modified_at__max"]


def first_and_unchanged_runs(server: FixtureServer) -> None:
    source = make_source(server, "commune-first")
    started = time.perf_counter()
    job = run_harvest(source)
    first = time.perf_counter() - started
    assert job.status == "finished" and job.created == DATASETS, (job.status, job.created, job.message)
    before = state(source.body)
    print(f"(a) first run: {DATASETS} datasets in {first:.1f} s = {DATASETS / first:.0f} objects/s")

    seconds = []
    for _run in range(RUNS):
        started = time.perf_counter()
        job = run_harvest(source)
        seconds.append(time.perf_counter() - started)
        assert (job.created, job.updated, job.unchanged) == (0, 0, DATASETS), (job.created, job.updated)
    median = statistics.median(seconds)
    unchanged = state(source.body) == before
    print(
        f"(b) nothing changed: median {median:.2f} s of {RUNS} runs ({', '.join(f'{s:.2f}' for s in seconds)}); "
        f"{DATASETS / median:.0f} objects/s; first / unchanged = {first / median:.1f}× (goal ≥ 5); "
        f"nothing written: {unchanged}"
    )


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-P", "solo", "-l", "warning", "-n", "bench@%h"],
        cwd=ROOT,
        env={**os.environ, **ENVIRONMENT},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def imported(source: HarvestSource) -> int:
    return HarvestObject.objects.filter(source=source, state="current").count()


def wait(condition, timeout: float, step: float = 0.1) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if condition():
            return time.perf_counter() - started
        time.sleep(step)
    raise TimeoutError


def recovery(server: FixtureServer) -> None:
    source = make_source(server, "commune-killed")
    total = RECOVERY_DATASETS
    # The runs above queued their search-index updates (one task per dataset, for the workers): not this part's.
    run_source.app.control.purge()
    worker = start_worker()
    try:
        run_source.delay(source.pk, "manual")
        wait(lambda: imported(source) >= KILL_AT, timeout=900)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        killed = time.perf_counter()
        at_kill = imported(source)
        worker = start_worker()
        run_source.delay(source.pk, "manual")  # the next run, as the schedule would start it
        wait(lambda: HarvestJob.objects.filter(source=source, status="running").exists(), timeout=LEASE * 10)
        wait(lambda: imported(source) > at_kill, timeout=LEASE * 10 + 60)
        resumed = time.perf_counter() - killed
        wait(lambda: HarvestJob.objects.filter(source=source, status="finished").exists(), timeout=900)
        finished = time.perf_counter() - killed
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    jobs = list(HarvestJob.objects.filter(source=source).order_by("pk"))
    datasets = Dataset.objects.filter(body=source.body).count()
    objects = imported(source)  # each remote dataset is one object, pointing at the one dataset made of it
    print(
        f"(c) killed at {at_kill} of {total}: importing again {resumed:.1f} s after the kill (lease {LEASE} s), "
        f"finished {finished:.1f} s after it; jobs (status, created as last saved) "
        f"{[(job.status, job.created) for job in jobs]}; objects lost: {total - objects}; "
        f"datasets made twice: {datasets - objects}"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}; {DATASETS} CKAN datasets; runs {RUNS}")
    with FixtureServer(CkanFixture(synthetic_packages(DATASETS))) as server:
        first_and_unchanged_runs(server)
    with FixtureServer(CkanFixture(synthetic_packages(RECOVERY_DATASETS))) as server:
        recovery(server)


if __name__ == "__main__":
    main()
