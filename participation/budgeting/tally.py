"""Count a participatory-budgeting vote: which projects are funded, in which order, and why.

`tally(instance, profile, rule)` takes pabutools' Instance and Profile (see `pabulib.to_pabutools`)
and returns an `Outcome`: the funded project ids in the order they were funded, the money used and
a round-by-round explanation made of plain dicts (a `code` and numbers, no text) that pages render
in Arabic, French or English and that `pb_tally --explain` prints.

Rules (docs/budgeting-results.md says more):

- `greedy`: projects by votes, most first; each is funded if it fits in the money left, else skipped.
  Ties: cheaper first, then project id in natural order. This is the rule of Warsaw and Toulouse.
- `greedy-no-skip`: the same, but counting stops at the first project that does not fit.
- `greedy-threshold`: `greedy` among projects approved by at least `threshold` of the voters.
- `mes-add1`: the Method of Equal Shares with cost satisfaction, completed by raising every voter's
  share by 1 (currency unit) until the outcome would overspend or nothing more fits ("add1", the rule
  of Świecie and Assen). Same outcome as pabutools'
  `method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)`; ties are
  broken as pabutools does, by project id in string order.
- `phragmen`: sequential Phragmén, stopping when the next project would overspend; same ties.

Greedy rules also accept cumulative, scoring (ranked by points) and ordinal ballots (ranked by how
many ballots name the project); the proportional rules need approval ballots.

MES and Phragmén are implemented here rather than called in pabutools because "add1" runs MES hundreds
of times (348 for Warsaw-Mokotów) and pabutools recomputes every voter's satisfaction for every project
in each run: Świecie's 2,553 ballots take it 5 to 19 s. Here identical ballots are grouped, voters
are counted by how much money they have left (`_ExactMES`), and the runs before the published one are
screened in floating point (`_FastMES`), which answers only when no decision was close enough for
rounding to matter. The published run is always counted exactly. tests/budgeting/test_tally.py checks
the outcomes against pabutools.

Money is exact: gmpy2 rationals inside (pabutools' own number type), `Fraction` in the `Outcome`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from gmpy2 import mpq

RULES = ("greedy", "greedy-no-skip", "greedy-threshold", "mes-add1", "phragmen")
# The "add1" completion of the Method of Equal Shares raises each voter's share by one currency unit.
MES_VOTER_BUDGET_INCREMENT = 1

# Explanation codes: every round dict has one; docs/budgeting-results.md lists their numbers.
FUNDED = "funded"
SKIPPED_OVER_BUDGET = "skipped_over_budget"
STOPPED_NO_SKIP = "stopped_no_skip"
NOT_REACHED = "not_reached"
BELOW_THRESHOLD = "below_threshold"
NO_VOTES = "no_votes"
COST_EXCEEDS_BUDGET = "cost_exceeds_budget"
VOTER_BUDGET = "voter_budget"
NOT_AFFORDABLE_BY_SUPPORTERS = "not_affordable_by_supporters"
STOPPED_OVER_BUDGET = "stopped_over_budget"
CODES = (
    FUNDED,
    SKIPPED_OVER_BUDGET,
    STOPPED_NO_SKIP,
    NOT_REACHED,
    BELOW_THRESHOLD,
    NO_VOTES,
    COST_EXCEEDS_BUDGET,
    VOTER_BUDGET,
    NOT_AFFORDABLE_BY_SUPPORTERS,
    STOPPED_OVER_BUDGET,
)


@dataclass
class Outcome:
    rule: str
    selected: list[str]
    budget: Fraction
    used: Fraction
    rounds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def remaining(self) -> Fraction:
        return self.budget - self.used

    def as_json(self) -> dict[str, Any]:
        """Return the outcome as JSON-serialisable data (money as exact strings)."""
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "budget": money(self.budget),
            "used": money(self.used),
            "remaining": money(self.remaining),
            "rounds": self.rounds,
        }


def money(value: Any) -> str:
    """Return an exact amount as a string: "1234.5" when it has a finite decimal form, else "p/q"."""
    ratio = _fraction(value)
    denominator = ratio.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return f"{ratio.numerator}/{ratio.denominator}"
    text = format(Decimal(ratio.numerator) / Decimal(ratio.denominator), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def natural_key(project_id: str) -> tuple[Any, ...]:
    """Return a sort key putting "c2" before "c10" and "9" before "10", as Pabulib lists ids."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", project_id))


