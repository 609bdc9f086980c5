"""The unified search at 100,000 mixed records (half Arabic, half French), and the relevance set's hit rate.

Writes 100,000 search entries (decisions, news, pages and datasets of ten communes, built from municipal
vocabulary), rebuilds the search backend's index from them (`update_index`, timed), then measures
`search.services.search` in-process: one word, three words, with a filter, and with the six facets counted;
median and p95 of each. Then loads the relevance set (tests/search/relevance/) into an empty index and prints
its hit rate at 3: the share of queries whose expected record is among the first three results.

PostgreSQL (its own database, BENCH_DATABASE, dropped and created again) or SQLite (a temporary file):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baladiya .venv/bin/python bench/search.py
    env -u DATABASE_URL .venv/bin/python bench/search.py
    BENCH_RECORDS=10000 …   (fewer records, for a quick look)
    BENCH_KEEP=1 …          (leave the records in place, without the relevance set)
    BENCH_REUSE=1 …         (PostgreSQL: measure the records a BENCH_KEEP run left, without writing them again)
"""

import datetime
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

RECORDS = int(os.environ.get("BENCH_RECORDS", 100_000))
QUERIES = 60  # of each shape
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "baladiya_bench_search")
REUSE = os.environ.get("BENCH_REUSE") == "1"
KEEP = REUSE or os.environ.get("BENCH_KEEP") == "1"

if os.environ.get("DATABASE_URL"):
    bench_url, maintenance_url = bench_database_urls(BENCH_DATABASE, "bench/search.py")
    if not REUSE:
        recreate_database(BENCH_DATABASE, maintenance_url)
    os.environ["DATABASE_URL"] = bench_url
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench-search.sqlite3'}"
os.environ.update(DJANGO_SETTINGS_MODULE="portal.settings.dev", DEBUG="false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from portal.bodies.models import PublicBody  # noqa: E402
from portal.models import SearchEntry  # noqa: E402
from search import services  # noqa: E402
from search.indexing import entry_fields  # noqa: E402
from search.services import SearchQuery  # noqa: E402
from search.sources import Document  # noqa: E402
from tests.search.relevance import hit_rate_at_3, load_relevance_set  # noqa: E402


def words(text: str) -> list[str]:
    return text.split()


ARABIC = words(
    "المصادقة على الميزانية الإضافية الأولية الاعتمادات أشغال الإنارة العمومية تهيئة الطرقات البلدية التطهير "
    "المياه الصالحة للشرب النقل المدرسي المطاعم المدرسية رخص البناء النظافة رفع النفايات المساحات الخضراء "
    "السوق الأسبوعي الملعب الجواري الجمعيات الرياضية الثقافية صفقة عمومية اتفاقية تسيير مداولة المجلس الشعبي "
    "البلدي ترميم المدارس الابتدائية إعانة مالية للجمعيات كراء المحلات التجارية تجهيز المقبرة قنوات الصرف"
)
FRENCH = words(
    "approbation budget supplémentaire primitif crédits travaux éclairage public aménagement voirie communale "
    "assainissement eau potable transport scolaire cantines scolaires permis de construire propreté collecte "
    "déchets espaces verts marché hebdomadaire stade de proximité associations sportives culturelles marché "
    "public convention gestion délibération conseil municipal réhabilitation écoles primaires subvention "
    "location locaux commerciaux équipement cimetière réseau d'égouts dépenses recettes investissement"
)
KINDS = ["decision"] * 6 + ["news"] * 2 + ["page"] + ["dataset"]


# The long tail of real records: names of places, streets, companies and programmes, each in few records
# (Zipf's law). 5,000 made-up names per language, drawn with weights 1/rank.
SYLLABLES = {
    "ar": ["ba", "ta", "ri", "sa", "ma", "la", "na", "ka", "da", "ha", "fa", "qa", "ja", "wa"],
    "fr": ["ba", "te", "ri", "so", "ma", "lu", "ne", "ko", "di", "ha", "fa", "qui", "jo", "va"],
}
LETTERS = {"ar": dict(zip("abdefhijklmnoqrstuvw", "ابدعفهيجكلمنوقرستوفو", strict=True)), "fr": {}}


def long_tail(language: str, size: int = 5000) -> list[str]:
    rng = random.Random(language)
    names = set()
    while len(names) < size:
        word = "".join(rng.choice(SYLLABLES[language]) for _ in range(rng.randint(2, 4)))
        names.add("".join(LETTERS[language].get(char, char) for char in word))
    return sorted(names)


TAIL = {language: long_tail(language) for language in ("ar", "fr")}
TAIL_WEIGHTS = [1 / rank for rank in range(1, 5001)]


def sentence(words: list[str], rng: random.Random, length: int) -> str:
    return " ".join(rng.choice(words) for _ in range(length))


def write_entries(total: int) -> float:
    """Write `total` entries in bulk (no backend indexing); return the seconds it took."""
    rng = random.Random(42)
    bodies = [
        PublicBody.add_root(slug=f"commune-{n}", name_ar=f"بلدية {n}", name_fr=f"Commune {n}", kind="commune")
        for n in range(10)
    ]
    started = time.perf_counter()
    batch = []
    for number in range(total):
        words = ARABIC if number % 2 else FRENCH
        language = "ar" if number % 2 else "fr"
        kind = KINDS[number % len(KINDS)]
        day = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(4000))
        document = Document(
            language=language,
            title=sentence(words, rng, 8),
            url=f"/{language}/record/{number}/",
            summary=sentence(words, rng, 25),
            text=sentence(words, rng, 120) + " " + " ".join(rng.choices(TAIL[language], TAIL_WEIGHTS, k=6)),
            body_id=bodies[number % 10].pk,
            year=day.year,
            date=day,
            topic=rng.choice(["budget", "water", "roads", "education", "waste"]),
            format=rng.choice(["CSV", "XLSX", "JSON"]) if kind == "dataset" else "",
        )
        batch.append(SearchEntry(kind=kind, record_id=str(number), language=language, **entry_fields(document)))
        if len(batch) == 5000:
            SearchEntry.objects.bulk_create(batch)
            batch = []
    SearchEntry.objects.bulk_create(batch)
    return time.perf_counter() - started


