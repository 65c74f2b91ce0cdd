"""Reading the store for a page while a run may be writing it: the live store when it is free,
else its replica.

DuckDB lets no other process open a store a writer holds, and a discovery run holds it for
minutes. So each read opens the store read-only for that read only, waiting briefly; when a
writer holds it, the read goes to the replica, a copy of the store file beside it
(`<store>.replica.duckdb`). The replica is refreshed by the reads that find the store free and
changed since the last copy: copied in the background (a store of a million records takes
seconds to copy, which no page should wait for) under a temporary name while a read-only
connection keeps writers out, then renamed over the old one (readers of the old copy keep
their file).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.errors import OadError, StoreInUseError
from pipelines.store import connect

READ_WAIT = 0.5  # seconds a read waits for the store before it reads the replica
_refreshing = threading.Lock()  # one copy at a time in this process
_copier: threading.Thread | None = None


def replica_path(store_path: str | os.PathLike[str]) -> Path:
    store = Path(store_path)
    return store.with_name(store.stem + ".replica.duckdb")


@contextmanager
def read_store(
    store_path: str | os.PathLike[str], wait: float = READ_WAIT
) -> Iterator[tuple[duckdb.DuckDBPyConnection, dt.datetime, bool]]:
    """(connection, as of when, whether it is the replica): the store read-only when a writer
    does not hold it (its replica refreshed first if the store changed), else the replica,
    as of its copy. Raises StoreInUseError when the store is held and there is no replica."""
    store_path = Path(store_path)
    try:
        store = connect(store_path, read_only=True, wait=wait)
    except StoreInUseError:
        store = None
    except OadError:
        # this process holds the store for writing itself (DuckDB refuses a second, read-only
        # opening of a file it has open for writing): a brief moment; read the replica
        if not replica_path(store_path).exists():
            raise
        store = None
    if store is not None:
        with store:
            if _changed_since_copy(store_path, replica_path(store_path)):
                _refresh_in_background(store_path, wait)
            yield store.con, dt.datetime.now(dt.UTC), False
        return
    replica = replica_path(store_path)
    if not replica.exists():
        raise StoreInUseError(
            f"{store_path}: a run is writing the store and there is no copy of it to read yet;"
            " try again when the run has finished"
        )
    as_of = dt.datetime.fromtimestamp(replica.stat().st_mtime, dt.UTC)
    with connect(replica, read_only=True, wait=wait) as copy:
        yield copy.con, as_of, True


def _changed_since_copy(store_path: Path, replica: Path) -> bool:
    if not replica.exists():
        return True
    copied = replica.stat().st_mtime_ns
    wal = store_path.with_name(store_path.name + ".wal")
    newest = max(store_path.stat().st_mtime_ns, wal.stat().st_mtime_ns if wal.exists() else 0)
    return newest >= copied


def _refresh_in_background(store_path: Path, wait: float) -> None:
    """Start copying the store to its replica unless a copy is under way in this process."""
    global _copier
    if not _refreshing.acquire(blocking=False):
        return
    _copier = threading.Thread(
        target=_refresh_replica, args=(store_path, wait), name="replica copy", daemon=True
    )
    _copier.start()


def _refresh_replica(store_path: Path, wait: float) -> None:
    """Copy the store to its replica, holding it read-only so that no writer changes it
    meanwhile; skipped if a writer took it first (the next free read copies it)."""
    try:
        with connect(store_path, read_only=True, wait=wait):
            replica = replica_path(store_path)
            partial = replica.with_name(replica.name + f".{os.getpid()}.partial")
            # the store file alone: a writer that finished checkpointed its log into it
            shutil.copyfile(store_path, partial)
            os.replace(partial, replica)
    except OadError:
        pass
    finally:
        _refreshing.release()


def replica_refreshed(timeout: float | None = None) -> bool:
    """Wait for this process's copy under way, if any; whether none is left running."""
    copier = _copier
    if copier is not None:
        copier.join(timeout)
        return not copier.is_alive()
    return True
