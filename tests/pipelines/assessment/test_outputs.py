"""Crawled text in the assessment's outputs: escaped in the HTML the PDF is rendered from,
neutralised in the workbook; the statement that this is not legal advice in both; the PDF's
portfolio fits its page in the project's sans-serif font, the workbook keeps every column."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from pipelines.assessment.assess import assess_case
from pipelines.assessment.model import NOT_ADVICE, Assessment
from pipelines.assessment.report import assessment_html, write_pdf
from pipelines.assessment.workbook import write_workbook
from pipelines.exports.case import load_case
from pipelines.store import connect
from tests.pipelines.assessment.assess_store import build_assess_store

HOSTILE = '<script>alert(1)</script>=HYPERLINK("http://x","y")'
LONG_NAME = "香港博士硕士总会有限公司"  # the longest name of the sample debtor list


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


def test_pdf_portfolio_fits_its_page(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    build_assess_store(db)
    with connect(db) as store:
        # a long name and claims as large as the sample's: the widest cells a portfolio shows
        store.con.execute("UPDATE debtors SET name = ? WHERE debtor_id = 'D3'", [LONG_NAME])
        store.con.execute("UPDATE debtors SET outstanding_amount = outstanding_amount * 10,"
                          " secured_amount = secured_amount * 10")  # fmt: skip
        assessment = assess_case(load_case(store.con), None, dt.date(2025, 3, 1))
    out = tmp_path / "assessment.pdf"
    write_pdf(assessment, out)
    pages = [page.extract_text() for page in PdfReader(out).pages]
    # a column too narrow breaks a name one character a line, and "judgment" inside the word
    for name in ("安丰投资有限公司", "陈大文", LONG_NAME, "judgment", "signals missing"):
        assert name in pages[0], name
    assert all("not legal advice" in page for page in pages)
    later = "\n".join(pages[1:])
    assert "1. D1 安丰投资有限公司" in later and "3. D3 " + LONG_NAME in later
    fonts = {str(font.get_object()["/BaseFont"])
             for font in PdfReader(out).pages[0]["/Resources"]["/Font"].values()}  # fmt: skip
    assert fonts and all("Noto-Sans-CJK-SC" in font for font in fonts), fonts


def test_workbook_keeps_the_columns_the_pdf_leaves_out(tmp_path: Path) -> None:
    out = tmp_path / "assessment.xlsx"
    write_workbook(hostile_assessment(tmp_path), out)
    headers = [cell.value for cell in load_workbook(out)["portfolio"][1]]
    for header in ("claim currency", "outstanding", "secured", "traced confirmed",
                   "coverage partial", "expected recovery"):  # fmt: skip
        assert header in headers
