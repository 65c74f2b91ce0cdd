"""The store's audit log as people read it: a page of entries, newest first."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import duckdb


@dataclass(frozen=True)
class AuditEntry:
    audit_id: int
    occurred_at: dt.datetime
    actor: str
    action: str
    details: Any


def audit_count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM audit_log").fetchone()
    return int(row[0]) if row else 0


def audit_page(con: duckdb.DuckDBPyConnection, page: int, per_page: int) -> list[AuditEntry]:
    """Page PAGE (from 1) of the log, PER_PAGE entries, newest first."""
    rows = con.execute(
        "SELECT audit_id, occurred_at, actor, action, details::VARCHAR FROM audit_log"
        " ORDER BY occurred_at DESC, audit_id DESC LIMIT ? OFFSET ?",
        [per_page, (page - 1) * per_page],
    ).fetchall()
    return [
        AuditEntry(int(audit_id), at, actor, action, json.loads(details) if details else None)
        for audit_id, at, actor, action, details in rows
    ]


def detail_pairs(details: Any) -> list[tuple[str, str]]:
    """An entry's details as (name, value) pairs to show; nested values as compact JSON."""
    if not isinstance(details, dict):
        return [] if details is None else [("", json.dumps(details, ensure_ascii=False))]
    return [
        (str(name), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for name, value in details.items()
    ]
