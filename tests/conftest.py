"""Fixtures shared by every test folder: a fresh store file and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flows.cli import cli
from pipelines.store import Store, connect

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with connect(db_path) as opened:
        yield opened


@pytest.fixture
def oad(db_path: Path) -> Callable[..., Result]:
    """Run `oad --db <tmp store> ARGS...` in process; returns click's Result."""

    def run(*args: str, expect_exit: int | None = 0) -> Result:
        result = CliRunner().invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)
        if expect_exit is not None:
            assert result.exit_code == expect_exit, result.output
        return result

    return run
