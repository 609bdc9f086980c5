"""`import_decisions` on PostgreSQL: decisions per second for a council's archive without attachments.

Generates a CSV of BENCH_DECISIONS decisions (default 2,000) with the columns councils export (Arabic titles,
summaries and full texts, French legal basis lines, sessions of ten decisions, votes, topics, execution),
and imports it three times, each time into a fresh council of its own, through the very function that the
admin and `manage.py import_decisions` call (pages, revisions, publication, search entries). Prints the
decisions per second of each run and their median, then the rate of importing the last file again, which
changes nothing (every row reported unchanged). Checks that the report and the database agree.

PostgreSQL only: the server and credentials come from DATABASE_URL, the data goes to its own database,
BENCH_DATABASE (default baladiya_bench_import), dropped and created again by each run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/import_decisions.py
"""

import csv
import datetime
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_urls, recreate_database  # noqa: E402

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_import")
DECISIONS = int(os.environ.get("BENCH_DECISIONS", "2000"))
RUNS = 3
DECISIONS_PER_SESSION = 10
FIRST_YEAR = 2016
SEATS, PRESENT = 33, 29

bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/import_decisions.py")
os.environ.update(
    DATABASE_URL=bench_url,
    DJANGO_SETTINGS_MODULE="portal.settings.dev",
    DEBUG="false",
    MEDIA_ROOT=str(ROOT / "var" / "bench-media"),
)

import django  # noqa: E402

recreate_database(BENCH_DATABASE, maintenance_url)
django.setup()
logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per eager task otherwise

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from wagtail.models import Locale, Page, Revision, Site  # noqa: E402

from cms.importing import COLUMNS, import_decisions  # noqa: E402
from cms.models import CouncilIndexPage, DecisionPage, HomePage, Topic  # noqa: E402
from portal.bodies.models import PublicBody  # noqa: E402
from portal.models import SearchEntry  # noqa: E402

LAW = "القانون رقم 11-10 المؤرخ في 22 يونيو 2011 المتعلق بالبلدية"
LEGAL_FR = "Loi n° 11-10 du 22 juin 2011 relative à la commune, articles 52 et 57"
DISTRICTS = ["باب الدزاير", "أولاد السلطان", "بن بولعيد", "الحي الجديد", "حي الأمل", "وسط المدينة"]
TOPICS = {
    "budget": "الميزانية",
    "eau": "المياه",
    "urbanisme": "التعمير",
    "transport": "النقل",
    "social": "الشؤون الاجتماعية",
}
# Title, summary and topics of the kinds of decisions an assembly takes, over and over (as bench/decisions.py).
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
]
OUTCOMES = ["adopted"] * 16 + ["rejected", "rejected", "postponed", "withdrawn"]
EXECUTION = ["not_started", "in_progress", "executed", "executed"]
HEADER = [column for column in COLUMNS if column != "attachments"]  # a file without attachments


def write_csv(path: Path, count: int, seed: int) -> None:
    """Write `count` decisions, ten per session, twelve sessions a year from FIRST_YEAR on."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(count):
            session = index // DECISIONS_PER_SESSION
            year = FIRST_YEAR + session // 12
            day = datetime.date(year, session % 12 + 1, 10)
            title, summary, topics = rng.choice(KINDS)
            district = rng.choice(DISTRICTS)
            summary = summary.format(year=year, district=district)
            outcome = rng.choice(OUTCOMES)
            votes = ["", "", ""]
            if outcome in {"adopted", "rejected"}:
                against, abstain = rng.randint(0, 6), rng.randint(0, 3)
                votes = [PRESENT - against - abstain, against, abstain]
                if outcome == "rejected":
                    votes[0], votes[1] = votes[1], votes[0]
            full_text = "\n\n".join(
                [
                    "# المداولة",
                    f"بمقتضى {LAW}؛\nوبعد الاطلاع على محضر اللجنة المختصة؛",
                    f"المادة الأولى: {summary}",
                    "المادة 2: يكلف رئيس المجلس الشعبي البلدي بتنفيذ هذه المداولة.",
                ]
            )
            writer.writerow(
                [
                    f"{index % 120 + 1:03d}/{year}",
                    title.format(year=year, district=district),
                    day.isoformat(),
                    day.isoformat(),
                    "extraordinary" if session % 12 == 11 else "ordinary",
                    PRESENT,
                    index % DECISIONS_PER_SESSION + 1,
                    summary,
                    full_text,
                    outcome,
                    *votes,
                    LEGAL_FR,
                    ";".join(topics),
                    rng.choice(EXECUTION),
                ]
            )


def setup() -> tuple[HomePage, Locale]:
    call_command("migrate", verbosity=0)
    locale, _created = Locale.objects.get_or_create(language_code="ar")
    home = Page.get_first_root_node().add_child(instance=HomePage(title="الرئيسية", slug="home-ar", locale=locale))
    home.save_revision().publish()
    Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "localhost", "root_page": home})
    for slug, name in TOPICS.items():
        Topic.objects.create(locale=locale, slug=slug, name=name)
    return home, locale


def new_council(home: HomePage, number: int) -> CouncilIndexPage:
    body = PublicBody.add_root(
        instance=PublicBody(
            slug=f"bench-import-{number}",
            kind=PublicBody.Kind.COMMUNE,
            name_ar=f"بلدية الاستيراد {number}",
            name_fr=f"Commune d'import {number}",
            country="DZ",
        )
    )
    council = home.add_child(
        instance=CouncilIndexPage(
            title=f"المجلس الشعبي البلدي {number}", slug=f"bench-import-{number}", body=body, members_in_office=SEATS
        )
    )
    council.save_revision().publish()
    return council


def timed_import(path: Path, council: CouncilIndexPage) -> tuple[float, object, int]:
    """Return the seconds the import took, its report and the queries it sent (counted, not recorded)."""
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        report = import_decisions(path, council=council)
    return time.perf_counter() - started, report, queries


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each line as it comes, into a file too
    started = time.perf_counter()
    home, _locale = setup()
    print(f"database: {connection.vendor} {BENCH_DATABASE}; migrate: {time.perf_counter() - started:.0f} s")
    print(f"{DECISIONS:,} decisions per file, {DECISIONS // DECISIONS_PER_SESSION:,} sessions, no attachments")
    rates = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(1, RUNS + 1):
            path = Path(folder) / f"decisions-{run}.csv"
            write_csv(path, DECISIONS, seed=run)
            council = new_council(home, run)
            seconds, report, queries = timed_import(path, council)
            assert report.created == DECISIONS and not report.errors, report.summary()
            pages = DecisionPage.objects.filter(body_id=council.body_id)
            assert pages.count() == DECISIONS
            assert Revision.page_revisions.filter(object_id__in=[str(pk) for pk in pages.values_list("pk", flat=True)])
            rates.append(DECISIONS / seconds)
            print(
                f"run {run}: {seconds:.1f} s, {rates[-1]:.1f} decisions/s, {queries / DECISIONS:.1f} queries per "
                f"decision ({report.summary()})"
            )
        seconds, report, queries = timed_import(path, council)
        assert report.unchanged == DECISIONS and not report.created, report.summary()
        again = DECISIONS / seconds
    entries = SearchEntry.objects.filter(kind="decision").count()
    print(f"search entries of decisions: {entries:,}")
    print(f"import: median {statistics.median(rates):.1f} decisions/s over {RUNS} runs")
    print(
        f"import of the same file again (all unchanged): {again:.1f} decisions/s ({seconds:.1f} s, "
        f"{queries / DECISIONS:.1f} queries per decision)"
    )


if __name__ == "__main__":
    main()
