"""A first discovery run may crawl before the bank's debtor list is imported: matching then has
nothing to learn from or score, finishes without a model, and the next run with debtors
trains one and matches."""

from __future__ import annotations

from pathlib import Path

from matching.run import run_matching
from pipelines.debtors import import_debtors
from pipelines.records import import_records
from pipelines.store import connect
from tests.matching.conftest import EVAL


def test_a_run_before_the_debtors_are_imported_finishes_and_trains_nothing(
    tmp_path: Path,
) -> None:
    store = connect(tmp_path / "early.duckdb")
    import_records(store, EVAL / "person_records.csv", "officers")
    first = run_matching(store, incremental=True)
    assert (first.model_version, first.trained, first.candidate_pairs) == ("none", False, 0)
    assert store.con.execute("SELECT count(*) FROM models").fetchall() == [(0,)]
    import_debtors(store, EVAL / "debtors.csv")
    second = run_matching(store, incremental=True)
    assert second.trained and second.candidate_pairs > 0 and second.links > 0
