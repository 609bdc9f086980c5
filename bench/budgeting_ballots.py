"""Participatory budgeting (issue 17): ballots cast per second by 500 concurrent voters, exactly one ballot per
person at the end, against the stack's ceiling measured in the same run; and the ballot page's latency meanwhile.

BENCH_CLIENTS verified residents (default 500; a `Verification` in one of three districts and a DRF token each), one
client thread each, all released together against the API's gunicorn (BENCH_SERVER_WORKERS sync workers, default
4 × cores + 1, as docs/deployment.md recommends; the ballot page below on another of BENCH_PAGE_WORKERS, 2). Each casts
its ballot, `PUT /api/v1/budgeting/cycles/<uuid>/ballot/` with its district's budget and the city-wide one (approval,
at most 3 projects each); every tenth sends it twice at the same instant (the second must be refused, 409). Each of
BENCH_RUNS runs (default 3) has a cycle of its own. After each run: ballots answered 201 = people, the register has
one row per person, each budget's ballots equal its voters, and every receipt finds its ballots: printed.

The figure is ballot requests per second (the refused doubles included: they are work the server does), median of
the runs, over the stack's ceiling measured in the same run: the lower of pgbench's simple-update rate
(`pgbench -N -c <clients> -j 2 -T 10`, the clients capped below max_connections) and the request rate of a trivial
token-authenticated view (`PUT /bench/whoami/`, bench/ceiling_urls.py) sent the same requests by the same clients
just before each run. Goal ≥ 0.5.

Meanwhile BENCH_PAGE_VIEWERS other voters (default 20, logged in by session) load their ballot page
`/fr/budgeting/<cycle>/ballot/` two at a time, over and over until the run's last ballot is answered: median and
p95 of those loads (goal p95 ≤ 250 ms), and the SQL queries of one (test client in this process).

PostgreSQL only, in its own database BENCH_DATABASE (default baladiya_bench_ballots), dropped and created again;
pgbench's scratch database is BENCH_DATABASE + "_pgbench"; Redis (rate limits, cache) is BENCH_REDIS_URL (default
database 10). About 3 minutes on two cores.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/budgeting_ballots.py
    DATABASE_URL=… BENCH_CLIENTS=100 BENCH_RUNS=1 .venv/bin/python bench/budgeting_ballots.py
"""

