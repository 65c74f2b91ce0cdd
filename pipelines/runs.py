"""The `runs` table: a row per match, leads or discovery run, started running and finished (or
failed) with its stats."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb


def start_run(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    params: dict[str, Any],
    started: dt.datetime | None = None,
) -> int:
    """A new run of KIND, running since STARTED (now when not given); its id."""
    row = con.execute(
        "INSERT INTO runs (run_id, kind, started_at, status, params) VALUES"
        " (nextval('run_id_seq'), ?, coalesce(?, current_timestamp), 'running', ?)"
        " RETURNING run_id",
        [kind, started, json.dumps(params)],
    ).fetchall()
    return int(row[0][0])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, stats: dict[str, Any]) -> None:
    con.execute(
        "UPDATE runs SET finished_at = current_timestamp, status = 'finished', stats = ?"
        " WHERE run_id = ?",
        [json.dumps(stats), run_id],
    )


def fail_run(
    con: duckdb.DuckDBPyConnection, run_id: int, reason: str, stats: dict[str, Any]
) -> None:
    """The run ended without finishing: why, and what its steps had done by then."""
    con.execute(
        "UPDATE runs SET finished_at = current_timestamp, status = 'failed', stats = ?"
        " WHERE run_id = ?",
        [json.dumps({**stats, "error": reason}), run_id],
    )
