"""Tables kept in memory per state of the store: made once per state, made again when the
state changes, and never shared between two stores."""

from __future__ import annotations

from pathlib import Path

import duckdb

from matching.kept import KeptTables

STATE = ("SELECT count(*), max(amount) FROM claims",)


def _store(path: Path, amounts: list[int]) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE OR REPLACE TABLE claims (amount INTEGER)")
        con.executemany("INSERT INTO claims VALUES (?)", [[amount] for amount in amounts])


def _kept_sums() -> tuple[KeptTables, list[int]]:
    """Tables keeping the store's total claim, and the totals each making read."""
    made: list[int] = []

    def fill(store: duckdb.DuckDBPyConnection, memory: duckdb.DuckDBPyConnection) -> None:
        (total,) = store.execute("SELECT sum(amount) FROM claims").fetchall()[0]
        made.append(int(total))
        memory.execute("CREATE TABLE total AS SELECT ?::BIGINT AS amount", [total])

    return KeptTables(STATE, fill), made


def _total(tables: KeptTables, path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con, tables.of(con).cursor() as memory:
        return int(memory.execute("SELECT amount FROM total").fetchall()[0][0])


def test_a_state_is_made_once_and_again_when_it_changes(tmp_path: Path) -> None:
    tables, made = _kept_sums()
    store = tmp_path / "store.duckdb"
    _store(store, [100, 250])
    assert [_total(tables, store), _total(tables, store)] == [350, 350]
    assert made == [350]  # the second read found its state kept
    _store(store, [100, 250, 50])
    assert _total(tables, store) == 400 and made == [350, 400]


def test_two_stores_with_the_same_aggregates_are_two_states(tmp_path: Path) -> None:
    tables, made = _kept_sums()
    _store(tmp_path / "one.duckdb", [100, 250])
    _store(tmp_path / "two.duckdb", [100, 250])
    _total(tables, tmp_path / "one.duckdb")
    _total(tables, tmp_path / "two.duckdb")
    assert len(made) == 2
