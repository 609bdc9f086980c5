"""Text that a spreadsheet would run as a formula is exported with a leading quote, whatever its disguise."""

import pytest

from opendata.downloads import neutralise


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        ' =HYPERLINK("http://evil.example")',
        "   +cmd|' /C calc'!A0",
        "\u00a0-2+3",
        "\u3000@SUM(A1)",
        "＝1+1",
        " ＋1",
        "－1+1",
        "＠SUM(A1)",
        "\t=1",
    ],
)
def test_it_neutralises_formulas_behind_spaces_and_in_full_width(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-12.5", " -12.5", "+213", "Budget = 12", "مجموع", "", "1 234,50"])
def test_it_leaves_numbers_and_plain_text_alone(cell):
    assert neutralise(cell) == cell
