"""Participatory budgeting as open datasets of the catalogue: one dataset per body with published cycles,
"Participatory budgeting", whose resources are

- the projects (projects.csv): every public project with its costs, district, review outcome and published reasons,
  status, and its votes once the results are published;
- the results (results.csv): per budget counted, each project on its ballot with its votes, whether it was funded,
  the rule, the money used and the ballots counted;
- the anonymised ballots: each budget's published Pabulib file (<cycle>-<budget>.pb), the very file the result was
  counted from, whose SHA-256 the result states;
- the implementation (implementation.csv): each funded project's stage and progress, one row per milestone.

No personal data: no author's name or account (an association that proposed a project is named, as on its page),
nothing about voters but the ballots as the .pb files publish them (named by a digest of the receipt only they saw).

publish_budgeting runs every day (tasks.py): it creates a body's dataset once, published through the catalogue's
workflow, and adds a version of a file only when its content changed. Once created, the dataset is the staff's.
"""

import csv
import hashlib
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from opendata.models import Dataset, Licence, Resource, Theme, publishes
from opendata.services import upload_version
from portal.bodies.models import PublicBody

from .models import Cycle, Milestone, Phase, Project, ProjectStatus, Result

DATASET_PREFIX = "participatory-budgeting-"
LICENCE = "cc-by-4.0"
THEME = "government"

PROJECT_COLUMNS = [
    "id",
    "reference",
    "cycle",
    "body",
    "budget",
    "title",
    "language",
    "district",
    "longitude",
    "latitude",
    "estimated_cost",
    "cost",
    "currency",
    "association",
    "status",
    "review_outcome",
    "review_reasons",
    "votes",
    "stage",
    "progress",
]
RESULT_COLUMNS = [
    "cycle",
    "budget",
    "district",
    "budget_amount",
    "currency",
    "rule",
    "ballots",
    "money_used",
    "project_id",
    "project_reference",
    "project_title",
    "cost",
    "votes",
    "funded",
    "ballots_file_sha256",
]
IMPLEMENTATION_COLUMNS = [
    "project_id",
    "project_reference",
    "cycle",
    "title",
    "district",
    "cost",
    "currency",
    "stage",
    "progress",
    "milestone_date",
    "milestone_stage",
    "milestone_progress",
    "milestone_note",
    "milestone_language",
]

# (file name, names ar/fr/en, columns): the tables, in their order in the dataset.
TABLES = [
    ("projects.csv", ("المشاريع", "Projets", "Projects"), PROJECT_COLUMNS),
    ("results.csv", ("النتائج", "Résultats", "Results"), RESULT_COLUMNS),
    ("implementation.csv", ("الإنجاز", "Réalisation", "Implementation"), IMPLEMENTATION_COLUMNS),
]
REVIEW_OUTCOMES = {
    ProjectStatus.FEASIBLE: "feasible",
    ProjectStatus.SELECTED: "feasible",
    ProjectStatus.NOT_SELECTED: "feasible",
    ProjectStatus.SET_ASIDE: "set_aside",
}


PUBLISHED_PHASES = [Phase.RESULTS, Phase.IMPLEMENTATION]


def dataset_name(body: PublicBody) -> str:
    return f"{DATASET_PREFIX}{body.slug}"[:100]


def dataset_fields(body: PublicBody) -> dict:
    names = {code: getattr(body, f"name_{code}") or body.name_ar for code in ("ar", "fr", "en")}
    return {
        "title_ar": f"الميزانية التشاركية: {names['ar']}",
        "title_fr": f"Budget participatif : {names['fr']}",
        "title_en": f"Participatory budgeting: {names['en']}",
        "notes_ar": (
            "مشاريع الميزانية التشاركية للهيئة مع كلفتها وحيها ونتيجة دراستها التقنية وأسباب استبعادها، والنتائج "
            "لكل ميزانية (المشاريع الممولة والأصوات وقاعدة الحساب)، والبطاقات مجهولة الهوية بصيغة Pabulib مع بصمتها "
            "SHA-256 لإعادة الحساب، ومتابعة إنجاز المشاريع الممولة. دون أي معطيات شخصية. تُحدَّث يوميا."
        ),
        "notes_fr": (
            "Les projets du budget participatif de l'organisme avec leur coût, leur quartier, l'issue de l'examen "
            "technique et les motifs publiés des projets écartés ; les résultats par budget (projets financés, voix, "
            "règle de calcul) ; les bulletins anonymisés au format Pabulib avec leur empreinte SHA-256, pour refaire "
            "le calcul ; le suivi des travaux des projets financés. Aucune donnée personnelle. Mis à jour chaque jour."
        ),
        "notes_en": (
            "The body's participatory budgeting projects with their cost, district, technical review outcome and "
            "the published reasons for those set aside; the results per budget (funded projects, votes, counting "
            "rule); the anonymised ballots as Pabulib files with their SHA-256, to recompute the count; the works of "
            "funded projects. No personal data. Updated daily."
        ),
    }