def _fraction(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, Decimal)):
        return Fraction(value)
    return Fraction(int(value.numerator), int(value.denominator))


def _count(value: Any) -> int | str:
    """Return a vote count as an int, or as an exact string for fractional points."""
    ratio = _fraction(value)
    return ratio.numerator if ratio.denominator == 1 else money(ratio)


@dataclass
class _Election:
    """The instance and profile reduced to what the rules read, with identical ballots grouped."""

    ids: list[str]
    costs: list[Any]  # mpq
    budget: Any  # mpq
    voters: int
    scores: list[Any]  # votes, or points for cumulative and scoring ballots
    approval: bool
    groups: list[tuple[int, ...]] = field(default_factory=list)  # project indices of a ballot
    counts: list[int] = field(default_factory=list)  # voters who cast that ballot
    supporters: list[list[int]] = field(default_factory=list)  # project index -> group indices

    @property
    def order_by_name(self) -> list[int]:
        return sorted(range(len(self.ids)), key=lambda index: self.ids[index])


def _reduce(instance: Any, profile: Any) -> _Election:
    from pabutools.election import (
        AbstractApprovalProfile,
        AbstractCardinalProfile,
        AbstractOrdinalProfile,
        MultiProfile,
    )

    projects = sorted(instance, key=lambda project: natural_key(project.name))
    index = {project.name: position for position, project in enumerate(projects)}
    election = _Election(
        ids=[project.name for project in projects],
        costs=[mpq(project.cost) for project in projects],
        budget=mpq(instance.budget_limit),
        voters=profile.num_ballots(),
        scores=[0] * len(projects),
        approval=isinstance(profile, AbstractApprovalProfile),
    )
    # A multiprofile holds each distinct ballot once, with how many voters cast it.
    pairs: Iterable[tuple[Any, int]] = (
        profile.items() if isinstance(profile, MultiProfile) else ((ballot, 1) for ballot in profile)
    )
    if election.approval:
        grouped: Counter[tuple[int, ...]] = Counter()
        for ballot, count in pairs:
            grouped[tuple(sorted(index[project.name] for project in ballot))] += count
        election.supporters = [[] for _ in projects]
        for group, (ballot_projects, count) in enumerate(grouped.items()):
            election.groups.append(ballot_projects)
            election.counts.append(count)
            for project in ballot_projects:
                election.supporters[project].append(group)
                election.scores[project] += count
    elif isinstance(profile, AbstractCardinalProfile):  # cumulative and scoring ballots
        for ballot, count in pairs:
            for project, points in ballot.items():
                election.scores[index[project.name]] += mpq(points) * count
    elif isinstance(profile, AbstractOrdinalProfile):
        for ballot, count in pairs:
            for project in ballot:
                election.scores[index[project.name]] += count
    else:
        raise ValueError(f"cannot tally a {type(profile).__name__}")
    return election


