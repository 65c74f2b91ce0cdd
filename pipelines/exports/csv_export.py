"""The case as two CSV files for tools that take tables: its leads, and the facts they rest on.
`-o case.csv` writes case-leads.csv and case-evidence.csv beside each other. UTF-8 with a byte
order mark, so that Excel shows Chinese names as they are; no cell starts a formula."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from pipelines.cells import neutralise_formula
from pipelines.exports.case import Case
from pipelines.exports.files import written_whole
from pipelines.exports.sheets import CellValue
from pipelines.exports.tables import Table, evidence_table, leads_table


def csv_paths(out: Path) -> tuple[Path, Path]:
    """Where `-o OUT` puts the leads and the evidence: OUT's stem with -leads and -evidence."""
    stem = out.name[: -len(".csv")] if out.name.lower().endswith(".csv") else out.name
    return out.with_name(f"{stem}-leads.csv"), out.with_name(f"{stem}-evidence.csv")


def write_csv(case: Case, out: Path) -> list[Path]:
    paths = list(csv_paths(out))
    with written_whole(paths) as staged:
        for table, path in zip((leads_table(case), evidence_table(case)), staged, strict=True):
            _write(table, path)
    return paths


def _write(table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.header for column in table.columns])
        writer.writerows([_text(value) for value in row] for row in table.rows)


def _text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return neutralise_formula(value) if isinstance(value, str) else str(value)
