"""Fixtures shared by every test folder: a fresh store file and the CLI."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from pipelines.store import Store, connect
from tests.demo_crawl import DemoCrawl, run_demo_crawl

REPO = Path(__file__).resolve().parents[1]
# the name tables built once for all processes (pipelines/disk_cache.py) go to a folder of the
# tests' own, not the user's; the `oad` processes the tests start inherit it
os.environ.setdefault(
    "OAD_CACHE_DIR", str(Path(tempfile.gettempdir()) / f"oad-test-cache-{os.getuid()}")
)


def rows_by(store: Store, sql: str, key: str) -> dict[Any, dict[str, Any]]:
    """Each row of SQL as a dict of its columns, keyed by its KEY column."""
    cursor = store.con.execute(sql)
    names = [d[0] for d in cursor.description or []]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row[key]: row for row in rows}


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


@pytest.fixture(scope="session")
def demo_crawl(tmp_path_factory: pytest.TempPathFactory) -> DemoCrawl:
    """The demo's imports and crawls, once a session (about forty seconds: eleven processes);
    tests that change the store work on a copy."""
    return run_demo_crawl(tmp_path_factory.mktemp("demo") / "demo.duckdb")
