"""Per-body figures on requests and complaints: what each body received, how and how fast it answered.

Only counts leave this module, never a case or a person. Drafts are never counted (the body never received them);
withdrawn cases count as received and again on their own line. A case's *decision* is its latest answer, refusal
or "not held" (after an upheld appeal, the body's new one), dated `decided_on`: the status says it while the
case rests there, and the history (portal.workflow) once it moved on to an appeal or was closed. A decision is on
time when `decided_on` is no later than `due_on` (a refusal in time is an answer in time under the law).

`body_statistics` serves a body's page (the body and every body below it); `statistics_rows` and
`refusal_rows` are the open dataset (open_data.py), one row per body's own cases, so that rows add up.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.bodies.models import PublicBody
from portal.models import StatusEvent

from .models import (
    ANSWERED_STATUSES,
    DECIDED_STATUSES,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Appeal,
    Case,
    RefusalReason,
    Status,
)

# The label of refusals recorded without one of the law's reasons.
NO_REASON = _("No reason given")


@dataclass
class BodyStatistics:
    received: int = 0
    open: int = 0
    decided: int = 0  # answered (fully or in part), refused or "not held"
    answered: int = 0  # fully or in part
    answered_on_time: int = 0  # decisions (of any kind) by the due date
    answered_late: int = 0  # decisions after it
    overdue_now: int = 0  # open, the clock running, past the due date
    refused: int = 0
    refused_by_reason: list[tuple[str, int]] = field(default_factory=list)
    not_held: int = 0
    transferred: int = 0
    withdrawn: int = 0
    appealed: int = 0
    median_days_to_answer: float | None = None  # calendar days from receipt to decision
    on_time_rate: float | None = None  # percent of decisions made on time, one decimal

    @property
    def is_empty(self) -> bool:
        return self.received == 0


def filed_cases(bodies: PublicBody | Iterable[PublicBody] | None = None, *, year=None, kind=None):
    """Return the cases received by `bodies` (a body: it and those below it; None: every body), not drafts."""
    cases = Case.objects.exclude(status=Status.DRAFT).exclude(received_on__isnull=True)
    if bodies is not None:
        if isinstance(bodies, PublicBody):
            bodies = [bodies]
        subtree = Q(pk__in=[])
        for body in bodies:
            subtree |= Q(body__path__startswith=body.path)
        cases = cases.filter(subtree)
    if year is not None:
        cases = cases.filter(received_on__year=int(year))
    if kind:
        cases = cases.filter(kind=kind)
    return cases


def with_decision(cases):
    """`cases` annotated with `decision` (their latest decision status, None before one) and `was_appealed`."""
    latest_decision = (
        StatusEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Case),
            object_id=Cast(OuterRef("pk"), models.CharField(max_length=64)),
            to_status__in=DECIDED_STATUSES,
        )
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    return cases.annotate(
        decision=models.Case(
            models.When(status__in=DECIDED_STATUSES, then=F("status")),
            models.When(decided_on__isnull=True, then=models.Value(None, output_field=models.CharField())),
            default=Subquery(latest_decision),
            output_field=models.CharField(),
        ),
        was_appealed=Exists(Appeal.objects.filter(case=OuterRef("pk"))),
    )


def _counts(today) -> dict:
    """The aggregates of one group of cases (annotated by with_decision), by BodyStatistics' field names."""
    decided = Q(decision__in=DECIDED_STATUSES)
    return {
        "received": Count("pk"),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "decided": Count("pk", filter=decided),
        "answered": Count("pk", filter=Q(decision__in=ANSWERED_STATUSES)),
        "answered_on_time": Count("pk", filter=decided & Q(decided_on__lte=F("due_on"))),
        "answered_late": Count("pk", filter=decided & Q(decided_on__gt=F("due_on"))),
        "overdue_now": Count("pk", filter=Q(status__in=RUNNING_STATUSES, due_on__lt=today)),
        "refused": Count("pk", filter=Q(decision=Status.REFUSED)),
        "not_held": Count("pk", filter=Q(decision=Status.NOT_HELD)),
        "transferred": Count("pk", filter=Q(status=Status.TRANSFERRED)),
        "withdrawn": Count("pk", filter=Q(status=Status.WITHDRAWN)),
        "appealed": Count("pk", filter=Q(was_appealed=True)),
    }


def median_days(pairs: Iterable[tuple]) -> float | None:
    """The median number of calendar days between each (received_on, decided_on) pair; None for none."""
    days = [(decided - received).days for received, decided in pairs if received and decided]
    return float(statistics.median(days)) if days else None


def on_time_rate(on_time: int, decided: int) -> float | None:
    return round(100 * on_time / decided, 1) if decided else None


