"""Council decisions at scale: 10,000 decisions with 30,000 attachments, the listing and a decision page.

Loads the demo, then bench decisions in three steps (10, 100, then 10,000 in all, spread over ten
communes, ten years, ten sessions a year), and after each step measures the decision listing
`/fr/decisions/` (plain, filtered, searched, a deep page), a decision page and a council page: median
and p95 under load (gunicorn in a second process, DEBUG off) and the SQL queries of one request.
Baseline: the same pages with 10 bench decisions, measured in the same run; the query counts must not
grow with the number of decisions.

Pages made one by one through Wagtail (`import_decisions`: add_child, a revision, publish) take tens
of milliseconds each, so the script times a few and loads the rest in bulk: page rows with treebeard
paths computed here, their cms rows, topics, and documents that all point to one shared small PDF.
Bulk pages have no revisions, which the public pages never read; the search index is filled in bulk.

PostgreSQL only: the server and credentials come from DATABASE_URL, the data goes to its own database,
BENCH_DATABASE (default baladiya_bench_decisions), dropped and created again by each run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/decisions.py
"""

import contextlib
import csv
import datetime
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_decisions")
# 10 communes × 10 years × 10 sessions × 10 decisions; each step is a prefix of this order.
# 10,000 places for decisions; bench/growth.py asks for 100 a session (100,000) through the environment.
COMMUNES, YEARS, SESSIONS_PER_YEAR = 10, 10, 10
DECISIONS_PER_SESSION = int(os.environ.get("BENCH_DECISIONS_PER_SESSION", "10"))
FIRST_YEAR = 2016
STEPS = [10, 100, 10_000]
ATTACHMENTS_PER_DECISION = 3
SEATS, PRESENT = 33, 29
# Requests per page: as many as fit in about SECONDS_PER_PAGE (judged from the warm-up), within these bounds,
# so that the run stays within a few minutes on two cores whatever the page costs.
SECONDS_PER_PAGE, MIN_REQUESTS, MAX_REQUESTS, WARMUP = 6.0, 30, 150, 5
SERVER_WORKERS = 2
TIMED_IMPORTS = 20


import django  # noqa: E402
from django.apps import apps  # noqa: E402

# Run as a script, this module makes its own database; imported by a script that has set Django up already
# (bench/growth.py), it only lends its loader (load_decisions) and its measures.
if not apps.ready:
    bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/decisions.py")
    os.environ.update(
        DATABASE_URL=bench_url,
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        DEBUG="false",
        MEDIA_ROOT=str(ROOT / "var" / "bench-media"),
        # What a request costs to compute: the page cache (portal.caching) would answer from Redis.
        PAGE_CACHE_TIMEOUT="0",
    )
    recreate_database(BENCH_DATABASE, maintenance_url)
    django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.models import Collection, Locale, Page  # noqa: E402
from wagtail.search.backends import get_search_backend  # noqa: E402

from bench.http_load import fetch, load, serve  # noqa: E402
from cms.demo import minimal_pdf  # noqa: E402
from cms.importing import import_decisions  # noqa: E402
from cms.listing import Cursor, DecisionFilters, filter_decisions  # noqa: E402
from cms.models import (  # noqa: E402
    CouncilDocument,
    CouncilIndexPage,
    CouncilSessionPage,
    DecisionAttachment,
    DecisionPage,
    HomePage,
    Topic,
)
from portal.bodies.models import PublicBody  # noqa: E402
from search.indexing import refresh_entries  # noqa: E402

LAW = "القانون رقم 11-10 المؤرخ في 22 يونيو 2011 المتعلق بالبلدية"
DISTRICTS = ["باب الدزاير", "أولاد السلطان", "بن بولعيد", "الحي الجديد", "حي الأمل", "وسط المدينة"]
# Title, summary and topics of the kinds of decisions an assembly takes, over and over.
KINDS = [
    ("المصادقة على الميزانية الإضافية لسنة {year}", "صادق المجلس على الميزانية الإضافية لسنة {year}.", ["budget"]),
    (
        "صفقة إعادة تأهيل شبكة المياه الصالحة للشرب بحي {district}",
        "وافق المجلس على صفقة تجديد قنوات المياه الصالحة للشرب بحي {district}.",
        ["eau", "budget"],
    ),
    ("تسمية شارع بحي {district}", "قرر المجلس تسمية شارع بحي {district} باسم أحد شهداء الثورة.", ["urbanisme"]),
    (
        "اتفاقية النقل المدرسي لتلاميذ حي {district}",
        "صادق المجلس على اتفاقية النقل المدرسي لفائدة تلاميذ حي {district}.",
        ["transport", "social"],
    ),
    (
        "صيانة الإنارة العمومية بحي {district}",
        "وافق المجلس على صيانة الإنارة العمومية واستبدال المصابيح بحي {district}.",
        ["urbanisme"],
    ),
    (
        "منح إعانات للجمعيات الثقافية والرياضية لسنة {year}",
        "وزع المجلس الإعانات على الجمعيات الثقافية والرياضية للبلدية.",
        ["social", "budget"],
    ),
]
OUTCOMES = ["adopted"] * 16 + ["rejected", "rejected", "postponed", "withdrawn"]
EXECUTION = ["not_started", "in_progress", "executed", "executed"]


