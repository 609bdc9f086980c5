"""The public proposals as open datasets of the catalogue: "Citizen proposals", one dataset per body that receives
proposals, one CSV row per public proposal with its supports, comments and latest official answer.

No personal data: no author's name, pseudonym or account, no supporter, no comment's text; an association that
wrote a proposal is named, as on its page (it signs as an organisation). Drafts and proposals hidden for review
are not published (PUBLIC_STATUSES).

publish_proposals runs every day (tasks.py): it creates a body's dataset once, published through the catalogue's
workflow, and adds a new version of its file only when the content changed, so the catalogue's history shows when
the proposals moved and nothing else. Once created, a dataset's metadata and status are the staff's.
"""

import csv
import hashlib
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from opendata.models import Dataset, Licence, Resource, Theme, publishes
from opendata.services import upload_version
from portal.bodies.models import PublicBody

from .models import Answer, Proposal

DATASET_PREFIX = "citizen-proposals-"
FILENAME = "proposals.csv"
RESOURCE_NAMES = ("الاقتراحات", "Propositions", "Proposals")
# An open licence that asks only for credit (opendata migration 0002 loads it); the first open one otherwise.
LICENCE = "cc-by-4.0"
THEME = "government"

COLUMNS = [
    "id",
    "reference",
    "space",
    "body",
    "title",
    "language",
    "category",
    "district",
    "longitude",
    "latitude",
    "estimated_cost",
    "currency",
    "association",
    "status",
    "supports_count",
    "comments_count",
    "published_on",
    "threshold_reached_on",
    "answer_due",
    "answer_outcome",
    "answer_text",
    "answer_date",
    "merged_into",
]


def dataset_name(body: PublicBody) -> str:
    return f"{DATASET_PREFIX}{body.slug}"[:100]


def dataset_fields(body: PublicBody) -> dict:
    names = {code: getattr(body, f"name_{code}") or body.name_ar for code in ("ar", "fr", "en")}
    return {
        "title_ar": f"اقتراحات المواطنين والجمعيات: {names['ar']}",
        "title_fr": f"Propositions citoyennes : {names['fr']}",
        "title_en": f"Citizen proposals: {names['en']}",
        "notes_ar": (
            "الاقتراحات التي قدمها السكان والجمعيات في الفضاءات التشاركية للهيئة: العنوان، الفئة، الحي، الموقع، "
            "الكلفة التقديرية، الحالة، عدد المساندات والتعليقات، وآخر جواب رسمي للمجلس. دون أي معطيات شخصية: "
            "لا يُذكر إلا اسم الجمعية صاحبة الاقتراح. تُحدَّث يوميا."
        ),
        "notes_fr": (
            "Les propositions des habitants et des associations dans les espaces participatifs de l'organisme : "
            "titre, catégorie, quartier, position, coût estimé, statut, nombre de soutiens et de commentaires, et la "
            "dernière réponse officielle du conseil. Aucune donnée personnelle : seul le nom d'une association "
            "autrice figure. Mis à jour chaque jour."
        ),
        "notes_en": (
            "The proposals residents and associations made in the body's participatory spaces: title, category, "
            "district, location, estimated cost, status, supports and comments counts, and the council's latest "
            "official answer. No personal data: only an authoring association is named. Updated daily."
        ),
    }


def _date(moment) -> str:
    return timezone.localdate(moment).isoformat() if moment else ""


