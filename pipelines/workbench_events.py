"""What the workbench changes (users added, disabled) on its way to the store's audit log.

An event is written to the workbench database at once, then copied into the store's audit_log
by whoever next holds the store for writing. The copy is idempotent: each event carries an id
that goes into its audit row's details, a row already holding that id is not written again, and
the event is marked copied afterwards; a crash between the two writes leaves an event that the
next copy finds already there and only marks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.errors import OadError
from pipelines.store import Store, connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS workbench_events (
    event_id    TEXT PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    details     TEXT NOT NULL,
    audit_id    INTEGER
)
"""


@dataclass(frozen=True)
class Event:
    event_id: str
    occurred_at: str
    actor: str
    action: str
    details: dict[str, Any]


def ensure_events(con: sqlite3.Connection) -> None:
    con.execute(_SCHEMA)


@dataclass(frozen=True)
class Change:
    """Who made a change and when: the event a change to users writes with it."""

    actor: str  # a workbench user (web:NAME), or the system user at the CLI (cli:NAME)
    at: dt.datetime


def record_event(
    con: sqlite3.Connection, actor: str, action: str, details: dict[str, Any], now: dt.datetime
) -> Event:
    """Journal one change made by ACTOR, in a transaction of its own."""
    ensure_events(con)
    with con:
        return insert_event(con, Change(actor, now), action, details)


def insert_event(
    con: sqlite3.Connection, change: Change, action: str, details: dict[str, Any]
) -> Event:
    """Journal one change inside the caller's transaction (the events table must exist), so
    that the change and its event are written together or not at all."""
    at = change.at.isoformat(timespec="seconds")
    event = Event(str(uuid.uuid4()), at, change.actor, action, details)
    con.execute(
        "INSERT INTO workbench_events (event_id, occurred_at, actor, action, details)"
        " VALUES (?, ?, ?, ?, ?)",
        [event.event_id, event.occurred_at, change.actor, action, json.dumps(details)],
    )
    return event


def pending_events(con: sqlite3.Connection) -> list[Event]:
    """The events not yet in the store's audit log, oldest first."""
    ensure_events(con)
    rows = con.execute(
        "SELECT event_id, occurred_at, actor, action, details FROM workbench_events"
        " WHERE audit_id IS NULL ORDER BY occurred_at, rowid"
    ).fetchall()
    return [
        Event(e, at, actor, action, json.loads(details)) for e, at, actor, action, details in rows
    ]


def copy_events_to_store(con: sqlite3.Connection, store: Store) -> int:
    """Copy the pending events into STORE's audit_log (open for writing); how many were new."""
    written = 0
    for event in pending_events(con):
        audit_id = _audit_row_of(store.con, event.event_id)
        if audit_id is None:
            audit_id = _write_audit_row(store, event)
            written += 1
        with con:
            con.execute(
                "UPDATE workbench_events SET audit_id = ? WHERE event_id = ?",
                [audit_id, event.event_id],
            )
    return written


def _audit_row_of(con: duckdb.DuckDBPyConnection, event_id: str) -> int | None:
    row = con.execute(
        "SELECT audit_id FROM audit_log WHERE details->>'$.event_id' = ?", [event_id]
    ).fetchone()
    return None if row is None else int(row[0])


def _write_audit_row(store: Store, event: Event) -> int:
    details = {**event.details, "event_id": event.event_id}
    # the store keeps naive UTC times; the row has the change's time, not the copy's
    occurred = dt.datetime.fromisoformat(event.occurred_at).astimezone(dt.UTC).replace(tzinfo=None)
    with store.transaction() as con:
        row = con.execute(
            "INSERT INTO audit_log VALUES (nextval('audit_id_seq'), ?, ?, ?, ?) RETURNING audit_id",
            [occurred, event.actor, event.action, json.dumps(details, ensure_ascii=False)],
        ).fetchone()
    assert row is not None
    return int(row[0])


def copy_events_if_free(
    con: sqlite3.Connection, store_path: str | os.PathLike[str], wait: float
) -> int | None:
    """Copy the pending events when the store opens for writing within WAIT seconds: how
    many were new, or None when it is busy (they stay pending for the next writer)."""
    if not Path(store_path).exists():
        return None
    try:
        with connect(store_path, wait=wait) as store:
            return copy_events_to_store(con, store)
    except (OadError, duckdb.Error):
        # a run holds the store, or this process reads it (DuckDB refuses a writer beside its
        # own reader): the events wait in the workbench database, nothing is lost
        return None
