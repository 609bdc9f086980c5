"""What happens to a proposal: writing, publishing and editing it, supports, follows, comments, reports,
moderation, official answers, merging and conversion.

The public pages, the staff screens, the REST API and the demo all call these functions. Each checks who may act
(PROPOSAL_WORKFLOW's rules and the checks below), writes the audit trail for staff, and tells the people
concerned (notifications.py).
"""

import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.accounts.models import Membership, Organisation, is_verified
from portal.bodies.models import District, district_containing
from portal.files import FileRefused, check_attachment, reencode_photo
from portal.workflow import TransitionNotAllowed

from . import notifications, supports
from .models import (
    Answer,
    Attachment,
    Comment,
    Edit,
    Follow,
    ModerationEntry,
    Proposal,
    Report,
    Space,
    Status,
    Support,
)
from .workflow import OPEN, OUTCOMES, PROPOSAL_WORKFLOW, merges, moderates

PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
# Documents beside photos: PDF and office documents, no tables or plain text (a proposal is not a dataset).
DOCUMENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}


class ProposalRefused(ValueError):
    """What a person asked cannot be done; the message says why, in their language."""


@dataclass
class Draft:
    """What an author writes: the proposal's text and where it is, and on whose behalf."""

    title: str
    text: str
    language: str
    category: object = None
    longitude: float | None = None
    latitude: float | None = None
    district: District | None = None
    estimated_cost: Decimal | None = None
    organisation: Organisation | None = None
    pseudonym: str = ""
    uploads: list = field(default_factory=list)


@dataclass
class Upload:
    name: str
    data: bytes


