"""Proposals (issue 16): supports per second under 200 concurrent clients against the stack's ceiling, and the
list and map pages with 50,000 proposals and 2,000,000 supports.

Supports. BENCH_CLIENTS verified people (default 200; a `Verification` and a DRF token each), one client thread
each, all released together against the API's gunicorn (BENCH_SERVER_WORKERS sync workers, default 4 × cores + 1,
as docs/deployment.md recommends). Each person sends its support
twice to two proposals, `POST /api/v1/proposals/<uuid>/support/`: the run's hot proposal (every person) and one of
four others (a quarter of the people each); every tenth person sends its first support to the hot proposal as two
requests at the same instant. Each of BENCH_RUNS runs (default 3) has proposals of its own, in a space whose
threshold is out of reach (no state change); after each, the rows of each proposal must equal the people who
supported it, once each, and its `supports_count` the rows: printed. The figure is support requests per second,
median of the runs, over the stack's ceiling measured in the same run: the lower of
- pgbench's simple-update rate (`pgbench -i` on a scratch database, then `pgbench -N -c <clients> -j 2 -T 10`;
  the clients capped below the server's max_connections), and
- the request rate of a trivial authenticated view (`POST /bench/whoami/`: the REST API's token authentication
  and throttle, answering the person's id; bench/ceiling_urls.py, served only with bench/ceiling_settings.py)
  sent the same requests by the same clients to the same server, just before each run of supports.
Goal ≥ 0.5.

Pages. BENCH_PROPOSALS proposals (default 50,000) over ten spaces (ten communes, four districts and four categories
each, Arabic and French, every status) and BENCH_SUPPORTS supports (default 2,000,000, a long-tailed count per
proposal, from 20,000 people), written with COPY and INSERT … SELECT, `supports_count` equal to the rows (checked).
The list `/fr/proposals/` (plain, a filter, sorted by support, a deep page) and the map `/fr/proposals/map/` and
`map.geojson` (plain, a bounding box), served by gunicorn with the page cache off (PAGE_CACHE_TIMEOUT=0, as
bench/growth.py's uncached figures), BENCH_REQUESTS each (default 100), BENCH_CONCURRENCY at a time (default 2: one
per worker, the page's latency without queueing): median, p95, req/s, and the SQL queries of one request (test client
in this process). Goal: p95 ≤ 150 ms. Then, unless BENCH_CANDIDATE_INDEXES=0, the same again once the indexes the
pages lack (CANDIDATE_INDEXES below; bench/README.md says why) are created in the bench database, not by a migration.

PostgreSQL only, in its own database BENCH_DATABASE (default baladiya_bench_proposals), dropped and created again;
pgbench's scratch database is BENCH_DATABASE + "_pgbench"; Redis (rate limits, cache) is BENCH_REDIS_URL (default
database 10). BENCH_PARTS picks "supports", "pages" or both (default). About 7 minutes on two cores.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/proposals.py
    DATABASE_URL=… BENCH_PROPOSALS=5000 BENCH_SUPPORTS=200000 BENCH_RUNS=1 .venv/bin/python bench/proposals.py
"""

