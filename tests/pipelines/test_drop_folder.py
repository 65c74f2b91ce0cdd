"""Vendor files dropped for the next run: each imported whole and moved to imported/, or moved to
failed/ beside the reason; nothing imported twice."""

from __future__ import annotations

from pathlib import Path

from pipelines.discovery import import_folder
from pipelines.store import connect

DEBTORS = "债务人编号,名称,类型\nD1,安丰投资有限公司,公司\n"
RECORDS = "source_id,name,kind\nR1,ANFENG INVESTMENT LIMITED,company\n"


def test_dropped_files_are_imported_then_moved_and_a_bad_one_is_set_aside(
    tmp_path: Path,
) -> None:
    inbox, db = tmp_path / "inbox", tmp_path / "s.duckdb"
    (inbox / "debtors").mkdir(parents=True)
    (inbox / "hk_companies_registry").mkdir()
    (inbox / "debtors" / "list.csv").write_text(DEBTORS, encoding="utf-8")
    (inbox / "hk_companies_registry" / "extract.csv").write_text(RECORDS, encoding="utf-8")
    (inbox / "hk_companies_registry" / "broken.parquet").write_bytes(b"not parquet at all")

    outcomes = {Path(o["file"]).name: o for o in import_folder(db, inbox)}

    assert outcomes["list.csv"]["status"] == "imported"
    assert outcomes["extract.csv"]["status"] == "imported"
    assert outcomes["broken.parquet"]["status"] == "failed"
    moved = Path(outcomes["broken.parquet"]["moved_to"])
    assert moved.parent.parent.parent.name == "failed" and moved.exists()
    reason = moved.with_name(moved.name + ".reason.txt").read_text(encoding="utf-8")
    assert "broken.parquet" in reason or "parquet" in reason.lower()
    assert Path(outcomes["extract.csv"]["moved_to"]).parent.parent.parent.name == "imported"
    with connect(db, read_only=True) as store:
        counted = store.con.execute(
            "SELECT (SELECT count(*) FROM debtors), (SELECT count(*) FROM records)"
        ).fetchall()
    assert counted == [(1, 1)]
    assert import_folder(db, inbox) == []  # nothing is waiting now: nothing imported twice


def test_no_folder_configured_imports_nothing(tmp_path: Path) -> None:
    assert import_folder(tmp_path / "s.duckdb", None) == []
    assert not (tmp_path / "s.duckdb").exists()
