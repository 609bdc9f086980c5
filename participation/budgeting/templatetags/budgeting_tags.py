"""What the public pages of a budgeting cycle say in words: amounts with the cycle's currency, the calendar of
phases, the ballot and counting rules in plain language, and the sentence of each round of a count."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.money import format_money, format_number

from ..models import PHASE_ORDER, PHASE_STARTS, BallotRule, CountingRule, Cycle, Phase

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """An amount with its currency's sign, as the active language writes it (portal.money)."""
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency)


@register.filter
def share(value) -> str:
    """A share between 0 and 1 as a percentage: 0.25 → "25 %" (grouped per language)."""
    if value is None:
        return ""
    return _("%(number)s%%") % {"number": format_number(Decimal(value) * 100, 0)}


# The calendar ----------------------------------------------------------------------------------------------------


@dataclass
class Step:
    phase: str
    label: str
    starts: datetime | None
    ends: datetime | None
    state: str  # "past", "current" or "coming"


def _starts(cycle: Cycle) -> dict[str, datetime | None]:
    starts = {phase: getattr(cycle, name) for phase, name in PHASE_STARTS.items()}
    starts[Phase.RESULTS] = cycle.results_published_at
    starts[Phase.IMPLEMENTATION] = None
    return starts


@register.simple_tag
def calendar(cycle: Cycle) -> list[Step]:
    """The cycle's phases in order, each with its dates (a phase ends when the next dated one begins) and
    whether it is over, under way or to come. Phases the cycle skips (no date, not reached) are left out."""
    starts = _starts(cycle)
    current = PHASE_ORDER.index(cycle.phase)
    steps = []
    phases = PHASE_ORDER[1:]
    for phase in phases:
        index = PHASE_ORDER.index(phase)
        start = starts.get(phase)
        always = phase in (Phase.VOTING, Phase.BALLOT_REVIEW, Phase.RESULTS, Phase.IMPLEMENTATION)
        if start is None and not always and index != current:
            continue
        later = [starts.get(other) for other in PHASE_ORDER[index + 1 :]]
        end = next((moment for moment in later if moment is not None), None)
        state = "current" if index == current else "past" if index < current else "coming"
        steps.append(Step(phase, str(Phase(phase).label), start, end, state))
    return steps


# The rules in words ----------------------------------------------------------------------------------------------


@register.simple_tag
def ballot_rule_text(cycle: Cycle) -> str:
    rule = cycle.ballot_rule
    if rule == BallotRule.APPROVAL:
        if cycle.max_projects:
            return ngettext(
                "In each budget you vote in, tick the project you want funded: at most %(count)d.",
                "In each budget you vote in, tick the projects you want funded: at most %(count)d.",
                cycle.max_projects,
            ) % {"count": cycle.max_projects}
        return _("In each budget you vote in, tick every project you want funded, as many as you like.")
    if rule == BallotRule.KNAPSACK:
        text = _(
            "In each budget you vote in, choose the projects you want funded, as long as their costs together "
            "stay within the budget: the ballot shows what you have spent and what is left."
        )
        if cycle.min_spend_share:
            text += " " + _("Your choices must use at least %(share)s of the budget.") % {
                "share": share(cycle.min_spend_share)
            }
        return text
    if rule == BallotRule.CHOOSE_ONE:
        return _("In each budget you vote in, choose one project.")
    text = ngettext(
        "In each budget you vote in, share %(count)d point among the projects: more points, more support.",
        "In each budget you vote in, share %(count)d points among the projects: more points, more support.",
        cycle.points or 0,
    ) % {"count": cycle.points or 0}
    if cycle.max_points_per_project:
        text += " " + ngettext(
            "At most %(count)d point on one project.",
            "At most %(count)d points on one project.",
            cycle.max_points_per_project,
        ) % {"count": cycle.max_points_per_project}
    return text


@register.simple_tag
def counting_rule_text(cycle: Cycle) -> str:
    rule = cycle.counting_rule
    if rule == CountingRule.GREEDY:
        return _(
            "Projects are taken from the most voted to the least voted. Each is funded if its cost fits in the "
            "money left; one that does not fit is passed over and the next one is considered."
        )
    if rule == CountingRule.GREEDY_NO_SKIP:
        return _(
            "Projects are taken from the most voted to the least voted and funded one after another; counting "
            "stops at the first project whose cost does not fit in the money left."
        )
    if rule == CountingRule.GREEDY_THRESHOLD:
        return _(
            "Only projects chosen by at least %(share)s of the voters can be funded. Among them, projects are "
            "taken from the most voted to the least voted, each funded if its cost fits in the money left."
        ) % {"share": share(cycle.threshold)}
    if rule == CountingRule.MES_ADD1:
        return _(
            "Method of Equal Shares: the budget is shared equally among the voters. A project is funded when the "
            "voters who chose it can pay for it together from their shares, the project that costs each of them "
            "least first. When no more project can be paid that way, the count starts again with every share "
            "slightly larger, until the budget is used as fully as the rule allows. Every group of voters thus "
            "gets projects in proportion to its size, not only the largest group."
        )
    return _(
        "Sequential Phragmén: every voter earns money at the same pace; a project is funded as soon as the voters "
        "who chose it have earned its cost together, and they spend it on it. Counting stops when the next "
        "project would cost more than the money left. Every group of voters thus gets projects in proportion "
        "to its size."
    )


# The rounds of a count -------------------------------------------------------------------------------------------


@register.simple_tag
def explain_round(round_: dict, titles: dict, currency: str = "") -> str:
    """The sentence of one round of a count (results.explain), escaped by the template like any text."""
    # Imported here: the counting code (pabutools and numpy behind it) loads only for the results page.
    from ..results import explain

    return explain(round_, currency, titles)
