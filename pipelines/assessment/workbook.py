"""The assessment as an xlsx workbook: one sheet per table, written whole or not at all."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from pipelines.assessment.model import Assessment
from pipelines.assessment.tables import TABLES
from pipelines.exports.files import written_whole
from pipelines.exports.sheets import write_table


def write_workbook(assessment: Assessment, out: Path) -> None:
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    for build in TABLES:
        table = build(assessment)
        write_table(book.create_sheet(table.name), table.columns, table.rows)
    with written_whole([out]) as (staged,):
        book.save(staged)