def proposal_rows(body: PublicBody) -> list[dict]:
    """The public proposals of `body`'s spaces, oldest first, as the CSV's rows."""
    proposals = (
        Proposal.objects.public()
        .filter(space__body=body)
        .select_related("space", "category", "district", "organisation", "merged_into")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("at", "pk")))
        .order_by("pk")
    )
    rows = []
    for proposal in proposals:
        answers = list(proposal.answers.all())
        latest = answers[-1] if answers else None
        rows.append(
            {
                "id": str(proposal.uuid),
                "reference": proposal.reference,
                "space": proposal.space.slug,
                "body": body.slug,
                "title": proposal.title,
                "language": proposal.language,
                "category": proposal.category.slug if proposal.category else "",
                "district": proposal.district.slug if proposal.district else "",
                "longitude": "" if proposal.longitude is None else proposal.longitude,
                "latitude": "" if proposal.latitude is None else proposal.latitude,
                "estimated_cost": "" if proposal.estimated_cost is None else str(proposal.estimated_cost),
                "currency": proposal.space.currency if proposal.estimated_cost is not None else "",
                "association": proposal.organisation.name if proposal.organisation_id else "",
                "status": proposal.status,
                "supports_count": proposal.supports_count,
                "comments_count": proposal.comments_count,
                "published_on": _date(proposal.published_at),
                "threshold_reached_on": _date(proposal.threshold_reached_at),
                "answer_due": proposal.answer_due.isoformat() if proposal.answer_due else "",
                "answer_outcome": latest.status if latest else "",
                "answer_text": latest.text if latest else "",
                "answer_date": _date(latest.at) if latest else "",
                "merged_into": proposal.merged_into.reference if proposal.merged_into_id else "",
            }
        )
    return rows


def to_csv(rows: list[dict]) -> bytes:
    """`rows` as UTF-8 CSV with a header row: the same rows give the same bytes."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def publish_proposals(user=None) -> list[Dataset]:
    """Bring the proposals dataset of every body with participatory spaces up to date; return the datasets.

    A body gets its dataset once it has a public proposal; after that its file is kept current (even empty).
    `user` is who the audit log names (None for the daily task).
    """
    datasets = []
    for body in PublicBody.objects.filter(proposal_spaces__isnull=False).distinct().order_by("path"):
        dataset = publish_body_proposals(body, user)
        if dataset is not None:
            datasets.append(dataset)
    return datasets


def publish_body_proposals(body: PublicBody, user=None) -> Dataset | None:
    """Create (once) and publish `body`'s proposals dataset, then add a version of its CSV if the content changed.

    Return the dataset, or None when the body has no dataset yet and no public proposal to put in one.
    """
    rows = proposal_rows(body)
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().filter(name=dataset_name(body)).first()
        if dataset is None:
            if not rows:
                return None
            dataset = _create_dataset(body, user)
        resource = _resource(dataset, user)
        content = to_csv(rows)
        latest = resource.versions.order_by("-number").values_list("sha256", flat=True).first()
        if latest != hashlib.sha256(content).hexdigest():
            upload_version(resource, ContentFile(content, name=FILENAME), user)
    dataset.refresh_from_db()
    return dataset


def _create_dataset(body: PublicBody, user) -> Dataset:
    licence = Licence.objects.filter(slug=LICENCE).first() or Licence.objects.filter(is_open=True).first()
    dataset = Dataset.objects.create(
        name=dataset_name(body),
        body=body,
        licence=licence,
        frequency=Dataset.Frequency.DAILY,
        **dataset_fields(body),
    )
    dataset.themes.set(Theme.objects.filter(slug=THEME))
    log(instance=dataset, action="wagtail.create", user=user, content_changed=True)
    dataset.publish(
        by=user if user is not None and publishes(user, dataset) else None,
        note=_("The public proposals of the body's participatory spaces."),
    )
    return dataset


def _resource(dataset: Dataset, user) -> Resource:
    """The dataset's resource whose versions carry FILENAME, else the first one named as we name it, else a new
    one."""
    resource = (
        dataset.resources.filter(versions__original_name=FILENAME).distinct().first()
        or dataset.resources.filter(name_en=RESOURCE_NAMES[2]).first()
    )
    if resource is None:
        names = dict(zip(("name_ar", "name_fr", "name_en"), RESOURCE_NAMES, strict=True))
        resource = Resource.objects.create(dataset=dataset, position=0, format="CSV", **names)
        log(instance=resource, action="wagtail.create", user=user, content_changed=True)
    return resource