def _text(value) -> str:
    return "" if value is None else str(value)


def results_published(cycle: Cycle) -> bool:
    """Votes are published with the results, never before (no running counts)."""
    return cycle.reached(Phase.RESULTS)


def _projects(body: PublicBody):
    return (
        Project.objects.public()
        .filter(cycle__body=body)
        .select_related("cycle", "budget", "district", "organisation")
        .order_by("cycle__voting_opens_at", "cycle__slug", "pk")
    )


def project_rows(body: PublicBody) -> list[dict]:
    """The public projects of `body`'s published cycles, oldest cycle first."""
    rows = []
    for project in _projects(body):
        cycle = project.cycle
        rows.append(
            {
                "id": str(project.uuid),
                "reference": project.reference,
                "cycle": cycle.slug,
                "body": body.slug,
                "budget": project.budget.slug,
                "title": project.title,
                "language": project.language,
                "district": project.district.slug if project.district_id else "",
                "longitude": _text(project.longitude),
                "latitude": _text(project.latitude),
                "estimated_cost": _text(project.estimated_cost),
                "cost": _text(project.cost),
                "currency": cycle.currency,
                "association": project.organisation.name if project.organisation_id else "",
                "status": project.status,
                "review_outcome": REVIEW_OUTCOMES.get(project.status, "pending"),
                "review_reasons": project.review_note if project.status == ProjectStatus.SET_ASIDE else "",
                "votes": _text(project.votes) if results_published(cycle) else "",
                "stage": project.stage if project.status == ProjectStatus.SELECTED else "",
                "progress": project.progress if project.status == ProjectStatus.SELECTED else "",
            }
        )
    return rows


def _results(body: PublicBody):
    """The published results of `body`'s cycles, oldest cycle first."""
    return (
        Result.objects.filter(cycle__in=Cycle.objects.public().filter(body=body), cycle__phase__in=PUBLISHED_PHASES)
        .select_related("cycle", "budget__district")
        .prefetch_related("selected")
        .order_by("cycle__voting_opens_at", "cycle__slug", "budget__slug")
    )


def result_rows(body: PublicBody) -> list[dict]:
    rows = []
    for result in _results(body):
        budget, cycle = result.budget, result.cycle
        funded = {project.pk for project in result.selected.all()}
        for project in budget.projects.on_ballot().order_by("pk"):
            rows.append(
                {
                    "cycle": cycle.slug,
                    "budget": budget.slug,
                    "district": budget.district.slug if budget.district_id else "",
                    "budget_amount": str(budget.amount),
                    "currency": cycle.currency,
                    "rule": result.rule,
                    "ballots": result.ballots,
                    "money_used": str(result.money_used),
                    "project_id": str(project.uuid),
                    "project_reference": project.reference,
                    "project_title": project.title,
                    "cost": _text(project.cost),
                    "votes": _text(project.votes),
                    "funded": "yes" if project.pk in funded else "no",
                    "ballots_file_sha256": result.pb_sha256,
                }
            )
    return rows


