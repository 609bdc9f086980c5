"""What happens to a request or complaint: filing it, each move, messages, attachments and appeals.

The public pages, the officers' inbox, the REST API and the demo all call these functions. Each checks who may
act (CASE_WORKFLOW's rules), keeps the due date in step (deadlines.py), stores what the public may read of every
text apart from the text itself (redaction.py), writes the audit trail for staff, and tells the requester.
"""

import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.bodies.auth import has_role
from portal.bodies.models import PublicBody, Role
from portal.files import FileRefused, check_attachment

from . import notifications
from .deadlines import acknowledge_deadline, appeal_deadlines, case_deadline, law_for
from .models import Appeal, AppealStep, Attachment, Case, ClockPause, Law, Message, RefusalReason, Status
from .redaction import RedactionRefused, case_terms, encrypt_identity, redact_attachment, redact_case_text
from .workflow import APPEALABLE, CASE_WORKFLOW, RUNNING, is_officer


class CaseRefused(ValueError):
    """What a person asked cannot be done; the message says why, in their language."""


@dataclass
class Filing:
    """What a citizen writes when filing a request or a complaint."""

    body: PublicBody
    subject: str
    text: str
    language: str
    name: str
    email: str
    kind: str = Case.Kind.REQUEST
    address: str = ""
    identity_number: str = ""
    show_name: bool = False
    is_public: bool = True
    urgent: bool = False
    urgent_reason: str = ""


@dataclass
class Upload:
    name: str
    data: bytes