def timed(query: SearchQuery, facets: bool | None) -> float:
    """Milliseconds of one search (facets None: the suggestions of the search box instead)."""
    started = time.perf_counter()
    if facets is None:
        services.suggest(query.q)
    else:
        services.search(query, facets=facets)
    return (time.perf_counter() - started) * 1000


def figures(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"  {label:<40} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   ({len(times)} queries)")


def measure() -> None:
    rng = random.Random(7)
    pool = [word for word in ARABIC + FRENCH if len(word) > 3]
    shapes = {
        "one name of the long tail": lambda: (
            SearchQuery(q=rng.choices(TAIL[rng.choice(["ar", "fr"])], TAIL_WEIGHTS)[0]),
            False,
        ),
        "one common word (in ~45% of records)": lambda: (SearchQuery(q=rng.choice(pool)), False),
        "three common words": lambda: (SearchQuery(q=" ".join(rng.sample(pool, 3))), False),
        "one common word, kind and year filters": lambda: (
            SearchQuery(q=rng.choice(pool), kind="decision", year=rng.randrange(2015, 2026)),
            False,
        ),
        "one common word, six facets counted": lambda: (SearchQuery(q=rng.choice(pool)), True),
        "suggestions for 3 letters typed": lambda: (SearchQuery(q=rng.choice(pool)[:3]), None),
        "long-tail name, six facets counted": lambda: (
            SearchQuery(q=rng.choices(TAIL[rng.choice(["ar", "fr"])], TAIL_WEIGHTS)[0]),
            True,
        ),
    }
    for label, make in shapes.items():
        timed(*make())  # warm up
        figures(label, [timed(*make()) for _ in range(QUERIES)])


def relevance_hit_rate() -> None:
    SearchEntry.objects.all().delete()
    call_command("update_index", verbosity=0)
    _corpus, queries = load_relevance_set()

    def first_ids(q: str) -> list[str]:
        return [hit.entry.record_id for hit in services.search(SearchQuery(q=q), facets=False).hits]

    rate, misses = hit_rate_at_3(queries, first_ids)
    print(f"  relevance set: hit rate at 3 {rate:.0%} ({len(queries) - len(misses)} of {len(queries)} queries)")
    for q in misses:
        print(f"    missed: {q}")


def main() -> None:
    call_command("migrate", verbosity=0)
    backend = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"].rsplit(".", 1)[-1]
    if REUSE:
        print(f"== search: {SearchEntry.objects.count():,} records, {connection.vendor}, backend {backend}")
    else:
        print(f"== search: {RECORDS:,} records, {connection.vendor}, backend {backend}")
        written = write_entries(RECORDS)
        started = time.perf_counter()
        call_command("update_index", verbosity=0)
        indexed = time.perf_counter() - started
        print(f"  entries written in {written:.1f} s; index rebuilt (update_index) in {indexed:.1f} s")
    measure()
    if not KEEP:
        relevance_hit_rate()


if __name__ == "__main__":
    main()
