"""`oad export leads`: help with an example, formats written where asked (folders made), what it
wrote printed, an unknown debtor refused in one line, and each export in the audit log; pdf to a
folder writes one dossier per debtor with leads, to a .pdf one file; a table format refuses a
folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from openpyxl import load_workbook
from pypdf import PdfReader

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


def test_ftm_is_written_and_audited(oad: Oad, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "x" / "leads.ftm.jsonl"
    shown = oad("export", "leads", "--format", "ftm", "-o", str(out), "--debtor", "D1").output
    assert shown.splitlines()[0] == f"wrote {out}"
    schemas = {json.loads(line)["schema"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert {"Company", "Ownership", "RealEstate", "UnknownLink"} <= schemas
    (audit,) = audit_rows(db_path)
    assert audit["format"] == "ftm" and audit["outputs"] == [str(out.resolve())]
    assert audit["filter"]["debtor"] == "D1"


def test_pdf_to_a_folder_writes_one_dossier_per_debtor(
    oad: Oad, db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "dossiers"
    folder.mkdir()  # an existing folder is fine for pdf
    shown = oad("export", "leads", "--format", "pdf", "-o", str(folder)).output
    written = sorted(folder.iterdir())
    assert [p.name for p in written] == ["D1.pdf", "D2.pdf"]
    assert {f"wrote {p}" for p in written} <= set(shown.splitlines())
    assert "陈大文" in PdfReader(folder / "D2.pdf").pages[0].extract_text()
    (audit,) = audit_rows(db_path)
    assert audit["format"] == "pdf" and sorted(audit["outputs"]) == [str(p) for p in written]


def test_pdf_to_one_file(oad: Oad, tmp_path: Path) -> None:
    out = tmp_path / "case.pdf"
    oad("export", "leads", "--format", "pdf", "-o", str(out), "--redact")
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "安丰投资有限公司" in text and "陈大文" in text and "D1" not in text


def test_a_table_format_refuses_a_folder(oad: Oad, tmp_path: Path) -> None:
    result = oad("export", "leads", "--format", "xlsx", "-o", str(tmp_path), expect_exit=2)
    assert "is a folder" in result.output
