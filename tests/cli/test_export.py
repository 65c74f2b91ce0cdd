"""`oad export leads`: help with an example, formats written where asked (folders made), what it
wrote printed, an unknown debtor refused in one line, and each export in the audit log."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from openpyxl import load_workbook

from pipelines.store import connect
from tests.pipelines.exports.case_store import build_case_store

Oad = Callable[..., Result]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("export") / "case.duckdb"
    build_case_store(db)
    return db


@pytest.fixture
def oad(built: Path, db_path: Path, oad: Oad) -> Oad:
    shutil.copy(built, db_path)
    return oad


def audit_rows(db: Path) -> list[dict[str, Any]]:
    with connect(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT details::VARCHAR FROM audit_log WHERE action = 'export' ORDER BY audit_id"
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_help_has_an_example(oad: Oad) -> None:
    shown = oad("export", "leads", "--help").output
    assert "Example:" in shown and "oad export leads --format xlsx" in shown
    assert "--redact" in shown and "--status [all|confirmed]" in shown


def test_xlsx_is_written_printed_and_audited(oad: Oad, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "case.xlsx"
    shown = oad("export", "leads", "--format", "xlsx", "-o", str(out)).output
    assert shown.splitlines() == [f"wrote {out}", "4 leads, 16 facts, 3 debtors"]
    assert load_workbook(out)["Leads"].max_row == 5
    oad("export", "leads", "--format", "xlsx", "-o", str(out), "--min-confidence", "0.6")
    assert load_workbook(out)["Leads"].max_row == 4  # rewritten, not added to
    first, second = audit_rows(db_path)
    assert first == {
        "format": "xlsx", "outputs": [str(out.resolve())],
        "filter": {"debtor": None, "min_confidence": 0.0, "status": "all", "redact": False},
        "counts": {"debtors": 3, "leads": 4, "facts": 16},
    }  # fmt: skip
    assert second["filter"]["min_confidence"] == 0.6 and second["counts"]["leads"] == 3


def test_csv_with_filters(oad: Oad, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "d2.csv"
    args = ["--debtor", "D2", "--status", "all", "--redact", "--min-confidence", "0.6"]
    shown = oad("export", "leads", "--format", "csv", "-o", str(out), *args).output
    leads, evidence = tmp_path / "d2-leads.csv", tmp_path / "d2-evidence.csv"
    assert f"wrote {leads}" in shown and f"wrote {evidence}" in shown
    assert "1 leads" in shown
    assert "D2" not in leads.read_text(encoding="utf-8-sig")
    (row,) = audit_rows(db_path)
    assert row["filter"] == {"debtor": "D2", "min_confidence": 0.6, "status": "all",
                             "redact": True}  # fmt: skip
    assert row["outputs"] == [str(leads.resolve()), str(evidence.resolve())]


def test_an_unknown_debtor_is_one_line(oad: Oad, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    result = oad("export", "leads", "--format", "xlsx", "-o", str(out), "--debtor", "NOPE",
                 expect_exit=1)  # fmt: skip
    assert result.output.strip() == "Error: no debtor 'NOPE' in the store"
    assert not out.exists() and audit_rows(db_path) == []


def test_an_unknown_format_is_a_usage_error(oad: Oad, tmp_path: Path) -> None:
    result = oad("export", "leads", "--format", "doc", "-o", str(tmp_path / "x"), expect_exit=2)
    assert "'doc' is not one of" in result.output
