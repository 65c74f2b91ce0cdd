"""The DuckDB store: opening it, applying numbered migrations once, transactions, the audit log."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # pyarrow is only needed by the callers that hand a table over
    import pyarrow as pa

from pipelines.errors import DEFAULT_WAIT, OadError, StoreInUseError
from pipelines.hashes import refresh_hashes, stale_hashes

DEFAULT_DB = "oad.duckdb"
# DuckDB's own default takes 80% of the machine, as a database that owns it would; a matching
# run also holds name vectors and a nearest-name index in Python, so the store gets half and
# spills its large joins and sorts to disk past it (OAD_MEMORY_LIMIT, e.g. "4GB", sets it)
MEMORY_SHARE = 0.5
MIN_MEMORY_MIB = 1_024
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def resolve_db_path(db_path: str | os.PathLike[str] | None) -> Path:
    """The store path: the one given, else OAD_DB, else ./oad.duckdb."""
    return Path(db_path or os.environ.get("OAD_DB") or DEFAULT_DB)


def connect(
    db_path: str | os.PathLike[str] | None = None,
    read_only: bool = False,
    wait: float = DEFAULT_WAIT,
) -> Store:
    """The store, opened for writing (migrated to this version) or for reading. DuckDB lets
    one process write at a time, and none read meanwhile: a store in use by another process is
    tried again for up to WAIT seconds before StoreInUseError says so."""
    path = resolve_db_path(db_path)
    if read_only and not path.exists():
        raise OadError(f"{path}: no store here yet (import debtors or records first)")
    if path.is_file() and path.stat().st_size and not _duckdb_file(path):
        raise OadError(f"{path}: not a DuckDB database file; give the store with --db")
    con = _open(path, read_only, wait)
    try:
        _check_ours(con, path)
        con.execute("SET TimeZone = 'UTC'")  # every timestamp in the store is UTC
        _limit_memory(con)
    except BaseException:
        con.close()
        raise
    store = Store(con, path)
    if not read_only:
        store.migrate()
    return store


def _limit_memory(con: duckdb.DuckDBPyConnection) -> None:
    limit = memory_limit()
    try:
        con.execute("SET memory_limit = ?", [limit])
    except duckdb.Error as error:
        raise OadError(f"OAD_MEMORY_LIMIT={limit!r}: not a memory size ({error})") from None


def memory_limit() -> str:
    """What the store may hold in memory: OAD_MEMORY_LIMIT, else MEMORY_SHARE of the machine."""
    configured = os.environ.get("OAD_MEMORY_LIMIT", "").strip()
    if configured:
        return configured
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf here: DuckDB's own default
        return "80%"
    return f"{max(int(total * MEMORY_SHARE) >> 20, MIN_MEMORY_MIB)}MiB"


def _open(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + max(wait, 0.0)
    pause = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise _unreadable(path, error) from None
            left = deadline - time.monotonic()
            if left <= 0:
                raise _in_use(path, str(error), wait) from None
            time.sleep(min(pause, left))
            pause = min(pause * 2, 1.0)
        except duckdb.Error as error:  # a damaged file: DuckDB reads what it can and gives up
            raise _unreadable(path, error) from None


def _duckdb_file(path: Path) -> bool:
    """DuckDB's files say so in their first block: its magic bytes follow a checksum."""
    with path.open("rb") as handle:
        return handle.read(12)[8:12] == b"DUCK"


def _unreadable(path: Path, error: Exception) -> OadError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return OadError(f"{path}: not a store oad can open ({first})")


