"""The requests' figures as an open dataset of the catalogue: one CSV of figures per body, year and kind, one of
refusals per reason. Counts only (statistics.py), never a case or a person.

publish_statistics runs every day (tasks.py) and by hand (`manage.py publish_request_statistics`): it creates the
dataset once, published through the catalogue's workflow, and adds a new version of a file only when its content
changed, so the catalogue's history shows when the figures moved and nothing else.
"""

import csv
import hashlib
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from opendata.models import Dataset, Licence, Resource, Theme, publishes
from opendata.services import upload_version
from portal.bodies.models import PublicBody

from .statistics import REFUSAL_COLUMNS, STATISTICS_COLUMNS, refusal_rows, statistics_rows

DATASET_NAME = "information-requests-statistics"
# An open licence that asks only for credit (opendata migration 0002 loads it); the first open one otherwise.
LICENCE = "cc-by-4.0"
THEME = "government"

DATASET = {
    "title_ar": "طلبات الحصول على المعلومات والشكايات: إحصاءات حسب الهيئة",
    "title_fr": "Demandes d'accès à l'information et plaintes : statistiques par organisme",
    "title_en": "Information requests and complaints: statistics per body",
    "notes_ar": (
        "عدد الطلبات والشكايات التي تلقتها كل هيئة حسب السنة والنوع: المجاب عنها في الأجل وبعده، المرفوضة وأسباب "
        "الرفض، المعلومات غير المتوفرة، المحالة، المسحوبة، المطعون فيها، والوسيط لعدد الأيام حتى الجواب. "
        "أعداد فقط، دون أي معطيات شخصية. تُحدَّث يوميا."
    ),
    "notes_fr": (
        "Le nombre de demandes et de plaintes reçues par chaque organisme, par année et par type : décidées dans "
        "le délai ou en retard, refusées et pour quel motif, informations non détenues, transmises, retirées, "
        "contestées, et la médiane des jours jusqu'à la réponse. Des nombres seulement, aucune donnée "
        "personnelle. Mis à jour chaque jour."
    ),
    "notes_en": (
        "How many requests and complaints each body received, per year and kind: decided on time or late, "
        "refused and why, information not held, transferred, withdrawn, appealed, and the median days to an "
        "answer. Counts only, no personal data. Updated daily."
    ),
}
# (position, file name, names ar/fr/en, columns, rows)
RESOURCES = [
    (
        0,
        "requests-statistics.csv",
        (
            "الإحصاءات حسب الهيئة والسنة والنوع",
            "Statistiques par organisme, année et type",
            "Statistics per body, year and kind",
        ),
        STATISTICS_COLUMNS,
        statistics_rows,
    ),
    (
        1,
        "refusals.csv",
        ("حالات الرفض حسب السبب", "Refus par motif", "Refusals by reason"),
        REFUSAL_COLUMNS,
        refusal_rows,
    ),
]


def to_csv(columns: list[str], rows: list[dict]) -> bytes:
    """`rows` as UTF-8 CSV with a header row: the same rows give the same bytes."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def publish_statistics(user=None) -> Dataset:
    """Create (once) and publish the statistics dataset, then add a version of each CSV whose content changed.

    The dataset belongs to the first root body of the tree; once created, its metadata and status are the
    staff's (a dataset they withdrew stays withdrawn, its files still kept current). `user` is who the audit log
    names (None for the daily task). Raises PublicBody.DoesNotExist when there is no body at all.
    """
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().filter(name=DATASET_NAME).first()
        if dataset is None:
            dataset = _create_dataset(user)
        for position, filename, names, columns, rows in RESOURCES:
            resource = _resource(dataset, position, filename, names, user)
            content = to_csv(columns, rows())
            latest = resource.versions.order_by("-number").values_list("sha256", flat=True).first()
            if latest != hashlib.sha256(content).hexdigest():
                upload_version(resource, ContentFile(content, name=filename), user)
    dataset.refresh_from_db()
    return dataset


def _create_dataset(user) -> Dataset:
    body = PublicBody.get_first_root_node()
    if body is None:
        raise PublicBody.DoesNotExist("No public body to publish the statistics for.")
    licence = Licence.objects.filter(slug=LICENCE).first() or Licence.objects.filter(is_open=True).first()
    dataset = Dataset.objects.create(
        name=DATASET_NAME,
        body=body,
        licence=licence,
        frequency=Dataset.Frequency.DAILY,
        **DATASET,
    )
    dataset.themes.set(Theme.objects.filter(slug=THEME))
    log(instance=dataset, action="wagtail.create", user=user, content_changed=True)
    dataset.publish(
        by=user if user is not None and publishes(user, dataset) else None,
        note=_("Statistics of information requests and complaints."),
    )
    return dataset


def _resource(dataset: Dataset, position: int, filename: str, names: tuple[str, str, str], user) -> Resource:
    """The dataset's resource for `filename`: the one whose versions carry that name, else the one at `position`
    named as we name it, else a new one."""
    resource = (
        dataset.resources.filter(versions__original_name=filename).distinct().first()
        or dataset.resources.filter(position=position, name_en=names[2]).first()
    )
    if resource is None:
        resource = Resource.objects.create(
            dataset=dataset, position=position, name_ar=names[0], name_fr=names[1], name_en=names[2], format="CSV"
        )
        log(instance=resource, action="wagtail.create", user=user, content_changed=True)
    return resource
