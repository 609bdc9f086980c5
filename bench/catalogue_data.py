"""Bulk-loaded published datasets for the benchmarks: `load_datasets(count)`.

Datasets spread over ten communes (under one wilaya), two of the thirteen EU themes each, the licences, three of
forty keywords and one to three resources (CSV, XLSX, JSON, PDF), written with bulk inserts: no signals, so the
caller writes the search entries afterwards (search.indexing.refresh_entries(["dataset"])) if it searches words.
Import it once Django is set up (bench/catalogue_search.py, bench/growth.py).
"""

import datetime
import random

from django.utils import timezone
from taggit.models import Tag

from opendata.models import Dataset, Licence, Resource, TaggedDataset, Theme
from portal.bodies.models import PublicBody

COMMUNES = 10

SUBJECTS = [
    ("ميزانية البلدية", "Budget communal", "budget"),
    ("تنفيذ الميزانية", "Exécution du budget", "execution-budget"),
    ("المرافق العمومية", "Équipements publics", "equipements"),
    ("حضور أعضاء المجلس", "Présence des élus", "presence"),
    ("جمع النفايات", "Collecte des déchets", "dechets"),
    ("شبكة المياه", "Réseau d'eau potable", "eau"),
    ("الحالة المدنية", "État civil", "etat-civil"),
    ("رخص البناء", "Permis de construire", "permis"),
    ("إعانات الجمعيات", "Subventions aux associations", "subventions"),
    ("الصفقات العمومية", "Marchés publics", "marches"),
]
KEYWORDS = [f"kw-{index}" for index in range(40)]
FORMATS = ["CSV", "XLSX", "JSON", "PDF"]


BATCH = 10_000  # datasets built in memory at a time: 100,000 of them stay within a few hundred MB


def bench_bodies() -> list[PublicBody]:
    """The ten communes (under one wilaya) that own the bench's datasets, created on first use."""
    wilaya = PublicBody.objects.filter(slug="wilaya-bench").first()
    if wilaya is None:
        wilaya = PublicBody.add_root(slug="wilaya-bench", kind="region", name_ar="ولاية الاختبار", name_fr="Wilaya")
    bodies = {body.slug: body for body in PublicBody.objects.filter(slug__startswith="commune-")}
    for index in range(COMMUNES):
        slug = f"commune-{index}"
        if slug not in bodies:
            wilaya.refresh_from_db()
            bodies[slug] = wilaya.add_child(
                slug=slug, kind="commune", name_ar=f"بلدية {index}", name_fr=f"Commune {index}"
            )
    return [bodies[f"commune-{index}"] for index in range(COMMUNES)]


def load_datasets(count: int) -> int:
    """Add published datasets (themes, keywords, resources) until the bench's bodies hold `count`; return how
    many were added. Bulk inserts send no signals: call search.indexing.refresh_entries(["dataset"]) after."""
    bodies = bench_bodies()
    loaded = Dataset.objects.filter(body__in=bodies).count()
    for start in range(loaded, count, BATCH):
        _load_batch(start, min(count, start + BATCH), bodies)
    return max(0, count - loaded)


def _load_batch(start: int, stop: int, bodies: list[PublicBody]) -> None:
    """Datasets number `start` to `stop - 1`, with their themes, keywords and resources, in bulk."""
    random.seed(start)
    licences = list(Licence.objects.all())
    themes = list(Theme.objects.all())
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=KEYWORDS)}
    tags.update({name: Tag.objects.create(name=name, slug=name) for name in KEYWORDS if name not in tags})
    now = timezone.now()
    datasets = []
    for number in range(start, stop):
        title_ar, title_fr, slug = SUBJECTS[number % len(SUBJECTS)]
        year = 2015 + number % 11
        datasets.append(
            Dataset(
                name=f"{slug}-{number}",
                body=bodies[number % COMMUNES],
                title_ar=f"{title_ar} {year} ({number})",
                title_fr=f"{title_fr} {year} ({number})",
                notes_ar=f"بيانات {title_ar} لسنة {year}، تنشرها البلدية للعموم.",
                notes_fr=f"Données « {title_fr} » de l'année {year}, publiées par la commune.",
                licence=licences[number % len(licences)],
                status=Dataset.Status.PUBLISHED,
                frequency=Dataset.Frequency.ANNUAL,
                temporal_start=datetime.date(year, 1, 1),
                temporal_end=datetime.date(year, 12, 31),
                created_at=now - datetime.timedelta(hours=number),
                published_at=now,
            )
        )
    datasets = Dataset.objects.bulk_create(datasets, batch_size=2000)
    Dataset.themes.through.objects.bulk_create(
        [
            Dataset.themes.through(dataset_id=dataset.pk, theme_id=theme.pk)
            for dataset in datasets
            for theme in random.sample(themes, 2)
        ],
        batch_size=5000,
    )
    TaggedDataset.objects.bulk_create(
        [
            TaggedDataset(content_object=dataset, tag=tags[name])
            for dataset in datasets
            for name in random.sample(KEYWORDS, 3)
        ],
        batch_size=5000,
    )
    Resource.objects.bulk_create(
        [
            Resource(dataset=dataset, position=position, name_ar=f"ملف {position}", format=random.choice(FORMATS))
            for dataset in datasets
            for position in range(random.randint(1, 3))
        ],
        batch_size=5000,
    )
