import json
from fractions import Fraction
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from participation.budgeting.pabulib import PabulibError, read_pb, to_pabutools
from participation.budgeting.tally import RULES, Outcome, money, tally


def describe(entry: dict[str, Any]) -> str:
    """Return one explanation round as an English line, for the command line only (pages translate)."""
    code = entry["code"]
    head = f"round {entry['round']}: "
    if code == "voter_budget":
        return (
            f"{head}each of {entry['voters']} voters starts with {_approx(entry['per_voter'])} "
            f"(an equal share {_approx(entry['initial_per_voter'])} "
            f"plus {entry['increments']} × {entry['increment']}), "
            f"{_approx(entry['virtual_budget'])} in all"
        )
    project = f"project {entry['project']} ({entry['votes']} votes, cost {entry['cost']})"
    details = {
        "funded": "funded",
        "skipped_over_budget": "skipped: costs more than the money left",
        "stopped_no_skip": "does not fit in the money left: counting stops",
        "not_reached": "not reached",
        "below_threshold": f"not eligible: below the {_approx(entry.get('required', '0'))} votes required",
        "no_votes": "not eligible: no votes",
        "cost_exceeds_budget": "not eligible: costs more than the whole budget",
        "not_affordable_by_supporters": (
            f"not affordable: its supporters have {_approx(entry.get('supporters_money', '0'))} left"
        ),
        "stopped_over_budget": "would overspend: counting stops",
    }[code]
    line = f"{head}{project} {details}"
    if "price_per_vote" in entry:
        line += f", each supporter paying up to {_approx(entry['price_per_vote'])}"
    if "load" in entry:
        line += f", load {_approx(entry['load'])}"
    if "remaining" in entry:
        line += f"; {_approx(entry['remaining'])} left"
    return line


def _approx(amount: str) -> str:
    """Return an exact amount ("1070000/2553") as a readable one ("419.11")."""
    if "/" not in amount:
        return amount
    return f"{float(Fraction(amount)):.2f}"


class Command(BaseCommand):
    help = (
        "Count a participatory-budgeting vote from a Pabulib .pb file and print the funded project ids, one a "
        "line, in the order the rule funded them. Rules: greedy (by votes, skipping what does not fit), "
        "greedy-no-skip (stops at the first that does not fit), greedy-threshold (greedy among projects approved "
        "by at least --threshold of the voters), mes-add1 (Method of Equal Shares, cost satisfaction, voters' "
        "shares raised by 1 until nothing more fits), phragmen (sequential Phragmén). --explain adds the rounds; "
        "--json prints the whole outcome as JSON instead. A file that cannot be read exits with status 1 and "
        "FILE:LINE: message. docs/budgeting-results.md describes the rules."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .pb file")
        parser.add_argument("--rule", required=True, choices=RULES)
        parser.add_argument("--threshold", help="greedy-threshold: least share of voters, e.g. 0.1")
        parser.add_argument("--explain", action="store_true", help="print the rounds after the ids")
        parser.add_argument("--json", action="store_true", help="print the outcome as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            election = read_pb(path)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        except PabulibError as error:
            where = f"{path}:{error.line}" if error.line else path
            raise CommandError(f"{where}: {error.message}") from None
        threshold = options["threshold"]
        if threshold is not None:
            try:
                threshold = Fraction(threshold)
            except ValueError:
                raise CommandError(f"--threshold {threshold!r} is not a number") from None
        instance, profile = to_pabutools(election, multiprofile=True)
        try:
            outcome = tally(instance, profile, options["rule"], threshold=threshold)
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from None
        self._print(outcome, explain=options["explain"], as_json=options["json"])

    def _print(self, outcome: Outcome, *, explain: bool, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False, indent=2))
            return
        for project_id in outcome.selected:
            self.stdout.write(project_id)
        if explain:
            self.stdout.write("")
            for entry in outcome.rounds:
                self.stdout.write(describe(entry))
            self.stdout.write(
                f"used {_approx(money(outcome.used))} of {_approx(money(outcome.budget))}, "
                f"{len(outcome.selected)} projects funded"
            )
