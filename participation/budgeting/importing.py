"""Loading a Pabulib election as a cycle (`manage.py pb_import`): for demos, training and load tests, and to show
that our counting gives a real city's official winners through the same path as our own ballots.

The cycle gets one city-wide budget, the file's projects on its ballot and its ballots, each voter in the register
under a key derived from the file's voter id (so a second import of the same file cannot double them), and stops
in the ballot review, ready for `results.publish_results`.
"""

import hashlib
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.bodies.models import PublicBody

from .models import (
    Ballot,
    BallotChoice,
    BallotRule,
    Budget,
    Channel,
    CountingRule,
    Cycle,
    Phase,
    Project,
    ProjectStatus,
    VoterRecord,
)
from .pabulib import Election, PabulibError, read_pb
from .services import BudgetingRefused

BATCH = 5_000
# Pabulib's META `rule` → our counting rules (greedy when the file names none we know).
RULES = {
    "greedy": CountingRule.GREEDY,
    "greedy-no-skip": CountingRule.GREEDY_NO_SKIP,
    "greedy-threshold": CountingRule.GREEDY_THRESHOLD,
    "equalshares": CountingRule.MES_ADD1,
    "equalshares/add1": CountingRule.MES_ADD1,
    "phragmen": CountingRule.PHRAGMEN,
}


def _date(text: str | None, default: datetime) -> datetime:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime((text or "").strip(), pattern).date()  # noqa: DTZ007 (a day; made aware below)
        except ValueError:
            continue
        return timezone.make_aware(datetime.combine(day, time()))
    return default


def _rules(election: Election) -> dict:
    meta = election.meta
    vote_type = meta.get("vote_type", "approval")
    if vote_type == "approval":
        if meta.get("max_sum_cost"):
            rules = {"ballot_rule": BallotRule.KNAPSACK}
        elif meta.get("max_length") == "1":
            rules = {"ballot_rule": BallotRule.CHOOSE_ONE}
        else:
            rules = {"ballot_rule": BallotRule.APPROVAL, "max_projects": int(meta.get("max_length") or 0) or None}
    elif vote_type == "cumulative":
        rules = {
            "ballot_rule": BallotRule.CUMULATIVE,
            "points": int(Decimal(meta.get("max_sum_points") or 0)) or None,
            "max_points_per_project": int(Decimal(meta.get("max_points") or 0)) or None,
        }
    else:
        raise BudgetingRefused(
            _("%(type)s ballots are not one of the portal's ballot rules (approval, knapsack, choose one, cumulative).")
            % {"type": vote_type}
        )
    rule = (meta.get("rule") or "").strip().lower()
    rules["counting_rule"] = RULES.get(rule, CountingRule.GREEDY)
    if rules["ballot_rule"] == BallotRule.CUMULATIVE:
        rules["counting_rule"] = CountingRule.GREEDY  # the proportional rules count approval ballots only
    return rules


def import_pabulib(
    source: str | Path | IO[bytes] | bytes,
    body: PublicBody,
    *,
    slug: str = "",
    currency: str = "",
    replace: bool = False,
) -> Cycle:
    """Load the election in `source` as a cycle of `body`, in its ballot review; return the cycle.

    A file that is not valid Pabulib raises PabulibError naming the line; an existing cycle of the same slug is
    refused unless `replace` (then it is deleted first, with its ballots).
    """
    election = read_pb(source)
    meta = election.meta
    name = slug or slugify(Path(str(source)).stem if isinstance(source, (str, Path)) else meta.get("instance", ""))
    slug = (name or "pabulib")[:100]
    rules = _rules(election)
    now = timezone.now()
    with transaction.atomic():
        existing = Cycle.objects.filter(slug=slug).first()
        if existing is not None:
            if not replace:
                raise BudgetingRefused(_("A cycle “%(slug)s” exists already.") % {"slug": slug})
            # Only an imported election is replaced: never a cycle residents voted in or staff prepared.
            if existing.voters.exclude(station="pabulib").exists() or existing.projects.filter(external_id="").exists():
                raise BudgetingRefused(
                    _("The cycle “%(slug)s” was not imported from a Pabulib file: it cannot be replaced.")
                    % {"slug": slug}
                )
            _delete(existing)
        title = meta.get("description") or " ".join(filter(None, [meta.get("unit"), meta.get("instance")])) or slug
        cycle = Cycle.objects.create(
            body=body,
            slug=slug,
            title_ar=title[:255],
            title_fr=title[:255],
            title_en=title[:255],
            currency=(currency or meta.get("currency") or "XXX")[:3].upper(),
            voting_opens_at=_date(meta.get("date_begin"), now),
            voting_closes_at=max(_date(meta.get("date_end"), now), _date(meta.get("date_begin"), now))
            + timedelta(days=1),
            **rules,
        )
        budget = Budget.objects.create(
            cycle=cycle, slug="all", name_ar=title[:255], name_fr=title[:255], amount=Decimal(meta["budget"])
        )
        language = (meta.get("language") or "en")[:2]
        projects = Project.objects.bulk_create(
            Project(
                cycle=cycle,
                budget=budget,
                external_id=project.project_id,
                title=(project.name or project.project_id)[:200],
                description=project.extra.get("description", "") or project.name or project.project_id,
                language=language if language in ("ar", "fr", "en") else "en",
                cost=project.cost,
                latitude=_float(project.extra.get("latitude")),
                longitude=_float(project.extra.get("longitude")),
                status=ProjectStatus.FEASIBLE,
            )
            for project in election.projects
        )
        ids = {project.external_id: project.pk for project in projects}
        _load_ballots(cycle, budget, election, ids)
        Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.BALLOT_REVIEW)
    cycle.refresh_from_db()
    return cycle


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _load_ballots(cycle: Cycle, budget: Budget, election: Election, ids: dict[str, int]) -> None:
    salt = f"pabulib:{cycle.slug}:"
    for start in range(0, len(election.votes), BATCH):
        votes = election.votes[start : start + BATCH]
        VoterRecord.objects.bulk_create(
            VoterRecord(
                cycle=cycle,
                identity_hash=hashlib.sha256((salt + vote.voter_id).encode()).hexdigest(),
                channel=Channel.PAPER,
                station="pabulib",
            )
            for vote in votes
        )
        ballots = Ballot.objects.bulk_create(
            Ballot(
                cycle=cycle,
                budget=budget,
                receipt_digest=hashlib.sha256((salt + "receipt:" + vote.voter_id).encode()).hexdigest(),
                channel=Channel.PAPER,
            )
            for vote in votes
        )
        BallotChoice.objects.bulk_create(
            BallotChoice(ballot=ballot, project_id=ids[project_id], points=int(points))
            for ballot, vote in zip(ballots, votes, strict=True)
            for project_id, points in zip(vote.projects, vote.points or [1] * len(vote.projects), strict=True)
        )


def _delete(cycle: Cycle) -> None:
    BallotChoice.objects.filter(ballot__cycle=cycle).delete()
    Ballot.objects.filter(cycle=cycle).delete()
    VoterRecord.objects.filter(cycle=cycle).delete()
    cycle.results.all().delete()
    Project.objects.filter(cycle=cycle).delete()
    cycle.delete()


__all__ = ["PabulibError", "import_pabulib"]
