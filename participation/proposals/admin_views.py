"""The proposals' staff screens in the Wagtail admin: the proposals of one's bodies, a proposal's screen and its
moves, and the moderation queue, hidden content, repeat offenders and moderation log.

Every view loads its proposal or comment through `_proposal` / `_comment`: one of a body where the person holds
no role is a 403 on every door. The moves are checked again by PROPOSAL_WORKFLOW and services.py
(PermissionDenied: 403). Each POST makes one call into services.py and comes back with what happened, or why
nothing did.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.log_actions import registry as log_registry

from portal.forbidden import forbidden_as_403
from portal.workflow import TransitionNotAllowed, history

from . import admin_forms as forms
from . import moderation, services, staff
from .models import Comment, Proposal, Status
from .workflow import OUTCOMES, PROPOSAL_WORKFLOW, moderates

PER_PAGE = 50


def _proposal(request, pk: int) -> Proposal:
    """The proposal `pk` (404 if none, or a draft); 403 when it is of a body where the person has no role."""
    proposal = get_object_or_404(
        Proposal.objects.exclude(status=Status.DRAFT).select_related(
            "space__body", "author", "organisation", "category", "district", "merged_into"
        ),
        pk=pk,
    )
    if not staff.works_on(request.user, proposal):
        raise PermissionDenied
    return proposal


def _comment(request, pk: int) -> Comment:
    """The comment `pk`; 403 unless the person moderates its proposal's body."""
    comment = get_object_or_404(Comment.objects.select_related("proposal__space__body", "author"), pk=pk)
    if not staff.moderates_comment(request.user, comment):
        raise PermissionDenied
    return comment


def _moderator_bodies(request):
    bodies = staff.moderator_bodies(request.user)
    if not bodies.exists():
        raise PermissionDenied
    return bodies


