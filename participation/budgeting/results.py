"""Counting a cycle: each budget's ballots written as an anonymised Pabulib file, that very file read back and
counted by the cycle's declared rule (tally.py, the code behind `manage.py pb_tally`), the outcome stored with its
explanation, the projects marked funded or not, and the cycle moved to its results.

Counting the published file rather than the tables means that anyone holding the file and its SHA-256 can
recompute the result with `pb_tally` or with pabutools and must find the same winners.
"""

import hashlib
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.money import format_money

from . import notifications
from .models import BallotChoice, BallotRule, Budget, Cycle, PaperBallot, Phase, Project, ProjectStatus, Result
from .pabulib import PbProject, PbVote, read_pb, to_pabutools, write_pb
from .services import BudgetingRefused
from .tally import tally
from .workflow import CYCLE_WORKFLOW, PROJECT_WORKFLOW, manages

# How Pabulib's META names our rules.
VOTE_TYPES = {
    BallotRule.APPROVAL: "approval",
    BallotRule.KNAPSACK: "approval",
    BallotRule.CHOOSE_ONE: "approval",
    BallotRule.CUMULATIVE: "cumulative",
}
PABULIB_RULES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "mes-add1": "equalshares/add1",
    "phragmen": "phragmen",
}


def ballots_file(budget: Budget) -> str:
    """The `.pb` text of a budget's ballots: projects on the ballot, and each ballot named by its receipt's
    digest (the voter finds theirs; nobody else can tell whose it is)."""
    cycle = budget.cycle
    projects = list(budget.projects.on_ballot().order_by("pk"))
    tallies = _votes(budget)
    rows = [
        PbProject(
            project_id=str(project.pk),
            cost=project.cost or Decimal(0),
            name=project.title,
            votes=tallies.get(project.pk, 0),
            extra={
                key: value
                for key, value in (
                    ("latitude", "" if project.latitude is None else str(project.latitude)),
                    ("longitude", "" if project.longitude is None else str(project.longitude)),
                    ("district", project.district.slug if project.district_id else ""),
                )
                if value
            },
        )
        for project in projects
    ]
    votes = []
    chosen: dict[Any, list[tuple[int, int]]] = {}
    for ballot_id, project_id, points in (
        BallotChoice.objects.filter(ballot__budget=budget)
        .order_by("ballot__receipt_digest", "project_id")
        .values_list("ballot__receipt_digest", "project_id", "points")
        .iterator(chunk_size=10_000)
    ):
        chosen.setdefault(ballot_id, []).append((project_id, points))
    cumulative = cycle.ballot_rule == BallotRule.CUMULATIVE
    for digest, picks in chosen.items():
        votes.append(
            PbVote(
                voter_id=digest[:16],
                projects=tuple(str(project_id) for project_id, _points in picks),
                points=tuple(Decimal(points) for _id, points in picks) if cumulative else None,
            )
        )
    meta: dict[str, Any] = {
        "description": f"{cycle.title} · {budget.name}",
        "country": cycle.body.name,
        "unit": cycle.body.name,
        "instance": f"{cycle.slug}/{budget.slug}",
        "subunit": budget.district.name if budget.district_id else "",
        "budget": budget.amount,
        "vote_type": VOTE_TYPES[cycle.ballot_rule],
        "rule": PABULIB_RULES[cycle.counting_rule],
        "date_begin": timezone.localtime(cycle.voting_opens_at).strftime("%d.%m.%Y"),
        "date_end": timezone.localtime(cycle.voting_closes_at).strftime("%d.%m.%Y"),
        "currency": cycle.currency,
    }
    if cycle.ballot_rule == BallotRule.APPROVAL and cycle.max_projects:
        meta["max_length"] = cycle.max_projects
    if cycle.ballot_rule == BallotRule.CHOOSE_ONE:
        meta["max_length"] = 1
    if cycle.ballot_rule == BallotRule.KNAPSACK:
        meta["max_sum_cost"] = budget.amount
    if cumulative:
        meta["max_sum_points"] = cycle.points
        if cycle.max_points_per_project:
            meta["max_points"] = cycle.max_points_per_project
    return write_pb({key: value for key, value in meta.items() if value != ""}, rows, votes)


def _votes(budget: Budget) -> dict[int, int]:
    """Votes per project: ballots choosing it, or points given to it on cumulative ballots."""
    choices = BallotChoice.objects.filter(ballot__budget=budget).values("project")
    if budget.cycle.ballot_rule == BallotRule.CUMULATIVE:
        return {row["project"]: row["n"] for row in choices.annotate(n=Sum("points"))}
    return {row["project"]: row["n"] for row in choices.annotate(n=Count("pk"))}


def count(budget: Budget):
    """The outcome of a budget under its cycle's rule, from its ballots' file: (outcome, file text, votes)."""
    text = ballots_file(budget)
    election = read_pb(text.encode())
    instance, profile = to_pabutools(election, multiprofile=True)
    cycle = budget.cycle
    outcome = tally(instance, profile, cycle.counting_rule, threshold=cycle.threshold)
    return outcome, text, {int(project.project_id): project.votes or 0 for project in election.projects}


