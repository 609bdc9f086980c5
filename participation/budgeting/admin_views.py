"""The budgeting staff screens in the Wagtail admin, /admin/budgeting/: cycles (their texts, calendar, rules,
budgets and phases), the review of projects, paper ballots from polling stations, counting the results and the
works of funded projects.

Every view loads its cycle, project or paper ballot through `_cycle` / `_project` / `_paper_cycle`: one of a body
where the person does not hold the role is a 403 on every door. services.py checks again (PermissionDenied: 403)
and refuses what the cycle's phase does not allow with a message shown as it is. Each POST makes one call into
services.py and comes back with what happened, or why nothing did.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, ProtectedError, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry

from participation.proposals.services import ProposalRefused
from portal.forbidden import forbidden_as_403
from portal.workflow import TransitionNotAllowed, history

from . import admin_forms as forms
from . import services, staff
from .models import Cycle, PaperBallot, Phase, Project, ProjectStatus
from .services import BudgetingRefused
from .workflow import CYCLE_WORKFLOW

PER_PAGE = 50
# What staff may still do with a project before voting: review it (again).
REVIEWABLE = (ProjectStatus.SUBMITTED, ProjectStatus.FEASIBLE, ProjectStatus.SET_ASIDE)


def _cycle(request, pk: int) -> Cycle:
    """The cycle `pk` (404 if none); 403 unless the person manages the budget of its body."""
    cycle = get_object_or_404(Cycle.objects.select_related("body"), pk=pk)
    if not staff.may_manage(request.user, cycle):
        raise PermissionDenied
    return cycle


def _paper_cycle(request, pk: int) -> Cycle:
    """The cycle `pk`; 403 unless the person enters and checks the paper ballots of its body."""
    cycle = get_object_or_404(Cycle.objects.select_related("body"), pk=pk)
    if not staff.may_count_paper(request.user, cycle):
        raise PermissionDenied
    return cycle


def _project(request, pk: int) -> Project:
    project = get_object_or_404(Project.objects.select_related("cycle__body", "budget", "district", "proposal"), pk=pk)
    if not staff.may_manage(request.user, project.cycle):
        raise PermissionDenied
    return project


def _cycle_url(cycle: Cycle) -> str:
    return reverse("budgeting_admin:cycle", args=[cycle.pk])


def _project_url(project: Project) -> str:
    return reverse("budgeting_admin:project", args=[project.pk])


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


# Cycles ------------------------------------------------------------------------------------------------------


@forbidden_as_403
def index_view(request):
    """The cycles of the person's bodies, the latest first."""
    if not staff.is_budget_manager(request.user):
        raise PermissionDenied
    cycles = staff.managed_cycles(request.user).select_related("body")
    cycles = cycles.annotate(
        budgets_count=Count("budgets", distinct=True),
        awaiting_review=Count("projects", filter=Q(projects__status=ProjectStatus.SUBMITTED), distinct=True),
    ).order_by("-voting_opens_at", "slug")
    page = Paginator(cycles, PER_PAGE).get_page(request.GET.get("p"))
    context = {"page_title": _("Budgeting cycles"), "page": page, "query": ""}
    return TemplateResponse(request, "budgeting/admin/index.html", context)


def _save_cycle(request, form) -> Cycle | None:
    """Save the cycle of a valid form; None, with the refusal on the form, when the model locks its rules."""
    try:
        with transaction.atomic():
            return form.save()
    except ValidationError as refusal:  # RulesLocked: voting opened since the form was shown
        form.add_error(None, _refusal(refusal))
        return None