def _back(request, default: str):
    """Back to the page the form was on (the queue or the proposal's screen), never to another site."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return redirect(wanted)
    return redirect(default)


def _page(request, items):
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return page, query.urlencode()


# The proposals ---------------------------------------------------------------------------------------------


@forbidden_as_403
def index_view(request):
    """The proposals of the person's bodies: overdue answers first, then by the date the answer is due."""
    if not staff.is_proposals_staff(request.user):
        raise PermissionDenied
    filters = forms.ProposalFilterForm(request.GET or None, spaces=staff.staff_spaces(request.user))
    chosen = filters.chosen()
    proposals = staff.staff_proposals(request.user)
    if chosen.space is not None:
        proposals = proposals.filter(space=chosen.space)
    if chosen.status:
        proposals = proposals.filter(status=chosen.status)
    if chosen.overdue:
        proposals = proposals.overdue()
    if chosen.reported:
        proposals = proposals.filter(reports_count__gt=0)
    late = Case(
        When(pk__in=Proposal.objects.overdue().values("pk"), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    proposals = proposals.annotate(late=late).order_by(
        "late", F("answer_due").asc(nulls_last=True), F("published_at").desc(nulls_last=True), "-pk"
    )
    page, query = _page(request, proposals.select_related("space__body"))
    context = {"page_title": _("Proposals"), "filters": filters, "page": page, "query": query}
    return TemplateResponse(request, "proposals/admin/index.html", context)


# Each move's heading and button on a proposal's screen.
MOVE_LABELS = {
    "answer": (gettext_lazy("Give the council's official answer"), gettext_lazy("Publish the answer")),
    "hide": (gettext_lazy("Hide pending review"), gettext_lazy("Hide")),
    "restore": (gettext_lazy("Show it again"), gettext_lazy("Restore")),
    "dismiss": (gettext_lazy("Dismiss the open reports (the proposal stays as it is)"), gettext_lazy("Dismiss")),
    "merge": (gettext_lazy("Merge into another proposal of this space (a duplicate)"), gettext_lazy("Merge")),
    "convert": (gettext_lazy("Record that it became a budgeting project"), gettext_lazy("Record")),
}


def _move_forms(proposal: Proposal, user) -> list[dict]:
    """The forms of the moves `user` may make on `proposal` now, with their labels."""
    available = {move.name for move in PROPOSAL_WORKFLOW.available(proposal, user)}
    outcomes = [status for status in OUTCOMES if status.value in available]
    shown: dict[str, forms.ProposalForm] = {}
    if outcomes:
        shown["answer"] = forms.AnswerForm(proposal=proposal, prefix="answer", outcomes=outcomes)
    if "hide" in available:
        shown["hide"] = forms.ReasonForm(proposal=proposal, prefix="hide")
    if any(name.startswith("restore_") for name in available):
        shown["restore"] = forms.OptionalReasonForm(proposal=proposal, prefix="restore")
    if proposal.reports_count and moderates(user, proposal):
        shown["dismiss"] = forms.EmptyForm(proposal=proposal, prefix="dismiss")
    if "merge" in available:
        shown["merge"] = forms.MergeForm(proposal=proposal, prefix="merge")
    if "convert" in available:
        shown["convert"] = forms.ConvertForm(proposal=proposal, prefix="convert")
    return [
        {
            "name": name,
            "form": form,
            "title": MOVE_LABELS[name][0],
            "button": MOVE_LABELS[name][1],
            "url_name": f"proposals_admin:{name}",
        }
        for name, form in shown.items()
    ]


def _history(proposal: Proposal) -> list[dict]:
    """The proposal's moves, oldest first, with the statuses' names."""
    names = dict(Status.choices)
    return [
        {
            "at": event.at,
            "by": event.by,
            "note": event.note,
            "from": names.get(event.from_status, event.from_status),
            "to": names.get(event.to_status, event.to_status),
        }
        for event in history(proposal).select_related("by")
    ]


@forbidden_as_403
def proposal_view(request, pk: int):
    proposal = _proposal(request, pk)
    may_moderate = moderates(request.user, proposal)
    context = {
        "page_title": proposal.reference,
        "proposal": proposal,
        "move_forms": _move_forms(proposal, request.user),
        "may_moderate": may_moderate,
        "comments": proposal.comments.select_related("author", "organisation", "hidden_by"),
        "reports": proposal.reports.filter(resolved_at=None).select_related("reporter") if may_moderate else [],
        "answers": proposal.answers.select_related("by"),
        "attachments": proposal.attachments.all(),
        "history": _history(proposal),
        "log_entries": log_registry.get_logs_for_instance(proposal).select_related("user"),
        "reason_form": forms.ReasonForm(proposal=proposal, prefix="comment"),
    }
    return TemplateResponse(request, "proposals/admin/proposal.html", context)


def _act(request, pk: int, form_class, act, done: str):
    """Check the form named after the move, make the move, and come back to the proposal with what happened."""
    proposal = _proposal(request, pk)
    prefix = request.resolver_match.url_name
    kwargs = {"outcomes": OUTCOMES} if form_class is forms.AnswerForm else {}
    form = form_class(request.POST, proposal=proposal, prefix=prefix, **kwargs)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return _back(request, _proposal_url(proposal))
    try:
        act(proposal, form.cleaned_data)
    except services.ProposalRefused as refused:
        messages.error(request, str(refused))
    except TransitionNotAllowed:
        messages.error(request, _("The proposal moved meanwhile: this can no longer be done. Here is where it stands."))
    else:
        messages.success(request, done)
    return _back(request, _proposal_url(proposal))


def _proposal_url(proposal: Proposal) -> str:
    return reverse("proposals_admin:proposal", args=[proposal.pk])


@forbidden_as_403
@require_POST
def answer_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.AnswerForm,
        lambda proposal, data: services.answer(
            proposal, request.user, data["outcome"], data["text"], language=data["language"]
        ),
        _("The answer is published."),
    )


@forbidden_as_403
@require_POST
def hide_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.ReasonForm,
        lambda proposal, data: services.hide_proposal(proposal, request.user, data["reason"]),
        _("The proposal is hidden pending review; its author was told why."),
    )


