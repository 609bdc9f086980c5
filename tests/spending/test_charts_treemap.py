"""opendata.charts: the squarified treemap and the grouped bars, mirrored right to left."""

from decimal import Decimal

import pytest

from opendata.charts import grouped_bar_chart, treemap

AMOUNTS = [("Eau", "600"), ("Voirie", "250.50"), ("Écoles", "100"), ("Culture", "40"), ("Divers", "9.50"),
           ("Rien", "0"), ("Remboursement", "-20")]  # fmt: skip


@pytest.mark.parametrize("rtl", [False, True])
def test_charts_treemap_areas_are_proportional_and_fill_the_box(rtl):
    chart = treemap(AMOUNTS, rtl=rtl, width=640, height=360)

    assert [tile.label for tile in chart.tiles] == ["Eau", "Voirie", "Écoles", "Culture", "Divers"]  # no tile ≤ 0
    whole = sum(Decimal(amount) for _label, amount in AMOUNTS[:5])
    for tile in chart.tiles:
        assert tile.area == pytest.approx(float(tile.amount / whole) * 640 * 360, rel=1e-9)
        assert tile.x >= -1e-6 and tile.x + tile.width <= 640 + 1e-6
        assert tile.y >= -1e-6 and tile.y + tile.height <= 360 + 1e-6
    assert sum(tile.area for tile in chart.tiles) == pytest.approx(640 * 360)
    # No two tiles overlap: they tile the box.
    for index, first in enumerate(chart.tiles):
        for second in chart.tiles[index + 1 :]:
            overlap_x = min(first.x + first.width, second.x + second.width) - max(first.x, second.x)
            overlap_y = min(first.y + first.height, second.y + second.height) - max(first.y, second.y)
            assert overlap_x <= 1e-6 or overlap_y <= 1e-6
    # The largest tile starts in the reading corner: top left, or top right in Arabic.
    largest = chart.tiles[0]
    assert largest.y == 0
    assert (largest.x + largest.width == pytest.approx(640)) if rtl else largest.x == 0
    assert largest.text_anchor == ("end" if rtl else "start")


def test_charts_treemap_of_nothing_positive_has_no_tile():
    assert treemap([("Rien", "0"), ("Avoir", "-5")], rtl=False).tiles == []


def test_charts_grouped_bars_share_one_scale_and_grow_towards_the_line_end():
    rows = [("Eau", [Decimal("200"), Decimal("100")]), ("Voirie", [Decimal("50"), None])]

    ltr = grouped_bar_chart(rows, ["Voté", "Exécuté"], rtl=False)
    rtl = grouped_bar_chart(rows, ["Voté", "Exécuté"], rtl=True)

    widths = [[bar.bar_width for bar in group.bars] for group in ltr.groups]
    assert widths[0][1] == pytest.approx(widths[0][0] / 2) and widths[1][0] == pytest.approx(widths[0][0] / 4)
    assert widths[1][1] == 0 and ltr.groups[1].bars[1].value == "—"
    assert rtl.groups[0].bars[0].bar_x + rtl.groups[0].bars[0].bar_width == ltr.width - (ltr.groups[0].bars[0].bar_x)