@forbidden_as_403
def add_view(request):
    bodies = staff.manager_bodies(request.user)
    if not bodies.exists():
        raise PermissionDenied
    form = forms.CycleForm(request.POST or None, bodies=bodies, for_user=request.user)
    if request.method == "POST" and form.is_valid():
        cycle = _save_cycle(request, form)
        if cycle is not None:
            log(instance=cycle, action="wagtail.create", user=request.user)
            messages.success(request, _("The cycle is created, in preparation. Now give it its budgets."))
            return redirect("budgeting_admin:budgets", cycle.pk)
    context = {"page_title": _("New budgeting cycle"), "form": form}
    return TemplateResponse(request, "budgeting/admin/cycle_form.html", context)


@forbidden_as_403
def edit_view(request, pk: int):
    cycle = _cycle(request, pk)
    bodies = staff.manager_bodies(request.user)
    form = forms.CycleForm(request.POST or None, instance=cycle, bodies=bodies, for_user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save_cycle(request, form)
        if saved is not None:
            log(instance=saved, action="wagtail.edit", user=request.user)
            messages.success(request, _("The cycle is saved."))
            return redirect(_cycle_url(saved))
    context = {"page_title": _("Edit the cycle"), "cycle": cycle, "form": form}
    return TemplateResponse(request, "budgeting/admin/cycle_form.html", context)


@forbidden_as_403
def budgets_view(request, pk: int):
    """The cycle's budgets and groups of budgets, edited together until voting opens; read-only after."""
    cycle = _cycle(request, pk)
    data = request.POST if request.method == "POST" else None
    groups = forms.GroupFormSetFactory(data, instance=cycle, prefix="groups", form_kwargs={"cycle": cycle})
    budgets = forms.BudgetFormSetFactory(data, instance=cycle, prefix="budgets", form_kwargs={"cycle": cycle})
    refusal = ""
    if request.method == "POST" and cycle.rules_locked:
        refusal = str(forms.BUDGETS_LOCKED)
    elif request.method == "POST" and groups.is_valid() and budgets.is_valid():
        try:
            with transaction.atomic():
                groups.save()
                budgets.save()
        except ValidationError as error:  # RulesLocked from the models: voting opened meanwhile
            refusal = _refusal(error)
        except ProtectedError:
            refusal = _("A budget with projects cannot be deleted: move its projects first.")
        else:
            log(instance=cycle, action="wagtail.edit", user=request.user, data={"budgets": True})
            messages.success(request, _("The budgets are saved."))
            return redirect("budgeting_admin:budgets", cycle.pk)
    context = {
        "page_title": _("Budgets"),
        "cycle": cycle,
        "groups": groups,
        "budgets": budgets,
        "refusal": refusal,
        "locked": cycle.rules_locked,
        "saved_budgets": cycle.budgets.select_related("district", "group"),
    }
    return TemplateResponse(request, "budgeting/admin/budgets.html", context)


def _moves(cycle: Cycle, user) -> list[dict]:
    """The phases `user` may move the cycle to now (results come by counting, not by a move)."""
    return [
        {"phase": move.target, "label": Phase(move.target).label}
        for move in CYCLE_WORKFLOW.available(cycle, user)
        if move.target != Phase.RESULTS
    ]


@forbidden_as_403
def cycle_view(request, pk: int):
    cycle = _cycle(request, pk)
    try:
        public_url = cycle.get_absolute_url() if cycle.phase != Phase.DRAFT else ""
    except NoReverseMatch:  # the public pages are another module's, and may be switched off
        public_url = ""
    counts = dict(cycle.projects.values_list("status").annotate(count=Count("pk")).values_list("status", "count"))
    context = {
        "page_title": cycle.title,
        "cycle": cycle,
        "public_url": public_url,
        "budgets": cycle.budgets.select_related("district", "group"),
        "groups": cycle.groups.all(),
        "moves": _moves(cycle, request.user),
        "project_counts": [(label, counts.get(value, 0)) for value, label in ProjectStatus.choices],
        "publish_refusal": staff.publish_refusal(cycle),
        "pending_paper": staff.pending_paper(cycle).count(),
        "results": cycle.results.select_related("budget"),
    }
    return TemplateResponse(request, "budgeting/admin/cycle.html", context)


@forbidden_as_403
@require_POST
def move_view(request, pk: int):
    cycle = _cycle(request, pk)
    phases = [(move["phase"], move["label"]) for move in _moves(cycle, request.user)]
    form = forms.MoveForm(request.POST, phases=phases)
    if not form.is_valid():
        messages.error(request, _("The cycle cannot move to this phase now."))
        return redirect(_cycle_url(cycle))
    try:
        services.move_cycle(cycle, form.cleaned_data["phase"], by=request.user, note=form.cleaned_data["note"])
    except BudgetingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The cycle is now at: %(phase)s.") % {"phase": cycle.get_phase_display()})
    return redirect(_cycle_url(cycle))


@forbidden_as_403
def history_view(request, pk: int):
    cycle = _cycle(request, pk)
    phases = dict(Phase.choices)
    moves = [
        {
            "at": event.at,
            "by": event.by,
            "note": event.note,
            "from": phases.get(event.from_status, event.from_status),
            "to": phases.get(event.to_status, event.to_status),
        }
        for event in history(cycle).select_related("by")
    ]
    page = Paginator(staff.cycle_log_entries(cycle), PER_PAGE).get_page(request.GET.get("p"))
    context = {"page_title": _("History"), "cycle": cycle, "moves": moves, "page": page, "query": ""}
    return TemplateResponse(request, "budgeting/admin/history.html", context)


@forbidden_as_403
@require_POST
def publish_view(request, pk: int):
    """Count the ballots by the cycle's rule and publish the results (results.publish_results)."""
    cycle = _cycle(request, pk)
    refusal = staff.publish_refusal(cycle)
    if refusal:
        messages.error(request, refusal)
        return redirect(_cycle_url(cycle))
    from .results import publish_results  # counting needs pabutools: loaded only when counting

    try:
        results = publish_results(cycle, request.user)
    except BudgetingRefused as refused:
        messages.error(request, str(refused))
    else:
        published = ngettext(
            "The results of %(count)d budget are published.",
            "The results of %(count)d budgets are published.",
            len(results),
        )
        messages.success(request, published % {"count": len(results)})
    return redirect(_cycle_url(cycle))


# Projects ----------------------------------------------------------------------------------------------------


@forbidden_as_403
def projects_view(request, pk: int):
    cycle = _cycle(request, pk)
    filters = forms.ProjectFilterForm(request.GET or None, cycle=cycle)
    chosen = filters.chosen()
    projects = cycle.projects.select_related("budget", "district", "proposal").order_by("budget__slug", "pk")
    if chosen.status:
        projects = projects.filter(status=chosen.status)
    if chosen.budget is not None:
        projects = projects.filter(budget=chosen.budget)
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    context = {
        "page_title": _("Projects"),
        "cycle": cycle,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "may_add": cycle.phase in (Phase.SUBMISSION, Phase.REVIEW),
        "may_convert": not cycle.rules_locked,
    }
    return TemplateResponse(request, "budgeting/admin/projects.html", context)


def _project_history(project: Project) -> list[dict]:
    statuses = dict(ProjectStatus.choices)
    return [
        {
            "at": event.at,
            "by": event.by,
            "note": event.note,
            "from": statuses.get(event.from_status, event.from_status),
            "to": statuses.get(event.to_status, event.to_status),
        }
        for event in history(project).select_related("by")
    ]


@forbidden_as_403
def project_view(request, pk: int):
    project = _project(request, pk)
    reviewable = project.status in REVIEWABLE and not project.cycle.rules_locked
    context = {
        "page_title": project.reference,
        "project": project,
        "cycle": project.cycle,
        "review_form": forms.ReviewForm(project=project, prefix="review") if reviewable else None,
        "history": _project_history(project),
        "log_entries": log_registry.get_logs_for_instance(project).select_related("user"),
    }
    return TemplateResponse(request, "budgeting/admin/project.html", context)


@forbidden_as_403
@require_POST
def review_view(request, pk: int):
    project = _project(request, pk)
    form = forms.ReviewForm(request.POST, project=project, prefix="review")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_project_url(project))
    data = form.cleaned_data
    try:
        services.review_project(project, request.user, feasible=form.feasible, cost=data["cost"], note=data["note"])
    except BudgetingRefused as refused:
        messages.error(request, str(refused))
    except TransitionNotAllowed:
        messages.error(request, _("The project moved meanwhile: this can no longer be done. Here is where it stands."))
    else:
        if form.feasible:
            messages.success(request, _("The project is on the ballot."))
        else:
            messages.success(request, _("The project is set aside; the reasons are published."))
    return redirect(_project_url(project))


