"""`oad export leads --format ftm|pdf`: written where asked, printed, audited; pdf to a folder
writes one dossier per debtor with leads, to a .pdf one file; a table format refuses a folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
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


def audits(db: Path) -> list[dict[str, Any]]:
    with connect(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT details::VARCHAR FROM audit_log WHERE action = 'export' ORDER BY audit_id"
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_ftm_is_written_and_audited(oad: Oad, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "x" / "leads.ftm.jsonl"
    shown = oad("export", "leads", "--format", "ftm", "-o", str(out), "--debtor", "D1").output
    assert shown.splitlines()[0] == f"wrote {out}"
    schemas = {json.loads(line)["schema"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert {"Company", "Ownership", "RealEstate", "UnknownLink"} <= schemas
    (audit,) = audits(db_path)
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
    (audit,) = audits(db_path)
    assert audit["format"] == "pdf" and sorted(audit["outputs"]) == [str(p) for p in written]


def test_pdf_to_one_file(oad: Oad, tmp_path: Path) -> None:
    out = tmp_path / "case.pdf"
    oad("export", "leads", "--format", "pdf", "-o", str(out), "--redact")
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "安丰投资有限公司" in text and "陈大文" in text and "D1" not in text


def test_a_table_format_refuses_a_folder(oad: Oad, tmp_path: Path) -> None:
    result = oad("export", "leads", "--format", "xlsx", "-o", str(tmp_path), expect_exit=2)
    assert "is a folder" in result.output
