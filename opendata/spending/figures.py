"""What the spending pages show: each chart with the table of its exact figures, built once per request.

A `Figure` is a chart, its `Table` (opendata.spending.tables: what the page shows under the chart and what its
download holds) and the table's cells formatted for the active language. The overview's figures come from
opendata.spending.summaries, a constant number of grouped queries whatever the number of lines or payments.
"""

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from opendata.charts import bar_chart, grouped_bar_chart, treemap
from portal.bodies.models import PublicBody
from portal.money import decimal_places, format_money, format_number

from .models import Direction, Payment, Section, Supplier, currency_of
from .summaries import by_classification, by_year, top_recipients, totals
from .tables import Column, Table

TOP_RECIPIENTS = 10


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    url: str = ""


@dataclass
class Figure:
    table: Table
    chart: Any = None  # a BarChart, GroupedBarChart or Treemap (opendata.charts), or None for a table only
    chart_kind: str = ""  # "bars", "grouped", "treemap"
    note: str = ""
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.table.name


def shown(table: Table) -> list[list[Cell]]:
    """The table's cells as the page writes them: money with its currency sign, numbers grouped per language,
    each column's amounts with the same decimals; a row's `url` links its first cell."""
    places = {
        column.key: decimal_places(row.get(column.key) for row in table.rows)
        for column in table.columns
        if column.kind == "money"
    }
    rows = []
    for row in table.rows:
        cells = []
        for position, column in enumerate(table.columns):
            value = row.get(column.key)
            if value is None or value == "":
                text = "—" if column.kind in ("money", "number", "percent") else ""
            elif column.kind == "money":
                text = format_money(value, row.get("currency", ""), places[column.key])
            elif column.kind == "percent":
                text = f"{format_number(value, 1)}\u00a0%"
            elif column.kind == "number":
                text = format_number(value, 0)
            else:
                text = str(value)
            numeric = column.kind in ("money", "number", "percent")
            cells.append(Cell(text, numeric, row.get("url", "") if position == 0 else ""))
        rows.append(cells)
    return rows


def figure(table: Table, chart=None, chart_kind: str = "", note: str = "") -> Figure:
    return Figure(table, chart, chart_kind, note, shown(table))


def stage_columns() -> list[Column]:
    return [
        Column("voted", _("Voted"), "money"),
        Column("amended", _("Amended"), "money"),
        Column("executed", _("Executed"), "money"),
        Column("execution_rate", _("Executed (%)"), "percent"),
        Column("currency", _("Currency")),
    ]


def stage_values(figures) -> dict[str, Any]:
    return {
        "voted": figures.voted,
        "amended": figures.amended,
        "executed": figures.executed,
        "execution_rate": figures.execution_rate,
        "currency": figures.currency,
    }


@dataclass
class Overview:
    body: PublicBody
    year: int
    currency: str
    figures: dict[str, Figure]

    def __getitem__(self, name: str) -> Figure:
        return self.figures[name]


def supplier_url(supplier: Supplier | None) -> str:
    if supplier is None or supplier.is_private_person:
        return ""
    return reverse("spending:supplier", args=[supplier.uuid])


def overview(body: PublicBody, year: int) -> Overview:
    """Return the figures of the budget overview of `body` for `year`: totals, the budget by function (treemap),
    voted against executed by function, year over year, top suppliers and subsidised associations. Charts show
    the body's own currency; tables list every currency."""
    rtl = get_language_bidi()
    currency = currency_of(body)
    figures: dict[str, Figure] = {}

    year_totals = totals(body, year)
    table = Table(
        "totals",
        _("Revenue and expenditure, %(year)s") % {"year": year},
        [Column("direction", _("Direction")), Column("section", _("Section")), *stage_columns()],
    )
    directions = {value: str(label) for value, label in Direction.choices}
    sections = {"": _("All sections"), **{value: str(label) for value, label in Section.choices}}
    for direction in (Direction.REVENUE, Direction.EXPENDITURE):
        keys = sorted(
            (key for key in year_totals if key[0] == direction), key=lambda key: (key[2], key[1] != "", key[1])
        )
        for key in keys:
            table.rows.append(
                {"direction": directions[direction], "section": sections.get(key[1], key[1]),
                 **stage_values(year_totals[key])}
            )  # fmt: skip
    figures["totals"] = figure(table)

    functions = by_classification(body, year)
    table = Table(
        "functions",
        _("Expenditure by function, %(year)s") % {"year": year},
        [Column("code", _("Code")), Column("label", _("Function")), *stage_columns()],
    )
    table.rows = [{"code": group.code, "label": group.label, **stage_values(group)} for group in functions]
    mine = [group for group in functions if group.currency == currency]
    figures["functions"] = figure(
        table,
        treemap([(group.label, group.planned or group.executed) for group in mine], rtl=rtl),
        "treemap",
        _("Each rectangle's area is the amount planned for the function (amended when published, else voted)."),
    )
    figures["execution"] = figure(
        Table(
            "execution",
            _("Voted and executed by function, %(year)s") % {"year": year},
            table.columns,
            table.rows,
        ),
        grouped_bar_chart(
            [(group.label, [group.voted, group.executed]) for group in mine], [_("Voted"), _("Executed")], rtl=rtl
        ),
        "grouped",
    )

    years = by_year(body)
    table = Table(
        "years",
        _("Expenditure year by year"),
        [Column("year", _("Fiscal year")), *stage_columns()],
        [{"year": str(number), **stage_values(group)} for number, group in years],
    )
    figures["years"] = figure(
        table,
        grouped_bar_chart(
            [(str(number), [group.voted, group.executed]) for number, group in years if group.currency == currency],
            [_("Voted"), _("Executed")],
            rtl=rtl,
        ),
        "grouped",
    )

    for name, kind, title, heading in (
        ("suppliers", Payment.Kind.PAYMENT, _("Top suppliers, %(year)s"), _("Supplier")),
        ("subsidies", Payment.Kind.SUBSIDY, _("Top subsidised associations, %(year)s"), _("Beneficiary")),
    ):
        top, persons = top_recipients(
            Payment.objects.filter(body=body, fiscal_year=year, kind=kind), limit=TOP_RECIPIENTS
        )
        table = Table(
            name,
            title % {"year": year},
            [Column("name", heading), Column("count", _("Payments"), "number"), Column("total", _("Total"), "money"),
             Column("currency", _("Currency"))],
        )  # fmt: skip
        for recipient in [*top, *persons]:
            table.rows.append(
                {"name": recipient.name, "count": recipient.count, "total": recipient.total,
                 "currency": recipient.currency, "url": supplier_url(recipient.supplier)}
            )  # fmt: skip
        chart = bar_chart([(r.name, r.total) for r in top if r.currency == currency], rtl=rtl) if top else None
        figures[name] = figure(
            table, chart, "bars", _("Private persons are never named: their payments are counted together.")
        )
    return Overview(body, year, currency, figures)