def body_statistics(bodies=None, *, year=None, kind=None, today=None) -> BodyStatistics:
    """Return the figures of `bodies` (one body: it and every body below it) for cases received in `year` (all
    years when None) of `kind` (requests and complaints when None), in four queries."""
    today = today or timezone.localdate()
    cases = with_decision(filed_cases(bodies, year=year, kind=kind))
    figures = BodyStatistics(**cases.aggregate(**_counts(today)))
    decided = cases.filter(decision__in=DECIDED_STATUSES)
    figures.median_days_to_answer = median_days(decided.values_list("received_on", "decided_on"))
    figures.on_time_rate = on_time_rate(figures.answered_on_time, figures.decided)
    figures.refused_by_reason = [(label, count) for _law, _code, label, count in _refusals(cases)]
    return figures


def _refusals(cases) -> list[tuple[str, str, str, int]]:
    """(law code, reason code, label in the active language, count) of the refusals among `cases`, most first."""
    counted = (
        cases.filter(decision=Status.REFUSED)
        .values("refusal_reason")
        .annotate(count=Count("pk"))
        .order_by("-count", "refusal_reason")
    )
    rows = list(counted)
    reasons = RefusalReason.objects.select_related("law").in_bulk([row["refusal_reason"] for row in rows])
    result = []
    for row in rows:
        reason = reasons.get(row["refusal_reason"])
        if reason is None:
            result.append(("", "", str(NO_REASON), row["count"]))
        else:
            result.append((reason.law.code, reason.code, reason.label, row["count"]))
    return result


# The open dataset's columns (open_data.py), in order.
STATISTICS_COLUMNS = [
    "body_slug",
    "body_name_ar",
    "body_name_fr",
    "year",
    "kind",
    "received",
    "answered",
    "answered_on_time",
    "answered_late",
    "refused",
    "not_held",
    "transferred",
    "withdrawn",
    "appealed",
    "median_days_to_answer",
]
REFUSAL_COLUMNS = ["body_slug", "year", "law", "reason_code", "reason_label_fr", "reason_label_ar", "count"]
GROUP = ("body", "year", "kind")


def statistics_rows(year=None, *, today=None) -> list[dict]:
    """Return one row per body, year of receipt and kind (STATISTICS_COLUMNS), each body's own cases only, in
    body tree order; groups without a case have no row. Three queries."""
    today = today or timezone.localdate()
    cases = with_decision(filed_cases(year=year)).annotate(year=ExtractYear("received_on"))
    counts = _counts(today)
    grouped = cases.values(*GROUP).annotate(**counts).order_by(*GROUP)
    days = defaultdict(list)
    decided = cases.filter(decision__in=DECIDED_STATUSES).values_list(*GROUP, "received_on", "decided_on")
    for body, case_year, kind, received, decided_on in decided:
        days[(body, case_year, kind)].append((received, decided_on))
    bodies = _bodies({row["body"] for row in grouped})
    bodies_by_slug = {body.slug: body for body in bodies.values()}
    rows = []
    for row in grouped:
        body = bodies[row["body"]]
        median = median_days(days[(row["body"], row["year"], row["kind"])])
        rows.append(
            {
                "body_slug": body.slug,
                "body_name_ar": body.name_ar,
                "body_name_fr": body.name_fr,
                "year": row["year"],
                "kind": row["kind"],
                **{column: row[column] for column in STATISTICS_COLUMNS[5:-1]},
                "median_days_to_answer": "" if median is None else _number(median),
            }
        )
    return sorted(rows, key=lambda row: (bodies_by_slug[row["body_slug"]].path, row["year"], row["kind"]))


def refusal_rows(year=None) -> list[dict]:
    """Return the refusals per body, year of receipt, law and reason (REFUSAL_COLUMNS), in body tree order."""
    cases = with_decision(filed_cases(year=year)).annotate(year=ExtractYear("received_on"))
    counted = list(
        cases.filter(decision=Status.REFUSED)
        .values("body", "year", "refusal_reason")
        .annotate(count=Count("pk"))
        .order_by("body", "year", "refusal_reason")
    )
    bodies = _bodies({row["body"] for row in counted})
    reasons = RefusalReason.objects.select_related("law").in_bulk([row["refusal_reason"] for row in counted])
    rows = []
    for row in counted:
        body, reason = bodies[row["body"]], reasons.get(row["refusal_reason"])
        rows.append(
            {
                "body_slug": body.slug,
                "year": row["year"],
                "law": reason.law.code if reason else "",
                "reason_code": reason.code if reason else "",
                "reason_label_fr": reason.label_fr if reason else "",
                "reason_label_ar": reason.label_ar if reason else "",
                "count": row["count"],
            }
        )
    paths = {body.slug: body.path for body in bodies.values()}
    return sorted(rows, key=lambda row: (paths[row["body_slug"]], row["year"], row["law"], row["reason_code"]))


def _bodies(ids) -> dict[int, PublicBody]:
    return PublicBody.objects.only("slug", "name_ar", "name_fr", "path").in_bulk(list(ids))


def _number(value: float) -> str:
    """A median as the dataset writes it: 12 or 12.5 (a dot, whatever the language)."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"
