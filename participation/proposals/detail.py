"""What a proposal's page shows besides the proposal: its history (moves and edits), its discussion as a tree,
and whether the visitor may support it, and why not."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from portal.accounts.models import Membership, Organisation, is_verified
from portal.workflow import history

from .models import Comment, Proposal, Status, Support


@dataclass
class Entry:
    """One line of a proposal's history: a move (`status`, `note`, `who`) or an edit (`edit`)."""

    at: datetime
    kind: str
    status: str = ""
    note: str = ""
    who: str = ""
    supports: str = ""
    edit: object = None


def history_of(proposal: Proposal) -> list[Entry]:
    """Every move of the proposal and every edit of its text, oldest first.

    A move the author made is signed as the proposal is (never their name when they chose a pseudonym); a move of
    staff by the body; a move made by code (the threshold reached) by nobody.
    """
    labels = dict(Status.choices)
    entries = []
    for event in history(proposal):
        if event.by_id is None:
            who = ""
        elif event.by_id == proposal.author_id:
            who = proposal.signature()
        else:
            who = proposal.space.body.name
        entry = Entry(at=event.at, kind="move", status=str(labels.get(event.to_status, event.to_status)), who=who)
        if event.to_status == Status.THRESHOLD_REACHED and event.note.isdigit():
            entry.supports = event.note
        else:
            entry.note = event.note
        entries.append(entry)
    entries.extend(Entry(at=edit.at, kind="edit", edit=edit) for edit in proposal.edits.all())
    return sorted(entries, key=lambda entry: entry.at)


def comment_tree(proposal: Proposal, user) -> list[Comment]:
    """The proposal's comments that answer no other, each with `thread` (its replies, as a tree) and `editable`
    (its author may still correct it). One query, whatever the depth."""
    comments = list(proposal.comments.select_related("author", "organisation"))
    window = timedelta(minutes=settings.PROPOSALS_COMMENT_EDIT_MINUTES)
    now = timezone.now()
    children: dict[int | None, list[Comment]] = {}
    for comment in comments:
        comment.thread = []  # type: ignore[attr-defined]
        comment.editable = (  # type: ignore[attr-defined]
            user.is_authenticated
            and comment.author_id == user.pk
            and not comment.is_hidden
            and now - comment.created_at <= window
        )
        children.setdefault(comment.parent_id, []).append(comment)
    for comment in comments:
        comment.thread = children.get(comment.pk, [])  # type: ignore[attr-defined]
    return children.get(None, [])


def managed_organisations(user):
    """The approved associations `user` manages: those they may support a proposal for."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.approved().filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)


@dataclass
class SupportState:
    """What the support box shows: why the visitor cannot support (`refusal`: sign_in, unverified, closed), or
    whether they do, and the associations they may support for."""

    refusal: str = ""
    supported: bool = False
    may_withdraw: bool = False
    organisations: list = field(default_factory=list)


def support_state(proposal: Proposal, user) -> SupportState:
    state = SupportState()
    if not user.is_authenticated:
        state.refusal = "sign_in"
        return state
    supports = set(Support.objects.filter(proposal=proposal, user=user).values_list("organisation_id", flat=True))
    state.supported = None in supports
    state.may_withdraw = proposal.space.is_open()
    if not is_verified(user):
        state.refusal = "unverified"
    elif not proposal.is_open:
        state.refusal = "closed"
    state.organisations = [(organisation, organisation.pk in supports) for organisation in managed_organisations(user)]
    return state
