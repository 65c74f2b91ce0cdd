"""The assessment as one HTML document (every crawled value escaped by the template engine),
and as a PDF rendered from it: the portfolio first, then a section per debtor."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipelines.assessment.model import NOT_ADVICE, Assessment
from pipelines.assessment.sections import debtor_sections, portfolio
from pipelines.assessment.text import LEGEND, header
from pipelines.resources import data_file


def assessment_html(assessment: Assessment) -> str:
    from pipelines.exports.pdf import PAGE_CSS  # WeasyPrint's module: loaded only for a PDF

    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                              undefined=StrictUndefined)  # fmt: skip
    template_text = data_file("assessment", "assessment.html.j2").read_text(encoding="utf-8")
    template = environment.from_string(template_text)
    one = len(assessment.debtors) == 1
    title = "Recovery assessment" + (
        f": {assessment.debtors[0].debtor.debtor_id} {assessment.debtors[0].debtor.name}"
        if one
        else ""
    )
    return template.render(
        title=title, statement=NOT_ADVICE, made=header(assessment)[1:], legend=LEGEND,
        portfolio=portfolio(assessment), sections=debtor_sections(assessment),
        page_css=Markup(PAGE_CSS),  # oad's own stylesheet, not data: escaped it would not parse
    )  # fmt: skip


def write_pdf(assessment: Assessment, out: Path) -> None:
    from pipelines.exports.pdf import html_to_pdf

    html_to_pdf(assessment_html(assessment), out)