def check_text(text: str, *, label: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseRefused(_("%(field)s is empty.") % {"field": label})
    limit = settings.REQUESTS_MAX_TEXT_LENGTH
    if len(text) > limit:
        raise CaseRefused(
            _("%(field)s is %(length)d characters long; the limit is %(limit)d.")
            % {"field": label, "length": len(text), "limit": limit}
        )
    return text


def check_upload(upload: Upload) -> str:
    """Return the content type of an attachment, or refuse it (portal.files.check_attachment's rules)."""
    try:
        return check_attachment(upload.name, upload.data, settings.REQUESTS_MAX_ATTACHMENT_SIZE)
    except FileRefused as refusal:
        raise CaseRefused(str(refusal)) from None


def _write(case: Case, kind: str, author, text: str, uploads=(), marked=()) -> Message:
    if marked and remember_hidden_words(case, marked):
        republish(case)
    message = Message.objects.create(
        case=case,
        kind=kind,
        author=author,
        text=text,
        public_text="" if kind == Message.Kind.NOTE else redact_case_text(case, text, marked),
    )
    for upload in uploads:
        attachment = Attachment(message=message, name=PurePath(upload.name).name[:255])
        attachment.content_type = check_upload(upload)
        attachment.size = len(upload.data)
        attachment.file.save(attachment.name, ContentFile(upload.data), save=False)
        # The body's own documents are published once redacted; what the requester sends stays private.
        if kind in (Message.Kind.ANSWER, Message.Kind.OFFICER):
            try:
                redacted = redact_attachment(attachment.name, upload.data, case_terms(case, marked))
            except RedactionRefused:
                redacted = None  # an officer uploads a redacted copy (an image, a scan) before it is published
            if redacted is not None:
                attachment.redacted_file.save(attachment.name, ContentFile(redacted), save=False)
                attachment.redacted_at = timezone.now()
        attachment.save()
    return message


def remember_hidden_words(case: Case, words) -> bool:
    """Add `words` to those the case hides from the public; True when any is new."""
    known = [line for line in case.hidden_words.splitlines() if line.strip()]
    new = [word.strip() for word in words if word.strip() and word.strip() not in known]
    if new:
        case.hidden_words = "\n".join([*known, *dict.fromkeys(new)])
        Case.objects.filter(pk=case.pk).update(hidden_words=case.hidden_words)
    return bool(new)


def republish(case: Case) -> None:
    """Write again what the public reads of every text of the case, with the words it hides now."""
    case.public_subject = redact_case_text(case, case.subject)[:255]
    case.save(update_fields=["public_subject", "updated_at"])
    for message in case.messages.exclude(kind=Message.Kind.NOTE):
        Message.objects.filter(pk=message.pk).update(public_text=redact_case_text(case, message.text))
    for filed in case.appeals.all():
        Appeal.objects.filter(pk=filed.pk).update(public_text=redact_case_text(case, filed.text))


def hide_words(case: Case, by, words) -> Case:
    """An officer hides more (a phone number, a neighbour's name) from everything published of the case."""
    _refuse_unless(is_officer(by, case))
    with transaction.atomic():
        if remember_hidden_words(case, words):
            republish(case)
            _audit(case, "information_requests.hide_words", by)
    return case


def _audit(case: Case, action: str, user, **data) -> None:
    log(instance=case, action=action, user=user, data=data)


def _refuse_unless(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


# ---------------------------------------------------------------------------------------------------------------
# Filing


def _new_case(**fields) -> Case:
    """Create a case, and give it its tracking number (kind, year of receipt, id) and its published subject."""
    case = Case.objects.create(reference=f"new-{uuid.uuid4().hex[:24]}", **fields)
    prefix = "C" if case.kind == Case.Kind.COMPLAINT else "R"
    case.reference = f"{prefix}-{case.received_on.year}-{case.pk:05d}"
    case.public_subject = redact_case_text(case, case.subject)[:255]
    case.save(update_fields=["reference", "public_subject"])
    return case


def file_case(filing: Filing, *, requester, uploads=()) -> Case:
    """File a request or complaint for `requester` (signed in): received today, with its due date."""
    if not requester.is_authenticated:
        raise PermissionDenied
    subject = check_text(filing.subject, label=_("The subject"))[:255]
    text = check_text(filing.text, label=_("The request"))
    law_kind = Law.Kind.COMPLAINT if filing.kind == Case.Kind.COMPLAINT else Law.Kind.ACCESS
    try:
        law = law_for(filing.body, law_kind)
    except Law.DoesNotExist:
        raise CaseRefused(_("No law sets how this body answers; the portal's administrators must name one.")) from None
    identity = (filing.identity_number or "").strip()
    if law.identity_required and filing.kind == Case.Kind.REQUEST and not identity:
        raise CaseRefused(_("The law asks for your identity card number."))
    for upload in uploads:
        check_upload(upload)
    today = timezone.localdate()
    with transaction.atomic():
        case = _new_case(
            kind=filing.kind,
            body=filing.body,
            law=law,
            subject=subject,
            text=text,
            language=filing.language,
            urgent=filing.urgent and law.urgent_days is not None,
            urgent_reason=filing.urgent_reason.strip() if filing.urgent else "",
            is_public=filing.is_public,
            requester=requester,
            requester_name=filing.name.strip()[:255],
            requester_email=filing.email.strip(),
            requester_address=filing.address.strip(),
            identity_number=encrypt_identity(identity),
            show_name=filing.show_name,
            received_on=today,
        )
        _write(case, Message.Kind.REQUEST, requester, text, uploads)
        CASE_WORKFLOW.move(
            case,
            "submit",
            by=requester,
            due_on=case_deadline(case).due,
            acknowledge_by=acknowledge_deadline(case),
        )
    notifications.tell_requester(case, "submit")
    notifications.tell_officers(case)
    return case


def transfer(case: Case, by, to_body: PublicBody, note: str) -> Case:
    """Send the case to the body that holds the information: a new case there, received today."""
    note = check_text(note, label=_("The reason for the transfer"))
    if to_body.pk == case.body_id:
        raise CaseRefused(_("The case is already with this body."))
    _refuse_unless(is_officer(by, case))
    today = timezone.localdate()
    with transaction.atomic():
        try:
            law = law_for(to_body, case.law.kind)
        except Law.DoesNotExist:
            raise CaseRefused(_("No law sets how this body answers.")) from None
        new = _new_case(
            kind=case.kind,
            body=to_body,
            law=law,
            subject=case.subject,
            hidden_words=case.hidden_words,
            text=case.text,
            language=case.language,
            urgent=case.urgent and law.urgent_days is not None,
            urgent_reason=case.urgent_reason,
            is_public=case.is_public,
            requester=case.requester,
            requester_name=case.requester_name,
            requester_email=case.requester_email,
            requester_address=case.requester_address,
            identity_number=case.identity_number,
            show_name=case.show_name,
            received_on=today,
        )
        request = Message.objects.create(
            case=new,
            kind=Message.Kind.REQUEST,
            author=case.requester,
            text=case.text,
            public_text=redact_case_text(new, case.text),
        )
        # What the requester attached goes with the request (never published, as at the first body).
        for original in Attachment.objects.filter(message__case=case, message__kind=Message.Kind.REQUEST):
            copy = Attachment(
                message=request, name=original.name, content_type=original.content_type, size=original.size
            )
            with original.file.open("rb") as stored:
                copy.file.save(original.name, ContentFile(stored.read()), save=False)
            copy.save()
        CASE_WORKFLOW.move(
            new,
            "submit",
            note=_("Transferred from %(body)s (%(reference)s).") % {"body": case.body, "reference": case.reference},
            due_on=case_deadline(new).due,
            acknowledge_by=acknowledge_deadline(new),
        )
        CASE_WORKFLOW.move(case, "transfer", by=by, note=note, transferred_to=new)
        _write(case, Message.Kind.OFFICER, by, note)
    notifications.tell_requester(case, "transfer")
    notifications.tell_officers(new)
    return new


# ---------------------------------------------------------------------------------------------------------------
# The body's moves


def acknowledge(case: Case, by, text: str = "") -> Case:
    with transaction.atomic():
        CASE_WORKFLOW.move(case, "acknowledge", by=by, note=text)
        if text.strip():
            _write(case, Message.Kind.OFFICER, by, text.strip())
    notifications.tell_requester(case, "acknowledge")
    return case


def ask_clarification(case: Case, by, text: str) -> Case:
    """Ask the requester to say more: the clock stops until they answer."""
    text = check_text(text, label=_("The question"))
    with transaction.atomic():
        CASE_WORKFLOW.move(case, "ask_clarification", by=by)
        ClockPause.objects.create(case=case, paused_on=timezone.localdate())
        _write(case, Message.Kind.OFFICER, by, text)
    notifications.tell_requester(case, "ask_clarification")
    return case


def extend(case: Case, by, reason: str) -> Case:
    """Extend the time to answer, once, by what the law allows, with a reason the requester reads."""
    reason = check_text(reason, label=_("The reason for the extension"))
    if not case.law.extension_days:
        raise CaseRefused(_("The law allows no extension."))
    if case.extended:
        raise CaseRefused(_("The time to answer was already extended once."))
    if case.urgent:
        raise CaseRefused(_("An urgent request cannot be extended."))
    with transaction.atomic():
        case.extended = True
        CASE_WORKFLOW.move(
            case, "extend", by=by, note=reason, extended=True, extension_reason=reason, due_on=case_deadline(case).due
        )
        _write(case, Message.Kind.OFFICER, by, reason)
    notifications.tell_requester(case, "extend")
    return case


def answer(case: Case, by, text: str, uploads=(), *, partly: bool = False, marked=()) -> Case:
    """Answer fully or in part; attachments are published as redacted copies."""
    text = check_text(text, label=_("The answer"))
    move = "answer_partly" if partly else "answer"
    with transaction.atomic():
        CASE_WORKFLOW.move(case, move, by=by, decided_on=timezone.localdate())
        _write(case, Message.Kind.ANSWER, by, text, uploads, marked)
    notifications.tell_requester(case, move)
    return case


def refuse(case: Case, by, reason: RefusalReason, text: str, *, marked=()) -> Case:
    """Refuse on one of the law's grounds, in writing."""
    text = check_text(text, label=_("The reasons"))
    if reason.law_id != case.law_id:
        raise CaseRefused(_("This ground for refusal is not one of the case's law."))
    with transaction.atomic():
        CASE_WORKFLOW.move(
            case, "refuse", by=by, note=reason.label, refusal_reason=reason, decided_on=timezone.localdate()
        )
        _write(case, Message.Kind.ANSWER, by, text, marked=marked)
    notifications.tell_requester(case, "refuse")
    return case


def not_held(case: Case, by, text: str) -> Case:
    text = check_text(text, label=_("The answer"))
    with transaction.atomic():
        CASE_WORKFLOW.move(case, "not_held", by=by, decided_on=timezone.localdate())
        _write(case, Message.Kind.ANSWER, by, text)
    notifications.tell_requester(case, "not_held")
    return case


def write(case: Case, by, text: str, uploads=(), *, marked=()) -> Message:
    """A message from the body that moves nothing (a question answered, a document sent ahead)."""
    _refuse_unless(is_officer(by, case))
    text = check_text(text, label=_("The message"))
    with transaction.atomic():
        message = _write(case, Message.Kind.OFFICER, by, text, uploads, marked)
        case.save(update_fields=["updated_at"])  # the feed and the search follow the case's changes
        _audit(case, "information_requests.message", by)
    notifications.tell_requester(case, "message")
    return message


def add_note(case: Case, by, text: str) -> Message:
    """An internal note: the body's staff read it, nobody else ever does."""
    _refuse_unless(is_officer(by, case))
    text = check_text(text, label=_("The note"))
    with transaction.atomic():
        message = _write(case, Message.Kind.NOTE, by, text)
        _audit(case, "information_requests.note", by)
    return message


def assign(case: Case, by, officer) -> Case:
    """Give the case to one of the body's information officers (or to nobody)."""
    _refuse_unless(is_officer(by, case))
    if officer is not None and not has_role(officer, Role.INFORMATION_OFFICER, case.body):
        raise CaseRefused(_("%(person)s does not answer requests for this body.") % {"person": officer})
    Case.objects.filter(pk=case.pk).update(assigned_to=officer)
    case.assigned_to = officer
    _audit(case, "information_requests.assign", by, officer=str(officer or ""))
    return case


def publish_redacted_copy(attachment: Attachment, by, data: bytes) -> Attachment:
    """An officer's own redacted copy of an attachment (a scan, an image) that the portal cannot redact."""
    case = attachment.message.case
    _refuse_unless(is_officer(by, case))
    if attachment.message.kind not in (Message.Kind.ANSWER, Message.Kind.OFFICER):
        raise CaseRefused(_("Only the body's own documents are published."))
    check_upload(Upload(attachment.name, data))
    attachment.redacted_file.save(attachment.name, ContentFile(data), save=False)
    attachment.redacted_at = timezone.now()
    attachment.save(update_fields=["redacted_file", "redacted_at"])
    _audit(case, "information_requests.publish_attachment", by, attachment=attachment.name)
    return attachment


# ---------------------------------------------------------------------------------------------------------------
# The requester's moves


def reply(case: Case, by, text: str, uploads=()) -> Message:
    """The requester writes on their case; while the body awaits clarification, this is it and the clock restarts."""
    text = check_text(text, label=_("The message"))
    if case.status == Status.AWAITING_CLARIFICATION:
        with transaction.atomic():
            move = "clarify_extended" if case.extended else "clarify"
            if by is None or not CASE_WORKFLOW.moves[move].allowed(by, case):
                raise PermissionDenied
            ClockPause.objects.filter(case=case, resumed_on__isnull=True).update(resumed_on=timezone.localdate())
            CASE_WORKFLOW.move(case, move, by=by, due_on=case_deadline(case).due)
            message = _write(case, Message.Kind.REPLY, by, text, uploads)
        notifications.tell_officers(case)
        return message
    _refuse_unless(case.requester_id is not None and by.is_authenticated and case.requester_id == by.pk)
    if case.status in (Status.DRAFT, Status.WITHDRAWN, Status.CLOSED, Status.TRANSFERRED):
        raise CaseRefused(_("This case takes no more messages."))
    with transaction.atomic():
        message = _write(case, Message.Kind.REPLY, by, text, uploads)
        case.save(update_fields=["updated_at"])
    notifications.tell_officers(case)
    return message


def withdraw(case: Case, by) -> Case:
    with transaction.atomic():
        CASE_WORKFLOW.move(case, "withdraw", by=by)
        ClockPause.objects.filter(case=case, resumed_on__isnull=True).update(resumed_on=timezone.localdate())
    notifications.tell_officers(case)
    return case


def next_appeal_step(case: Case) -> AppealStep | None:
    used = case.appeals.values_list("step_id", flat=True)
    return case.law.appeal_steps.exclude(pk__in=used).order_by("sort_order", "pk").first()


def appeal_refusal(case: Case, today) -> str | None:
    """Why the requester may not appeal today (None: they may): a decision to appeal, or silence past a due date
    where the law counts it as refusal, or an appeal authority's silence past its own."""
    if case.status not in APPEALABLE:
        return _("This case cannot be appealed.")
    step = next_appeal_step(case)
    if step is None:
        return _("There is no further appeal under this law.")
    if case.status in RUNNING and not (case.law.silence_is_refusal and case.is_overdue(today)):
        return _("The body still has time to answer; you may appeal once the due date has passed.")
    pending = case.appeals.filter(decided_on__isnull=True).order_by("-filed_on", "-pk").first()
    if case.status == Status.UNDER_APPEAL and pending is not None and pending.due_on >= today:
        return _("Your appeal awaits its decision until %(date)s.") % {"date": pending.due_on.isoformat()}
    if case.status == Status.APPEAL_DECIDED:
        last = case.appeals.order_by("-filed_on", "-pk").first()
        if last is not None and last.outcome == Appeal.Outcome.UPHELD:
            return _("Your appeal was upheld: the body must now answer.")
    file_by, _decide_by = appeal_deadlines(case, step, today)
    if file_by is not None and today > file_by:
        return _("The time to appeal ended on %(date)s.") % {"date": file_by.isoformat()}
    return None


def can_appeal(case: Case, today=None) -> bool:
    return appeal_refusal(case, today or timezone.localdate()) is None


def appeal(case: Case, by, text: str) -> Appeal:
    """Take the case one step up the law's ladder, with its own clock."""
    text = check_text(text, label=_("The grounds of the appeal"))
    today = timezone.localdate()
    refusal = appeal_refusal(case, today)
    if refusal is not None:
        raise CaseRefused(refusal)
    step = next_appeal_step(case)
    _file_by, decide_by = appeal_deadlines(case, step, today)
    try:
        with transaction.atomic():
            CASE_WORKFLOW.move(case, "appeal", by=by, note=step.name)
            filed = Appeal.objects.create(
                case=case,
                step=step,
                text=text,
                public_text=redact_case_text(case, text),
                filed_on=today,
                due_on=decide_by,
            )
    except IntegrityError:  # the same appeal, filed twice at once (a double click): the first one stands
        raise CaseRefused(_("This appeal is already filed.")) from None
    notifications.tell_requester(case, "appeal")
    notifications.tell_officers(case)
    return filed


def decide_appeal(case: Case, by, outcome: str, decision: str) -> Appeal:
    decision = check_text(decision, label=_("The decision"))
    if outcome not in Appeal.Outcome.values:
        raise CaseRefused(_("Choose the outcome of the appeal."))
    pending = case.appeals.filter(decided_on__isnull=True).order_by("-filed_on", "-pk").first()
    if pending is None:
        raise CaseRefused(_("No appeal awaits a decision."))
    with transaction.atomic():
        CASE_WORKFLOW.move(case, "decide_appeal", by=by, note=decision)
        pending.outcome = outcome
        pending.decision = decision
        pending.decided_on = timezone.localdate()
        pending.save(update_fields=["outcome", "decision", "decided_on"])
    notifications.tell_requester(case, "decide_appeal")
    return pending


def close(case: Case, by) -> Case:
    CASE_WORKFLOW.move(case, "close", by=by)
    return case
