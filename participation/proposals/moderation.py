"""What moderators have to do and what they did: the open reports grouped by what they report, the hidden
content, the repeat offenders and the log, for staff; and the counts the public reads (`summary`).

Plain read-only functions: services.py makes every change. `summary` returns counts only, never a name, an
address or a word of what was hidden.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncMonth

from portal.bodies.models import PublicBody

from .models import Comment, ModerationEntry, Proposal, Reason, Report, Status

HIDING = (ModerationEntry.Action.HIDE_PROPOSAL, ModerationEntry.Action.HIDE_COMMENT)
# Hidden contents of one author that make a repeat offender.
REPEAT_OFFENCES = 2


# Staff: the queue -------------------------------------------------------------------------------------------


@dataclass
class Reported:
    """A proposal or a comment with open reports: how many, for which reasons, since when."""

    proposal: Proposal
    comment: Comment | None
    count: int = 0
    first_at: datetime.datetime | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    @property
    def reason_labels(self) -> list[tuple[str, int]]:
        return [(Reason(reason).label, count) for reason, count in sorted(self.reasons.items())]


def open_reports(bodies: QuerySet[PublicBody]) -> QuerySet[Report]:
    """The unresolved reports on the proposals and comments of `bodies`."""
    return Report.objects.filter(resolved_at=None).filter(
        Q(proposal__space__body__in=bodies) | Q(comment__proposal__space__body__in=bodies)
    )


def queue(bodies: QuerySet[PublicBody]) -> list[Reported]:
    """The reported proposals and comments of `bodies`, longest waiting first, each with its reasons' counts."""
    rows = (
        open_reports(bodies)
        .values("proposal", "comment", "reason")
        .annotate(count=Count("pk"), first_at=Min("created_at"))
        .order_by()
    )
    targets: dict[tuple[int | None, int | None], Reported] = {}
    proposal_ids: set[int] = set()
    comment_ids: set[int] = set()
    grouped: dict[tuple[int | None, int | None], list[dict]] = defaultdict(list)
    for row in rows:
        key = (row["proposal"], row["comment"])
        grouped[key].append(row)
        if row["comment"]:
            comment_ids.add(row["comment"])
        else:
            proposal_ids.add(row["proposal"])
    comments = Comment.objects.select_related("proposal__space__body", "author").in_bulk(comment_ids)
    proposals = Proposal.objects.select_related("space__body", "author").in_bulk(proposal_ids)
    details = defaultdict(list)
    for report in open_reports(bodies).exclude(details="").values("proposal", "comment", "details"):
        details[(report["proposal"], report["comment"])].append(report["details"])
    for key, reason_rows in grouped.items():
        proposal_id, comment_id = key
        comment = comments[comment_id] if comment_id else None
        target = Reported(proposal=comment.proposal if comment else proposals[proposal_id], comment=comment)
        for row in reason_rows:
            target.count += row["count"]
            target.reasons[row["reason"]] = row["count"]
            target.first_at = min(filter(None, [target.first_at, row["first_at"]]))
        target.details = details[key]
        targets[key] = target
    return sorted(targets.values(), key=lambda target: (target.first_at, target.proposal.pk))


def hidden_proposals(bodies: QuerySet[PublicBody]) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(space__body__in=bodies, status=Status.MODERATION)
        .select_related("space__body", "author")
        .order_by("-updated_at")
    )


def hidden_comments(bodies: QuerySet[PublicBody]) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(proposal__space__body__in=bodies, hidden_at__isnull=False)
        .select_related("proposal__space__body", "author", "hidden_by")
        .order_by("-hidden_at")
    )


@dataclass
class Offender:
    author: object
    proposals: int
    comments: int
    last_at: datetime.datetime
    signatures: list[str]

    @property
    def total(self) -> int:
        return self.proposals + self.comments