def _check_ours(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse, untouched, a DuckDB database that holds tables but is no oad store."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if tables and "schema_migrations" not in tables:
        raise OadError(
            f"{path}: a DuckDB database, but not an oad store (it has no schema_migrations"
            " table); refusing to change it: give another --db"
        )


def _in_use(path: Path, message: str, wait: float) -> StoreInUseError:
    holder = re.search(r"PID (\d+)", message)
    by = f" by process {holder.group(1)}" if holder else ""
    waited = f" (waited {wait:g} s)" if wait > 0 else ""
    return StoreInUseError(
        f"{path}: store is in use{by}{waited}; wait for that command to finish and try again,"
        " or give --wait more seconds"
    )


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing on a bare connection (not already inside a transaction): an exception
    inside rolls every write back."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# What the store keeps while a step works in Python on data it has read: the rest of its cache
# and idle temp tables go to its temp directory, and their memory back to the system
RELEASED_LIMIT = 512 << 20
_SIZE = re.compile(r"^([\d.]+)\s*([KMGT]i?B|bytes)$")
_UNIT = {"bytes": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
         "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}  # fmt: skip


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int | None:
    """The store's memory limit in bytes (None where DuckDB states it in a form not known)."""
    return _in_bytes(_memory_setting(con))


def _memory_setting(con: duckdb.DuckDBPyConnection) -> str:
    """The memory limit as DuckDB states it ("3.7 GiB"), which SET takes back as it is."""
    return str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


def _in_bytes(size_text: str) -> int | None:
    size = _SIZE.match(size_text.strip())
    return round(float(size.group(1)) * _UNIT[size.group(2)]) if size else None


@contextmanager
def memory_released(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Within: the store's memory limit lowered to RELEASED_LIMIT, so that what a step holds in
    Python (the name encoder's index, the re-ranking's record names, the feature workers) and
    the store's own cache do not peak together; restored after. Where DuckDB cannot release
    enough (pinned pages), the limit stays and the step runs as it would have."""
    before = _memory_setting(con)
    limit = _in_bytes(before)
    lowered = limit is not None and limit > RELEASED_LIMIT
    if lowered:
        try:
            con.execute(f"SET memory_limit = '{RELEASED_LIMIT}B'")
        except duckdb.OutOfMemoryException:
            lowered = False
    try:
        yield
    finally:
        if lowered:
            con.execute("SET memory_limit = ?", [before])


def insert_arrow(
    con: duckdb.DuckDBPyConnection,
    name: str,
    data: pa.Table,
    sql: str,
    params: list[Any] | dict[str, Any] | None = None,
) -> None:
    """Run SQL (an INSERT reading NAME, a trusted identifier) with the Arrow table DATA readable
    as NAME for that statement only."""
    con.register(name, data)
    try:
        con.execute(sql, params or [])
    finally:
        con.unregister(name)


class Variables:
    """DuckDB variables, read in SQL with getvariable(), set for one load and reset at its end.

    A view cannot take a prepared statement's parameters, so the values it needs from data (file
    names, headers) go through these instead of into its SQL. Each is bound once per statement:
    a regular expression or a date format held in one is compiled once, not once a row.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.names: set[str] = set()
        self.unordered = False

    def set(self, name: str, value: str | list[str] | dt.date) -> None:
        """NAME is a trusted identifier; VALUE is any text, a list of texts, or a date."""
        kind = (
            "VARCHAR"
            if isinstance(value, str)
            else "DATE"
            if isinstance(value, dt.date)
            else "VARCHAR[]"
        )
        self.con.execute(f"SET VARIABLE {name} = ?::{kind}", [value])
        self.names.add(name)

    @contextmanager
    def unordered_writes(self) -> Iterator[None]:
        """Statements inside may write rows in any order: a bulk insert then fills row groups
        from both threads at once, about a quarter faster. Only for a table whose readers never
        rely on its rows' physical order. Restored at the end, or by reset() after an error
        (an aborted transaction runs nothing, not even a RESET)."""
        self.con.execute("SET preserve_insertion_order = false")
        self.unordered = True
        yield
        self.con.execute("RESET preserve_insertion_order")
        self.unordered = False

    def reset(self) -> None:
        for name in sorted(self.names):
            self.con.execute(f"RESET VARIABLE {name}")
        self.names.clear()
        if self.unordered:
            self.con.execute("RESET preserve_insertion_order")
            self.unordered = False


def migration_files() -> list[tuple[int, str, str]]:
    """(number, name, sql) for each bundled migration, in order."""
    found = []
    for entry in resources.files("pipelines.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Store:
    """One open store. `con` is the DuckDB connection; use `transaction()` for writes."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.con = con
        self.path = path

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """All or nothing: an exception inside rolls every write back."""
        return transaction(self.con)

    def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded; returns the names applied."""
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " number INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
        done = {
            row[0] for row in self.con.execute("SELECT number FROM schema_migrations").fetchall()
        }
        applied = []
        for number, name, sql in migration_files():
            if number in done:
                continue
            with self.transaction() as con:
                con.execute(sql)
                con.execute(
                    "INSERT INTO schema_migrations (number, name) VALUES (?, ?)", [number, name]
                )
            applied.append(name)
        if stale_hashes(self.con):
            with self.transaction() as con:
                refresh_hashes(con)
        return applied

    def audit(self, action: str, details: dict[str, Any], actor: str | None = None) -> None:
        """Log ACTION by ACTOR (a workbench user), else by this process's system user."""
        self.con.execute(
            "INSERT INTO audit_log VALUES (nextval('audit_id_seq'), current_timestamp, ?, ?, ?)",
            [actor or _actor(), action, json.dumps(details, ensure_ascii=False, default=str)],
        )

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        row = self.con.execute(sql, params or []).fetchall()
        return row[0][0] if row else None


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"
