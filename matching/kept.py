"""Tables derived from the store and kept in the server's memory, one in-memory DuckDB per
state of the store, so that a page reads a small, sorted, uncompressed table instead of
scanning the store's compressed columns on every request.

A state is told by cheap aggregates (milliseconds) that any run or import changing what the
table is made from also changes; the table is made again by the first read of a new state, or
ahead of it by a warm-up as the server starts. One state is kept per table: the one pages read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

State = tuple[object, ...]
_OPENED = "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"


@dataclass(frozen=True)
class Kept:
    """One state's tables, in an in-memory database of their own."""

    state: State
    db: duckdb.DuckDBPyConnection

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.db.cursor()  # one per thread: a connection is not shared between threads


class KeptTables:
    """What FILL(store, memory) makes from the store, made again when one of the STATE queries
    (each one row of aggregates) answers differently."""

    def __init__(
        self,
        state: tuple[str, ...],
        fill: Callable[[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection], None],
    ) -> None:
        self._state = (_OPENED, *state)  # a replica, or another store, is another state
        self._fill = fill
        self._kept: Kept | None = None
        self._making = threading.Lock()  # one making at a time; reads of it wait

    def of(self, con: duckdb.DuckDBPyConnection) -> Kept:
        """The tables for the state of the store CON reads."""
        state = tuple(value for sql in self._state for value in con.execute(sql).fetchall()[0])
        with self._making:
            if self._kept is None or self._kept.state != state:
                memory = duckdb.connect(":memory:")
                self._fill(con, memory)
                self._kept = Kept(state, memory)
            return self._kept

    @property
    def kept(self) -> Kept | None:
        return self._kept