def tally(instance: Any, profile: Any, rule: str, *, threshold: Any = None) -> Outcome:
    """Return the outcome of `rule` (one of RULES) on pabutools' `instance` and `profile`.

    `threshold` (greedy-threshold only) is the least share of voters, between 0 and 1, that must
    approve a project for it to be eligible, e.g. "0.1" or Fraction(1, 10); a float is read from
    its shortest decimal form.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    share: Fraction | None = None
    if rule == "greedy-threshold":
        if threshold is None:
            raise ValueError("greedy-threshold needs a threshold, a share of voters between 0 and 1")
        share = Fraction(str(threshold)) if isinstance(threshold, float) else Fraction(threshold)
        if not 0 <= share <= 1:
            raise ValueError(f"threshold {threshold} is not between 0 and 1")
    election = _reduce(instance, profile)
    if rule in ("mes-add1", "phragmen") and not election.approval:
        raise ValueError(f"{rule} needs approval ballots")
    if rule == "mes-add1":
        selected, used, rounds = _mes_add1(election)
    elif rule == "phragmen":
        selected, used, rounds = _phragmen(election)
    else:
        selected, used, rounds = _greedy(election, skip=rule != "greedy-no-skip", share=share)
    return Outcome(
        rule=rule,
        selected=[election.ids[project] for project in selected],
        budget=_fraction(election.budget),
        used=_fraction(used),
        rounds=rounds,
    )


def _project_facts(election: _Election, project: int) -> dict[str, Any]:
    return {
        "project": election.ids[project],
        "votes": _count(election.scores[project]),
        "cost": money(election.costs[project]),
    }


def _greedy(election: _Election, *, skip: bool, share: Fraction | None) -> tuple[list[int], Any, list[dict[str, Any]]]:
    ranking = sorted(
        range(len(election.ids)),
        key=lambda project: (-election.scores[project], election.costs[project], natural_key(election.ids[project])),
    )
    required = None if share is None else mpq(share.numerator, share.denominator) * election.voters
    remaining = election.budget
    selected: list[int] = []
    rounds: list[dict[str, Any]] = []
    stopped = False
    for position, project in enumerate(ranking, start=1):
        cost = election.costs[project]
        entry = {"round": position, **_project_facts(election, project)}
        if stopped:
            entry["code"] = NOT_REACHED
        elif election.scores[project] <= 0:
            entry["code"] = NO_VOTES
        elif required is not None and election.scores[project] < required:
            entry.update(code=BELOW_THRESHOLD, required=money(required))
        elif cost > election.budget:
            entry["code"] = COST_EXCEEDS_BUDGET
        elif cost <= remaining:
            remaining -= cost
            selected.append(project)
            entry["code"] = FUNDED
        elif skip:
            entry["code"] = SKIPPED_OVER_BUDGET
        else:
            entry["code"] = STOPPED_NO_SKIP
            stopped = True
        entry["remaining"] = money(remaining)
        rounds.append(entry)
    return selected, election.budget - remaining, rounds


@dataclass
class _MESRun:
    selected: list[int]
    rounds: list[dict[str, Any]]


def _mes_add1(election: _Election) -> tuple[list[int], Any, list[dict[str, Any]]]:
    """Run MES from an equal share of the budget, adding 1 to each share while that still fits.

    As pabutools: stop and keep this run's outcome when nothing more fits in the budget; keep the
    previous run's outcome when this one would overspend.
    """
    free = [p for p, cost in enumerate(election.costs) if cost == 0 and election.scores[p] > 0]
    candidates = [p for p, cost in enumerate(election.costs) if cost > 0 and election.scores[p] > 0]
    if election.voters == 0:
        return [], mpq(0), []
    initial = election.budget / election.voters
    fast = _FastMES(election, candidates)
    exact = _ExactMES(election, candidates)
    increments = _add1_increments(election, free, candidates, initial, exact, fast.run)
    share = initial + increments * MES_VOTER_BUDGET_INCREMENT
    run = exact.run(share)
    if run.selected != fast.run(share):
        # The float screening and the exact run disagree, which it is built never to do: count again
        # exactly, every run, rather than publish a result we cannot vouch for.
        increments = _add1_increments(election, free, candidates, initial, exact, None)
        share = initial + increments * MES_VOTER_BUDGET_INCREMENT
        run = exact.run(share)
    selected = free + run.selected
    used = sum((election.costs[p] for p in selected), mpq(0))
    start = {
        "round": 0,
        "code": VOTER_BUDGET,
        "voters": election.voters,
        "initial_per_voter": money(initial),
        "per_voter": money(share),
        "increments": increments,
        "increment": MES_VOTER_BUDGET_INCREMENT,
        "virtual_budget": money(share * election.voters),
    }
    rounds = [start]
    remaining = election.budget
    for project in free:
        rounds.append({"round": 0, "code": FUNDED, **_project_facts(election, project), "remaining": money(remaining)})
    for entry in run.rounds:
        if entry["code"] == FUNDED:
            remaining -= election.costs[entry.pop("index")]
            entry["remaining"] = money(remaining)
        rounds.append(entry)
    return selected, used, rounds


def _add1_increments(
    election: _Election,
    free: list[int],
    candidates: list[int],
    initial: Any,
    exact: _ExactMES,
    fast_run: Callable[[Any], list[int] | None] | None,
) -> int:
    """Return how many increments of each voter's share "add1" keeps, as pabutools' loop decides.

    Runs MES with shares initial, initial + 1, ... and stops at the first run that funds everything
    that fits (keep it) or that overspends (keep the one before). `fast_run` answers most runs;
    where it cannot vouch for its answer (None) the run is done exactly.
    """
    increments = 0
    while True:
        share = initial + increments * MES_VOTER_BUDGET_INCREMENT
        selected = fast_run(share) if fast_run is not None else None
        if selected is None:
            selected = exact.run(share).selected
        cost = sum((election.costs[p] for p in free + selected), mpq(0))
        if cost > election.budget and increments > 0:
            return increments - 1
        taken = set(selected)
        if all(cost + election.costs[p] > election.budget for p in candidates if p not in taken):
            return increments
        increments += 1


class _FastMES:
    """MES runs in floating point over numpy arrays, each comparison checked against rounding.

    "add1" needs hundreds of MES runs (348 for Warsaw-Mokotów, 1,617 for Toulouse) but publishes one.
    A run here returns the funded projects only when every decision it took won by a margin far
    above the rounding error (relative EPSILON, against errors near 1e-13 after hundreds of
    subtractions and sums over a million voters), so the exact run would take the same decisions;
    otherwise it returns None and the caller runs exactly. The published run is always the exact one.
    """

    # Relative margin a decision must win by; float64 sums and differences here err by < 1e-12.
    EPSILON = 1e-9

    def __init__(self, election: _Election, candidates: list[int]) -> None:
        import numpy as np

        self.np = np
        self.candidates = candidates
        self.ids = election.ids
        self.costs = {p: float(election.costs[p]) for p in candidates}
        self.scores = {p: float(election.scores[p]) for p in candidates}
        counts = np.asarray(election.counts, dtype=np.float64)
        self.groups = len(election.counts)
        self.supporters = {p: np.asarray(election.supporters[p], dtype=np.int64) for p in candidates}
        self.weights = {p: counts[self.supporters[p]] for p in candidates}
        self.results: dict[Any, list[int] | None] = {}

    def run(self, share: Any) -> list[int] | None:
        """Return the projects MES funds, in order, when each voter starts with `share`; None when a
        decision was too close to call in floating point."""
        if share not in self.results:  # the published run is asked for twice
            self.results[share] = self._run(share)
        return self.results[share]

    def _run(self, share: Any) -> list[int] | None:
        np, eps = self.np, self.EPSILON
        money = np.full(self.groups, float(share))
        # Voters whose money may be 0 in floats but a crumb exactly (or the reverse): they paid
        # an amount too close to all they had to tell.
        fuzzy = np.zeros(self.groups, dtype=bool)
        remaining = set(self.candidates)
        ratio = {p: 1.0 / self.scores[p] for p in self.candidates}
        selected: list[int] = []
        while remaining:
            best: float | None = None
            payments: dict[int, float] = {}
            equal_splits: dict[int, float] = {}  # project -> voters paying the same full share
            for p in sorted(remaining, key=lambda p: (ratio[p], self.ids[p])):
                if best is not None and ratio[p] > best * (1 + eps):
                    break
                amounts = money[self.supporters[p]]
                weights = self.weights[p]
                cost = self.costs[p]
                have = float(amounts @ weights)
                if abs(have - cost) <= eps * cost:
                    return None
                if have < cost:
                    remaining.discard(p)
                    continue
                payment, payers = self._payment(amounts, weights, cost, fuzzy[self.supporters[p]])
                payments[p] = payment
                ratio[p] = payment / cost
                if payers:
                    equal_splits[p] = payers
                if best is None or ratio[p] < best:
                    best = ratio[p]
            if best is None:
                break
            near = [p for p in payments if ratio[p] <= best * (1 + eps)]
            if len(near) > 1:
                # A tie, or too close to call in floats. Where the supporters of each near project
                # who have money left all pay the same share, its exact ratio is 1 / their number:
                # compare those exactly and break real ties by id as pabutools does. Anything else
                # is left to the exact run.
                if not all(p in equal_splits for p in near):
                    return None
                chosen = min(near, key=lambda p: (-equal_splits[p], self.ids[p]))
            else:
                chosen = near[0]
            remaining.discard(chosen)
            selected.append(chosen)
            index = self.supporters[chosen]
            amounts = money[index]
            payment = payments[chosen]
            fuzzy[index[np.abs(amounts - payment) <= eps * payment]] = True
            money[index] = amounts - np.minimum(amounts, payment)
        return selected

    def _payment(self, amounts: Any, weights: Any, cost: float, fuzzy: Any) -> tuple[float, float]:
        """Return q with sum(min(amount, q) * weight) = cost, and k when the k supporters with money
        left surely all pay q (then q = cost / k exactly), else 0. q is continuous in the amounts,
        so near-equal comparisons in finding it change nothing."""
        np, eps = self.np, self.EPSILON
        total = float(weights.sum())
        equal_split = cost / total
        if float(amounts.min()) > equal_split * (1 + eps):  # everyone can pay the equal split
            return equal_split, total
        order = np.argsort(amounts)
        amounts, weights = amounts[order], weights[order]
        paid_before = np.concatenate(([0.0], np.cumsum(amounts * weights)[:-1]))
        left = total - np.concatenate(([0.0], np.cumsum(weights)[:-1]))
        payments = (cost - paid_before) / left
        first = int(np.argmax(payments <= amounts))
        broke = int(np.count_nonzero(amounts == 0.0))
        # Those with money left all pay q, none of them close to what they have, and no supporter's
        # "nothing left" is in doubt: then q = cost / their number exactly.
        surely = (
            first == broke and payments[first] < amounts[first] * (1 - eps) and not bool(fuzzy[order[:broke]].any())
        )
        return float(payments[first]), float(left[first]) if surely else 0.0


def _affordable_payment(cost: Any, histogram: list[tuple[Any, int]]) -> Any:
    """Return q, the least payment such that supporters paying min(their money, q) cover `cost`.

    `histogram` lists (an amount of money, how many supporters have it); the caller has checked
    that together they have at least `cost`.
    """
    paid = mpq(0)
    left = sum(number for _amount, number in histogram)
    for amount, number in sorted(histogram):
        payment = (cost - paid) / left
        if payment <= amount:
            return payment
        paid += amount * number
        left -= number
    raise AssertionError("supporters cannot afford the project")  # pragma: no cover


class _ExactMES:
    """Runs of MES with cost satisfaction in exact fractions, as pabutools counts them.

    With cost satisfaction a supporter of project p pays min(money, q) and MES funds the project
    with the least q / cost (equivalently the most "effective votes" cost / q); ties go to the
    smallest id in string order, as pabutools' lexicographic tie-breaking.

    Voters with the same money left behave alike and there are few distinct amounts (a purchase
    makes at most one new amount per amount its supporters had), so each ballot group holds the index
    of its amount in a table of exact amounts, and numpy moves and counts those indices: a project's
    supporters by amount is one `bincount`, a purchase one `unique` over its supporters. Only the
    distinct amounts are fractions in Python.
    """

    def __init__(self, election: _Election, candidates: list[int]) -> None:
        import numpy as np

        self.np = np
        self.election = election
        self.candidates = candidates
        counts = np.asarray(election.counts, dtype=np.int64)
        self.supporters = {p: np.asarray(election.supporters[p], dtype=np.int64) for p in candidates}
        # bincount adds float64 weights: exact for whole numbers of voters below 2**53.
        self.weights = {p: counts[self.supporters[p]].astype(np.float64) for p in candidates}

    def run(self, share: Any) -> _MESRun:
        np, election = self.np, self.election
        costs, ids = election.costs, election.ids
        amounts: list[Any] = [share]  # index -> an exact amount of money
        index_of: dict[Any, int] = {share: 0}
        holding = np.zeros(len(election.counts), dtype=np.int64)  # group -> index of its money
        remaining = set(self.candidates)
        # A lower bound of each project's q / cost: money only goes down, so q / cost only goes up.
        ratio = {p: mpq(1, election.scores[p]) for p in self.candidates}
        selected: list[int] = []
        rounds: list[dict[str, Any]] = []
        round_number = 0
        while remaining:
            round_number += 1
            best = None
            tied: list[int] = []
            payments: dict[int, Any] = {}
            for p in sorted(remaining, key=lambda p: (ratio[p], ids[p])):
                if best is not None and ratio[p] > best:
                    break
                by_amount = np.bincount(holding[self.supporters[p]], weights=self.weights[p])
                histogram = [(amounts[i], int(by_amount[i])) for i in np.flatnonzero(by_amount).tolist()]
                have = sum((amount * number for amount, number in histogram), mpq(0))
                if have < costs[p]:
                    remaining.discard(p)
                    rounds.append(
                        {
                            "round": round_number,
                            "code": NOT_AFFORDABLE_BY_SUPPORTERS,
                            **_project_facts(election, p),
                            "supporters_money": money(have),
                        }
                    )
                    continue
                payment = _affordable_payment(costs[p], histogram)
                payments[p] = payment
                ratio[p] = payment / costs[p]
                if best is None or ratio[p] < best:
                    best, tied = ratio[p], [p]
                elif ratio[p] == best:
                    tied.append(p)
            if not tied:
                break
            chosen = min(tied, key=lambda p: ids[p])
            payment = payments[chosen]
            remaining.discard(chosen)
            selected.append(chosen)
            groups = self.supporters[chosen]
            before, inverse = np.unique(holding[groups], return_inverse=True)
            voters = np.bincount(inverse, weights=self.weights[chosen])
            after = []
            full_payers = 0
            for position, old in enumerate(before.tolist()):
                amount = amounts[old]
                if amount >= payment:
                    full_payers += int(voters[position])
                left = amount - min(amount, payment)
                new = index_of.get(left)
                if new is None:
                    new = index_of[left] = len(amounts)
                    amounts.append(left)
                after.append(new)
            holding[groups] = np.asarray(after, dtype=np.int64)[inverse]
            rounds.append(
                {
                    "round": round_number,
                    "code": FUNDED,
                    "index": chosen,
                    **_project_facts(election, chosen),
                    "price_per_vote": money(payment),
                    "full_payers": full_payers,
                    "effective_votes": money(costs[chosen] / payment),
                }
            )
        return _MESRun(selected=selected, rounds=rounds)


def _phragmen(election: _Election) -> tuple[list[int], Any, list[dict[str, Any]]]:
    """Sequential Phragmén as pabutools computes it, stopping when the next project would overspend.

    Supporters earn money at the same rate; the project whose supporters can first pay for it, their
    "load" (the money each supporter has spent so far) becoming (their loads + cost) / supporters,
    is funded. Unlike pabutools, projects nobody approved are never funded.
    """
    counts = election.counts
    load = [mpq(0)] * len(election.groups)
    load_sum = [mpq(0)] * len(election.ids)
    remaining = {p for p in range(len(election.ids)) if election.scores[p] > 0}
    used = mpq(0)
    selected: list[int] = []
    rounds: list[dict[str, Any]] = []
    round_number = 0
    while remaining:
        round_number += 1
        best = None
        tied: list[int] = []
        for p in remaining:
            new_load = (load_sum[p] + election.costs[p]) / election.scores[p]
            if best is None or new_load < best:
                best, tied = new_load, [p]
            elif new_load == best:
                tied.append(p)
        tied.sort(key=lambda p: election.ids[p])
        over = [p for p in tied if used + election.costs[p] > election.budget]
        if over:
            rounds.append(
                {
                    "round": round_number,
                    "code": STOPPED_OVER_BUDGET,
                    **_project_facts(election, over[0]),
                    "load": money(best),
                    "remaining": money(election.budget - used),
                }
            )
            break
        chosen = tied[0]
        remaining.discard(chosen)
        selected.append(chosen)
        used += election.costs[chosen]
        for group in election.supporters[chosen]:
            delta = (best - load[group]) * counts[group]
            load[group] = best
            for p in election.groups[group]:
                load_sum[p] += delta
        rounds.append(
            {
                "round": round_number,
                "code": FUNDED,
                **_project_facts(election, chosen),
                "load": money(best),
                "remaining": money(election.budget - used),
            }
        )
    return selected, used, rounds
