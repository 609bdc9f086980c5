"""The public pages of participatory budgeting: the cycles, a cycle's page, its projects (list and map) and each
project's page, submitting a project, the ballot, the receipt shown once and the check of a receipt code, and
the results with the ballots' files.

What the public never sees here: a cycle in preparation, withdrawn projects, costs before the cycle publishes
them, and any count of votes before the results are published (Cycle.results_published_at).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from participation.proposals.views import districts_geojson
from portal.accounts.models import is_verified
from portal.forms import declared_parameters
from portal.money import NO_BREAK_SPACE, currency_sign
from portal.ratelimits import limit
from portal.workflow import history

from . import services
from .forms import (
    BadBallot,
    ProjectFilterForm,
    ProjectForm,
    ReceiptForm,
    choice_name,
    draft_choices,
    points_name,
    read_ballot,
)
from .models import BallotDraft, BallotRule, Budget, Cycle, Follow, Phase, Project, ProjectStatus, Result
from .services import BudgetingRefused

PER_PAGE = 50
# The points a cycle's map draws: a cycle has tens to a few hundred projects; past this, the list has the rest.
MAP_LIMIT = 1000


def _cycle(slug: str) -> Cycle:
    return get_object_or_404(Cycle.objects.public().select_related("body"), slug=slug)


def _receipt_key(cycle: Cycle) -> str:
    return f"budgeting-receipt-{cycle.pk}"


# How long the receipt code waits in the voter's browser for the page that shows it (seconds): the redirect after
# confirming follows at once.
RECEIPT_COOKIE_AGE = 600


def costs_public(cycle: Cycle) -> bool:
    """Costs are shown once the cycle has published them (the review's figures may change until then)."""
    return cycle.reached(Phase.COSTS)


def results_public(cycle: Cycle) -> bool:
    """Votes are counted in public only once the results are published: no running counts."""
    return cycle.results_published_at is not None


# The cycles ------------------------------------------------------------------------------------------------------


def index(request):
    cycles = Cycle.objects.public().select_related("body").prefetch_related("budgets__district")
    return render(request, "budgeting/index.html", {"cycles": cycles})


def cycle_detail(request, slug: str):
    cycle = _cycle(slug)
    budgets = list(cycle.budgets.select_related("district", "group"))
    groups: dict = {}
    for budget in budgets:
        if budget.group_id:
            groups.setdefault(budget.group, []).append(budget)
    user = request.user
    context = {
        "cycle": cycle,
        "budgets": [budget for budget in budgets if not budget.group_id],
        "groups": groups.items(),
        "projects_count": cycle.projects.public().count(),
        "voting_open": cycle.is_voting_open(),
        "has_voted": user.is_authenticated and services.has_voted(cycle, user),
        "results_public": results_public(cycle),
        "taking_projects": cycle.phase == Phase.SUBMISSION,
    }
    return render(request, "budgeting/cycle.html", context)


# Projects --------------------------------------------------------------------------------------------------------


def project_points(cycle: Cycle, projects) -> dict:
    """GeoJSON of the projects that have a point, with their page's address (no count of votes in it)."""
    address = reverse("budgeting:project", args=[cycle.slug, 0]).replace("/0/", "/{}/")
    labels = {value: str(label) for value, label in ProjectStatus.choices}
    rows = projects.filter(longitude__isnull=False, latitude__isnull=False).values_list(
        "pk", "title", "language", "longitude", "latitude", "status"
    )[:MAP_LIMIT]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                "properties": {
                    "title": title,
                    "language": language,
                    "status": labels.get(status, status),
                    "url": address.format(pk),
                },
            }
            for pk, title, language, longitude, latitude, status in rows
        ],
    }


def project_list(request, slug: str):
    cycle = _cycle(slug)
    parameters = declared_parameters(request.GET, [*ProjectFilterForm.base_fields, "page"])
    form = ProjectFilterForm(parameters, cycle=cycle)
    projects = form.filter(Project.objects.public().filter(cycle=cycle))
    page = Paginator(
        projects.select_related("cycle", "budget", "district").order_by("budget", "pk"), PER_PAGE
    ).get_page(parameters.get("page"))
    query = parameters.copy()
    query.pop("page", None)
    districts = districts_geojson(services.districts_of(cycle).order_by("slug"))
    points = project_points(cycle, projects)
    context = {
        "cycle": cycle,
        "form": form,
        "page_obj": page,
        "query": query.urlencode(),
        "show_costs": costs_public(cycle),
        "show_votes": results_public(cycle),
        "districts_geojson": districts,
        "projects_geojson": points,
        "picture": {"type": "FeatureCollection", "features": [*districts["features"], *points["features"]]},
    }
    return render(request, "budgeting/projects.html", context)


@dataclass
class Entry:
    at: datetime
    status: str
    note: str = ""
    who: str = ""


