"""The evaluation set (tests/data/matching) loaded into a store, shared by the matching tests."""

from __future__ import annotations

import pytest

from matching.candidates import _number
from matching.dense_candidates import dense_pairs
from matching.engine import DUCKDB, Engine
from pipelines.debtors import import_debtors
from pipelines.records import import_records
from pipelines.store import Store, connect
from tests.conftest import REPO

EVAL = REPO / "tests" / "data" / "matching"


@pytest.fixture(scope="module")
def evaluation_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Real Hong Kong register pairs (Chinese names as debtors, English names as records) and
    public figures as persons, with decoys; not yet matched."""
    store = connect(tmp_path_factory.mktemp("eval") / "eval.duckdb")
    import_debtors(store, EVAL / "debtors.csv")
    import_records(store, EVAL / "hk_records.csv", "hk_companies_registry")
    import_records(store, EVAL / "person_records.csv", "officers")
    return store


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
