from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipelines import store as store_module
from pipelines.errors import OadError, StoreInUseError
from pipelines.store import (
    MEMORY_SHARE,
    connect,
    memory_limit_bytes,
    memory_released,
    migration_files,
    resolve_db_path,
)


def test_migrations_apply_once_and_are_recorded(db_path: Path) -> None:
    with connect(db_path) as store:
        recorded = store.con.execute("SELECT number, name FROM schema_migrations").fetchall()
        assert [number for number, _ in recorded] == [n for n, _, _ in migration_files()]
    with connect(db_path) as store:
        assert store.migrate() == []
        tables = {
            r[0] for r in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
    expected = {"sources", "crawls", "records", "relationships", "assets", "debtors",
                "rejected_rows", "features", "matches", "reviews", "leads", "runs"}  # fmt: skip
    assert expected <= tables


def test_db_path_from_option_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAD_DB", "/tmp/from-env.duckdb")
    assert resolve_db_path("given.duckdb") == Path("given.duckdb")
    assert resolve_db_path(None) == Path("/tmp/from-env.duckdb")
    monkeypatch.delenv("OAD_DB")
    assert resolve_db_path(None) == Path("oad.duckdb")


def _memory_limit_mib(store_path: Path) -> float:
    with connect(store_path) as store:
        limit = memory_limit_bytes(store.con)
    assert limit is not None
    return limit / 2**20


def test_the_store_takes_a_share_of_memory_or_what_is_configured(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OAD_MEMORY_LIMIT", raising=False)
    machine_mib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    assert _memory_limit_mib(db_path) == pytest.approx(
        max(machine_mib * MEMORY_SHARE, 1024), rel=0.02
    )
    monkeypatch.setenv("OAD_MEMORY_LIMIT", "1536MiB")
    assert _memory_limit_mib(db_path) == 1536
    monkeypatch.setenv("OAD_MEMORY_LIMIT", "lots")
    with pytest.raises(OadError, match="OAD_MEMORY_LIMIT='lots'"):
        connect(db_path)


def _memory_used(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()[0][0])


def test_memory_released_moves_the_stores_cache_out_and_restores_its_limit(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAD_MEMORY_LIMIT", "2GiB")
    monkeypatch.setattr(store_module, "RELEASED_LIMIT", 64 << 20)  # a test-sized table
    released = store_module.RELEASED_LIMIT
    with connect(db_path) as store:
        con = store.con
        con.execute(
            "CREATE TEMP TABLE held AS SELECT i, md5(i::VARCHAR) AS hash FROM range(6000000) r(i)"
        )
        assert _memory_used(con) > 2 * released
        with memory_released(con):
            assert memory_limit_bytes(con) == released
            assert _memory_used(con) <= released
            assert con.execute("SELECT count(DISTINCT hash) FROM held").fetchall() == [(6000000,)]
        assert memory_limit_bytes(con) == 2 << 30
        with pytest.raises(RuntimeError), memory_released(con):
            raise RuntimeError("midway")
        assert memory_limit_bytes(con) == 2 << 30
        con.execute("SET memory_limit = '50MiB'")  # already lower: left as it is
        with memory_released(con):
            assert memory_limit_bytes(con) == 50 << 20


def test_transaction_rolls_back_everything_on_error(db_path: Path) -> None:
    with connect(db_path) as store:
        with pytest.raises(RuntimeError), store.transaction() as con:
            con.execute("INSERT INTO sources (name, origin) VALUES ('x', 'import')")
            raise RuntimeError("midway")
        assert store.scalar("SELECT count(*) FROM sources") == 0


def hold_store_open(db_path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pipelines.store import connect
            store = connect({str(db_path)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def test_second_writer_is_told_the_store_is_in_use(db_path: Path) -> None:
    holder = hold_store_open(db_path)
    try:
        started = time.monotonic()
        with pytest.raises(StoreInUseError, match=r"store is in use by process \d+ \(waited 1 s\)"):
            connect(db_path, wait=1)
        assert 1 <= time.monotonic() - started < 5  # it waited, and no longer than it said
    finally:
        holder.communicate("")
    started = time.monotonic()
    with connect(db_path) as store:  # free again once the other process is gone
        assert store.scalar("SELECT 1") == 1
    assert time.monotonic() - started < 10


def test_raw_payloads_move_to_zstd_and_keep_their_text(db_path: Path) -> None:
    """A store made before migration 002 keeps every payload, now in a ZSTD-compressed column."""
    first = migration_files()[0]
    con = duckdb.connect(str(db_path))
    con.execute(
        "CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    con.execute(first[2])
    con.execute("INSERT INTO schema_migrations (number, name) VALUES (?, ?)", [first[0], first[1]])
    con.execute(
        "INSERT INTO records (source, source_id, name, kind, content_hash, first_seen,"
        " last_seen, crawl_id, raw) VALUES ('s', '1', 'A LTD', 'company', 'h', now(), now(), 1,"
        ' \'{"name": "A LTD"}\')'
    )
    con.close()
    with connect(db_path) as store:
        assert store.scalar("SELECT raw::VARCHAR FROM records") == '{"name": "A LTD"}'
        for table in ("records", "relationships", "assets"):
            sql = store.scalar("SELECT sql FROM duckdb_tables() WHERE table_name = ?", [table])
            assert "raw JSON USING COMPRESSION ZSTD" in sql


def test_a_writer_waits_for_the_store_to_be_free(db_path: Path) -> None:
    """A store held for a moment by another process is waited for, not refused."""
    holder = hold_store_open(db_path)
    releaser = threading.Timer(1.5, holder.communicate, [""])
    releaser.start()
    try:
        started = time.monotonic()
        with connect(db_path, wait=30) as store:
            assert store.scalar("SELECT 1") == 1
        assert 1.0 <= time.monotonic() - started < 30
    finally:
        releaser.join()
