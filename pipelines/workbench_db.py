"""The workbench's own small database, beside the store: users, sessions, login attempts and the
investigators' decisions not yet applied to the store.

It is SQLite, not DuckDB, on purpose: DuckDB lets one process write a file at a time, and the
workbench must take a decision while a discovery run holds the store. SQLite in WAL mode lets
the web server and a run's process each write it in turn, waiting briefly for the other. Each
module that keeps a table here creates it (CREATE TABLE IF NOT EXISTS) before first use.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

# how long a writer waits for another's transaction before it gives up
BUSY_TIMEOUT_MS = 10_000


def workbench_path(store_path: str | os.PathLike[str]) -> Path:
    """The workbench database of the store at STORE_PATH: the same name with .workbench.sqlite."""
    store = Path(store_path)
    return store.with_name(store.name + ".workbench.sqlite")


def connect_workbench(store_path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A connection to the workbench database of STORE_PATH, made if missing; transactions are
    explicit (`with con:` commits or rolls back)."""
    con = sqlite3.connect(workbench_path(store_path), timeout=BUSY_TIMEOUT_MS / 1000)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    con.execute("PRAGMA foreign_keys = ON")
    return con