@forbidden_as_403
def add_project_view(request, pk: int):
    """A project staff add themselves, during the submission of projects and the review."""
    cycle = _cycle(request, pk)
    form = forms.AddProjectForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.add_project(cycle, request.user, form.draft())
        except BudgetingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The project is added; it awaits review."))
            return redirect(_project_url(project))
    context = {"page_title": _("Add a project"), "cycle": cycle, "form": form}
    return TemplateResponse(request, "budgeting/admin/project_form.html", context)


@forbidden_as_403
def from_proposal_view(request, pk: int):
    """Turn an accepted proposal of the body's spaces into a project of the cycle."""
    cycle = _cycle(request, pk)
    form = forms.FromProposalForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_from_proposal(data["proposal"], data["budget"], request.user, data["note"])
        except (BudgetingRefused, ProposalRefused) as refused:
            form.add_error(None, str(refused))
        except TransitionNotAllowed:
            form.add_error("proposal", _("This proposal is no longer accepted (it moved meanwhile)."))
        else:
            messages.success(request, _("The proposal became a project; it awaits review."))
            return redirect(_project_url(project))
    context = {"page_title": _("A project from a proposal"), "cycle": cycle, "form": form}
    return TemplateResponse(request, "budgeting/admin/project_form.html", context)