def _check_text(text: str, label: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ProposalRefused(_("%(field)s is empty.") % {"field": label})
    if len(text) > limit:
        raise ProposalRefused(
            _("%(field)s is %(length)d characters long; the limit is %(limit)d.")
            % {"field": label, "length": len(text), "limit": limit}
        )
    return text


def districts_of(space: Space):
    """The districts a proposal of `space` may concern: the space's own, else those of its body and below."""
    chosen = space.districts.all()
    if chosen.exists():
        return chosen
    return District.objects.filter(body__path__startswith=space.body.path)


def place(space: Space, longitude: float | None, latitude: float | None) -> District | None:
    """The district containing the point; refused when the point is outside the territory the space covers.

    A body without district boundaries has no territory to check against: its points are accepted as given.
    """
    if longitude is None and latitude is None:
        return None
    if longitude is None or latitude is None or not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise ProposalRefused(_("The point on the map is not a valid position."))
    districts = list(districts_of(space))
    district = district_containing(districts, longitude, latitude)
    if district is not None:
        return district
    if districts:
        raise ProposalRefused(
            _("The point on the map is outside the territory of %(body)s.") % {"body": space.body.name}
        )
    return None


def check_photo(upload: Upload) -> tuple[bytes, str]:
    try:
        return reencode_photo(
            upload.name,
            upload.data,
            max_size=settings.PROPOSALS_MAX_PHOTO_SIZE,
            max_pixels=settings.PROPOSALS_MAX_PHOTO_PIXELS,
        )
    except FileRefused as refusal:
        raise ProposalRefused(str(refusal)) from None


def check_document(upload: Upload) -> str:
    try:
        content_type = check_attachment(upload.name, upload.data, settings.PROPOSALS_MAX_FILE_SIZE)
    except FileRefused as refusal:
        raise ProposalRefused(str(refusal)) from None
    if content_type not in DOCUMENT_TYPES:
        raise ProposalRefused(
            _("“%(name)s” is not a PDF or office document. Attach photos as images.") % {"name": upload.name}
        )
    return content_type


def attach(proposal: Proposal, upload: Upload) -> Attachment:
    """Store a photo (re-encoded) or a document (checked) on the proposal."""
    name = PurePath(upload.name.replace("\\", "/")).name[:200] or "file"
    if proposal.attachments.count() >= settings.PROPOSALS_MAX_FILES:
        raise ProposalRefused(_("A proposal has at most %(count)d files.") % {"count": settings.PROPOSALS_MAX_FILES})
    looks_like_image = upload.data[:4] in (b"\x89PNG", b"GIF8", b"RIFF") or upload.data[:3] == b"\xff\xd8\xff"
    if looks_like_image or PurePath(name).suffix.lower() in (".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic"):
        data, content_type = check_photo(upload)
        kind = Attachment.Kind.PHOTO
        name = f"{PurePath(name).stem[:190]}.{'png' if content_type == 'image/png' else 'jpg'}"
    else:
        data, content_type, kind = upload.data, check_document(upload), Attachment.Kind.DOCUMENT
    attachment = Attachment(proposal=proposal, kind=kind, name=name, content_type=content_type, size=len(data))
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment


def check_organisation(user, organisation: Organisation | None) -> None:
    """An author acts for an association only as one of its members, and only once staff approved it."""
    if organisation is None:
        return
    if not organisation.is_approved():
        raise ProposalRefused(_("This association is not approved yet."))
    if not Membership.objects.filter(organisation=organisation, user=user).exists():
        raise PermissionDenied


def write(space: Space, author, draft: Draft, *, publish: bool = True) -> Proposal:
    """Save a new proposal (published at once unless `publish` is False) with its files; its author follows it."""
    if not author.is_authenticated:
        raise PermissionDenied
    if not space.is_open():
        raise ProposalRefused(_("This space does not accept proposals now."))
    check_organisation(author, draft.organisation)
    if draft.category is not None and draft.category.space_id != space.pk:
        raise ProposalRefused(_("Choose a category of this space."))
    district = place(space, draft.longitude, draft.latitude) or draft.district
    if draft.district is not None and district != draft.district:
        raise ProposalRefused(_("The point on the map is not in the district chosen."))
    if district is not None and district not in districts_of(space):
        raise ProposalRefused(_("Choose a district of this space."))
    if draft.estimated_cost is not None and draft.estimated_cost < 0:
        raise ProposalRefused(_("The estimated cost cannot be negative."))
    with transaction.atomic():
        proposal = Proposal.objects.create(
            space=space,
            title=_check_text(draft.title, _("The title"), 200),
            text=_check_text(draft.text, _("The description"), settings.PROPOSALS_MAX_TEXT_LENGTH),
            language=draft.language,
            category=draft.category,
            district=district,
            longitude=draft.longitude,
            latitude=draft.latitude,
            estimated_cost=draft.estimated_cost,
            author=author,
            organisation=draft.organisation,
            pseudonym="" if draft.organisation else draft.pseudonym.strip()[:100],
        )
        for upload in draft.uploads:
            attach(proposal, upload)
        Follow.objects.create(proposal=proposal, user=author)
        if publish:
            publish_proposal(proposal, author)
    return proposal


def publish_proposal(proposal: Proposal, by) -> Proposal:
    return PROPOSAL_WORKFLOW.move(proposal, "publish", by=by, published_at=timezone.now())


def withdraw(proposal: Proposal, by) -> Proposal:
    PROPOSAL_WORKFLOW.move(proposal, "withdraw", by=by)
    notifications.tell_followers(proposal, exclude=by)
    return proposal


def edit(proposal: Proposal, by, *, title: str, text: str) -> Proposal:
    """Change a proposal's title and text. Once published, each change is kept (Edit) and shown as a diff, so
    that a proposal cannot change meaning under its supporters' names unseen; they are told."""
    if by.pk != proposal.author_id:
        raise PermissionDenied
    if proposal.status not in (Status.DRAFT, *OPEN):
        raise ProposalRefused(_("This proposal can no longer be edited."))
    title = _check_text(title, _("The title"), 200)
    text = _check_text(text, _("The description"), settings.PROPOSALS_MAX_TEXT_LENGTH)
    if title == proposal.title and text == proposal.text:
        return proposal
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != Status.DRAFT:
            Edit.objects.create(
                proposal=locked,
                by=by,
                supports_at_edit=locked.supports_count,
                old_title=locked.title,
                new_title=title,
                old_text=locked.text,
                new_text=text,
            )
        locked.title, locked.text = title, text
        locked.save(update_fields=["title", "text", "updated_at"])  # post_save: the search index follows
    proposal.refresh_from_db()
    if proposal.status != Status.DRAFT and proposal.supports_count:
        notifications.tell_supporters_of_edit(proposal)
    return proposal


def _check_may_support(proposal: Proposal, user, organisation: Organisation | None) -> None:
    if not is_verified(user):
        raise ProposalRefused(_("Only residents whose identity is verified can support proposals."))
    if not proposal.is_open:
        raise ProposalRefused(_("This proposal does not accept supports now."))
    if organisation is not None:
        if not organisation.is_approved():
            raise ProposalRefused(_("This association is not approved yet."))
        if not Membership.objects.filter(organisation=organisation, user=user, role=Membership.Role.ADMIN).exists():
            raise PermissionDenied


def support(proposal: Proposal, user, organisation: Organisation | None = None) -> int:
    """Add the support of a verified person (or of an association, by one of its managers); return the count.

    The database's unique constraints keep one support per person and per association even when requests race;
    the count is kept in the same transaction, so it always equals the rows. Supporting twice changes nothing.
    """
    _check_may_support(proposal, user, organisation)
    count = supports.add_support(proposal, user, organisation)
    if count is None:  # supported already: nothing changed
        return supports.count_of(proposal)
    if count >= proposal.space.support_threshold and proposal.status == Status.PUBLISHED:
        reach_threshold(proposal)
    return count


def withdraw_support(proposal: Proposal, user, organisation: Organisation | None = None) -> int:
    """Take a support back while the space and the proposal are open; return the count.

    Once a proposal is answered or merged its supports stay as they were when that happened (a merged
    proposal's supports live on in the proposal that carries on, where they are withdrawn)."""
    if not proposal.space.is_open():
        raise ProposalRefused(_("Supports can no longer be withdrawn: the space is closed."))
    if proposal.status not in OPEN:
        raise ProposalRefused(_("The supports of this proposal can no longer change."))
    if organisation is None:
        given = Support.objects.filter(proposal=proposal, user=user, organisation=None)
    else:
        # An association's support is the association's: any of its managers (and only they) may take it back.
        if not Membership.objects.filter(organisation=organisation, user=user, role=Membership.Role.ADMIN).exists():
            raise PermissionDenied
        given = Support.objects.filter(proposal=proposal, organisation=organisation)
    with transaction.atomic():
        deleted, _rows = given.delete()
        if deleted:
            Proposal.objects.filter(pk=proposal.pk).update(supports_count=F("supports_count") - 1)
    return Proposal.objects.values_list("supports_count", flat=True).get(pk=proposal.pk)


def reach_threshold(proposal: Proposal) -> Proposal:
    """The council now owes an answer within the space's time: the due date is set and staff are told."""
    due = timezone.localdate() + timedelta(days=proposal.space.answer_days)
    try:
        PROPOSAL_WORKFLOW.move(
            proposal,
            "reach_threshold",
            note=str(proposal.supports_count),
            answer_due=due,
            threshold_reached_at=timezone.now(),
        )
    except TransitionNotAllowed:
        return proposal  # another support's request made the move first
    notifications.tell_followers(proposal)
    notifications.tell_staff_threshold(proposal)
    return proposal


def follow(proposal: Proposal, user) -> None:
    if not user.is_authenticated:
        raise PermissionDenied
    Follow.objects.get_or_create(proposal=proposal, user=user)


def unfollow(proposal: Proposal, user) -> None:
    Follow.objects.filter(proposal=proposal, user=user).delete()


def _mention_form(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).casefold()


def mentioned(proposal: Proposal, text: str) -> list:
    """The participants of the discussion (its author and commenters) named after an @ in `text`, by the name
    they appear under (never a hidden account's real name); spaces in a name may be written as underscores."""
    if "@" not in text:
        return []
    written = _mention_form(text)
    people = {}
    for earlier in proposal.comments.filter(hidden_at=None).select_related("author", "organisation"):
        people.setdefault(_mention_form(earlier.signature()), earlier.author)
    people.setdefault(_mention_form(proposal.signature()), proposal.author)
    return [person for name, person in people.items() if name and f"@{name}" in written]


def comment(
    proposal: Proposal,
    author,
    text: str,
    *,
    language: str,
    parent: Comment | None = None,
    organisation: Organisation | None = None,
    pseudonym: str = "",
) -> Comment:
    """Add a comment (a reply when `parent` is given); mentioned participants and followers are told."""
    if not author.is_authenticated:
        raise PermissionDenied
    if not proposal.is_open:
        raise ProposalRefused(_("The discussion of this proposal is closed."))
    if parent is not None and parent.proposal_id != proposal.pk:
        raise ProposalRefused(_("Reply to a comment of this proposal."))
    check_organisation(author, organisation)
    text = _check_text(text, _("The comment"), settings.PROPOSALS_MAX_COMMENT_LENGTH)
    with transaction.atomic():
        new = Comment.objects.create(
            proposal=proposal,
            parent=parent,
            author=author,
            organisation=organisation,
            pseudonym="" if organisation else pseudonym.strip()[:100],
            text=text,
            language=language,
        )
        Proposal.objects.filter(pk=proposal.pk).update(comments_count=F("comments_count") + 1)
    notifications.tell_about_comment(new, mentioned(proposal, text))
    return new


def edit_comment(target: Comment, by, text: str) -> Comment:
    """Authors may correct a comment for PROPOSALS_COMMENT_EDIT_MINUTES after writing it."""
    if by.pk != target.author_id:
        raise PermissionDenied
    window = timedelta(minutes=settings.PROPOSALS_COMMENT_EDIT_MINUTES)
    if target.is_hidden or timezone.now() - target.created_at > window:
        raise ProposalRefused(_("This comment can no longer be edited."))
    target.text = _check_text(text, _("The comment"), settings.PROPOSALS_MAX_COMMENT_LENGTH)
    target.edited_at = timezone.now()
    target.save(update_fields=["text", "edited_at"])
    return target


def report(
    by, *, reason: str, details: str = "", proposal: Proposal | None = None, target: Comment | None = None
) -> Report:
    """Record a user's report. A proposal reported by PROPOSALS_REPORTS_TO_HIDE people is hidden pending a
    moderator's review; moderators are told of every report."""
    if not by.is_authenticated:
        raise PermissionDenied
    if (proposal is None) == (target is None):
        raise ValueError("Report a proposal or a comment.")
    subject = proposal or target.proposal
    with transaction.atomic():
        try:
            with transaction.atomic():
                made = Report.objects.create(
                    reporter=by, reason=reason, details=details.strip()[:2000], proposal=proposal, comment=target
                )
        except IntegrityError:
            raise ProposalRefused(_("You have reported this already.")) from None
        counted = Proposal if proposal else Comment
        counted.objects.filter(pk=(proposal or target).pk).update(reports_count=F("reports_count") + 1)
    if proposal is not None:
        proposal.refresh_from_db()
        if proposal.reports_count >= settings.PROPOSALS_REPORTS_TO_HIDE and proposal.status in OPEN:
            with contextlib.suppress(TransitionNotAllowed):
                PROPOSAL_WORKFLOW.move(
                    proposal, "hide", note=_("Reported by several people."), hidden_from=proposal.status
                )
    notifications.tell_moderators(subject, made)
    return made


def _moderation(proposal, action, by, reason="", target: Comment | None = None) -> ModerationEntry:
    author = target.author if target is not None else proposal.author
    return ModerationEntry.objects.create(
        body=proposal.space.body, action=action, reason=reason, proposal=proposal, comment=target, author=author, by=by
    )


def _resolve_reports(by, outcome, *, proposal=None, target=None) -> None:
    reports = Report.objects.filter(resolved_at=None, **({"comment": target} if target else {"proposal": proposal}))
    reports.update(resolved_at=timezone.now(), resolved_by=by, outcome=outcome)
    counted = Comment if target else Proposal
    counted.objects.filter(pk=(target or proposal).pk).update(reports_count=0)


def hide_proposal(proposal: Proposal, by, reason: str) -> Proposal:
    reason = _check_text(reason, _("The reason"), 2000)
    with transaction.atomic():
        PROPOSAL_WORKFLOW.move(proposal, "hide", by=by, note=reason, hidden_from=proposal.status)
        _resolve_reports(by, Report.Outcome.HIDDEN, proposal=proposal)
        _moderation(proposal, ModerationEntry.Action.HIDE_PROPOSAL, by, reason)
    notifications.tell_author_moderated(proposal, reason)
    return proposal


def restore_proposal(proposal: Proposal, by, reason: str = "") -> Proposal:
    """Show a hidden proposal again, with the status it had (or published, when code hid it before review)."""
    back_to = proposal.hidden_from or Status.PUBLISHED
    with transaction.atomic():
        PROPOSAL_WORKFLOW.move(proposal, f"restore_{back_to}", by=by, note=reason, hidden_from="")
        _resolve_reports(by, Report.Outcome.DISMISSED, proposal=proposal)
        _moderation(proposal, ModerationEntry.Action.RESTORE_PROPOSAL, by, reason)
    if proposal.status == Status.PUBLISHED and proposal.supports_count >= proposal.space.support_threshold:
        reach_threshold(proposal)
    return proposal


def hide_comment(target: Comment, by, reason: str) -> Comment:
    """Hide a comment with the reason the public sees in its place; only moderators of the proposal's body."""
    if not moderates(by, target.proposal):
        raise PermissionDenied
    reason = _check_text(reason, _("The reason"), 2000)
    with transaction.atomic():
        Comment.objects.filter(pk=target.pk).update(hidden_at=timezone.now(), hidden_by=by, hidden_reason=reason)
        _resolve_reports(by, Report.Outcome.HIDDEN, target=target)
        _moderation(target.proposal, ModerationEntry.Action.HIDE_COMMENT, by, reason, target)
        log(
            instance=target.proposal,
            action="proposals.comment.hide",
            user=by,
            data={"comment": target.pk, "reason": reason},
        )
    target.refresh_from_db()
    return target


def restore_comment(target: Comment, by, reason: str = "") -> Comment:
    if not moderates(by, target.proposal):
        raise PermissionDenied
    with transaction.atomic():
        Comment.objects.filter(pk=target.pk).update(hidden_at=None, hidden_by=None, hidden_reason="")
        _moderation(target.proposal, ModerationEntry.Action.RESTORE_COMMENT, by, reason, target)
        log(instance=target.proposal, action="proposals.comment.restore", user=by, data={"comment": target.pk})
    target.refresh_from_db()
    return target


def dismiss_reports(by, *, proposal: Proposal | None = None, target: Comment | None = None) -> None:
    """The reports were unfounded: close them and leave the content as it is."""
    subject = proposal or target.proposal
    if not moderates(by, subject):
        raise PermissionDenied
    with transaction.atomic():
        _resolve_reports(by, Report.Outcome.DISMISSED, proposal=proposal, target=target)
        _moderation(subject, ModerationEntry.Action.DISMISS, by, "", target)


def answer(proposal: Proposal, by, outcome: str, text: str, *, language: str) -> Answer:
    """Give the council's official answer: under study, accepted, rejected, not competent or already planned.

    A rejection and a "not competent" answer must say why; every answer is public, signed and dated.
    """
    if outcome not in OUTCOMES:
        raise ProposalRefused(_("Choose an outcome for the answer."))
    text = _check_text(text, _("The answer"), settings.PROPOSALS_MAX_TEXT_LENGTH)
    with transaction.atomic():
        PROPOSAL_WORKFLOW.move(proposal, outcome, by=by, note=text[:500])
        made = Answer.objects.create(proposal=proposal, status=outcome, text=text, language=language, by=by)
    notifications.tell_followers(proposal, answer=made)
    return made


def merge(proposal: Proposal, into: Proposal, by, reason: str) -> Proposal:
    """Merge a duplicate into another proposal of the same space: its supports and followers move there
    (none twice), and its page points to the one that carries on."""
    if not merges(by, proposal):
        raise PermissionDenied
    if into.pk == proposal.pk or into.space_id != proposal.space_id or into.status not in OPEN:
        raise ProposalRefused(_("Merge into another open proposal of the same space."))
    reason = _check_text(reason, _("The reason"), 2000)
    with transaction.atomic():
        # Lock the proposal that carries on: a support of it waits until its count below is written.
        Proposal.objects.select_for_update().filter(pk=into.pk).values_list("pk").first()
        PROPOSAL_WORKFLOW.move(proposal, "merge", by=by, note=reason, merged_into=into)
        taken = set(into.supports.values_list("user_id", "organisation_id"))
        moved = [
            Support(proposal=into, user_id=user_id, organisation_id=organisation_id)
            for user_id, organisation_id in proposal.supports.values_list("user_id", "organisation_id")
            if (user_id, organisation_id) not in taken
        ]
        Support.objects.bulk_create(moved, ignore_conflicts=True)
        following = set(into.follows.values_list("user_id", flat=True))
        followers = proposal.follows.exclude(user_id__in=following).values_list("user_id", flat=True)
        Follow.objects.bulk_create([Follow(proposal=into, user_id=user) for user in followers], ignore_conflicts=True)
        Proposal.objects.filter(pk=into.pk).update(supports_count=into.supports.count())
        _moderation(proposal, ModerationEntry.Action.MERGE, by, reason)
    into.refresh_from_db()
    notifications.tell_followers(proposal, exclude=by)
    if into.status == Status.PUBLISHED and into.supports_count >= into.space.support_threshold:
        reach_threshold(into)
    return proposal


def convert(proposal: Proposal, by, note: str) -> Proposal:
    """Record that an accepted proposal became a project of a participatory budgeting cycle."""
    note = _check_text(note, _("The note"), 2000)
    PROPOSAL_WORKFLOW.move(proposal, "convert", by=by, note=note)
    notifications.tell_followers(proposal, exclude=by)
    return proposal
