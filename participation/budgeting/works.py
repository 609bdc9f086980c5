"""The works of funded projects, public: their map with the districts' boundaries, their list as a timeline, their
GeoJSON, and each cycle's projects as GeoJSON; a milestone's photo.

Only what the public may read: funded projects of published cycles (ProjectStatus.SELECTED), the milestones staff
recorded (services.record_progress), never who recorded them.
"""

from django import forms
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from portal.bodies.models import District, PublicBody
from portal.views import protect_media_response

from .models import Cycle, Milestone, Project, ProjectStatus, Stage

# The most projects a page or a GeoJSON answer shows: a commune funds tens a year, not thousands.
WORKS_LIMIT = 500


class WorksFilter(forms.Form):
    """The works page's filters: a body, a cycle, a stage (each optional)."""

    body = forms.ModelChoiceField(
        label=_("Public body"), queryset=PublicBody.objects.none(), to_field_name="slug", required=False
    )
    cycle = forms.ModelChoiceField(
        label=_("Cycle"), queryset=Cycle.objects.none(), to_field_name="slug", required=False
    )
    stage = forms.ChoiceField(
        label=_("Stage of the works"), choices=[("", _("Any stage")), *Stage.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cycles = Cycle.objects.public().filter(projects__status=ProjectStatus.SELECTED).distinct()
        self.fields["cycle"].queryset = cycles.order_by("-voting_opens_at", "slug")
        self.fields["body"].queryset = (
            PublicBody.objects.filter(budgeting_cycles__in=cycles).distinct().order_by("path")
        )
        self.fields["body"].empty_label = _("Every body")
        self.fields["cycle"].empty_label = _("Every cycle")


def funded(data) -> tuple[WorksFilter, QuerySet]:
    """The filter form bound to `data` and the funded projects it selects (all of them when it is invalid)."""
    form = WorksFilter(data or None)
    projects = Project.objects.public().filter(status=ProjectStatus.SELECTED)
    if form.is_bound and form.is_valid():
        if body := form.cleaned_data["body"]:
            projects = projects.filter(cycle__body__path__startswith=body.path)
        if cycle := form.cleaned_data["cycle"]:
            projects = projects.filter(cycle=cycle)
        if stage := form.cleaned_data["stage"]:
            projects = projects.filter(stage=stage)
    return form, projects


def project_url(project: Project) -> str:
    """The project's public page; its entry on the works page while the cycle's pages are not wired."""
    try:
        return project.get_absolute_url()
    except NoReverseMatch:
        return f"{reverse('budgeting:works')}#project-{project.pk}"


def photo_url(milestone: Milestone) -> str:
    return reverse("budgeting:milestone_photo", args=[milestone.pk]) if milestone.photo else ""


def point_features(projects, describe) -> list[dict]:
    """GeoJSON features of the placed projects; `describe(project)` gives each one's properties."""
    return [
        {"type": "Feature", "geometry": project.point, "properties": describe(project)}
        for project in projects
        if project.point is not None
    ]


def works_properties(project: Project) -> dict:
    return {
        "id": project.pk,
        "title": project.title,
        "language": project.language,
        # What projects-map.js writes under the title.
        "status": f"{project.get_stage_display()} · {project.progress}%",
        "stage": project.stage,
        "progress": project.progress,
        "url": project_url(project),
    }


def districts_geojson(districts) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": district.boundary,
                "properties": {"name": district.name, "kind": "district"},
            }
            for district in districts
        ],
    }


def _listed(projects: QuerySet) -> list[Project]:
    return list(
        projects.select_related("cycle__body", "district", "budget")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("-date", "-pk")))
        .order_by("-cycle__voting_opens_at", "-progress", "pk")[:WORKS_LIMIT]
    )


def works(request):
    form, projects = funded(request.GET)
    listed = _listed(projects)
    bodies = {project.cycle.body.path for project in listed}
    districts = District.objects.filter(body__path__in=bodies).order_by("slug")[:WORKS_LIMIT] if bodies else []
    boundaries = districts_geojson(districts)
    points = {"type": "FeatureCollection", "features": point_features(listed, works_properties)}
    rows = [
        {"project": project, "url": project_url(project), "latest": next(iter(project.milestones.all()), None)}
        for project in listed
    ]
    context = {
        "form": form,
        "rows": rows,
        "query": request.GET.urlencode(),
        "districts_geojson": boundaries,
        "projects_geojson": points,
        "picture": {"type": "FeatureCollection", "features": [*boundaries["features"], *points["features"]]},
    }
    return render(request, "budgeting/works.html", context)


def geojson_response(collection: dict) -> JsonResponse:
    return JsonResponse(collection, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False})


def works_geojson(request):
    """The works page's filters: its funded projects that have a point."""
    _form, projects = funded(request.GET)
    listed = projects.select_related("cycle").order_by("pk")[:WORKS_LIMIT]
    return geojson_response({"type": "FeatureCollection", "features": point_features(listed, works_properties)})


def projects_geojson(request, slug: str):
    """A published cycle's public projects that have a point, with their status (and their works once funded)."""
    cycle = get_object_or_404(Cycle.objects.public(), slug=slug)
    projects = Project.objects.public().filter(cycle=cycle).select_related("cycle").order_by("pk")[:WORKS_LIMIT]

    def describe(project: Project) -> dict:
        return {
            "id": project.pk,
            "title": project.title,
            "language": project.language,
            "status": str(project.get_status_display()),
            "status_code": project.status,
            "budget": project.budget_id,
            "url": project_url(project),
        }

    return geojson_response({"type": "FeatureCollection", "features": point_features(projects, describe)})


def milestone_photo(request, pk: int):
    """A milestone's photo, while its project is public and funded (re-encoded on upload: services.record_progress)."""
    milestone = get_object_or_404(
        Milestone.objects.filter(project__in=Project.objects.public().filter(status=ProjectStatus.SELECTED)), pk=pk
    )
    if not milestone.photo:
        raise Http404
    content_type = "image/png" if milestone.photo.name.endswith(".png") else "image/jpeg"
    response = FileResponse(milestone.photo.open("rb"), content_type=content_type)
    # Private: a shared cache would go on serving the photo of a project withdrawn from the works meanwhile.
    response["Cache-Control"] = "private, max-age=3600"
    return protect_media_response(response)