# Works -------------------------------------------------------------------------------------------------------


@forbidden_as_403
def works_view(request, pk: int):
    project = _project(request, pk)
    funded = project.status == ProjectStatus.SELECTED
    search = request.GET.get("q", "").strip()[:100]
    context = {
        "page_title": _("Works"),
        "project": project,
        "cycle": project.cycle,
        "funded": funded,
        "milestones": project.milestones.select_related("by"),
        "payments": project.payments.select_related("supplier"),
        "decisions": project.decisions.all(),
        "search": search,
        "progress_form": forms.ProgressForm(project=project, prefix="progress") if funded else None,
        "payment_form": forms.PaymentLinkForm(project=project, search=search, prefix="payment") if funded else None,
        "decision_form": forms.DecisionLinkForm(project=project, prefix="decision") if funded else None,
    }
    return TemplateResponse(request, "budgeting/admin/works.html", context)


def _works_action(request, pk: int, form_class, act, done: str):
    project = _project(request, pk)
    prefix = request.resolver_match.url_name
    form = form_class(request.POST, request.FILES, project=project, prefix=prefix)
    back = reverse("budgeting_admin:works", args=[project.pk])
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    try:
        act(project, form)
    except BudgetingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect(back)


@forbidden_as_403
@require_POST
def progress_view(request, pk: int):
    return _works_action(
        request,
        pk,
        forms.ProgressForm,
        lambda project, form: services.record_progress(project, request.user, form.progress_update()),
        _("The progress is recorded; the project's followers are told."),
    )


@forbidden_as_403
@require_POST
def payment_view(request, pk: int):
    return _works_action(
        request,
        pk,
        forms.PaymentLinkForm,
        lambda project, form: services.link_payment(project, form.cleaned_data["payment"], request.user),
        _("The payment is linked to the project."),
    )


