"""The xlsx case pack: a summary per debtor, known value by jurisdiction, the leads with their
chains, every fact they rest on, the investigators' reviews, and when and from what it was made."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from pipelines.exports.case import Case
from pipelines.exports.files import written_whole
from pipelines.exports.sheets import write_table
from pipelines.exports.tables import (
    about_table,
    evidence_table,
    jurisdiction_table,
    leads_table,
    reviews_table,
    summary_table,
)


def write_xlsx(case: Case, out: Path) -> list[Path]:
    """CASE as one workbook at OUT (its folder made if missing); returns [OUT]."""
    book = Workbook(write_only=True)
    tables = (summary_table, jurisdiction_table, leads_table, evidence_table, reviews_table,
              about_table)  # fmt: skip
    for build in tables:
        table = build(case)
        write_table(book.create_sheet(table.name), table.columns, table.rows)
    with written_whole([out]) as (staged,):
        book.save(staged)
    return [out]
