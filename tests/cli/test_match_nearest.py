"""`oad match --nearest`: the name encoder's nearest records as candidates, or none."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.conftest import REPO

EVAL = REPO / "tests" / "data" / "matching"


def _first_rows(source: Path, target: Path, rows: int, kind: str | None = None) -> Path:
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        kept = [row for row in reader if kind is None or row["kind"] == kind][:rows]
        header = reader.fieldnames or []
    with target.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, header)
        out.writeheader()
        out.writerows(kept)
    return target


def _pairs(output: str) -> int:
    found = re.search(r"(\d+) candidate pairs", output)
    assert found, output
    return int(found.group(1))


def test_nearest_records_add_candidates_and_zero_leaves_them_out(
    oad: Callable[..., Result], tmp_path: Path
) -> None:
    debtors = _first_rows(EVAL / "debtors.csv", tmp_path / "debtors.csv", 30, "company")
    records = _first_rows(EVAL / "hk_records.csv", tmp_path / "records.csv", 600)
    oad("debtors", "import", str(debtors))
    oad("records", "import", str(records), "--source", "hk_companies_registry")
    by_keys = _pairs(oad("match", "--nearest", "0").output)
    with_nearest = _pairs(oad("match").output)
    assert with_nearest > by_keys
    assert "--nearest" in oad("match", "--help").output