def repeat_offenders(bodies: QuerySet[PublicBody], minimum: int = REPEAT_OFFENCES) -> list[Offender]:
    """The authors whose content moderators of `bodies` hid at least `minimum` times, most hidden first."""
    entries = ModerationEntry.objects.filter(body__in=bodies, action__in=HIDING, author__isnull=False)
    rows = (
        entries.values("author")
        .annotate(
            total=Count("pk"),
            proposals=Count("pk", filter=Q(action=ModerationEntry.Action.HIDE_PROPOSAL)),
            comments=Count("pk", filter=Q(action=ModerationEntry.Action.HIDE_COMMENT)),
            last_at=Max("at"),
        )
        .filter(total__gte=minimum)
        .order_by("-total", "-last_at")
    )
    rows = list(rows)
    authors = get_user_model().objects.in_bulk([row["author"] for row in rows])
    signatures = defaultdict(set)
    hidden = entries.filter(author__in=authors.keys()).select_related("proposal__organisation", "comment__organisation")
    for entry in hidden:
        content = entry.comment or entry.proposal
        content.author = authors[entry.author_id]  # signature() reads the name of the author it already has
        signatures[entry.author_id].add(str(content.signature()))
    return [
        Offender(
            authors[row["author"]], row["proposals"], row["comments"], row["last_at"], sorted(signatures[row["author"]])
        )
        for row in rows
    ]


def log_entries(bodies: QuerySet[PublicBody]) -> QuerySet[ModerationEntry]:
    return ModerationEntry.objects.filter(body__in=bodies).select_related("body", "proposal", "author", "by")


# The public: counts only ----------------------------------------------------------------------------------


@dataclass
class BodySummary:
    """What the moderators of one body did, as counts: per action, per action and month, reports per reason."""

    body: PublicBody
    actions: dict[str, int] = field(default_factory=dict)
    months: dict[datetime.date, dict[str, int]] = field(default_factory=dict)
    reasons: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.actions.values())

    @property
    def action_rows(self) -> list[tuple[str, int]]:
        return [(ModerationEntry.Action(action).label, count) for action, count in sorted(self.actions.items())]

    @property
    def month_rows(self) -> list[tuple[datetime.date, list[int]]]:
        """Newest month first, with the count of each action of ModerationEntry.Action in its order."""
        return [
            (month, [counts.get(action, 0) for action in ModerationEntry.Action.values])
            for month, counts in sorted(self.months.items(), reverse=True)
        ]

    @property
    def reason_rows(self) -> list[tuple[str, int, int]]:
        """Each reason reports gave: how many led to hiding the content, how many were dismissed."""
        return [
            (
                Reason(reason).label,
                outcomes.get(Report.Outcome.HIDDEN, 0),
                outcomes.get(Report.Outcome.DISMISSED, 0),
            )
            for reason, outcomes in sorted(self.reasons.items())
        ]


def _month(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def summary(body: PublicBody | None = None) -> list[BodySummary]:
    """Return the moderation counts of every body that moderated anything (or of `body` alone), by body name.

    Per body: each action's count, each month's count per action, and the resolved reports per reason and
    outcome. No names, no texts.
    """
    entries = ModerationEntry.objects.all()
    reports = Report.objects.exclude(resolved_at=None)
    if body is not None:
        entries = entries.filter(body=body)
        reports = reports.filter(Q(proposal__space__body=body) | Q(comment__proposal__space__body=body))
    found: dict[int, BodySummary] = {}
    bodies = PublicBody.objects.in_bulk(set(entries.values_list("body", flat=True).distinct()))

    def of(body_id) -> BodySummary:
        if body_id not in found:
            found[body_id] = BodySummary(bodies[body_id])
        return found[body_id]

    for row in entries.values("body", "action").annotate(count=Count("pk")).order_by():
        of(row["body"]).actions[row["action"]] = row["count"]
    monthly = entries.annotate(month=TruncMonth("at")).values("body", "month", "action").annotate(count=Count("pk"))
    for row in monthly.order_by():
        of(row["body"]).months.setdefault(_month(row["month"]), {})[row["action"]] = row["count"]
    # A report's body is its proposal's, or its comment's proposal's.
    for target in ("proposal__space__body", "comment__proposal__space__body"):
        rows = reports.filter(**{f"{target}__isnull": False}).values(target, "reason", "outcome")
        for row in rows.annotate(count=Count("pk")).order_by():
            if row[target] in bodies:
                reasons = of(row[target]).reasons.setdefault(row["reason"], {})
                reasons[row["outcome"]] = reasons.get(row["outcome"], 0) + row["count"]
    return sorted(found.values(), key=lambda summary: str(summary.body.name))
