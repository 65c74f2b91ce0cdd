"""The `runs` table as people read it: recent runs one line each, and one run whole."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import duckdb

_SUMMARY_CHARS = 100  # a run's one-line summary in a list, cut beyond this

RUN_COLUMNS = "run_id, kind, status, started_at, finished_at, params::VARCHAR, stats::VARCHAR"


@dataclass(frozen=True)
class Run:
    run_id: int
    kind: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    params: Any
    stats: Any

    @property
    def error(self) -> str | None:
        """Why the run failed, as its stats say (a failed run's stats carry {"error": ...})."""
        if isinstance(self.stats, dict) and self.stats.get("error"):
            return str(self.stats["error"])
        return None


def recent_runs(con: duckdb.DuckDBPyConnection, kind: str | None, limit: int) -> list[Run]:
    """The LIMIT newest runs (of KIND when given), newest first."""
    rows = con.execute(
        f"SELECT {RUN_COLUMNS} FROM runs WHERE ($kind IS NULL OR kind = $kind)"
        " ORDER BY started_at DESC, run_id DESC LIMIT $limit",
        {"kind": kind, "limit": limit},
    ).fetchall()
    return [_run(row) for row in rows]


def one_run(con: duckdb.DuckDBPyConnection, run_id: int) -> Run | None:
    rows = con.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE run_id = ?", [run_id]).fetchall()
    return _run(rows[0]) if rows else None


def _run(row: tuple[Any, ...]) -> Run:
    run_id, kind, status, started, finished, params, stats = row
    return Run(int(run_id), kind, status, started, finished, _json(params), _json(stats))


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def duration(run: Run) -> str:
    """How long the run took; 'running' for one still running, '-' when its end is unknown."""
    if run.finished_at is None:
        return "running" if run.status == "running" else "-"
    seconds = (run.finished_at - run.started_at).total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    return f"{minutes // 60} h {minutes % 60} min"


def stats_summary(run: Run) -> str:
    """A run's stats on one line: its error if it failed, else each plain value by name
    (nested values are left to `oad runs show`)."""
    if run.error is not None:
        text = "error: " + " ".join(run.error.split())
    elif isinstance(run.stats, dict):
        text = ", ".join(
            f"{name} {_plain(value)}"
            for name, value in run.stats.items()
            if name != "run_id" and not isinstance(value, dict | list)
        )
    else:
        text = "" if run.stats is None else _plain(run.stats)
    return text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def run_lines(run: Run) -> list[str]:
    """One run whole: when, how long, its parameters and stats as indented JSON, and why it
    failed if it did."""
    lines = [
        f"run {run.run_id}: {run.kind}, {run.status}",
        f"started:  {run.started_at:%Y-%m-%d %H:%M:%S} UTC",
    ]
    if run.finished_at is not None:
        lines.append(f"finished: {run.finished_at:%Y-%m-%d %H:%M:%S} UTC (took {duration(run)})")
    if run.error is not None:
        lines.append(f"failed because: {run.error}")
    for title, value in (("params", run.params), ("stats", run.stats)):
        shown = "none" if value is None else json.dumps(value, indent=2, ensure_ascii=False)
        lines.append(f"{title}: {shown}")
    return lines
