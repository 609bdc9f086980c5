"""Charts drawn on the server as SVG coordinates (bars, grouped bars, a treemap), mirrored for right-to-left pages."""

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


# --- Treemap ------------------------------------------------------------------------------------------------------

TREEMAP_WIDTH = 640
TREEMAP_HEIGHT = 360
TILE_PADDING = 6
TILE_LINE = 16  # px between a tile's label and its figure
MIN_LABELLED_WIDTH = 56  # a tile narrower or lower than this shows its name in its tooltip and the table only
MIN_LABELLED_HEIGHT = 38
CHARACTER_WIDTH = 7.5  # px of a 13px character, on average: how much of a label fits a tile
# Fills that keep white text readable (contrast ≥ 6:1 with #fff, WCAG AA asks 4.5:1), in turn.
PALETTE_SIZE = 8


@dataclass(frozen=True)
class Tile:
    label: str
    short_label: str  # "" when the tile is too small to be labelled
    value: str  # formatted for the active language
    amount: Decimal
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_anchor: str
    colour: int  # 0 … PALETTE_SIZE - 1: the CSS class treemap__tile--<colour>

    @property
    def area(self) -> float:
        return self.width * self.height


@dataclass(frozen=True)
class Treemap:
    width: int
    height: int
    tiles: list[Tile]
    line: int = TILE_LINE


def _worst_ratio(row: list[float], side: float) -> float:
    """The most elongated aspect ratio among tiles of `row` laid along a side of length `side`."""
    total = sum(row)
    return max(max(side * side * area / (total * total), total * total / (side * side * area)) for area in row)


def squarify(areas: list[float], x: float, y: float, width: float, height: float) -> list[tuple[float, ...]]:
    """Return a rectangle (x, y, width, height) per area, in order, tiling the box (Bruls, Huizing and van Wijk's
    squarified treemap): `areas` sorted largest first and summing to width × height."""
    rectangles: list[tuple[float, ...]] = []
    remaining = list(areas)
    while remaining:
        side = min(width, height)
        row = [remaining[0]]
        while len(row) < len(remaining) and _worst_ratio([*row, remaining[len(row)]], side) <= _worst_ratio(row, side):
            row.append(remaining[len(row)])
        remaining = remaining[len(row) :]
        total = sum(row)
        if width >= height:  # a column along the left edge, as high as the box
            column = total / height if height else 0.0
            top = y
            for area in row:
                tile_height = area / column if column else 0.0
                rectangles.append((x, top, column, tile_height))
                top += tile_height
            x, width = x + column, width - column
        else:  # a row along the top edge, as wide as the box
            line = total / width if width else 0.0
            start = x
            for area in row:
                tile_width = area / line if line else 0.0
                rectangles.append((start, y, tile_width, line))
                start += tile_width
            y, height = y + line, height - line
    return rectangles


def treemap(rows: list[tuple[str, object]], *, rtl: bool, width: int = TREEMAP_WIDTH, height: int = TREEMAP_HEIGHT):
    """A tile per `(label, amount)` whose area is proportional to the amount, the tiles filling the box.

    Largest first from the start corner (top left, top right in rtl: the layout is mirrored). Amounts of zero or
    less get no tile (the table under the chart still lists them).
    """
    amounts = [(str(label), as_decimal(amount)) for label, amount in rows]
    positive = sorted([item for item in amounts if item[1] > 0], key=lambda item: -item[1])
    whole = sum(amount for _label, amount in positive)
    if not whole:
        return Treemap(width=width, height=height, tiles=[])
    scale = width * height / float(whole)
    rectangles = squarify([float(amount) * scale for _label, amount in positive], 0.0, 0.0, width, height)
    tiles = []
    for index, ((label, amount), (x, y, tile_width, tile_height)) in enumerate(zip(positive, rectangles, strict=True)):
        if rtl:
            x = width - x - tile_width
        fits = int((tile_width - 2 * TILE_PADDING) / CHARACTER_WIDTH)
        labelled = tile_width >= MIN_LABELLED_WIDTH and tile_height >= MIN_LABELLED_HEIGHT and fits >= 3
        short_label = "" if not labelled else (label if len(label) <= fits else label[: fits - 1] + "…")
        tiles.append(
            Tile(
                label=label,
                short_label=short_label,
                value=format_total(amount),
                amount=amount,
                x=x,
                y=y,
                width=tile_width,
                height=tile_height,
                text_x=x + tile_width - TILE_PADDING if rtl else x + TILE_PADDING,
                text_anchor="end" if rtl else "start",
                colour=index % PALETTE_SIZE,
            )
        )
    return Treemap(width=width, height=height, tiles=tiles)


# --- Grouped bars (several series per category: voted and executed, years) ---------------------------------------

SERIES_BAR_HEIGHT = 14
GROUP_GAP = 12


@dataclass(frozen=True)
class SeriesBar:
    series: int  # index into GroupedBarChart.series: the CSS class grouped-chart__bar--<series>
    series_label: str
    value: str
    top: int
    text_y: int
    bar_x: float
    bar_width: float
    value_x: float
    value_anchor: str


@dataclass(frozen=True)
class BarGroup:
    label: str
    short_label: str
    label_x: float
    label_anchor: str
    text_y: int
    bars: list[SeriesBar]


@dataclass(frozen=True)
class GroupedBarChart:
    width: int
    height: int
    bar_height: int
    series: list[str]
    groups: list[BarGroup]


def grouped_bar_chart(rows: list[tuple[str, list]], series: list[str], *, rtl: bool) -> GroupedBarChart:
    """A group of bars per `(category, [value per series])`, one bar per series, all on one scale; mirrored in rtl
    like `bar_chart`. A missing value (None) gets no bar and a dash."""
    largest = max(
        [
            as_decimal(value)
            for _label, values in rows
            for value in values
            if value is not None and as_decimal(value) > 0
        ],
        default=Decimal(1),
    )
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    group_height = len(series) * SERIES_BAR_HEIGHT + GROUP_GAP
    origin = WIDTH - LABEL_WIDTH if rtl else LABEL_WIDTH
    groups = []
    for index, (category, values) in enumerate(rows):
        label = _("(empty)") if category in (None, "") else str(category)
        group_top = index * group_height + GROUP_GAP // 2
        bars = []
        for position, (name, value) in enumerate(zip(series, values, strict=True)):
            total = as_decimal(value)
            length = float(total / largest) * room if value is not None and total > 0 else 0.0
            top = group_top + position * SERIES_BAR_HEIGHT
            bars.append(
                SeriesBar(
                    series=position,
                    series_label=name,
                    value="—" if value is None else format_total(total),
                    top=top + 1,
                    text_y=top + SERIES_BAR_HEIGHT // 2,
                    bar_x=origin - length if rtl else origin,
                    bar_width=length,
                    value_x=origin - length - GAP if rtl else origin + length + GAP,
                    value_anchor="end" if rtl else "start",
                )
            )
        groups.append(
            BarGroup(
                label=label,
                short_label=label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…",
                label_x=origin + GAP if rtl else origin - GAP,
                label_anchor="start" if rtl else "end",
                text_y=group_top + len(series) * SERIES_BAR_HEIGHT // 2,
                bars=bars,
            )
        )
    return GroupedBarChart(
        width=WIDTH,
        height=max(1, len(groups)) * group_height,
        bar_height=SERIES_BAR_HEIGHT - 2,
        series=list(series),
        groups=groups,
    )
