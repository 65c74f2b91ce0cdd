"""Bookkeeping shared by every import and crawl: its `crawls` row and its rejected rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.rejections import Rejected
from pipelines.store import insert_arrow


@dataclass
class ImportCounts:
    loaded: int = 0  # new rows
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0
    refreshed: int = 0  # unchanged, their payload now as this channel read it
    unused_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.loaded} loaded, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )
        if self.removed:
            text += f", {self.removed} marked removed"
        return text + refreshed_note(self.refreshed)


def refreshed_note(refreshed: int) -> str:
    """What a summary says of unchanged rows whose payload was replaced."""
    if not refreshed:
        return ""
    return f" ({refreshed} of them had come by another channel: same facts, payload replaced)"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def start_crawl(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    location: str,
    source: str | None,
    content_hash: str | None = None,
    dataset: str | None = None,
) -> int:
    """A new crawls row, running; CONTENT_HASH (of the file or response) may instead be given
    when the crawl finishes."""
    row = con.execute(
        "INSERT INTO crawls (crawl_id, source, kind, location, content_hash, started_at, status,"
        " dataset) VALUES (nextval('crawl_id_seq'), ?, ?, ?, ?, current_timestamp, 'running', ?)"
        " RETURNING crawl_id",
        [source, kind, location, content_hash, dataset],
    ).fetchall()
    return int(row[0][0])


def finish_crawl(
    con: duckdb.DuckDBPyConnection,
    crawl_id: int,
    counts: ImportCounts,
    content_hash: str | None = None,
) -> None:
    notes: dict[str, Any] = {
        "unused_columns": list(counts.unused_columns),
        "notes": counts.notes,
        "refreshed": counts.refreshed,
    }
    con.execute(
        "UPDATE crawls SET finished_at = current_timestamp, status = 'finished',"
        " fetched = ?, new = ?, changed = ?, unchanged = ?, removed = ?, rejected = ?,"
        " notes = json_merge_patch(coalesce(notes, '{}'), ?),"
        " content_hash = coalesce(?, content_hash) WHERE crawl_id = ?",
        [
            counts.loaded + counts.updated + counts.unchanged + counts.rejected,
            counts.loaded,
            counts.updated,
            counts.unchanged,
            counts.removed,
            counts.rejected,
            json.dumps(notes, ensure_ascii=False),
            content_hash,
            crawl_id,
        ],
    )


def write_rejections(
    con: duckdb.DuckDBPyConnection, crawl_id: int, rejections: list[Rejected]
) -> None:
    if not rejections:
        return
    import pyarrow as pa  # here: an import without a rejected row need not load it

    staged = pa.table(
        {
            "file": [r.file for r in rejections],
            "line": pa.array([r.line for r in rejections], pa.int64()),
            "field": pa.array([r.field for r in rejections], pa.string()),
            "reason": [r.reason for r in rejections],
            "raw": pa.array([r.raw for r in rejections], pa.string()),
        }
    )
    insert_arrow(
        con,
        "staged_rejections",
        staged,
        "INSERT INTO rejected_rows SELECT nextval('rejected_id_seq'), ?, file, line, field,"
        " reason, raw, ? FROM staged_rejections",
        [crawl_id, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )
