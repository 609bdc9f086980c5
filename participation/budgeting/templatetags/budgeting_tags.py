"""What the public pages of a budgeting cycle say in words: amounts with the cycle's currency, the calendar of
phases, the ballot and counting rules in plain language, and the sentence of each round of a count."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django import template
from django.utils import timezone
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
# results.explain (the lead's) gives these sentences once it lands; until then this renderer does, from the
# round dicts of participation.budgeting.tally (a `code`, a `project` id and amounts as exact strings).


def _amount(text, currency: str) -> str:
    """An exact amount of the count ("1234.5", or "p/q" when it has no finite decimal form) with its currency."""
    if text is None or text == "":
        return ""
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        try:
            value = Decimal(Fraction(str(text)).numerator) / Decimal(Fraction(str(text)).denominator)
        except (ValueError, ZeroDivisionError):
            return str(text)
        value = value.quantize(Decimal("0.01"))
    return format_money(value, currency)


def _votes(value) -> str:
    try:
        return format_number(value, None if isinstance(value, str) and "." in value else 0)
    except (TypeError, ValueError):
        return str(value)


def own_explain(round_: dict, titles: dict[str, str], currency: str) -> str:
    code = round_.get("code", "")
    project = str(round_.get("project", ""))
    facts = {
        "project": titles.get(project) or (_("project %(id)s") % {"id": project}),
        "votes": _votes(round_.get("votes", 0)),
        "cost": _amount(round_.get("cost"), currency),
        "remaining": _amount(round_.get("remaining"), currency),
    }
    if code == "funded":
        return _("“%(project)s” (%(votes)s votes, %(cost)s) is funded; %(remaining)s left.") % facts
    if code == "skipped_over_budget":
        return (
            _("“%(project)s” (%(votes)s votes) costs %(cost)s, more than the %(remaining)s left: passed over.") % facts
        )
    if code == "stopped_no_skip":
        return _("“%(project)s” costs %(cost)s, more than the %(remaining)s left: counting stops here.") % facts
    if code == "stopped_over_budget":
        return _("“%(project)s” would cost %(cost)s, more than the %(remaining)s left: counting stops here.") % facts
    if code == "not_reached":
        return _("“%(project)s” (%(votes)s votes) was not reached: the money had run out.") % facts
    if code == "below_threshold":
        return _("“%(project)s” has %(votes)s votes, fewer than the %(required)s required: not funded.") % {
            **facts,
            "required": _votes(round_.get("required", "")),
        }
    if code == "no_votes":
        return _("“%(project)s” has no votes: not funded.") % facts
    if code == "cost_exceeds_budget":
        return _("“%(project)s” costs %(cost)s, more than the whole budget: not funded.") % facts
    if code == "not_affordable_by_supporters":
        return _(
            "“%(project)s” (%(cost)s): the %(votes)s voters who chose it have only %(money)s left of their shares: "
            "not funded."
        ) % {**facts, "money": _amount(round_.get("supporters_money"), currency)}
    if code == "voter_budget":
        return _(
            "%(voters)s voters each get an equal share of the budget: %(initial)s, raised to %(share)s so that the "
            "budget is used as fully as possible."
        ) % {
            "voters": _votes(round_.get("voters", 0)),
            "initial": _amount(round_.get("initial_per_voter"), currency),
            "share": _amount(round_.get("per_voter"), currency),
        }
    return code


@register.simple_tag
def explain_round(round_: dict, titles: dict, currency: str = "") -> str:
    """The sentence of one round of a count, in the active language; escaped by the template like any text."""
    try:
        from ..results import explain  # type: ignore[attr-defined]  # the lead's, when it lands
    except ImportError:
        return own_explain(round_, titles, currency)
    return explain(round_)


@register.filter
def is_past(moment) -> bool:
    return moment is not None and moment <= timezone.now()
