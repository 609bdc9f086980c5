"""The public pages of information requests and complaints: the archive, filing, a case's page and its doors.

A case that `user` may not read is a 404 on every door (its page, its attachments, its forms), whoever guesses
its reference; what the public reads is the redacted text, never the requester's identity unless they chose it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms import declared_parameters
from portal.ratelimits import limit
from portal.views import protect_media_response
from portal.workflow import TransitionNotAllowed

from . import services
from .calculator import DeadlineForm
from .forms import AppealForm, ArchiveFilterForm, CaseForm, ReplyForm, uploads
from .models import ANSWERED_STATUSES, Attachment, Case, Status
from .timeline import timeline
from .workflow import is_officer, is_requester

PER_PAGE = 25


def _case(request, reference: str) -> Case:
    cases = Case.objects.visible_to(request.user).select_related("body", "law", "refusal_reason", "transferred_to")
    return get_object_or_404(cases, reference=reference)


def filter_archive(cases, data: dict):
    if body := data.get("body"):
        cases = cases.filter(body__path__startswith=body.path)
    if kind := data.get("kind"):
        cases = cases.filter(kind=kind)
    status = data.get("status")
    if status == "open":
        cases = cases.open()
    elif status == "answered":
        cases = cases.filter(Q(status__in=ANSWERED_STATUSES) | Q(status=Status.CLOSED, decided_on__isnull=False))
    elif status == "refused":
        cases = cases.filter(status=Status.REFUSED)
    elif status == "overdue":
        cases = cases.overdue()
    return cases


def case_list(request):
    """The public archive: every public case, newest first, filtered by body, kind and status."""
    form = ArchiveFilterForm(declared_parameters(request.GET, ArchiveFilterForm.base_fields))
    cases = Case.objects.public().select_related("body")
    if form.is_valid():
        cases = filter_archive(cases, form.cleaned_data)
    page = Paginator(cases.order_by("-received_on", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    query = declared_parameters(request.GET, ArchiveFilterForm.base_fields).urlencode()
    context = {"form": form, "page_obj": page, "query": query, "today": timezone.localdate()}
    return render(request, "information_requests/case_list.html", context)


@login_required
def my_cases(request):
    cases = Case.objects.filter(requester=request.user).select_related("body").order_by("-created_at")
    return render(request, "information_requests/my_cases.html", {"cases": cases, "today": timezone.localdate()})


@login_required
@limit("information_request", key="user", method="POST")
def case_new(request):
    initial = {"email": request.user.email, "name": request.user.get_full_name(), "body": request.GET.get("body")}
    form = CaseForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.file_case(
                form.filing(), requester=request.user, uploads=uploads(form.cleaned_data["attachments"])
            )
        except services.CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Your request is filed under the number %(reference)s. The body must answer by %(due)s.")
                % {"reference": case.reference, "due": case.due_on.isoformat() if case.due_on else "—"},
            )
            return redirect(case)
    return render(request, "information_requests/case_form.html", {"form": form})


def case_detail(request, reference: str):
    case = _case(request, reference)
    requester = is_requester(request.user, case)
    officer = is_officer(request.user, case)
    full = requester or officer
    context = {
        "case": case,
        "entries": timeline(case, public=not full),
        "is_requester": requester,
        "is_officer": officer,
        "full": full,
        "overdue": case.is_overdue(),
        "paused": case.status == Status.AWAITING_CLARIFICATION,
        "appeals": list(case.appeals.select_related("step")),
    }
    if requester:
        context["reply_form"] = ReplyForm()
        context["can_appeal"] = services.can_appeal(case)
        context["appeal_form"] = AppealForm() if context["can_appeal"] else None
        context["next_step"] = services.next_appeal_step(case)
        context["can_withdraw"] = "withdraw" in {
            move.name for move in services.CASE_WORKFLOW.available(case, request.user)
        }
    return render(request, "information_requests/case_detail.html", context)


def _requester_case(request, reference: str) -> Case:
    case = _case(request, reference)
    if not is_requester(request.user, case):
        raise Http404
    return case


def _refused(request, case, error) -> None:
    if isinstance(error, TransitionNotAllowed):
        messages.error(request, _("The case has moved on meanwhile; nothing was changed."))
    else:
        messages.error(request, str(error))


@login_required
@require_POST
@limit("information_request.message", key="user", method="POST")
def case_reply(request, reference: str):
    case = _requester_case(request, reference)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect(case)
    try:
        services.reply(case, request.user, form.cleaned_data["text"], uploads(form.cleaned_data["attachments"]))
    except (services.CaseRefused, TransitionNotAllowed) as error:
        _refused(request, case, error)
    else:
        messages.success(request, _("Your message was sent to the body."))
    return redirect(case)


@login_required
@require_POST
@limit("information_request.message", key="user", method="POST")
def case_appeal(request, reference: str):
    case = _requester_case(request, reference)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you appeal."))
        return redirect(case)
    try:
        filed = services.appeal(case, request.user, form.cleaned_data["text"])
    except (services.CaseRefused, TransitionNotAllowed) as error:
        _refused(request, case, error)
    else:
        messages.success(
            request,
            _("Your appeal to %(step)s is filed; it must be decided by %(date)s.")
            % {"step": filed.step.name, "date": filed.due_on.isoformat()},
        )
    return redirect(case)


@login_required
@require_POST
@limit("information_request.message", key="user", method="POST")
def case_withdraw(request, reference: str):
    case = _requester_case(request, reference)
    try:
        services.withdraw(case, request.user)
    except (TransitionNotAllowed, PermissionDenied) as error:
        _refused(request, case, error)
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("information_requests:mine")


def attachment(request, reference: str, pk: int):
    """An attachment: the requester and the body's officers get the file; the public only its redacted copy."""
    case = _case(request, reference)
    item = get_object_or_404(Attachment.objects.filter(message__case=case).select_related("message"), pk=pk)
    if item.message.kind == item.message.Kind.NOTE and not is_officer(request.user, case):
        raise Http404
    if is_requester(request.user, case) or is_officer(request.user, case):
        stored = item.file
    elif item.is_published:
        stored = item.redacted_file
    else:
        raise Http404
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=item.name, content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    return protect_media_response(response)


def deadline_calculator(request):
    """The public deadline calculator: a law (or a body), a date of receipt, and the date the answer is due."""
    form = DeadlineForm(request.GET or None)
    deadline = form.cleaned_data["deadline"] if form.is_valid() else None
    return render(request, "information_requests/deadline.html", {"form": form, "deadline": deadline})
