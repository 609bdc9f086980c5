"""Demo harvest sources: Blida's finance system drops its subsidies export (Windows-1256, its own Arabic column
names) in a watched folder every night, harvested once here so that the admin shows a job and its counts; and the
Moroccan national CKAN portal, declared for Salé and left inactive (this machine may have no internet).

Sources are found by slug; the harvest itself is idempotent, so a second `load_demo` imports nothing.
"""

import shutil
from pathlib import Path

from django.conf import settings

from portal.bodies.models import PublicBody

from .models import HarvestSource
from .runner import run_harvest

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
FOLDER = "finance/subsidies"  # below the body's own folder: <HARVEST_FOLDERS_ROOT>/commune-blida/
SUBSIDIES_MAPPING = {
    "columns": {
        "date": "تاريخ الصرف",
        "supplier": "الجمعية المستفيدة",
        "amount": "المبلغ (دج)",
        "purpose": "موضوع الإعانة",
        "reference": "رقم الحوالة",
    }
}


def load(stdout) -> None:
    blida = PublicBody.objects.filter(slug="commune-blida").first()
    if blida is not None:
        folder = Path(settings.HARVEST_FOLDERS_ROOT) / blida.slug / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(DEMO_DATA / "subsidies-2025.csv", folder / "subsidies-2025.csv")
        source, _created = HarvestSource.objects.update_or_create(
            slug="blida-subsidies",
            defaults={
                "name": "Blida · إعانات الجمعيات (نظام المالية)",
                "kind": "table",
                "target": "subsidies",
                "folder": FOLDER,
                "body": blida,
                "mapping": SUBSIDIES_MAPPING,
                "options": {"currency": "DZD"},
                "schedule": "30 2 * * *",
            },
        )
        job = run_harvest(source)
        stdout.write(
            f"  {source.slug}: {job.status}; rows {job.rows_created} created, {job.rows_unchanged} unchanged; "
            f"{job.failed} failed"
        )
    sale = PublicBody.objects.filter(slug="commune-sale").first()
    if sale is not None:
        HarvestSource.objects.update_or_create(
            slug="data-gov-ma",
            defaults={
                "name": "data.gov.ma (CKAN)",
                "kind": "ckan",
                "target": "datasets",
                "url": "https://data.gov.ma/data/",
                "body": sale,
                "options": {"q": "Salé"},
                "publish": False,
                "active": False,
            },
        )
        stdout.write("  data-gov-ma: declared, inactive (run it from the admin when online)")
