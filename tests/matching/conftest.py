"""The evaluation set (tests/data/matching) loaded into a store, shared by the matching tests."""

from __future__ import annotations

import pytest

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