import datetime
import hashlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_proposals")
PARTS = set(os.environ.get("BENCH_PARTS", "supports,pages").split(","))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "200"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PROPOSALS = int(os.environ.get("BENCH_PROPOSALS", "50000"))
SUPPORTS = int(os.environ.get("BENCH_SUPPORTS", "2000000"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "20000"))  # who the loaded supports come from
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
PGBENCH_SECONDS = int(os.environ.get("BENCH_PGBENCH_SECONDS", "10"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
CANDIDATE = os.environ.get("BENCH_CANDIDATE_INDEXES", "1") != "0"
# The supports are served as docs/deployment.md ("Serving") runs the API: 4 × cores + 1 sync workers, so that a
# worker waiting on PostgreSQL (a commit's flush) does not idle a core; the pages as growth.py serves them.
SERVER_WORKERS = int(os.environ.get("BENCH_SERVER_WORKERS", str(4 * os.cpu_count() + 1)))
PAGE_WORKERS = int(os.environ.get("BENCH_PAGE_WORKERS", "2"))
SETTINGS = "bench.ceiling_settings"
OTHERS = 4  # proposals besides the hot one in each run of supports
COMMUNES, DISTRICTS = 10, 4
SIDE = 0.08  # degrees: each commune a square of four districts

bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/proposals.py")
pgbench_url, _ = bench_database_urls(BENCH_DATABASE + "_pgbench", "bench/proposals.py")
os.environ.update(
    DATABASE_URL=bench_url,
    DJANGO_SETTINGS_MODULE=SETTINGS,
    DEBUG="false",
    REDIS_URL=REDIS_URL,
    ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    PAGE_CACHE_TIMEOUT="0",
    # Every client is this one address: the per-address API limit would refuse them; the per-person limit of
    # supports stays the production one.
    RATE_LIMIT_API="1000000/s",
)
recreate_database(BENCH_DATABASE, maintenance_url)

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from bench.catalogue_data import bench_bodies  # noqa: E402
from bench.ceiling import Step, burst, pgbench_clients, pgbench_init, pgbench_rate  # noqa: E402
from bench.http_load import load, serve  # noqa: E402
from participation.proposals.models import Category, Proposal, Space, Status, Support  # noqa: E402
from portal.accounts.models import Verification  # noqa: E402
from portal.bodies.models import District  # noqa: E402

CATEGORIES = [
    ("voirie", "الطرقات", "Voirie"),
    ("eclairage", "الإنارة العمومية", "Éclairage public"),
    ("espaces-verts", "المساحات الخضراء", "Espaces verts"),
    ("proprete", "النظافة", "Propreté"),
]
SUBJECTS = [
    ("إنارة شارع", "Éclairer la rue"),
    ("تهيئة حديقة", "Aménager un jardin"),
    ("إصلاح الرصيف", "Réparer le trottoir"),
    ("حاويات النفايات", "Des bacs à ordures"),
    ("ممر للراجلين", "Un passage piéton"),
    ("ملعب جواري", "Un terrain de proximité"),
]
# Every status but a few drafts and hidden ones are public; most gather support.
STATUSES = [
    (Status.PUBLISHED, 70),
    (Status.THRESHOLD_REACHED, 5),
    (Status.EVALUATING, 4),
    (Status.ACCEPTED, 4),
    (Status.REJECTED, 4),
    (Status.NOT_COMPETENT, 2),
    (Status.ALREADY_PLANNED, 2),
    (Status.WITHDRAWN, 3),
    (Status.MERGED, 1),
    (Status.CONVERTED, 1),
    (Status.DRAFT, 2),
    (Status.MODERATION, 2),
]


# -- Loading -----------------------------------------------------------------------------------------------


def square(west: float, south: float, side: float) -> dict:
    ring = [[west, south], [west + side, south], [west + side, south + side], [west, south + side], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def commune_corner(index: int) -> tuple[float, float]:
    return 2.8 + (index % 5) * 0.1, 36.4 + (index // 5) * 0.1


def load_spaces() -> list[Space]:
    """A space per bench commune, with four districts (a 2 × 2 grid of squares) and four categories."""
    spaces = []
    half = SIDE / 2
    for index, body in enumerate(bench_bodies()[:COMMUNES]):
        west, south = commune_corner(index)
        District.objects.bulk_create(
            District(
                body=body,
                slug=f"quartier-{number}",
                name_ar=f"الحي {number}",
                name_fr=f"Quartier {number}",
                boundary=square(west + (number % 2) * half, south + (number // 2) * half, half),
            )
            for number in range(DISTRICTS)
        )
        space = Space.objects.create(
            body=body,
            slug=f"propositions-{index}",
            title_ar=f"اقتراحات البلدية {index}",
            title_fr=f"Propositions de la commune {index}",
            support_threshold=500,
            opens_on=datetime.date(2024, 1, 1),
        )
        Category.objects.bulk_create(
            Category(space=space, slug=slug, name_ar=name_ar, name_fr=name_fr) for slug, name_ar, name_fr in CATEGORIES
        )
        spaces.append(space)
    return spaces


def create_people(prefix: str, count: int) -> list[int]:
    """`count` active accounts (no usable password) in one INSERT; return their ids in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff, is_active,"
            " date_joined, email, uuid, preferred_language)"
            " SELECT '!', false, 'Personne', %s || n, false, true, now(), %s || n || '@example.org',"
            " gen_random_uuid(), 'ar' FROM generate_series(0, %s - 1) AS n ORDER BY n RETURNING id",
            [prefix, prefix, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def copy_rows(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def support_counts(rng: random.Random, count: int, total: int, most: int) -> list[int]:
    """A long tail of `count` support counts summing to `total`, none above `most` (the people there are)."""
    weights = [rng.paretovariate(1.1) for _ in range(count)]
    scale = total / sum(weights)
    counts = [min(most, int(weight * scale)) for weight in weights]
    missing = total - sum(counts)
    index = 0
    while missing > 0:  # spread what rounding and the cap took over proposals with room left
        room = min(most - counts[index], missing, 1 + missing // count)
        counts[index] += room
        missing -= room
        index = (index + 1) % count
    return counts


def load_proposals(spaces: list[Space]) -> None:
    """PROPOSALS proposals by PEOPLE people and SUPPORTS supports from them, `supports_count` equal to the rows."""
    began = time.perf_counter()
    rng = random.Random(16)
    people = create_people("bench-person-", PEOPLE)
    districts = {space.pk: list(District.objects.filter(body=space.body).order_by("slug")) for space in spaces}
    categories = {space.pk: list(space.categories.order_by("slug")) for space in spaces}
    statuses, status_weights = zip(*STATUSES, strict=True)
    counts = support_counts(rng, PROPOSALS, SUPPORTS, PEOPLE)
    now = timezone.now()
    columns = [
        "uuid", "space_id", "title", "text", "language", "category_id", "district_id", "longitude", "latitude",
        "estimated_cost", "author_id", "pseudonym", "status", "supports_count", "comments_count", "reports_count",
        "hidden_from", "answer_due", "threshold_reached_at", "published_at", "created_at", "updated_at",
    ]  # fmt: skip

    def rows():
        for number in range(PROPOSALS):
            space = spaces[number % len(spaces)]
            west, south = commune_corner(number % len(spaces))
            longitude, latitude = west + rng.random() * SIDE, south + rng.random() * SIDE
            quarter = int(longitude - west >= SIDE / 2) + 2 * int(latitude - south >= SIDE / 2)
            status = rng.choices(statuses, status_weights)[0]
            arabic = number % 2 == 0
            subject = SUBJECTS[number % len(SUBJECTS)][0 if arabic else 1]
            created = now - datetime.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            published = None if status == Status.DRAFT else created + datetime.timedelta(hours=1)
            answering = status in (Status.THRESHOLD_REACHED, Status.EVALUATING)
            yield (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                space.pk,
                f"{subject} {number}",
                (f"نقترح {subject} في الحي لفائدة السكان. " if arabic else f"Nous proposons : {subject}. ") * 4,
                "ar" if arabic else "fr",
                rng.choice(categories[space.pk]).pk,
                districts[space.pk][quarter].pk,
                longitude,
                latitude,
                rng.randrange(100_000, 50_000_000) if number % 3 == 0 else None,
                people[number % len(people)],
                f"Voisin {number}" if number % 7 == 0 else "",
                status,
                counts[number],
                0,
                0,
                Status.PUBLISHED if status == Status.MODERATION else "",
                (created + datetime.timedelta(days=60)).date() if answering else None,
                created + datetime.timedelta(days=1) if answering else None,
                published,
                created,
                created,
            )

    copy_rows("proposals_proposal", columns, rows())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE proposals_proposal")
        # The supports of proposal k come from people (k × 7919 + j) mod PEOPLE, j < its count: distinct people.
        cursor.execute("CREATE TEMPORARY TABLE bench_people (n integer PRIMARY KEY, id bigint)")
        cursor.execute(
            "INSERT INTO bench_people SELECT row_number() OVER (ORDER BY id) - 1, id FROM accounts_user"
            " WHERE email LIKE 'bench-person-%%'"
        )
        cursor.execute("SET session_replication_role = replica")  # no foreign-key triggers for 2 million rows
        cursor.execute(
            "INSERT INTO proposals_support (created_at, proposal_id, user_id)"
            " SELECT p.created_at + (j || ' minutes')::interval, p.id, people.id"
            " FROM proposals_proposal AS p, generate_series(0, p.supports_count - 1) AS j, bench_people AS people"
            " WHERE people.n = (p.id * 7919 + j) %% %s AND p.space_id = ANY(%s)",
            [PEOPLE, [space.pk for space in spaces]],
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("DROP TABLE bench_people")
        # What autovacuum does soon after in production: statistics, and the visibility map (index-only scans).
        cursor.execute("VACUUM ANALYZE proposals_proposal")
        cursor.execute("VACUUM ANALYZE proposals_support")
        cursor.execute("ANALYZE")
    print(
        f"loaded {Proposal.objects.count():,} proposals and {Support.objects.count():,} supports from "
        f"{PEOPLE:,} people in {time.perf_counter() - began:.0f} s"
    )
    check_counts(Proposal.objects.filter(space__in=spaces), "loaded")


def check_counts(proposals, label: str) -> bool:
    """Whether every proposal's `supports_count` equals its rows, and no person supports one twice: printed."""
    ids = list(proposals.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(p.supports_count), 0),"
            " count(*) FILTER (WHERE p.supports_count <> coalesce(s.rows, 0)), coalesce(sum(s.rows), 0),"
            " coalesce(sum(s.people), 0)"
            " FROM proposals_proposal p LEFT JOIN (SELECT proposal_id, count(*) AS rows,"
            " count(DISTINCT user_id) AS people FROM proposals_support WHERE organisation_id IS NULL"
            " GROUP BY proposal_id) s ON s.proposal_id = p.id WHERE p.id = ANY(%s)",
            [ids],
        )
        proposals_seen, counted, wrong, rows, people = cursor.fetchone()
    ok = wrong == 0 and counted == rows == people
    print(
        f"{label}: {proposals_seen:,} proposals, supports_count total {counted:,}, rows {rows:,}, distinct "
        f"(proposal, person) {people:,}, proposals whose count differs from their rows: {wrong} -> "
        f"{'ok' if ok else 'WRONG'}"
    )
    return ok


# -- Supports under 200 clients ----------------------------------------------------------------------------


def create_clients(body) -> list[str]:
    """CLIENTS verified people with a DRF token each; return the tokens in order."""
    ids = create_people("bench-client-", CLIENTS)
    Verification.objects.bulk_create(
        Verification(
            user_id=user_id,
            identity_hash=hashlib.sha256(f"bench-client-{user_id}".encode()).hexdigest(),
            body=body,
            method=Verification.Method.CENSUS,
        )
        for user_id in ids
    )
    tokens = [Token(key=Token.generate_key(), user_id=user_id) for user_id in ids]
    Token.objects.bulk_create(tokens)
    return [token.key for token in tokens]


def plan(index: int, hot: str, others: list[str]) -> list[Step]:
    """What client `index` sends, in order: POSTs, the first one twice at the same instant for every tenth."""
    own = others[index % len(others)]
    return [("POST", hot, b"{}", index % 10 == 0), *(("POST", path, b"{}", False) for path in (own, hot, own))]


def run_proposals(space: Space, author_id: int, run: int) -> list[Proposal]:
    """The hot proposal and OTHERS more of a run of supports, published, in the space out of threshold's reach."""
    now = timezone.now()
    return Proposal.objects.bulk_create(
        Proposal(
            space=space,
            title=f"Proposition de la série {run}, numéro {number}",
            text="Une proposition que 200 personnes soutiennent en même temps.",
            language="fr",
            author_id=author_id,
            status=Status.PUBLISHED,
            published_at=now,
        )
        for number in range(1 + OTHERS)
    )


def support_path(proposal: Proposal) -> str:
    return f"/api/v1/proposals/{proposal.uuid}/support/"


def check_answers(result: dict, supports: bool = True) -> None:
    """Every answer a success; for supports, each client's last answer for a proposal says it is supported."""
    problems = Counter()
    for client_answers in result["answers"]:
        last: dict[str, dict] = {}
        for status, body, _, path in client_answers:
            if status not in (200, 201):
                problems[f"HTTP {status}: {body[:120]!r}"] += 1
                continue
            try:
                last[path] = json.loads(body)
            except ValueError:
                problems[f"not JSON: {body[:80]!r}"] += 1
        if supports:
            problems.update("answered not supported" for answer in last.values() if answer.get("supported") is not True)
    for problem, times in problems.most_common(5):
        print(f"   ! {times} × {problem}")


def supports_part(space: Space, tokens: list[str]) -> None:
    print(f"\n== Supports: {len(tokens)} clients (verified people, a token each), {RUNS} runs")
    author_id = Verification.objects.values_list("user_id", flat=True).first()
    scratch = BENCH_DATABASE + "_pgbench"
    recreate_database(scratch, maintenance_url)
    pgbench_init(pgbench_url)
    clients = pgbench_clients(connection, CLIENTS)
    print(f"pgbench: simple update (-N), {clients} clients, -j 2, {PGBENCH_SECONDS} s per run, default scale")
    figures: dict[str, list[float]] = {"pgbench": [], "whoami": [], "supports": [], "rows": []}
    all_ok = True
    environment = {"DJANGO_SETTINGS_MODULE": SETTINGS}
    with serve(workers=SERVER_WORKERS, env=environment) as base:
        for run in range(1, RUNS + 1):
            figures["pgbench"].append(pgbench_rate(pgbench_url, clients, PGBENCH_SECONDS))
            whoami = burst(
                base, tokens, [plan(index, "/bench/whoami/", ["/bench/whoami/"]) for index in range(len(tokens))]
            )
            check_answers(whoami, supports=False)
            proposals = run_proposals(space, author_id, run)
            hot, others = support_path(proposals[0]), [support_path(proposal) for proposal in proposals[1:]]
            result = burst(base, tokens, [plan(index, hot, others) for index in range(len(tokens))])
            check_answers(result)
            rows = Support.objects.filter(proposal__in=proposals).count()
            figures["whoami"].append(whoami["rate"])
            figures["supports"].append(result["rate"])
            figures["rows"].append(rows / result["elapsed"])
            print(
                f"run {run}: pgbench {figures['pgbench'][-1]:,.0f} tps; whoami {whoami['requests']} requests "
                f"{whoami['rate']:,.1f} req/s (median {whoami['median_ms']:.0f} ms, p95 {whoami['p95_ms']:.0f} ms, "
                f"{dict(whoami['statuses'])}); supports {result['requests']} requests in {result['elapsed']:.2f} s: "
                f"{result['rate']:,.1f} req/s, {rows} new supports = {rows / result['elapsed']:,.1f}/s (median "
                f"{result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, {dict(result['statuses'])}); "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            for proposal in proposals:
                proposal.refresh_from_db(fields=["supports_count"])
                supporters = (
                    len(tokens) if proposal == proposals[0] else len(tokens[proposals.index(proposal) - 1 :: OTHERS])
                )
                rows_of = Support.objects.filter(proposal=proposal)
                people = rows_of.values("user").distinct().count()
                ok = rows_of.count() == people == supporters == proposal.supports_count
                all_ok &= ok
                print(
                    f"   {'hot' if proposal == proposals[0] else 'other'} proposal {proposal.pk}: {supporters} "
                    f"people supported it, {rows_of.count()} rows, {people} distinct people, supports_count "
                    f"{proposal.supports_count} -> {'ok' if ok else 'WRONG'}"
                )
    recreate_database(scratch, maintenance_url)  # leave it empty
    median = {name: statistics.median(values) for name, values in figures.items()}
    ceiling = min(median["pgbench"], median["whoami"])
    print(
        f"\nmedian of {RUNS}: pgbench {median['pgbench']:,.0f} tps, trivial authenticated view "
        f"{median['whoami']:,.1f} req/s -> ceiling {ceiling:,.1f}/s"
    )
    print(
        f"supports: {median['supports']:,.1f} requests/s ({median['rows']:,.1f} new rows/s); "
        f"over the ceiling {median['supports'] / ceiling:.2f} (goal ≥ 0.5); new rows/s over the ceiling "
        f"{median['rows'] / ceiling:.2f}; exactly one support per person per proposal: {'yes' if all_ok else 'NO'}"
    )


# The orders of the list (sort=recent, supported) and of the map's points, and the map's bounding box: measured a
# second time with these (BENCH_CANDIDATE_INDEXES=0 leaves them out).
CANDIDATE_INDEXES = {
    "bench_proposal_published": "published_at DESC, id DESC",
    "bench_proposal_supported": "supports_count DESC, published_at DESC, id DESC",
    "bench_proposal_points": "supports_count DESC, id DESC",
    "bench_proposal_lonlat": "longitude, latitude",
}


# -- Pages -------------------------------------------------------------------------------------------------


def addresses(spaces: list[Space]) -> dict[str, str]:
    space = spaces[1]
    category = space.categories.order_by("slug").first()
    west, south = commune_corner(1)
    bbox = f"{west},{south},{west + SIDE / 2},{south + SIDE / 2}"  # one district: about 1/40 of the points
    deep = max(1, PROPOSALS // 20 // 2)
    return {
        "/healthz": "/healthz",
        "list": "/fr/proposals/",
        "list, space + category": "/fr/proposals/?" + urlencode({"space": space.slug, "category": category.pk}),
        "list, most supported": "/fr/proposals/?sort=supported",
        f"list, page {deep}": f"/fr/proposals/?page={deep}",
        "map": "/fr/proposals/map/",
        "map.geojson": "/fr/proposals/map.geojson",
        "map.geojson, bbox": "/fr/proposals/map.geojson?" + urlencode({"bbox": bbox}),
    }


def query_count(path: str) -> str:
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    size = len(response.content) if not response.streaming else 0
    return f"{len(queries)} ({response.status_code}, {size / 1024:,.0f} KiB)"


def pages_part(spaces: list[Space], label: str) -> None:
    print(f"\n== Pages {label}, uncached (PAGE_CACHE_TIMEOUT=0): {REQUESTS} requests each, {CONCURRENCY} at a time")
    paths = addresses(spaces)
    cache.clear()
    results = {}
    with serve(workers=PAGE_WORKERS, env={"DJANGO_SETTINGS_MODULE": SETTINGS, "PAGE_CACHE_TIMEOUT": "0"}) as base:
        for name, path in paths.items():
            try:
                results[name] = load(base + path, REQUESTS, CONCURRENCY)
            except Exception as error:  # noqa: BLE001 (one broken page does not stop the others)
                results[name] = error
    print(f"{'address':26} {'median ms':>9} {'p95 ms':>8} {'req/s':>7}  queries (status, size)")
    for name, figure in results.items():
        if isinstance(figure, Exception):
            print(f"{name:26} failed: {figure}")
            continue
        print(
            f"{name:26} {figure['median_ms']:9.1f} {figure['p95_ms']:8.1f} {figure['requests_per_s']:7.1f}  "
            f"{query_count(paths[name])}"
        )
    for name, path in paths.items():
        print(f"   {name}: {path}")
    print(f"load average {os.getloadavg()[0]:.1f}")


def add_candidate_indexes() -> None:
    """The indexes the pages lack (see bench/README.md), created in the bench database only: not a migration."""
    with connection.cursor() as cursor:
        for name, columns in CANDIDATE_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON proposals_proposal ({columns})")
        cursor.execute("ANALYZE proposals_proposal")
    print("\ncandidate indexes: " + "; ".join(f"{name} ({columns})" for name, columns in CANDIDATE_INDEXES.items()))


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    cache.clear()
    print(
        f"database: {connection.vendor} {BENCH_DATABASE}; cache and rate limits: {REDIS_URL}; gunicorn: API "
        f"{SERVER_WORKERS} sync workers, pages {PAGE_WORKERS}; {time.perf_counter() - started:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    spaces = load_spaces()
    load_proposals(spaces)
    if "supports" in PARTS:
        body = spaces[0].body
        supports_space = Space.objects.create(
            body=body,
            slug="propositions-bench-soutiens",
            title_ar="اقتراحات",
            title_fr="Soutiens simultanés",
            support_threshold=10**9,  # no state change, no notification of staff while measuring
            opens_on=datetime.date(2024, 1, 1),
        )
        tokens = create_clients(body)
        supports_part(supports_space, tokens)
    if "pages" in PARTS:
        pages_part(spaces, "as they are")
        if CANDIDATE:
            add_candidate_indexes()
            pages_part(spaces, "with the candidate indexes")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
