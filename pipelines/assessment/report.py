"""The assessment as one HTML document (every crawled value escaped by the template engine),
and as a PDF rendered from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, select_autoescape

from pipelines.assessment.model import NOT_ADVICE, Assessment
from pipelines.assessment.tables import MONEY, RATIO, TABLES, Table
from pipelines.assessment.text import header
from pipelines.exports.sheets import CellValue, Column
from pipelines.resources import data_file

_HEADINGS = {
    "portfolio": "Debtors ranked by expected recovery",
    "claims": "The claims, as the debtor list gives them",
    "jurisdictions": "Value and enforcement route by jurisdiction",
    "assets": "Traced assets, best chain and weakest hop",
    "signals": "Dissipation signals",
    "missing": "What is missing",
}


@dataclass(frozen=True)
class Cell:
    text: str
    css: str


@dataclass(frozen=True)
class HtmlTable:
    heading: str
    headers: list[str]
    rows: list[list[Cell]]


def assessment_html(assessment: Assessment) -> str:
    from pipelines.exports.pdf import PAGE_CSS  # WeasyPrint's module: loaded only for a PDF

    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template_text = data_file("assessment", "assessment.html.j2").read_text(encoding="utf-8")
    template = environment.from_string(template_text)
    one = len(assessment.debtors) == 1
    title = "Recovery assessment" + (
        f": {assessment.debtors[0].debtor.debtor_id} {assessment.debtors[0].debtor.name}"
        if one
        else ""
    )
    tables = [_html_table(build(assessment)) for build in TABLES[1:]]  # 'about' is the header
    return template.render(title=title, statement=NOT_ADVICE, made=header(assessment)[1:],
                           tables=tables, page_css=PAGE_CSS)  # fmt: skip


def write_pdf(assessment: Assessment, out: Path) -> None:
    from pipelines.exports.pdf import html_to_pdf

    html_to_pdf(assessment_html(assessment), out)


def _html_table(table: Table) -> HtmlTable:
    rows = [
        [_cell(value, column) for value, column in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]
    return HtmlTable(_HEADINGS.get(table.name, table.name), [c.header for c in table.columns],
                     rows)  # fmt: skip


def _cell(value: CellValue, column: Column) -> Cell:
    if value is None:
        return Cell("—", "")
    if column.header == "status":
        return Cell(str(value), f"status-{value}")
    if isinstance(value, dt.datetime):
        return Cell(f"{value:%Y-%m-%d %H:%M}", "date")
    if isinstance(value, dt.date):
        return Cell(value.isoformat(), "date")
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return Cell(str(value), "")
    if column.number_format == RATIO:
        return Cell(f"{value:.1%}", "number")
    if column.number_format == MONEY:
        return Cell(f"{value:,.2f}", "number")
    if isinstance(value, float):
        return Cell(f"{value:.3f}", "number")
    return Cell(str(value), "number")
