"""The export tests' store (tests/pipelines/exports/case_store.py), built once, copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.exports.case import Case, CaseFilter, load_case
from pipelines.store import connect
from tests.pipelines.exports.case_store import build_case_store


@pytest.fixture(scope="session")
def built_case_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("case") / "case.duckdb"
    build_case_store(db)
    return db


@pytest.fixture
def case_db(built_case_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "case.duckdb"
    shutil.copy(built_case_db, db)
    return db


@pytest.fixture
def case_of(built_case_db: Path) -> Iterator[object]:
    """load_case over the built store with the filter given as keywords."""

    def load(**filters: object) -> Case:
        with connect(built_case_db, read_only=True) as store:
            return load_case(store.con, CaseFilter(**filters))  # type: ignore[arg-type]

    yield load