import hashlib
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_ballots")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "500"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
VIEWERS = int(os.environ.get("BENCH_PAGE_VIEWERS", "20"))
PGBENCH_SECONDS = int(os.environ.get("BENCH_PGBENCH_SECONDS", "10"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
# The deployment of docs/deployment.md ("Serving"): the API (ballots, and the trivial view they are measured against)
# on its own gunicorn, 4 × cores + 1 sync workers, so that a worker waiting on PostgreSQL (a commit's flush) does not
# idle a core; the pages on another, so that a page load never queues behind a vote's burst of API requests.
SERVER_WORKERS = int(os.environ.get("BENCH_SERVER_WORKERS", str(4 * os.cpu_count() + 1)))
PAGE_WORKERS = int(os.environ.get("BENCH_PAGE_WORKERS", "2"))
SETTINGS = "bench.ceiling_settings"
DISTRICTS = ("nord", "centre", "sud")
PROJECTS_PER_BUDGET = 10

bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/budgeting_ballots.py")
pgbench_url, _ = bench_database_urls(BENCH_DATABASE + "_pgbench", "bench/budgeting_ballots.py")
os.environ.update(
    DATABASE_URL=bench_url,
    DJANGO_SETTINGS_MODULE=SETTINGS,
    DEBUG="false",
    REDIS_URL=REDIS_URL,
    ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    PAGE_CACHE_TIMEOUT="0",
    # Every client is this one address: the per-address API limit would refuse them; the per-person limit of
    # ballots stays the production one.
    RATE_LIMIT_API="1000000/s",
)
recreate_database(BENCH_DATABASE, maintenance_url)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from bench.ceiling import Step, burst, pgbench_clients, pgbench_init, pgbench_rate  # noqa: E402
from bench.http_load import serve  # noqa: E402
from participation.budgeting import services  # noqa: E402
from participation.budgeting.models import (  # noqa: E402
    Ballot,
    Budget,
    Cycle,
    Phase,
    Project,
    ProjectStatus,
    VoterRecord,
)
from portal.accounts.models import User, Verification  # noqa: E402
from portal.bodies.models import District, PublicBody  # noqa: E402


def square(west: float, south: float, side: float) -> dict:
    ring = [[west, south], [west + side, south], [west + side, south + side], [west, south + side], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def load_body() -> tuple[PublicBody, list[District]]:
    body = PublicBody.add_root(slug="commune-bench-pb", name_ar="بلدية", name_fr="Commune du banc d'essai")
    districts = [
        District.objects.create(
            body=body, slug=slug, name_ar=slug, name_fr=slug, boundary=square(3 + n * 0.02, 36, 0.02)
        )
        for n, slug in enumerate(DISTRICTS)
    ]
    return body, districts


def create_voters(body, districts, prefix: str, count: int) -> list[User]:
    users = User.objects.bulk_create(User(email=f"{prefix}{n}@bench.localhost", password="!") for n in range(count))
    Verification.objects.bulk_create(
        Verification(
            user=user,
            identity_hash=hashlib.sha256(f"bench-voter-{user.email}".encode()).hexdigest(),
            body=body,
            district=districts[n % len(districts)],
            method=Verification.Method.CENSUS,
        )
        for n, user in enumerate(users)
    )
    return users


def create_cycle(body, districts, run: int) -> Cycle:
    now = timezone.now()
    cycle = Cycle.objects.create(
        body=body,
        slug=f"bench-{run}",
        title_ar=f"الميزانية التشاركية {run}",
        title_fr=f"Budget participatif {run}",
        voting_opens_at=now - timedelta(hours=1),
        voting_closes_at=now + timedelta(days=1),
        max_projects=3,
    )
    budgets = [
        Budget.objects.create(cycle=cycle, slug=district.slug, name_ar=district.slug, district=district, amount=500_000)
        for district in districts
    ] + [Budget.objects.create(cycle=cycle, slug="ville", name_ar="المدينة", amount=2_000_000)]
    Project.objects.bulk_create(
        Project(
            cycle=cycle,
            budget=budget,
            title=f"مشروع {budget.slug} {n}",
            description="وصف",
            language="ar",
            district=budget.district,
            cost=50_000 + 10_000 * n,
            status=ProjectStatus.FEASIBLE,
        )
        for budget in budgets
        for n in range(PROJECTS_PER_BUDGET)
    )
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.VOTING)
    cycle.refresh_from_db()
    return cycle


def ballot_plans(cycle: Cycle, voters: list[User]) -> list[list[Step]]:
    """Each voter's PUT: its district's budget and the city-wide one, three projects each chosen by its index."""
    projects: dict[str, list[int]] = {}
    for budget_slug, pk in Project.objects.filter(cycle=cycle).order_by("pk").values_list("budget__slug", "pk"):
        projects.setdefault(budget_slug, []).append(pk)
    path = f"/api/v1/budgeting/cycles/{cycle.uuid}/ballot/"
    plans = []
    for index, voter in enumerate(voters):
        district = voter.verification.district.slug
        choices = {
            slug: {str(projects[slug][(index + k * 3) % PROJECTS_PER_BUDGET]): 1 for k in range(3)}
            for slug in (district, "ville")
        }
        plans.append([("PUT", path, json.dumps({"choices": choices}).encode(), index % 10 == 0)])
    return plans


def session_cookie(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def watch_page(url: str, cookies: list[str], stop: threading.Event, latencies: list[float]) -> None:
    """Load the ballot page with each viewer's session in turn, two at a time, until `stop`."""

    def viewer(offset: int) -> None:
        n = offset
        while not stop.is_set():
            request = urllib.request.Request(url, headers={"Cookie": cookies[n % len(cookies)]})  # noqa: S310
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback only)
                response.read()
                assert response.status == 200
            latencies.append(time.perf_counter() - started)
            n += 2

    threads = [threading.Thread(target=viewer, args=(offset,)) for offset in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def check(cycle: Cycle, voters: list[User], result: dict) -> bool:
    """Exactly one ballot per person: in the answers, in the register and in each budget's ballots."""
    answers = [answer for client in result["answers"] for answer in client]
    statuses = Counter(answer[0] for answer in answers)
    receipts = [json.loads(answer[1])["receipt"] for answer in answers if answer[0] == 201]
    register = VoterRecord.objects.filter(cycle=cycle).count()
    per_budget = Counter(Ballot.objects.filter(cycle=cycle).values_list("budget__slug", flat=True))
    expected = Counter(voter.verification.district.slug for voter in voters) + Counter({"ville": len(voters)})
    found = sum(1 for receipt in receipts if services.find_ballots(cycle, receipt).count() == 2)
    ok = (
        statuses[201] == len(voters) == register == len(receipts) == found
        and statuses[409] == len(voters[::10])
        and per_budget == expected
    )
    print(
        f"   answers {dict(statuses)}; register {register} people; ballots per budget {dict(per_budget)}; "
        f"receipts that find their 2 ballots {found}/{len(receipts)} -> {'ok' if ok else 'WRONG'}"
    )
    return ok


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    cache.clear()
    body, districts = load_body()
    voters = create_voters(body, districts, "voter-", CLIENTS * RUNS)
    viewers = create_voters(body, districts, "viewer-", VIEWERS)
    tokens = [Token(key=Token.generate_key(), user=user) for user in voters]
    Token.objects.bulk_create(tokens)
    cookies = [session_cookie(user) for user in viewers]
    voters = list(User.objects.filter(pk__in=[user.pk for user in voters]).select_related("verification__district"))
    print(
        f"database: {connection.vendor} {BENCH_DATABASE}; cache and rate limits: {REDIS_URL}; gunicorn: API "
        f"{SERVER_WORKERS} sync workers, pages {PAGE_WORKERS}; {CLIENTS} voters per run, {RUNS} runs; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    recreate_database(BENCH_DATABASE + "_pgbench", maintenance_url)
    pgbench_init(pgbench_url)
    clients = pgbench_clients(connection, CLIENTS)
    print(f"pgbench: simple update (-N), {clients} clients, -j 2, {PGBENCH_SECONDS} s per run, default scale")
    figures: dict[str, list[float]] = {"pgbench": [], "whoami": [], "ballots": []}
    page: list[float] = []
    queries = ""
    all_ok = True
    with (
        serve(workers=SERVER_WORKERS, env={"DJANGO_SETTINGS_MODULE": SETTINGS}) as base,
        serve(workers=PAGE_WORKERS, env={"DJANGO_SETTINGS_MODULE": SETTINGS}) as pages,
    ):
        for run in range(RUNS):
            cycle = create_cycle(body, districts, run)
            people = voters[run * CLIENTS : (run + 1) * CLIENTS]
            keys = [token.key for token in tokens[run * CLIENTS : (run + 1) * CLIENTS]]
            if not queries:
                client = Client()
                client.force_login(viewers[0])
                with CaptureQueriesContext(connection) as captured:
                    client.get(f"/fr/budgeting/{cycle.slug}/ballot/")
                queries = f"{len(captured)} SQL queries"
            figures["pgbench"].append(pgbench_rate(pgbench_url, clients, PGBENCH_SECONDS))
            plans = ballot_plans(cycle, people)
            whoami = burst(base, keys, [[("PUT", "/bench/whoami/", plan[0][2], plan[0][3])] for plan in plans])
            stop, latencies = threading.Event(), []
            watcher = threading.Thread(
                target=watch_page, args=(f"{pages}/fr/budgeting/{cycle.slug}/ballot/", cookies, stop, latencies)
            )
            watcher.start()
            result = burst(base, keys, plans)
            stop.set()
            watcher.join()
            page.extend(latencies)
            figures["whoami"].append(whoami["rate"])
            figures["ballots"].append(result["rate"])
            print(
                f"run {run + 1}: pgbench {figures['pgbench'][-1]:,.0f} tps; whoami {whoami['requests']} requests "
                f"{whoami['rate']:,.1f} req/s (median {whoami['median_ms']:.0f} ms, p95 {whoami['p95_ms']:.0f} ms); "
                f"ballots {result['requests']} requests in {result['elapsed']:.2f} s: {result['rate']:,.1f} req/s "
                f"(median {result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms); ballot page meanwhile "
                f"{len(latencies)} loads, median {statistics.median(latencies) * 1000:.0f} ms, p95 "
                f"{sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms; load average "
                f"{os.getloadavg()[0]:.1f}"
            )
            all_ok &= check(cycle, people, result)
    recreate_database(BENCH_DATABASE + "_pgbench", maintenance_url)  # leave it empty
    median = {name: statistics.median(values) for name, values in figures.items()}
    ceiling = min(median["pgbench"], median["whoami"])
    page.sort()
    print(
        f"\nmedian of {RUNS}: pgbench {median['pgbench']:,.0f} tps, trivial authenticated view "
        f"{median['whoami']:,.1f} req/s -> ceiling {ceiling:,.1f}/s"
    )
    print(
        f"ballots: {median['ballots']:,.1f} requests/s, over the ceiling {median['ballots'] / ceiling:.2f} "
        f"(goal ≥ 0.5); exactly one ballot per person: {'yes' if all_ok else 'NO'}"
    )
    print(
        f"ballot page during the runs: {len(page)} loads, median {statistics.median(page) * 1000:.0f} ms, p95 "
        f"{page[int(len(page) * 0.95) - 1] * 1000:.0f} ms (goal ≤ 250 ms), {queries}"
    )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
