"""The officers' inbox in the Wagtail admin: the cases of their bodies by urgency, one case's screen, its moves.

Every view loads the case through `_case`, among those the person answers for (inbox.inbox_cases): another
body's case is a 404 for every door, downloads and the identity number included. The moves themselves are
checked again by services.py (PermissionDenied: 403). Each POST makes one call into services.py and comes back
to the case's screen with what happened, or why nothing did.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.log_actions import log

from portal.workflow import TransitionNotAllowed

from . import admin_forms as forms
from . import inbox, services
from .models import Attachment, Case, Message, officer_bodies
from .notifications import officers_of
from .redaction import decrypt_identity
from .timeline import timeline
from .workflow import CASE_WORKFLOW, decides_appeals

CASES_PER_PAGE = 50
REVEAL_LOG_ACTION = "information_requests.reveal_identity"


def _case(request, pk: int) -> Case:
    cases = inbox.inbox_cases(request.user).select_related(
        "body", "law", "assigned_to", "refusal_reason", "transferred_to", "requester"
    )
    return get_object_or_404(cases, pk=pk)


def inbox_view(request):
    bodies = officer_bodies(request.user)
    if not bodies.exists():
        raise PermissionDenied
    filters = forms.InboxFilterForm(request.GET or None, bodies=bodies)
    cases = inbox.filter_cases(inbox.inbox_cases(request.user), request.user, filters.chosen())
    cases = inbox.by_urgency(cases.select_related("body", "assigned_to"))
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("p"))
    rows = [(case, inbox.time_left(case)) for case in page]
    query = request.GET.copy()
    query.pop("p", None)
    context = {
        "page_title": _("Information requests"),
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "information_requests/admin/inbox.html", context)


# Each move's heading and button on the case's screen.
MOVE_LABELS = {
    "acknowledge": (gettext_lazy("Acknowledge receipt"), gettext_lazy("Acknowledge")),
    "ask_clarification": (gettext_lazy("Ask for clarification (stops the clock)"), gettext_lazy("Ask")),
    "extend": (gettext_lazy("Extend the time to answer (once)"), gettext_lazy("Extend")),
    "transfer": (gettext_lazy("Transfer to the competent body"), gettext_lazy("Transfer")),
    "answer": (gettext_lazy("Answer"), gettext_lazy("Answer")),
    "refuse": (gettext_lazy("Refuse"), gettext_lazy("Refuse")),
    "not_held": (gettext_lazy("The body does not hold the information"), gettext_lazy("Send")),
    "decide_appeal": (gettext_lazy("Decide the appeal"), gettext_lazy("Decide")),
    "close": (gettext_lazy("Close the case"), gettext_lazy("Close")),
}


def _move_forms(case: Case, user) -> list[dict]:
    """The forms of the moves `user` may make on `case` now (answer stands for both answers), with their labels."""
    available = {move.name for move in CASE_WORKFLOW.available(case, user)}
    shown = {}
    if "acknowledge" in available:
        shown["acknowledge"] = forms.OptionalTextForm(case=case, prefix="acknowledge")
    if "ask_clarification" in available:
        shown["ask_clarification"] = forms.TextForm(case=case, prefix="ask_clarification")
    if "extend" in available and not case.extended and not case.urgent and case.law.extension_days:
        shown["extend"] = forms.ExtendForm(case=case, prefix="extend")
    if "transfer" in available:
        shown["transfer"] = forms.TransferForm(case=case, prefix="transfer")
    if "answer" in available or "answer_partly" in available:
        shown["answer"] = forms.AnswerForm(case=case, prefix="answer")
    if "refuse" in available and case.law.refusal_reasons.exists():
        shown["refuse"] = forms.RefuseForm(case=case, prefix="refuse")
    if "not_held" in available:
        shown["not_held"] = forms.TextForm(case=case, prefix="not_held")
    if "decide_appeal" in available:
        shown["decide_appeal"] = forms.DecideAppealForm(case=case, prefix="decide_appeal")
    if "close" in available:
        shown["close"] = forms.EmptyForm(case=case, prefix="close")
    return [
        {
            "name": name,
            "form": form,
            "title": MOVE_LABELS[name][0],
            "button": MOVE_LABELS[name][1],
            "url_name": f"information_requests_admin:{name}",
            "multipart": form.is_multipart(),
        }
        for name, form in shown.items()
    ]


def _officers(case: Case):
    return get_user_model().objects.filter(pk__in=officers_of(case).values("user")).order_by("last_name", "email")


def case_view(request, pk: int, *, identity: str | None = None):
    case = _case(request, pk)
    attachments = Attachment.objects.filter(message__case=case).select_related("message")
    context = {
        "page_title": case.reference,
        "case": case,
        "time_left": inbox.time_left(case),
        "identity": identity,
        "timeline": timeline(case, public=False, notes=True),
        "appeals": case.appeals.select_related("step"),
        "attachments": attachments,
        "publishable_kinds": (Message.Kind.ANSWER, Message.Kind.OFFICER),
        "move_forms": _move_forms(case, request.user),
        "message_form": forms.MessageForm(case=case, prefix="message"),
        "note_form": forms.TextForm(case=case, prefix="note"),
        "hide_words_form": forms.HideWordsForm(case=case, prefix="hide_words"),
        "assign_form": forms.AssignForm(case=case, prefix="assign", officers=_officers(case)),
        "redacted_form": forms.RedactedCopyForm(prefix="redacted"),
        "decides_appeals": decides_appeals(request.user, case),
    }
    return TemplateResponse(request, "information_requests/admin/case.html", context)


def _act(request, pk: int, form_class, act, done: str, **form_kwargs):
    """Check the form named after the move, make the move, and come back to the case with what happened."""
    case = _case(request, pk)
    prefix = request.resolver_match.url_name
    form = form_class(request.POST, request.FILES, case=case, prefix=prefix, **form_kwargs)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("information_requests_admin:case", pk=case.pk)
    try:
        act(case, form.cleaned_data)
    except services.CaseRefused as refused:
        messages.error(request, str(refused))
    except TransitionNotAllowed:
        messages.error(request, _("The case moved meanwhile: this can no longer be done. Here is where it stands."))
    else:
        messages.success(request, done)
    return redirect("information_requests_admin:case", pk=case.pk)


@require_POST
def acknowledge_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.OptionalTextForm,
        lambda case, data: services.acknowledge(case, request.user, data["text"]),
        _("Receipt acknowledged."),
    )


@require_POST
def ask_clarification_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.TextForm,
        lambda case, data: services.ask_clarification(case, request.user, data["text"]),
        _("The requester was asked to clarify; the clock is paused."),
    )


@require_POST
def extend_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.ExtendForm,
        lambda case, data: services.extend(case, request.user, data["reason"]),
        _("The time to answer was extended."),
    )


@require_POST
def transfer_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.TransferForm,
        lambda case, data: services.transfer(case, request.user, data["body"], data["note"]),
        _("The case was transferred."),
    )


@require_POST
def answer_view(request, pk: int):
    partly = "partly" in request.POST
    return _act(
        request,
        pk,
        forms.AnswerForm,
        lambda case, data: services.answer(
            case,
            request.user,
            data["text"],
            forms.uploads_of(data["files"]),
            partly=partly,
            marked=forms.marked_words(data["marked"]),
        ),
        _("The partial answer was sent.") if partly else _("The answer was sent."),
    )


@require_POST
def refuse_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.RefuseForm,
        lambda case, data: services.refuse(
            case, request.user, data["reason"], data["text"], marked=forms.marked_words(data["marked"])
        ),
        _("The refusal was sent."),
    )


@require_POST
def not_held_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.TextForm,
        lambda case, data: services.not_held(case, request.user, data["text"]),
        _("The requester was told the body does not hold the information."),
    )


@require_POST
def decide_appeal_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.DecideAppealForm,
        lambda case, data: services.decide_appeal(case, request.user, data["outcome"], data["decision"]),
        _("The appeal was decided."),
    )


@require_POST
def close_view(request, pk: int):
    return _act(
        request, pk, forms.EmptyForm, lambda case, data: services.close(case, request.user), _("The case is closed.")
    )


@require_POST
def message_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.MessageForm,
        lambda case, data: services.write(
            case,
            request.user,
            data["text"],
            forms.uploads_of(data["files"]),
            marked=forms.marked_words(data["marked"]),
        ),
        _("The message was sent."),
    )


@require_POST
def note_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.TextForm,
        lambda case, data: services.add_note(case, request.user, data["text"]),
        _("The note was added."),
    )


@require_POST
def hide_words_view(request, pk: int):
    return _act(
        request,
        pk,
        forms.HideWordsForm,
        lambda case, data: services.hide_words(case, request.user, forms.marked_words(data["words"])),
        _("These words are hidden from everything published of the case."),
    )


@require_POST
def assign_view(request, pk: int):
    case = _case(request, pk)
    return _act(
        request,
        pk,
        forms.AssignForm,
        lambda case, data: services.assign(case, request.user, data["officer"]),
        _("The assignment was saved."),
        officers=_officers(case),
    )


def _attachment(request, pk: int, attachment_pk: int) -> Attachment:
    case = _case(request, pk)
    return get_object_or_404(Attachment.objects.select_related("message__case"), pk=attachment_pk, message__case=case)


def attachment_view(request, pk: int, attachment_pk: int, redacted: bool = False):
    """Serve a file as a download (never shown inline: it comes from outside and could hold a script)."""
    attachment = _attachment(request, pk, attachment_pk)
    stored = attachment.redacted_file if redacted else attachment.file
    if not stored:
        raise Http404
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def publish_attachment_view(request, pk: int, attachment_pk: int):
    attachment = _attachment(request, pk, attachment_pk)
    form = forms.RedactedCopyForm(request.POST, request.FILES, prefix="redacted")
    if not form.is_valid():
        messages.error(request, _("Choose the redacted copy to upload."))
    else:
        try:
            services.publish_redacted_copy(attachment, request.user, form.cleaned_data["file"].read())
        except services.CaseRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The redacted copy of “%(name)s” is published.") % {"name": attachment.name})
    return redirect("information_requests_admin:case", pk=pk)


@require_POST
def reveal_identity_view(request, pk: int):
    """Decrypt the requester's identity number for this officer, once, with an entry in the audit log."""
    case = _case(request, pk)
    if not case.identity_number:
        messages.warning(request, _("The requester gave no identity number."))
        return redirect("information_requests_admin:case", pk=case.pk)
    log(instance=case, action=REVEAL_LOG_ACTION, user=request.user)
    # The answer to this POST shows it, and nothing keeps it: not the session, not a cache (the admin's responses
    # are never stored).
    return case_view(request, pk, identity=decrypt_identity(case.identity_number))