def history_of(project: Project) -> list[Entry]:
    """The project's moves, oldest first: signed by the body for staff's, by the project for its author's."""
    labels = dict(ProjectStatus.choices)
    entries = []
    for event in history(project):
        if event.by_id is None:
            who = ""
        elif event.by_id == project.author_id:
            who = project.signature()
        else:
            who = project.cycle.body.name
        entries.append(Entry(event.at, str(labels.get(event.to_status, event.to_status)), event.note, who))
    return entries


def _project(cycle: Cycle, pk: int) -> Project:
    related = ("budget__district", "district", "author", "organisation", "cycle__body")
    return get_object_or_404(Project.objects.public().select_related(*related), cycle=cycle, pk=pk)


def project_detail(request, slug: str, pk: int):
    cycle = _cycle(slug)
    project = _project(cycle, pk)
    user = request.user
    funded = project.status == ProjectStatus.SELECTED
    context = {
        "cycle": cycle,
        "project": project,
        "show_costs": costs_public(cycle),
        "show_votes": results_public(cycle),
        "history": history_of(project),
        "milestones": list(project.milestones.all()) if funded else [],
        "payments": list(project.payments.select_related("supplier").order_by("-date")) if funded else [],
        "decisions": [decision for decision in project.decisions.all() if decision.live],
        "following": user.is_authenticated and Follow.objects.filter(project=project, user=user).exists(),
        "point_geojson": {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": project.point, "properties": {"title": project.title}}],
        }
        if project.point
        else None,
    }
    return render(request, "budgeting/project.html", context)


@login_required
@require_POST
@limit("budgeting.ballot", group="budgeting.follow", key="user", method="POST")
def project_follow(request, slug: str, pk: int):
    project = _project(_cycle(slug), pk)
    if request.POST.get("action") == "unfollow":
        services.unfollow(project, request.user)
        messages.success(request, _("You no longer follow this project."))
    else:
        services.follow(project, request.user)
        messages.success(request, _("You follow this project: you will hear of its review, its result and its works."))
    return redirect(project)


@login_required
@limit("budgeting.project", key="user", method="POST")
def submit(request, slug: str):
    cycle = _cycle(slug)
    user = request.user
    verified = is_verified(user)
    district = user.verification.district if verified else None
    form = ProjectForm(request.POST or None, cycle=cycle, district=district, user=user)
    status = 200
    if request.method == "POST":
        if ProjectForm.is_bot(request.POST):
            form.is_valid()
            form.add_error(None, _("Your project could not be sent. Try again."))
            status = 400
        elif form.is_valid():
            try:
                project = services.submit_project(cycle, user, form.draft())
            except BudgetingRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _("Your project %(reference)s is submitted. The council reviews it; you will hear of the outcome.")
                    % {"reference": project.reference},
                )
                return redirect(project)
    context = {
        "cycle": cycle,
        "form": form,
        "is_open": cycle.phase == Phase.SUBMISSION,
        "verified": verified,
        "districts": districts_geojson(services.districts_of(cycle).order_by("slug")),
    }
    return render(request, "budgeting/submit.html", context, status=status)


# The ballot ------------------------------------------------------------------------------------------------------


@dataclass
class Section:
    """One budget of a ballot as the page shows it: its projects (each with `points`, what the voter gave it)
    and, for the summary, what the choices cost and what is left."""

    budget: Budget
    projects: list = field(default_factory=list)
    input_name: str = ""
    points: int = 0  # cumulative ballots: the points a voter shares in each budget

    @property
    def chosen(self) -> list:
        return [project for project in self.projects if project.points]

    @property
    def total(self) -> Decimal:
        return sum((project.cost or Decimal(0) for project in self.chosen), Decimal(0))

    @property
    def left(self) -> Decimal:
        return self.budget.amount - self.total

    @property
    def points_left(self) -> int:
        return self.points - sum(project.points for project in self.chosen)


def ballot_sections(cycle: Cycle, budgets: list[Budget]) -> list[Section]:
    """The voter's budgets with the projects on their ballots (one query; `choose` marks the choices)."""
    projects = Project.objects.filter(budget__in=budgets, status=ProjectStatus.FEASIBLE).order_by("pk")
    by_budget: dict[int, list] = {}
    for project in projects:
        project.cycle = cycle  # for its address, without a query per project
        by_budget.setdefault(project.budget_id, []).append(project)
    return [Section(budget, by_budget.get(budget.pk, []), choice_name(budget), cycle.points or 0) for budget in budgets]


def choose(sections: list[Section], choices: services.Choices) -> list[Section]:
    for section in sections:
        chosen = choices.get(section.budget.slug, {})
        for project in section.projects:
            project.points = chosen.get(project.pk, 0)
            project.input_name = points_name(section.budget, project.pk)
    return sections


def _refusal(request, cycle: Cycle, reason: str, message: str = "", status: int = 200):
    context = {"cycle": cycle, "reason": reason, "message": message}
    return render(request, "budgeting/ballot_refused.html", context, status=status)


