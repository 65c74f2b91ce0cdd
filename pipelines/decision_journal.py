"""Investigators' decisions on pairs, kept at once in the workbench database and applied to the
store's reviews and audit log by whoever next holds the store for writing.

A decision must never wait for, nor be lost to, a run that holds the store for minutes; the
journal takes it at once (SQLite beside the store, pipelines/workbench_db.py). Applying it is
one store transaction that writes the review and an audit entry naming the journal row; only
then is the row marked applied. A crash between the two leaves an unmarked row whose audit entry
exists: the next apply finds the entry and only marks the row, so nothing is applied twice.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from matching.reviews import record_review
from pipelines.errors import OadError, StoreInUseError
from pipelines.store import Store, connect
from pipelines.workbench_db import connect_workbench

DECISIONS = ("confirm", "reject", "unsure")  # 'unsure' is kept and audited, matches unchanged
AUDIT_ACTION = "decision"
_SCHEMA = """
    CREATE TABLE IF NOT EXISTS journal_identity (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        uid TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS pending_decisions (
        journal_id  INTEGER PRIMARY KEY AUTOINCREMENT,
        decided_by  TEXT NOT NULL,
        decided_at  TEXT NOT NULL,            -- UTC, ISO 8601
        debtor_id   TEXT NOT NULL,
        source      TEXT NOT NULL,
        source_id   TEXT NOT NULL,
        decision    TEXT NOT NULL CHECK (decision IN ('confirm', 'reject', 'unsure')),
        note        TEXT,
        before      TEXT,                     -- JSON: the pair's last decision in this journal
        applied_at  TEXT,                     -- UTC, when the store took it
        review_id   INTEGER,                  -- the store's review (none for 'unsure')
        error       TEXT                      -- why the store could not take it, if so
    );
    CREATE INDEX IF NOT EXISTS pending_decisions_open ON pending_decisions (applied_at);
"""


@dataclass(frozen=True)
class Decision:
    journal_id: int
    decided_by: str
    decided_at: str
    debtor_id: str
    source: str
    source_id: str
    decision: str
    note: str | None
    before: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True)
class PairDecision:
    """A decision to journal: on which pair, what, and why."""

    debtor_id: str
    source: str
    source_id: str
    decision: str
    note: str | None = None


def record_decision(
    store_path: str | os.PathLike[str],
    user: str,
    debtor_id: str,
    source: str,
    source_id: str,
    decision: str,
    note: str | None = None,
) -> int:
    """Journal USER's DECISION on the pair; its journal id. Never touches the store."""
    taken = PairDecision(debtor_id, source, source_id, decision, note)
    return record_decisions(store_path, user, [taken])[0]


def record_decisions(
    store_path: str | os.PathLike[str], user: str, decisions: list[PairDecision]
) -> list[int]:
    """Journal USER's DECISIONS in one transaction (all or none); their journal ids, in order.
    Never touches the store."""
    for decision in decisions:
        _check(user, decision)
    with _open(store_path) as con, con:
        return [_journal(con, user, decision) for decision in decisions]


def _check(user: str, decision: PairDecision) -> None:
    if decision.decision not in DECISIONS:
        raise OadError(f"decision must be one of {', '.join(DECISIONS)}, not {decision.decision!r}")
    named = {"user": user, "debtor_id": decision.debtor_id, "source": decision.source,
             "source_id": decision.source_id}  # fmt: skip
    for field, value in named.items():
        if not (value or "").strip():
            raise OadError(f"a decision needs its {field}")


def _journal(con: sqlite3.Connection, user: str, decision: PairDecision) -> int:
    pair = [decision.debtor_id, decision.source, decision.source_id]
    last = con.execute(
        "SELECT decision, decided_by, decided_at FROM pending_decisions WHERE debtor_id = ?"
        " AND source = ? AND source_id = ? ORDER BY journal_id DESC LIMIT 1",
        pair,
    ).fetchone()
    fields = ("decision", "decided_by", "decided_at")
    before = dict(zip(fields, last, strict=True)) if last else None
    cursor = con.execute(
        "INSERT INTO pending_decisions (decided_by, decided_at, debtor_id, source, source_id,"
        " decision, note, before) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [user, _now(), *pair, decision.decision, decision.note,
         json.dumps(before) if before else None],
    )  # fmt: skip
    return int(cursor.lastrowid or 0)


def left_out_of_queue(store_path: str | os.PathLike[str], user: str) -> set[tuple[str, str, str]]:
    """Pairs the review queue leaves out for USER beyond those reviewed in the store: those with
    a decision the store has not yet taken, and those USER marked unsure (which the store keeps
    only in its audit log)."""
    with _open(store_path) as con:
        rows = con.execute(
            "SELECT DISTINCT debtor_id, source, source_id FROM pending_decisions"
            " WHERE applied_at IS NULL OR (decision = 'unsure' AND decided_by = ?)",
            [user],
        ).fetchall()
    return {(str(d), str(s), str(i)) for d, s, i in rows}