def implementation_rows(body: PublicBody) -> list[dict]:
    """Each funded project of `body`, one row per milestone (oldest first), or one row when it has none yet."""
    funded = (
        _projects(body)
        .filter(status=ProjectStatus.SELECTED)
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("date", "pk")))
    )
    rows = []
    for project in funded:
        base = {
            "project_id": str(project.uuid),
            "project_reference": project.reference,
            "cycle": project.cycle.slug,
            "title": project.title,
            "district": project.district.slug if project.district_id else "",
            "cost": _text(project.cost),
            "currency": project.cycle.currency,
            "stage": project.stage,
            "progress": project.progress,
        }
        milestones = list(project.milestones.all())
        for milestone in milestones or [None]:
            rows.append(
                {
                    **base,
                    "milestone_date": milestone.date.isoformat() if milestone else "",
                    "milestone_stage": milestone.stage if milestone else "",
                    "milestone_progress": milestone.progress if milestone else "",
                    "milestone_note": milestone.note if milestone else "",
                    "milestone_language": milestone.language if milestone else "",
                }
            )
    return rows


def to_csv(rows: list[dict], columns: list[str]) -> bytes:
    """`rows` as UTF-8 CSV with a header row: the same rows give the same bytes."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def publish_budgeting(user=None) -> list[Dataset]:
    """Bring the budgeting dataset of every body with a published cycle up to date; return the datasets."""
    bodies = PublicBody.objects.filter(budgeting_cycles__in=Cycle.objects.public()).distinct().order_by("path")
    return [dataset for body in bodies if (dataset := publish_body_budgeting(body, user)) is not None]


def publish_body_budgeting(body: PublicBody, user=None) -> Dataset | None:
    """Create (once) and publish `body`'s dataset, then add a version of each file whose content changed.

    Return the dataset, or None when the body has no dataset yet and no public project to put in one.
    """
    tables = {
        "projects.csv": to_csv(project_rows(body), PROJECT_COLUMNS),
        "results.csv": to_csv(result_rows(body), RESULT_COLUMNS),
        "implementation.csv": to_csv(implementation_rows(body), IMPLEMENTATION_COLUMNS),
    }
    results = list(_results(body))
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().filter(name=dataset_name(body)).first()
        if dataset is None:
            if not _projects(body).exists():
                return None
            dataset = _create_dataset(body, user)
        for position, (filename, names, _columns) in enumerate(TABLES):
            resource = _resource(dataset, filename, names, "CSV", position, user)
            _upload(resource, filename, tables[filename], user)
        for position, result in enumerate(results, start=len(TABLES)):
            filename = f"{result.cycle.slug}-{result.budget.slug}.pb"
            with result.pb_file.open("rb") as handle:
                content = handle.read()
            names = tuple(
                f"{label} {result.cycle.slug} · {result.budget.slug}"
                for label in ("البطاقات مجهولة الهوية", "Bulletins anonymisés", "Anonymised ballots")
            )
            resource = _resource(dataset, filename, names, "PB", position, user)
            _upload(resource, filename, content, user)
    dataset.refresh_from_db()
    return dataset


def _upload(resource: Resource, filename: str, content: bytes, user) -> None:
    latest = resource.versions.order_by("-number").values_list("sha256", flat=True).first()
    if latest != hashlib.sha256(content).hexdigest():
        upload_version(resource, ContentFile(content, name=filename), user)


def _create_dataset(body: PublicBody, user) -> Dataset:
    licence = Licence.objects.filter(slug=LICENCE).first() or Licence.objects.filter(is_open=True).first()
    dataset = Dataset.objects.create(
        name=dataset_name(body), body=body, licence=licence, frequency=Dataset.Frequency.DAILY, **dataset_fields(body)
    )
    dataset.themes.set(Theme.objects.filter(slug=THEME))
    log(instance=dataset, action="wagtail.create", user=user, content_changed=True)
    dataset.publish(
        by=user if user is not None and publishes(user, dataset) else None,
        note=_("The projects, results, ballots and works of the body's participatory budgets."),
    )
    return dataset


def _resource(dataset: Dataset, filename: str, names: tuple, format: str, position: int, user) -> Resource:
    """The dataset's resource whose versions carry `filename`, else the first one named as we name it, else a new
    one."""
    resource = (
        dataset.resources.filter(versions__original_name=filename).distinct().first()
        or dataset.resources.filter(name_en=names[2]).first()
    )
    if resource is None:
        fields = dict(zip(("name_ar", "name_fr", "name_en"), names, strict=True))
        resource = Resource.objects.create(dataset=dataset, position=position, format=format, **fields)
        log(instance=resource, action="wagtail.create", user=user, content_changed=True)
    return resource