@login_required
@never_cache
@limit("budgeting.ballot", key="user", method="POST")
def ballot(request, slug: str):
    """The voter's ballot: choose (GET, or POST `edit`), review (POST `review`: checked by the services and kept
    as a draft), confirm (POST `confirm`: cast, then the receipt). Works without JavaScript."""
    cycle = _cycle(slug)
    user = request.user
    if services.has_voted(cycle, user):
        return _refusal(request, cycle, "voted")
    if not cycle.is_voting_open():
        return _refusal(request, cycle, "closed")
    try:
        budgets = services.voter_budgets(cycle, user)
    except BudgetingRefused as refused:
        return _refusal(request, cycle, "ineligible" if is_verified(user) else "unverified", str(refused), 403)
    sections = ballot_sections(cycle, budgets)
    projects_of = {section.budget.pk: section.projects for section in sections}
    error = ""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            choices = read_ballot(request.POST, cycle, budgets, projects_of)
        except BadBallot:
            return HttpResponseBadRequest(_("The ballot is not well formed."))
    else:
        draft = BallotDraft.objects.filter(cycle=cycle, user=user).first()
        choices = draft_choices(draft.choices) if draft else {}
    if action == "confirm":
        try:
            code = services.cast_ballot(cycle, user, choices)
        except BudgetingRefused as refused:
            error = str(refused)
        else:
            # The code waits in a signed cookie of the voter's browser, never in the session stored beside their
            # account: the server keeps nothing that leads from the voter to the ballot.
            response = redirect("budgeting:voted", cycle.slug)
            response.set_signed_cookie(
                _receipt_key(cycle),
                code,
                salt=_receipt_key(cycle),
                max_age=RECEIPT_COOKIE_AGE,
                path=response["Location"],
                secure=request.is_secure(),
                httponly=True,
                samesite="Strict",
            )
            return response
    elif action == "review":
        services.save_draft(cycle, user, choices)
        try:
            services.validate_choices(cycle, budgets, choices)
        except BudgetingRefused as refused:
            error = str(refused)
        else:
            chosen = [section for section in choose(sections, choices) if section.chosen]
            return render(request, "budgeting/ballot_review.html", {"cycle": cycle, "sections": chosen})
    context = {
        "cycle": cycle,
        "sections": choose(sections, choices),
        "error": error,
        "rules": BallotRule,
        "number_format": {
            "sign": currency_sign(cycle.currency),
            "group": get_format("THOUSAND_SEPARATOR").replace(" ", NO_BREAK_SPACE),
            "decimal": get_format("DECIMAL_SEPARATOR"),
        },
        "groups": {budget.group for budget in budgets if budget.group_id},
    }
    return render(request, "budgeting/ballot.html", context)


@login_required
@never_cache
def voted(request, slug: str):
    """The receipt code, shown once: its cookie is deleted as this page is made."""
    cycle = _cycle(slug)
    key = _receipt_key(cycle)
    code = request.get_signed_cookie(key, default=None, salt=key, max_age=RECEIPT_COOKIE_AGE)
    response = render(request, "budgeting/voted.html", {"cycle": cycle, "code": code})
    response.delete_cookie(key, path=request.path, samesite="Strict")
    return response


@never_cache
@limit("budgeting.receipt", key="ip", method="POST")
def receipt(request, slug: str):
    """Anyone with a receipt code finds the ballots it names (posted, never in an address or a log)."""
    cycle = _cycle(slug)
    form = ReceiptForm(request.POST or None)
    ballots = None
    if request.method == "POST" and form.is_valid():
        ballots = list(services.find_ballots(cycle, form.cleaned_data["code"]))
    context = {"cycle": cycle, "form": form, "ballots": ballots, "results_public": results_public(cycle)}
    return render(request, "budgeting/receipt.html", context)


# Results ---------------------------------------------------------------------------------------------------------


def results(request, slug: str):
    cycle = _cycle(slug)
    if not results_public(cycle):
        return render(request, "budgeting/results_pending.html", {"cycle": cycle})
    rows = list(cycle.results.select_related("budget__district").prefetch_related("selected"))
    on_ballot = Project.objects.on_ballot().filter(cycle=cycle).select_related("cycle").order_by("-votes", "cost", "pk")
    projects: dict[int, list] = {}
    titles = {}
    for project in on_ballot:
        projects.setdefault(project.budget_id, []).append(project)
        titles[str(project.pk)] = project.title
    for result in rows:
        result.projects = projects.get(result.budget_id, [])  # type: ignore[attr-defined]
        result.selected_ids = {project.pk for project in result.selected.all()}  # type: ignore[attr-defined]
    context = {"cycle": cycle, "results": rows, "titles": titles}
    return render(request, "budgeting/results.html", context)


def ballots_file(request, slug: str, budget: str):
    """A budget's ballots as a Pabulib .pb file, anonymised, once the results are published."""
    cycle = _cycle(slug)
    if not results_public(cycle):
        raise Http404
    result = get_object_or_404(Result, cycle=cycle, budget__slug=budget)
    if not result.pb_file:
        raise Http404
    response = FileResponse(
        result.pb_file.open("rb"),
        as_attachment=True,
        filename=f"{cycle.slug}_{budget}.pb",
        content_type="text/plain; charset=utf-8",
    )
    response["X-Content-SHA256"] = result.pb_sha256
    return response