def pending(store_path: str | os.PathLike[str]) -> list[Decision]:
    """Decisions the store has not yet taken, oldest first (with the error of any it refused)."""
    with _open(store_path) as con:
        rows = con.execute(
            "SELECT journal_id, decided_by, decided_at, debtor_id, source, source_id, decision,"
            " note, before, error FROM pending_decisions WHERE applied_at IS NULL"
            " ORDER BY journal_id"
        ).fetchall()
    return [_decision(row) for row in rows]


def _decision(row: tuple[Any, ...]) -> Decision:
    journal_id, by, at, debtor_id, source, source_id, decision, note, before, error = row
    loaded = json.loads(before) if before else None
    return Decision(journal_id, by, at, debtor_id, source, source_id, decision, note, loaded, error)


def apply_pending(store: Store, store_path: str | os.PathLike[str]) -> int:
    """Apply every pending decision to STORE (open for writing): its review and an audit entry
    with who, when, before and after. Returns how many the store took now."""
    waiting = pending(store_path)
    if not waiting:
        return 0
    uid = _journal_uid(store_path)
    taken, refused = {}, {}
    with store.transaction() as con:
        done = _already_applied(con, uid)
        for decision in waiting:
            if decision.journal_id in done:
                continue
            try:
                done[decision.journal_id] = _apply(store, con, uid, decision)
                taken[decision.journal_id] = done[decision.journal_id]
            except OadError as error:  # the debtor or record is not (or no longer) in the store
                refused[decision.journal_id] = str(error)
    _mark(store_path, done, refused)
    return len(taken)


def apply_if_free(store_path: str | os.PathLike[str]) -> int | None:
    """Apply pending decisions now if the store is free; None when a run holds it (the run
    applies them when it starts)."""
    try:
        with connect(store_path, wait=0) as store:
            return apply_pending(store, store_path)
    except StoreInUseError:
        return None


def _apply(
    store: Store, con: duckdb.DuckDBPyConnection, uid: str, decision: Decision
) -> int | None:
    before = _store_state(con, decision)
    review_id = None
    if decision.decision != "unsure":
        pair = (decision.debtor_id, decision.source, decision.source_id)
        review_id = record_review(con, *pair, decision.decision, decision.decided_by, decision.note)
    store.audit(
        AUDIT_ACTION,
        {"journal": uid, "journal_id": decision.journal_id, "decided_at": decision.decided_at,
         "debtor_id": decision.debtor_id, "source": decision.source,
         "source_id": decision.source_id, "decision": decision.decision, "note": decision.note,
         "before": before, "journal_before": decision.before, "after": _store_state(con, decision),
         "review_id": review_id},
        actor=decision.decided_by,
    )  # fmt: skip
    return review_id


def _store_state(con: duckdb.DuckDBPyConnection, decision: Decision) -> dict[str, Any]:
    pair = [decision.debtor_id, decision.source, decision.source_id]
    review = con.execute(
        "SELECT decision, reviewer FROM reviews WHERE debtor_id = ? AND source = ?"
        " AND source_id = ? ORDER BY review_id DESC LIMIT 1",
        pair,
    ).fetchall()
    match = con.execute(
        "SELECT match_probability FROM matches WHERE debtor_id = ? AND source = ?"
        " AND source_id = ?",
        pair,
    ).fetchall()
    return {
        "review": review[0][0] if review else None,
        "reviewer": review[0][1] if review else None,
        "match_probability": match[0][0] if match else None,
    }


def _already_applied(con: duckdb.DuckDBPyConnection, uid: str) -> dict[int, int | None]:
    """Journal id -> review id of the decisions of this journal the audit log already holds."""
    rows = con.execute(
        "SELECT details->>'$.journal_id', details->>'$.review_id' FROM audit_log"
        " WHERE action = ? AND details->>'$.journal' = ?",
        [AUDIT_ACTION, uid],
    ).fetchall()
    return {int(journal_id): int(review) if review else None for journal_id, review in rows}


def _mark(
    store_path: str | os.PathLike[str], done: dict[int, int | None], refused: dict[int, str]
) -> None:
    now = _now()
    with _open(store_path) as con, con:
        con.executemany(
            "UPDATE pending_decisions SET applied_at = ?, review_id = ?, error = NULL"
            " WHERE journal_id = ? AND applied_at IS NULL",
            [(now, review_id, journal_id) for journal_id, review_id in done.items()],
        )
        con.executemany(
            "UPDATE pending_decisions SET error = ? WHERE journal_id = ?",
            [(error, journal_id) for journal_id, error in refused.items()],
        )


def _journal_uid(store_path: str | os.PathLike[str]) -> str:
    """This journal's own id: a journal made again (its ids restarting at 1) is never taken
    for the one whose decisions the audit log holds."""
    with _open(store_path) as con, con:
        con.execute("INSERT OR IGNORE INTO journal_identity VALUES (1, ?)", [uuid.uuid4().hex])
        return str(con.execute("SELECT uid FROM journal_identity").fetchone()[0])


@contextmanager
def _open(store_path: str | os.PathLike[str]) -> Iterator[sqlite3.Connection]:
    """The workbench database with the journal's tables, closed on the way out (`with con:`
    inside makes a transaction)."""
    con = connect_workbench(store_path)
    try:
        con.executescript(_SCHEMA)
        yield con
    finally:
        con.close()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
