"""The evaluation set (tests/data/matching) loaded into a store, shared by the matching tests:
imported once a session and matched once a session, each module working on its own copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from matching.candidates import _number
from matching.dense_candidates import dense_pairs
from matching.engine import DUCKDB, Engine
from matching.run import run_matching
from pipelines.debtors import import_debtors
from pipelines.records import import_records
from pipelines.store import Store, connect
from tests.conftest import REPO

EVAL = REPO / "tests" / "data" / "matching"


@pytest.fixture(scope="session")
def imported_evaluation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the evaluation set: real Hong Kong register pairs (Chinese names as
    debtors, English names as records) and public figures as persons, with decoys."""
    path = tmp_path_factory.mktemp("eval") / "imported.duckdb"
    with connect(path) as store:
        import_debtors(store, EVAL / "debtors.csv")
        import_records(store, EVAL / "hk_records.csv", "hk_companies_registry")
        import_records(store, EVAL / "person_records.csv", "officers")
    return path


@pytest.fixture(scope="session")
def matched_evaluation(imported_evaluation: Path) -> Path:
    """A store file holding the evaluation set after one default match (on DuckDB)."""
    path = imported_evaluation.with_name("matched.duckdb")
    shutil.copy(imported_evaluation, path)
    with connect(path) as store:
        assert run_matching(store).engine == "duckdb"
    return path


def store_copy(path: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store opened on a copy of the store file at PATH."""
    copy = tmp_path_factory.mktemp("copy") / path.name
    shutil.copy(path, copy)
    return connect(copy)


@pytest.fixture(scope="module")
def evaluation_store(imported_evaluation: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The evaluation set, not yet matched, this module's own."""
    return store_copy(imported_evaluation, tmp_path_factory)


@pytest.fixture(scope="module")
def matched(matched_evaluation: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The evaluation set after one default match, this module's own."""
    return store_copy(matched_evaluation, tmp_path_factory)


def nearest_records(
    store: Store, nearest: int, engine: Engine = DUCKDB
) -> dict[tuple[str, str, str], float]:
    """Each company debtor's NEAREST records by the name encoder, searched on ENGINE, as
    (debtor_id, source, source_id) → similarity."""
    _number(store.con, None)
    store.con.execute("CREATE OR REPLACE TEMP TABLE stored_floor (did INTEGER)")
    dense_pairs(store.con, None, nearest, None, engine)
    rows = store.con.execute(
        "SELECT d.debtor_id, r.source, r.source_id, p.similarity FROM dense_pairs p"
        " JOIN cand_debtors d USING (did) JOIN cand_records r USING (rid)"
    ).fetchall()
    return {(d, source, source_id): similarity for d, source, source_id, similarity in rows}
