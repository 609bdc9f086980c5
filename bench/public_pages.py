"""Median and p95 of the public pages under load, and their SQL query counts.

Baseline: `/healthz` (one trivial query) measured in the same run, so the figures can be read
as "page cost over the cheapest request" whatever the machine.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.http_load import load, serve  # noqa: E402

PAGES = ["/healthz", "/ar/", "/fr/", "/ar/bodies/", "/fr/bodies/commune-blida/", "/fr/associations/"]


def query_count(path: str) -> int:
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"database: {connection.vendor}")
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'req/s':>7} {'queries':>8} {'× healthz':>10}")
    with serve() as base:
        results = {path: load(base + path) for path in PAGES}
    baseline = results["/healthz"]["median_ms"]
    for path, figures in results.items():
        print(
            f"{path:32} {figures['median_ms']:10.1f} {figures['p95_ms']:8.1f} {figures['requests_per_s']:7.0f}"
            f" {query_count(path):8d} {figures['median_ms'] / baseline:10.1f}"
        )


if __name__ == "__main__":
    main()