@forbidden_as_403
@require_POST
def decision_view(request, pk: int):
    return _works_action(
        request,
        pk,
        forms.DecisionLinkForm,
        lambda project, form: services.link_decision(project, form.cleaned_data["decision"], request.user),
        _("The decision is linked to the project."),
    )


# Paper ballots -----------------------------------------------------------------------------------------------


@forbidden_as_403
def paper_index_view(request):
    """The cycles whose paper ballots the person enters and checks now, with what awaits a check."""
    if not staff.counts_paper_somewhere(request.user):
        raise PermissionDenied
    cycles = staff.paper_cycles(request.user).select_related("body")
    cycles = cycles.annotate(
        pending=Count(
            "paper_ballots",
            filter=Q(paper_ballots__status=PaperBallot.Status.PENDING) & ~Q(paper_ballots__entered_by=request.user),
        )
    )
    context = {"page_title": _("Paper ballots"), "cycles": cycles}
    return TemplateResponse(request, "budgeting/admin/paper_index.html", context)


@never_cache
@forbidden_as_403
def paper_entry_view(request, pk: int):
    """Type in a paper ballot; on success, the voter's receipt code, shown this once for their slip."""
    cycle = _paper_cycle(request, pk)
    initial = {"station": request.session.get("budgeting_station", "")}
    form = forms.PaperBallotForm(request.POST or None, cycle=cycle, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            paper, code = services.enter_paper_ballot(
                cycle,
                request.user,
                identity_number=data["identity_number"],
                station=data["station"],
                district=data["district"],
                choices=form.choices(),
            )
        except BudgetingRefused as refused:
            form.add_error(None, str(refused))
        else:
            request.session["budgeting_station"] = paper.station
            context = {"page_title": _("Receipt for the voter"), "cycle": cycle, "paper": paper, "code": code}
            return TemplateResponse(request, "budgeting/admin/paper_receipt.html", context)
    context = {
        "page_title": _("Enter a paper ballot"),
        "cycle": cycle,
        "form": form,
        "open": cycle.phase in staff.PAPER_PHASES,
    }
    return TemplateResponse(request, "budgeting/admin/paper_entry.html", context)


@forbidden_as_403
def paper_check_list_view(request, pk: int):
    """The paper ballots awaiting a check that others entered (the person's own are counted, not shown), and
    the counts per polling station."""
    cycle = _paper_cycle(request, pk)
    pending = staff.pending_paper(cycle).select_related("entered_by")
    others = pending.exclude(entered_by=request.user).order_by("entered_at", "pk")
    projects = {project.pk: project for project in cycle.projects.all()}
    budgets = {budget.slug: budget for budget in cycle.budgets.all()}
    ballots = [
        {"paper": paper, "choices": forms.paper_choices_display(paper, projects, budgets)}
        for paper in others[:PER_PAGE]
    ]
    context = {
        "page_title": _("Paper ballots to check"),
        "cycle": cycle,
        "ballots": ballots,
        "others_count": others.count(),
        "own_pending": pending.filter(entered_by=request.user).count(),
        "stations": staff.station_counts(cycle),
    }
    return TemplateResponse(request, "budgeting/admin/paper_check.html", context)


@forbidden_as_403
@require_POST
def paper_check_view(request, pk: int):
    paper = get_object_or_404(PaperBallot.objects.select_related("cycle__body"), pk=pk)
    cycle = paper.cycle
    if not staff.may_count_paper(request.user, cycle):
        raise PermissionDenied
    back = reverse("budgeting_admin:paper_check", args=[cycle.pk])
    form = forms.PaperCheckForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    try:
        services.check_paper_ballot(paper, request.user, accept=form.accept, reason=form.cleaned_data["reason"])
    except BudgetingRefused as refused:
        messages.error(request, str(refused))
    else:
        if form.accept:
            messages.success(request, _("The paper ballot is counted."))
        else:
            messages.success(request, _("The paper ballot is rejected; its voter may vote again."))
    return redirect(back)
