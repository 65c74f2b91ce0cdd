"""Bookkeeping shared by every import and crawl: the crawls row and the rejected rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.store import insert_arrow


@dataclass(frozen=True)
class Rejection:
    line: int | None
    field: str | None
    reason: str
    raw: str | None


@dataclass
class ImportCounts:
    loaded: int = 0  # new rows
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0
    unused_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.loaded} loaded, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )
        if self.removed:
            text += f", {self.removed} marked removed"
        return text


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
) -> int:
    """A new crawls row, running; CONTENT_HASH (of the file or response) may instead be given
    when the crawl finishes."""
    row = con.execute(
        "INSERT INTO crawls (crawl_id, source, kind, location, content_hash, started_at, status)"
        " VALUES (nextval('crawl_id_seq'), ?, ?, ?, ?, current_timestamp, 'running')"
        " RETURNING crawl_id",
        [source, kind, location, content_hash],
    ).fetchall()
    return int(row[0][0])


def finish_crawl(
    con: duckdb.DuckDBPyConnection,
    crawl_id: int,
    counts: ImportCounts,
    content_hash: str | None = None,
) -> None:
    notes: dict[str, Any] = {"unused_columns": list(counts.unused_columns), "notes": counts.notes}
    con.execute(
        "UPDATE crawls SET finished_at = current_timestamp, status = 'finished',"
        " fetched = ?, new = ?, changed = ?, unchanged = ?, removed = ?, rejected = ?, notes = ?,"
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
    con: duckdb.DuckDBPyConnection, crawl_id: int, file: str, rejections: list[Rejection]
) -> None:
    if not rejections:
        return
    import pyarrow as pa  # here: an import without a rejected row need not load it

    staged = pa.table(
        {
            "line": [r.line for r in rejections],
            "field": [r.field for r in rejections],
            "reason": [r.reason for r in rejections],
            "raw": [r.raw for r in rejections],
        }
    )
    insert_arrow(
        con,
        "staged_rejections",
        staged,
        "INSERT INTO rejected_rows SELECT nextval('rejected_id_seq'), ?, ?, line, field,"
        " reason, raw, ? FROM staged_rejections",
        [crawl_id, file, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )
