"""Schemathesis, every check, over the whole OpenAPI document, against the portal serving its demo.

The portal runs as `make run` does (dev settings, its own SQLite database with the demo) in a process of its
own, so that the run reaches it through HTTP like any client; `schemathesis.toml` holds the one exception
(rows whose column names no schema can list). The seed is fixed: a failure reproduces with the same command.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from portal.accounts.demo import CITIZEN_EMAIL

ROOT = Path(settings.BASE_DIR)
# Examples per operation and phase: enough to find what the first run found (23 failures over 14 operations),
# few enough for a minute or two on two cores.
MAX_EXAMPLES = 25
SEED = "20261205"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def demo_portal(tmp_path_factory):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the conformance run serves its own SQLite demo: the SQLite pass of `make test` runs it")
    workdir = tmp_path_factory.mktemp("openapi")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        DATABASE_URL=f"sqlite:///{workdir / 'portal.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        # Thousands of requests from one address: the API's per-address limits would answer 429 to most.
        RATE_LIMIT_API="1000000/m",
        RATE_LIMIT_DOWNLOAD="1000000/m",
        RATE_LIMIT_PROPOSAL_SUPPORT="1000000/m",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run([*manage, *command], env=environment, cwd=ROOT, check=True, capture_output=True)
    # The demo citizen's API key (a verified resident): the operations that need one (supports) run for real.
    made = subprocess.run(
        [*manage, "drf_create_token", CITIZEN_EMAIL],
        env=environment,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    token = made.stdout.split()[2]
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/schema/", timeout=5) as response:  # noqa: S310 (our server)
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_api_conforms_to_its_openapi_document(demo_portal):
    url, token = demo_portal
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{url}/api/schema/",
        # Sent on every operation; the public ones ignore it, and the checks still try each without it.
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        SEED,
        # The same requests on every run and machine: a failure here is the API's, never the draw's.
        "--generation-deterministic",
        "--workers",
        "1",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-20000:]
    assert "No issues found" in result.stdout, result.stdout[-5000:]
