"""The case as CSV: two files beside each other, UTF-8 with a BOM, Chinese intact, no cell
starting a formula, the same rows as the case pack's Leads and Evidence sheets."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.exports.case import Case
from pipelines.exports.csv_export import csv_paths, write_csv
from pipelines.exports.tables import EVIDENCE_COLUMNS, LEAD_COLUMNS
from tests.pipelines.exports.case_store import FORMULA_NAME

Load = Callable[..., Case]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("name", ["case.csv", "case.CSV", "case"])
def test_the_two_files_are_named_from_out(tmp_path: Path, name: str) -> None:
    assert csv_paths(tmp_path / name) == (
        tmp_path / "case-leads.csv",
        tmp_path / "case-evidence.csv",
    )


def test_leads_and_evidence_with_a_bom(case_of: Load, tmp_path: Path) -> None:
    case = case_of()
    leads_csv, evidence_csv = write_csv(case, tmp_path / "out" / "case.csv")
    for path, columns in ((leads_csv, LEAD_COLUMNS), (evidence_csv, EVIDENCE_COLUMNS)):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        header = raw[3:].decode("utf-8").splitlines()[0]
        assert header == ",".join(column.header for column in columns)
    leads = {row["target_id"]: row for row in read(leads_csv)}
    assert set(leads) == {"C1", "T1", "C2", "T2"}
    assert leads["C2"]["target"] == "宏港控股有限公司" and leads["T2"]["debtor"] == "陈大文"
    assert leads["T2"]["value"] == "750000.00" and leads["T2"]["evidence_as_of"] == "2025-01-01"
    assert leads["T2"]["chain"].startswith("陈大文 → matched (0.70) → CHAN Tai Man → psc (0.90)")
    assert sorted(row["fact_id"] for row in read(evidence_csv)) == sorted(case.facts)


def test_no_cell_starts_a_formula(case_of: Load, tmp_path: Path) -> None:
    paths = write_csv(case_of(), tmp_path / "case.csv")
    cells = [value for path in paths for row in read(path) for value in row.values()]
    assert "'" + FORMULA_NAME in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]


def test_filters_change_the_rows(case_of: Load, tmp_path: Path) -> None:
    leads_csv, evidence_csv = write_csv(case_of(debtor_id="D2"), tmp_path / "d2.csv")
    assert {row["debtor_id"] for row in read(leads_csv)} == {"D2"}
    assert not [row for row in read(evidence_csv) if ":D1:" in row["fact_id"]]
    redacted, _ = write_csv(case_of(redact=True, status="confirmed"), tmp_path / "r.csv")
    rows = read(redacted)
    assert len(rows) == 2 and all(row["debtor_id"].startswith("X-") for row in rows)
