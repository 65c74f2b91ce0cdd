"""Crawled text in the assessment's outputs: escaped in the HTML the PDF is rendered from,
neutralised in the workbook; the statement that this is not legal advice in both."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from openpyxl import load_workbook

from pipelines.assessment.assess import assess_case
from pipelines.assessment.model import NOT_ADVICE, Assessment
from pipelines.assessment.report import assessment_html
from pipelines.assessment.workbook import write_workbook
from pipelines.exports.case import load_case
from pipelines.store import connect
from tests.pipelines.assessment.assess_store import build_assess_store

HOSTILE = '<script>alert(1)</script>=HYPERLINK("http://x","y")'


def hostile_assessment(tmp_path: Path) -> Assessment:
    """The small store's assessment with a debtor and a record named like an attack."""
    db = tmp_path / "store.duckdb"
    build_assess_store(db)
    with connect(db) as store:
        store.con.execute("UPDATE records SET name = ? WHERE source_id = 'K2'", [HOSTILE])
        store.con.execute("UPDATE debtors SET name = ? WHERE debtor_id = 'D2'", ["=" + HOSTILE])
        return assess_case(load_case(store.con), None, dt.date(2025, 3, 1))


def test_html_escapes_crawled_text(tmp_path: Path) -> None:
    assessment = hostile_assessment(tmp_path)
    assert any(HOSTILE in item for a in assessment.debtors for item in a.missing)
    html = assessment_html(assessment)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count(NOT_ADVICE) == 2
    one = replace(assessment, debtors=assessment.debtors[:1])
    assert "<h1>Recovery assessment: D1 安丰投资有限公司</h1>" in assessment_html(one)


def test_workbook_neutralises_formulas(tmp_path: Path) -> None:
    out = tmp_path / "assessment.xlsx"
    write_workbook(hostile_assessment(tmp_path), out)
    book = load_workbook(out)
    names = [row[2] for row in book["portfolio"].iter_rows(min_row=2, values_only=True)]
    assert "'=" + HOSTILE in names
    cells = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row]
    assert not any(isinstance(c, str) and c.startswith(("=", "+", "@")) for c in cells)
    assert NOT_ADVICE in [c for c in cells if isinstance(c, str)]