class BulkLoader:
    """Create bench decisions in the order of `positions()`, `count` at a time, in bulk."""

    def __init__(self, topics: dict[str, Topic], locale: Locale, shared_file: str, shared_size: int):
        self.topics, self.locale = topics, locale
        self.shared_file, self.shared_size = shared_file, shared_size
        self.collection_id = Collection.get_first_root_node().pk
        self.content_types = {model: model().content_type_id for model in (CouncilSessionPage, DecisionPage)}
        self.councils: list[CouncilIndexPage] = []
        self.sessions: dict[tuple[int, int, int], Page] = {}
        self.next_step: dict[int, int] = {}
        self.loaded = 0
        self.random = random.Random(2025)
        self.seconds: dict[str, float] = {}

    def create_councils(self, home: HomePage) -> None:
        wilaya = PublicBody.objects.get(slug="wilaya-blida")
        for number in range(1, COMMUNES + 1):
            body = wilaya.add_child(
                instance=PublicBody(
                    slug=f"bench-commune-{number:02d}",
                    kind=PublicBody.Kind.COMMUNE,
                    name_ar=f"بلدية الاختبار {number}",
                    name_fr=f"Commune de test {number}",
                    name_en=f"Test municipality {number}",
                    country="DZ",
                )
            )
            council = home.add_child(
                instance=CouncilIndexPage(
                    title=f"المجلس الشعبي البلدي لبلدية الاختبار {number}",
                    slug=f"bench-council-{number:02d}",
                    body=body,
                    members_in_office=SEATS,
                )
            )
            council.save_revision().publish()
            self.councils.append(council)

    @staticmethod
    def positions():
        for commune in range(COMMUNES):
            for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
                for session in range(SESSIONS_PER_YEAR):
                    for number in range(DECISIONS_PER_SESSION):
                        yield commune, year, session, number

    def load_until(self, total: int) -> None:
        """Create decisions until there are `total` bench decisions (sessions and attachments with them)."""
        self.seconds = {}
        wanted = list(self.positions())[self.loaded : total]
        for commune, year, session, _number in wanted:
            if (commune, year, session) not in self.sessions:
                self.sessions[commune, year, session] = None
        with self.timed("sessions"):
            self._create_sessions([key for key, page in self.sessions.items() if page is None])
        with self.timed("decisions"):
            decisions = self._create_decisions(wanted)
            self._update_numchild()
        with self.timed("attachments"):
            self._create_attachments(decisions)
        with self.timed("search index"):
            backend = get_search_backend()
            pages = [decision.page_ptr_id for decision in decisions]
            for start in range(0, len(pages), 1000):
                backend.add_bulk(DecisionPage, DecisionPage.objects.filter(pk__in=pages[start : start + 1000]))
        self.loaded = total

    @contextlib.contextmanager
    def timed(self, part: str):
        started = time.perf_counter()
        yield
        self.seconds[part] = self.seconds.get(part, 0) + time.perf_counter() - started

    def timings(self) -> str:
        return ", ".join(f"{part} {seconds:.1f} s" for part, seconds in self.seconds.items())

    def _child_path(self, parent: Page) -> tuple[str, int]:
        if parent.pk not in self.next_step:
            self.next_step[parent.pk] = Page.objects.get(pk=parent.pk).numchild + 1
        step = self.next_step[parent.pk]
        self.next_step[parent.pk] += 1
        return Page._get_path(parent.path, parent.depth + 1, step), parent.depth + 1

    def _page_rows(self, model, parents_and_fields: list[tuple[Page, dict]]) -> list[Page]:
        """Insert the wagtailcore_page rows of new live pages under their parents; return them with ids."""
        now = timezone.now()
        rows = []
        for parent, fields in parents_and_fields:
            path, depth = self._child_path(parent)
            rows.append(
                Page(
                    title=fields["title"],
                    draft_title=fields["title"],
                    slug=fields["slug"],
                    content_type_id=self.content_types[model],
                    locale=self.locale,
                    path=path,
                    depth=depth,
                    numchild=0,
                    url_path=f"{parent.url_path}{fields['slug']}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=now,
                    last_published_at=now,
                    translation_key=uuid.uuid4(),
                )
            )
        return Page.objects.bulk_create(rows, batch_size=2000)

    @staticmethod
    def _insert_specific(model, objects: list) -> None:
        """Insert the rows of `model`'s own table (the part below Page), as bulk_create cannot for subclasses."""
        fields = model._meta.local_concrete_fields
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        statement = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        values = [
            [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] for obj in objects
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(values), 2000):
                cursor.executemany(statement, values[start : start + 2000])

    def _session_date(self, commune: int, year: int, session: int) -> datetime.date:
        return datetime.date(year, session + 1, 10 + commune)

    def _create_sessions(self, keys: list[tuple[int, int, int]]) -> None:
        specs = []
        for commune, year, session in keys:
            day = self._session_date(commune, year, session)
            kind = "extraordinary" if session == SESSIONS_PER_YEAR - 1 else "ordinary"
            title = ("الدورة الاستثنائية" if kind == "extraordinary" else "الدورة العادية") + f" بتاريخ {day:%d/%m/%Y}"
            specs.append((self.councils[commune], {"title": title, "slug": day.isoformat(), "day": day, "kind": kind}))
        pages = self._page_rows(CouncilSessionPage, specs)
        sessions = []
        for page, (key, (_council, fields)) in zip(pages, zip(keys, specs, strict=True), strict=True):
            session = CouncilSessionPage(
                page_ptr_id=page.pk,
                session_date=fields["day"],
                kind=fields["kind"],
                status="held",
                location="قاعة المداولات",
                members_present=PRESENT,
                agenda=[],
            )
            sessions.append(session)
            page.session_date = fields["day"]
            self.sessions[key] = page
        self._insert_specific(CouncilSessionPage, sessions)

    def _create_decisions(self, wanted) -> list[DecisionPage]:
        rng = self.random
        specs, decisions = [], []
        for commune, year, session, number in wanted:
            parent = self.sessions[commune, year, session]
            reference = f"{session * DECISIONS_PER_SESSION + number + 1:03d}/{year}"
            title, summary, topics = rng.choice(KINDS)
            district = rng.choice(DISTRICTS)
            outcome = rng.choice(OUTCOMES)
            votes = (0, 0, 0)
            if outcome in {"adopted", "rejected"}:
                against, abstain = rng.randint(0, 6), rng.randint(0, 3)
                votes = (PRESENT - against - abstain, against, abstain)
                if outcome == "rejected":
                    votes = (votes[1], votes[0], votes[2])
            specs.append(
                (parent, {"title": title.format(year=year, district=district), "slug": reference.replace("/", "-")})
            )
            decisions.append(
                DecisionPage(
                    uuid=uuid.uuid4(),
                    body_id=self.councils[commune].body_id,
                    reference=reference,
                    year=year,
                    language=self.locale.language_code,
                    decision_date=parent.session_date,
                    agenda_item=str(number + 1),
                    summary=summary.format(year=year, district=district),
                    full_text=[
                        ("paragraph", f"<p>بمقتضى {LAW}؛</p>"),
                        ("paragraph", f"<p>المادة الأولى: {summary.format(year=year, district=district)}</p>"),
                        ("paragraph", "<p>المادة 2: يكلف رئيس المجلس الشعبي البلدي بتنفيذ هذه المداولة.</p>"),
                    ],
                    outcome=outcome,
                    votes_for=votes[0],
                    votes_against=votes[1],
                    votes_abstain=votes[2],
                    legal_basis=LAW,
                    execution_status=rng.choice(EXECUTION),
                )
            )
            decisions[-1].topic_slugs = topics
        pages = self._page_rows(DecisionPage, specs)
        for page, decision in zip(pages, decisions, strict=True):
            decision.page_ptr_id = page.pk
        self._insert_specific(DecisionPage, decisions)
        through = DecisionPage.topics.through
        through.objects.bulk_create(
            [
                through(decisionpage_id=decision.page_ptr_id, topic_id=self.topics[slug].pk)
                for decision in decisions
                for slug in decision.topic_slugs
            ],
            batch_size=5000,
        )
        return decisions

    def _create_attachments(self, decisions: list[DecisionPage]) -> None:
        now = timezone.now()
        kinds = ["signed", "annex", "other"][:ATTACHMENTS_PER_DECISION]
        documents = CouncilDocument.objects.bulk_create(
            [
                CouncilDocument(
                    title=f"{decision.reference} {kind}",
                    file=self.shared_file,
                    file_size=self.shared_size,
                    # Distinct hashes, as distinct files would have: imports look documents up by hash.
                    file_hash=hashlib.sha1(
                        f"{decision.page_ptr_id}-{kind}".encode(), usedforsecurity=False
                    ).hexdigest(),
                    collection_id=self.collection_id,
                    created_at=now,
                )
                for decision in decisions
                for kind in kinds
            ],
            batch_size=5000,
        )
        attachments = []
        for index, decision in enumerate(decisions):
            for order, kind in enumerate(kinds):
                document = documents[index * len(kinds) + order]
                attachments.append(
                    DecisionAttachment(
                        page_id=decision.page_ptr_id, document_id=document.pk, kind=kind, sort_order=order
                    )
                )
        DecisionAttachment.objects.bulk_create(attachments, batch_size=5000)

    def _update_numchild(self) -> None:
        parents = [council.pk for council in self.councils] + [page.pk for page in self.sessions.values()]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE wagtailcore_page AS parent SET numchild = (
                    SELECT count(*) FROM wagtailcore_page AS child
                    WHERE child.path LIKE parent.path || '%%' AND child.depth = parent.depth + 1
                ) WHERE parent.id = ANY(%s)
                """,
                [parents],
            )


def time_imports(home: HomePage, locale: Locale) -> float:
    """Return the seconds per decision of `import_decisions` (Wagtail's own path), on a council of its own."""
    wilaya = PublicBody.objects.get(slug="wilaya-blida")
    body = wilaya.add_child(
        instance=PublicBody(slug="bench-import", kind="commune", name_ar="بلدية الاستيراد", name_fr="Import")
    )
    council = home.add_child(
        instance=CouncilIndexPage(title="مجلس الاستيراد", slug="bench-import", body=body, members_in_office=SEATS)
    )
    council.save_revision().publish()
    header = ["reference", "title", "decision_date", "session_date", "session_members_present", "summary"]
    header += ["outcome", "votes_for", "votes_against", "votes_abstain", "attachments"]
    with tempfile.TemporaryDirectory() as folder:
        files = Path(folder)
        path = files / "decisions.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for number in range(TIMED_IMPORTS):
                (files / f"{number}.pdf").write_bytes(minimal_pdf([f"Deliberation {number}"]))
                writer.writerow(
                    [f"{number + 1:03d}/2025", f"مداولة {number}", "2025-03-10", "2025-03-10", PRESENT, "ملخص"]
                    + ["adopted", PRESENT, 0, 0, f"{number}.pdf"]
                )
        started = time.perf_counter()
        report = import_decisions(path, council=council, files_root=files)
        elapsed = time.perf_counter() - started
    assert report.created == TIMED_IMPORTS, report
    return elapsed / TIMED_IMPORTS


def query_count(path: str) -> int:
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return len(queries)


def pages_to_measure(loader: BulkLoader) -> dict[str, str]:
    council = loader.councils[0]
    session = CouncilSessionPage.objects.child_of(council).order_by("path").first()
    decision = DecisionPage.objects.child_of(session).order_by("path").first()
    topic = "eau"
    # The cursor of a page 90% down the listing, as its "Next" links carry it.
    everything = filter_decisions("fr", DecisionFilters())
    deep = everything[max(0, int(everything.count() * 0.9) - 1)]
    tagged = filter_decisions("fr", DecisionFilters(topic=topic, outcome="adopted", sort="date"))
    deep_tagged = tagged[max(0, int(tagged.count() * 0.9) - 1)]
    return {
        "listing": "/fr/decisions/",
        "listing, ?page=9999": "/fr/decisions/?page=9999",
        "listing, deep cursor": f"/fr/decisions/?after={quote(str(Cursor.of(deep)))}",
        "body + year": f"/fr/decisions/?body={council.body.slug}&year={FIRST_YEAR}",
        "topic + outcome, oldest": f"/fr/decisions/?topic={topic}&outcome=adopted&sort=date",
        "topic + outcome, ?page=9999": f"/fr/decisions/?topic={topic}&outcome=adopted&sort=date&page=9999",
        "topic + outcome, deep cursor": (
            f"/fr/decisions/?topic={topic}&outcome=adopted&sort=date&after={quote(str(Cursor.of(deep_tagged)))}"
        ),
        "session": f"/fr/decisions/?session={session.translation_key}",
        "search q=المياه": "/fr/decisions/?q=%D8%A7%D9%84%D9%85%D9%8A%D8%A7%D9%87",
        "decision page (ar)": decision.get_url(),
        "decision page (fr, fallback)": decision.get_url().replace("/ar/", "/fr/", 1),
        "council page": council.get_url(),
    }


def measure(loader: BulkLoader) -> dict[str, dict]:
    pages = pages_to_measure(loader)
    results = {label: {"queries": query_count(path)} for label, path in pages.items()}
    with serve(workers=SERVER_WORKERS) as base:
        for label, path in pages.items():
            warm = statistics.mean(fetch(base + path) for _ in range(WARMUP))
            requests = int(min(MAX_REQUESTS, max(MIN_REQUESTS, SECONDS_PER_PAGE * SERVER_WORKERS / warm)))
            results[label].update(load(base + path, requests=requests, concurrency=4, warmup=0), requests=requests)
    return results


def new_loader() -> BulkLoader:
    """Return a loader with its councils, under the demo's Arabic home page (load_demo must have run)."""
    locale = Locale.objects.get(language_code="ar")
    media = Path(settings.MEDIA_ROOT) / "documents"
    media.mkdir(parents=True, exist_ok=True)
    shared = minimal_pdf(["Document partage par toutes les pieces jointes du banc d'essai"])
    (media / "bench-shared.pdf").write_bytes(shared)
    topics = {topic.slug: topic for topic in Topic.objects.filter(locale=locale)}
    loader = BulkLoader(topics, locale, "documents/bench-shared.pdf", len(shared))
    loader.create_councils(HomePage.objects.get(locale=locale))
    return loader


def load_decisions(count: int, loader: BulkLoader | None = None) -> BulkLoader:
    """Bring the bench decisions to `count` (at most 1,000 × BENCH_DECISIONS_PER_SESSION), with their sessions,
    attachments and search entries, and refresh the planner's statistics; return the loader, to pass again for a
    larger count."""
    loader = loader or new_loader()
    with transaction.atomic():
        loader.load_until(count)
    began = time.perf_counter()
    refresh_entries(["decision"])  # bulk loading sends no signals: the search entries are written here
    print(f"{count:>6,} decisions: search entries written and indexed in {time.perf_counter() - began:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return loader


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"database: {connection.vendor} {BENCH_DATABASE}; migrate and demo: {time.perf_counter() - started:.0f} s")

    locale = Locale.objects.get(language_code="ar")
    home = HomePage.objects.get(locale=locale)
    seconds = time_imports(home, locale)
    print(
        f"import_decisions (Wagtail pages, revisions, one PDF each): {seconds * 1000:.0f} ms per decision, "
        f"so {seconds * STEPS[-1] / 60:.0f} min for {STEPS[-1]:,}: loading in bulk instead"
    )

    loader = None
    results = {}
    for step in STEPS:
        began = time.perf_counter()
        loader = load_decisions(step, loader)
        loading = time.perf_counter() - began
        print(
            f"step {step:>6,}: loaded in {loading:.1f} s ({loader.timings()}); load average {os.getloadavg()[0]:.1f}; "
            f"in the database: {DecisionPage.objects.count():,} decisions, "
            f"{DecisionAttachment.objects.count():,} attachments, {CouncilDocument.objects.count():,} documents, "
            f"{CouncilSessionPage.objects.count():,} sessions"
        )
        results[step] = measure(loader)

    labels = list(results[STEPS[0]])
    head = "".join(f" | {f'{step:,} decisions':^26}" for step in STEPS)
    print(f"\n{'page':30}{head} | queries")
    print(f"{'':30}" + " | median    p95  queries" * len(STEPS) + " |")
    for label in labels:
        figures = [results[step][label] for step in STEPS]
        cells = "".join(f" | {f['median_ms']:6.1f} {f['p95_ms']:6.1f} {f['queries']:8d}" for f in figures)
        counts = {results[step][label]["queries"] for step in STEPS}
        print(f"{label:30}{cells} | {'constant' if len(counts) == 1 else 'GROWS'}")
    baseline, largest = STEPS[0], STEPS[-1]
    ratios = [results[largest][label]["median_ms"] / results[baseline][label]["median_ms"] for label in labels]
    print(f"\nmedian at {largest:,} ÷ median at {baseline:,}: " + ", ".join(f"{r:.1f}" for r in ratios))
    print(f"total: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
