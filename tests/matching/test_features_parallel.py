"""Features are the same whichever process computes them: in worker processes or not, and under
any string-hash seed (Python randomises set order per process)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matching import features
from pipelines.records import import_records
from pipelines.store import connect
from tests.conftest import REPO

RECORDS = REPO / "tests/data/matching/hk_records.csv"

NAMES = [
    ("company", "亮星眼镜制造厂有限公司"),
    ("company", "协达汽车有限公司"),
    ("person", "林郑月娥"),
]
SCRIPT = (
    "import json, sys\n"
    "from matching.name_features import entity_name_features\n"
    "names = json.loads(sys.argv[1])\n"
    "print(json.dumps([list(entity_name_features(k, [n]).block_keys) for k, n in names]))\n"
)


def _keys_under_seed(seed: str) -> list[list[str]]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(NAMES)], cwd=REPO, env=env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return list(json.loads(done.stdout))


def test_blocking_keys_do_not_depend_on_the_hash_seed() -> None:
    assert _keys_under_seed("1") == _keys_under_seed("2") == _keys_under_seed("3")


def _features(path: Path, workers: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    monkeypatch.setenv("OAD_WORKERS", workers)
    monkeypatch.setattr(features, "BATCH", 200)
    with connect(path) as store:
        import_records(store, RECORDS, "hk_companies_registry")
        counts = features.refresh_features(store)
        assert counts["record"].computed == _rows_in(RECORDS)
        return store.con.execute(
            "SELECT entity_id, block_keys, block_weights, name_keys, identifiers FROM features"
            " ORDER BY entity_id"
        ).fetchall()


def test_worker_processes_compute_the_same_features(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _features(tmp_path / "one.duckdb", "1", monkeypatch)
    spread = _features(tmp_path / "two.duckdb", "2", monkeypatch)
    assert len(alone) == _rows_in(RECORDS) and alone == spread


def _rows_in(path: Path) -> int:
    """The data rows of a CSV file (its header not counted)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1