@forbidden_as_403
@require_POST
def restore_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.OptionalReasonForm,
        lambda proposal, data: services.restore_proposal(proposal, request.user, data["reason"]),
        _("The proposal is public again."),
    )


@forbidden_as_403
@require_POST
def dismiss_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.EmptyForm,
        lambda proposal, data: services.dismiss_reports(request.user, proposal=proposal),
        _("The reports were dismissed."),
    )


@forbidden_as_403
@require_POST
def merge_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.MergeForm,
        lambda proposal, data: services.merge(proposal, data["into"], request.user, data["reason"]),
        _("The proposal was merged; its supports and followers moved."),
    )


@forbidden_as_403
@require_POST
def convert_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.ConvertForm,
        lambda proposal, data: services.convert(proposal, request.user, data["note"]),
        _("The proposal is recorded as a budgeting project."),
    )


# Comments -------------------------------------------------------------------------------------------------


def _act_on_comment(request, pk: int, act, done: str, *, reason_required: bool):
    comment = _comment(request, pk)
    form_class = forms.ReasonForm if reason_required else forms.OptionalReasonForm
    form = form_class(request.POST, proposal=comment.proposal, prefix="comment")
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
    else:
        try:
            act(comment, form.cleaned_data)
        except services.ProposalRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, done)
    return _back(request, _proposal_url(comment.proposal))


@forbidden_as_403
@require_POST
def hide_comment_view(request, pk: int):
    return _act_on_comment(
        request,
        pk,
        lambda comment, data: services.hide_comment(comment, request.user, data["reason"]),
        _("The comment is hidden; its reason shows in its place."),
        reason_required=True,
    )


@forbidden_as_403
@require_POST
def restore_comment_view(request, pk: int):
    return _act_on_comment(
        request,
        pk,
        lambda comment, data: services.restore_comment(comment, request.user, data["reason"]),
        _("The comment is shown again."),
        reason_required=False,
    )


@forbidden_as_403
@require_POST
def dismiss_comment_view(request, pk: int):
    return _act_on_comment(
        request,
        pk,
        lambda comment, data: services.dismiss_reports(request.user, target=comment),
        _("The reports were dismissed."),
        reason_required=False,
    )


# Moderation ------------------------------------------------------------------------------------------------


@forbidden_as_403
def queue_view(request):
    bodies = _moderator_bodies(request)
    context = {
        "page_title": _("Moderation queue"),
        "targets": moderation.queue(bodies),
        "open_count": moderation.open_reports(bodies).count(),
    }
    return TemplateResponse(request, "proposals/admin/queue.html", context)


@forbidden_as_403
def hidden_view(request):
    bodies = _moderator_bodies(request)
    context = {
        "page_title": _("Hidden content"),
        "proposals": moderation.hidden_proposals(bodies),
        "comments": moderation.hidden_comments(bodies),
    }
    return TemplateResponse(request, "proposals/admin/hidden.html", context)


@forbidden_as_403
def offenders_view(request):
    bodies = _moderator_bodies(request)
    context = {
        "page_title": _("Repeat offenders"),
        "offenders": moderation.repeat_offenders(bodies),
        "minimum": moderation.REPEAT_OFFENCES,
    }
    return TemplateResponse(request, "proposals/admin/offenders.html", context)


@forbidden_as_403
def log_view(request):
    bodies = _moderator_bodies(request)
    filters = forms.ModerationLogFilterForm(request.GET or None)
    entries = moderation.log_entries(bodies)
    if filters.is_valid() and filters.cleaned_data["action"]:
        entries = entries.filter(action=filters.cleaned_data["action"])
    page, query = _page(request, entries)
    context = {"page_title": _("Moderation log"), "filters": filters, "page": page, "query": query}
    return TemplateResponse(request, "proposals/admin/log.html", context)
