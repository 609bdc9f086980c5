"""Serve the portal with gunicorn in a second process and measure pages under concurrent load.

Shared by the benchmarks: `serve()` starts the server, `load()` sends requests from this
process with a thread pool and returns the latencies.
"""

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(workers: int = 2, env: dict | None = None):
    """Yield the base URL of a gunicorn server running the portal with the current environment."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.dev", "DEBUG": "false", **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 (loopback only)
                break
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback only)
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return time.perf_counter() - started


def load(url: str, requests: int = 200, concurrency: int = 4, warmup: int = 10) -> dict:
    """Return median, p95 (ms) and throughput for `requests` GETs of `url`, `concurrency` at a time."""
    for _ in range(warmup):
        fetch(url)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(fetch, [url] * requests))
    elapsed = time.perf_counter() - started
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "requests_per_s": requests / elapsed,
    }
