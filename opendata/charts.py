"""A horizontal bar chart drawn on the server as SVG coordinates, mirrored for right-to-left pages."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from portal.money import format_number

WIDTH = 640  # the SVG's viewBox width; the page scales it to the column
LABEL_WIDTH = 200
VALUE_WIDTH = 110  # room after the longest bar for its figure
ROW_HEIGHT = 30
BAR_HEIGHT = 20
GAP = 6
MAX_LABEL = 28  # characters of a category shown beside its bar; the table has the whole text


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: str  # formatted for the active language
    top: int
    text_y: int
    bar_x: float
    bar_width: float
    label_x: float
    label_anchor: str
    value_x: float
    value_anchor: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_height: int
    bars: list[Bar]


def as_decimal(value) -> Decimal:
    """The exact value of a total (SQLite's sums arrive as floats: their shortest text is what was added)."""
    if value is None:
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def format_total(value) -> str:
    number = as_decimal(value)
    return format_number(number, 0 if number == number.to_integral_value() else None)


def bar_chart(rows: list[tuple], *, rtl: bool) -> BarChart:
    """Bars for `rows` of `(category, total)` (opendata.datastore.aggregate), in their order.

    Bars start at the labels' edge and grow towards the end of the line: rightwards in ltr, leftwards in rtl.
    Totals below zero get no bar, only their figure.
    """
    totals = [as_decimal(total) for _category, total in rows]
    largest = max([total for total in totals if total > 0], default=Decimal(1))
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, ((category, _total), total) in enumerate(zip(rows, totals, strict=True)):
        label = _("(empty)") if category in (None, "") else str(category)
        length = float(total / largest) * room if total > 0 else 0.0
        top = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        if rtl:
            origin = WIDTH - LABEL_WIDTH
            geometry = dict(
                bar_x=origin - length,
                label_x=origin + GAP,
                label_anchor="start",
                value_x=origin - length - GAP,
                value_anchor="end",
            )
        else:
            geometry = dict(
                bar_x=LABEL_WIDTH,
                label_x=LABEL_WIDTH - GAP,
                label_anchor="end",
                value_x=LABEL_WIDTH + length + GAP,
                value_anchor="start",
            )
        bars.append(
            Bar(
                label=label,
                short_label=label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…",
                value=format_total(total),
                top=top,
                text_y=top + BAR_HEIGHT // 2,
                bar_width=length,
                **geometry,
            )
        )
    return BarChart(width=WIDTH, height=max(1, len(bars)) * ROW_HEIGHT, bar_height=BAR_HEIGHT, bars=bars)