def publish_results(cycle: Cycle, by) -> list[Result]:
    """Count every budget, publish the outcomes and their files, and move the cycle to its results.

    Only in the ballot review, once no paper ballot awaits its second officer: every ballot counts, once.
    """
    if by is not None and not manages(by, cycle):
        raise PermissionDenied
    if cycle.phase != Phase.BALLOT_REVIEW:
        raise BudgetingRefused(_("Results are counted in the ballot review, after voting has closed."))
    results = []
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.phase != Phase.BALLOT_REVIEW:
            raise BudgetingRefused(_("These results have been published already."))
        # Counted under the lock: a paper ballot being entered or checked holds the cycle's row until it is written
        # (ballots.still_in), so none slips in between this count and the ballots' files.
        pending = cycle.paper_ballots.filter(status=PaperBallot.Status.PENDING).count()
        if pending:
            raise BudgetingRefused(
                _("%(count)d paper ballots await a second officer's check: count them first.") % {"count": pending}
            )
        for budget in cycle.budgets.select_related("cycle__body", "district"):
            outcome, text, votes = count(budget)
            data = text.encode()
            result, _created = Result.objects.update_or_create(
                budget=budget,
                defaults={
                    "cycle": cycle,
                    "rule": cycle.counting_rule,
                    "money_used": Decimal(outcome.used.numerator) / Decimal(outcome.used.denominator),
                    "ballots": budget.ballots.count(),
                    "rounds": outcome.rounds,
                    "pb_sha256": hashlib.sha256(data).hexdigest(),
                    "computed_at": timezone.now(),
                },
            )
            result.pb_file.save(f"{cycle.slug}-{budget.slug}.pb", ContentFile(data), save=True)
            winners = {int(project_id) for project_id in outcome.selected}
            result.selected.set(winners)
            for project in budget.projects.on_ballot():
                Project.objects.filter(pk=project.pk).update(votes=votes.get(project.pk, 0))
                funded = project.pk in winners
                if project.status != (ProjectStatus.SELECTED if funded else ProjectStatus.NOT_SELECTED):
                    PROJECT_WORKFLOW.move(project, "select" if funded else "not_select")
            results.append(result)
        CYCLE_WORKFLOW.move(cycle, Phase.RESULTS, by=by, results_published_at=timezone.now())
        log(
            instance=cycle,
            action="budgeting.results",
            user=by,
            data={result.budget.slug: result.pb_sha256 for result in results},
        )
    notifications.tell_results(cycle)
    return results


def _amount(value: Any, currency: str) -> str:
    ratio = Fraction(str(value))  # tally's exact amounts: "1234.5", or "p/q" for a share that never ends
    return format_money(Decimal(ratio.numerator) / Decimal(ratio.denominator), currency)


def explain(entry: dict, currency: str, titles: dict[str, str]) -> str:
    """The sentence of one round of a result's explanation, in the active language.

    `titles` maps project ids (as in the file) to their titles.
    """
    facts = {
        "project": titles.get(str(entry.get("project", "")), str(entry.get("project", ""))),
        "votes": entry.get("votes", 0),
        "cost": _amount(entry.get("cost", 0), currency),
        "remaining": _amount(entry.get("remaining", 0), currency),
        "required": entry.get("required", ""),
        "round": entry.get("round", ""),
        "share": _amount(entry.get("per_voter", 0), currency),
    }
    sentences = {
        "funded": _("“%(project)s” is funded (%(votes)s votes, %(cost)s); %(remaining)s left."),
        "skipped_over_budget": _(
            "“%(project)s” is not funded: it costs %(cost)s and only %(remaining)s was left when its turn came."
        ),
        "stopped_no_skip": _(
            "Counting stops at “%(project)s”: it costs %(cost)s, more than the %(remaining)s left, and this rule "
            "does not skip projects."
        ),
        "not_reached": _("“%(project)s” is not funded: counting stopped before its turn."),
        "below_threshold": _("“%(project)s” is not funded: %(votes)s votes, fewer than the %(required)s required."),
        "no_votes": _("“%(project)s” is not funded: nobody voted for it."),
        "cost_exceeds_budget": _("“%(project)s” is not funded: it costs more than the whole budget."),
        "voter_budget": _("Each voter's equal share of the budget: %(share)s."),
        "not_affordable_by_supporters": _(
            "“%(project)s” is not funded: its %(votes)s supporters did not have enough of their shares left to pay "
            "its %(cost)s."
        ),
        "stopped_over_budget": _(
            "Counting stops: “%(project)s” would be next, but its %(cost)s is more than the %(remaining)s left."
        ),
    }
    return sentences.get(entry.get("code", ""), str(entry.get("code", ""))) % facts
