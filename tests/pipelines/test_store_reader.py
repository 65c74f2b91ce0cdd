"""Reading the store while another process writes it: the live store, else its replica."""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import StoreInUseError
from pipelines.runs import start_run
from pipelines.store import connect
from pipelines.store_reader import read_store, replica_path, replica_refreshed
from tests.store_holder import held_by_another_process


def run_kinds(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("SELECT kind FROM runs ORDER BY run_id").fetchall()]


def test_a_free_store_is_read_live_and_copied_to_its_replica(db_path: Path) -> None:
    with connect(db_path) as store:
        start_run(store.con, "match", {})
    with read_store(db_path) as (con, _as_of, is_replica):
        assert not is_replica
        assert run_kinds(con) == ["match"]
    assert replica_refreshed(timeout=30)
    with connect(replica_path(db_path), read_only=True) as replica:
        assert run_kinds(replica.con) == ["match"]


def test_a_held_store_is_read_from_the_replica_as_of_its_copy(db_path: Path) -> None:
    with connect(db_path) as store:
        start_run(store.con, "match", {})
    with read_store(db_path):
        pass
    assert replica_refreshed(timeout=30)
    copied = replica_path(db_path).stat().st_mtime
    with held_by_another_process(db_path), read_store(db_path, wait=0.1) as (con, as_of, is_rep):
        assert is_rep
        assert run_kinds(con) == ["match"]  # not the holder's run 999
        assert as_of.timestamp() == pytest.approx(copied, abs=1)
    # free again: the store changed, so the next read refreshes the replica
    time.sleep(0.01)
    with read_store(db_path) as (con, _as_of, is_replica):
        assert not is_replica and run_kinds(con) == ["match", "discovery"]
    assert replica_refreshed(timeout=30)
    with connect(replica_path(db_path), read_only=True) as replica:
        assert run_kinds(replica.con) == ["match", "discovery"]


def test_an_unchanged_store_is_not_copied_again(db_path: Path) -> None:
    connect(db_path).close()
    with read_store(db_path):
        pass
    assert replica_refreshed(timeout=30)
    first = replica_path(db_path).stat().st_mtime_ns
    os.utime(replica_path(db_path), ns=(first + 10**9, first + 10**9))
    with read_store(db_path):
        pass
    assert replica_refreshed(timeout=30)
    assert replica_path(db_path).stat().st_mtime_ns == first + 10**9


def test_a_held_store_without_a_replica_says_so(db_path: Path) -> None:
    connect(db_path).close()
    with (
        held_by_another_process(db_path),
        pytest.raises(StoreInUseError, match="a run is writing the store and there is no copy"),
        read_store(db_path, wait=0.1),
    ):
        pass
