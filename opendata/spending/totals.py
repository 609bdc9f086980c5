"""Budget totals that are not the sum of their lines: found after an import, reported, never fixed."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from portal.importing import RowError


class TotalsChecker:
    """Finds the totals that are not the sum of the lines below them.

    Lines of the same year, stage, direction, section and currency form a tree by their codes: a line is below
    another when each of its codes extends the other's (chapter 011 with no article holds 011/6061 and
    011/6062; function 0111 is below 011). Its parent is the nearest such line. Lines without any code are
    out of the tree. Keeps a few values per line: budget files have thousands of lines, not millions.
    """

    def __init__(self) -> None:
        self.groups: dict[tuple, dict[tuple[str, str], tuple[int, Decimal]]] = defaultdict(dict)

    def add(self, line: int, values: dict[str, Any]) -> None:
        codes = (values["function_code"], values["economic_code"])
        if any(codes):
            group = (values["fiscal_year"], values["stage"], values["direction"], values["section"], values["currency"])
            self.groups[group][codes] = (line, values["amount"])

    def warnings(self) -> list[RowError]:
        found = []
        for lines in self.groups.values():
            sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
            for (function, economic), (_line, amount) in lines.items():
                parents = [
                    (function[:f], economic[:e])
                    for f in range(len(function), -1, -1)
                    for e in range(len(economic), -1, -1)
                    if (f, e) != (len(function), len(economic)) and (function[:f], economic[:e]) in lines
                ]
                if parents:
                    sums[max(parents, key=lambda codes: len(codes[0]) + len(codes[1]))] += amount
            for codes, total in sums.items():
                line, amount = lines[codes]
                if amount != total:
                    message = _("the total %(amount)s is not the sum of the lines below it (%(sum)s)")
                    found.append(
                        RowError(line, "/".join(filter(None, codes)), message % {"amount": amount, "sum": total})
                    )
        return sorted(found)
