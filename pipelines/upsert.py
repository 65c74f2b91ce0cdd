"""Merging a checked batch into `records`, `relationships` or `assets`: new, changed, unchanged,
removed.

A staged relation holds one valid row per key, as `shape.valid_sql` selects it: the table's
columns in the store's types plus `content_hash` (of the fields) and `payload_hash` (of the raw
payload). Used by `oad records import` and by the crawls alike.

A row is changed when its fields differ, or when its payload differs and it came by the same
channel (the same kind of import, or a crawl of the same dataset) as the stored row: a published
attribute oad does not model (a company's status) changed. The same facts arriving by another
channel (a vendor's file, then the register's own download) are not a change: the row is kept
with the new payload and counted unchanged, and `refreshed` says how many.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from pipelines.errors import RemovalsHeld
from pipelines.shape import SHAPES, TableName

# the share of a source's live rows a snapshot may mark removed without being held
DEFAULT_REMOVAL_GUARD = 0.1


@dataclass(frozen=True)
class MergeCounts:
    new: int
    changed: int
    unchanged: int  # refreshed rows included
    removed: int
    refreshed: int = 0


def stored_columns(table: TableName) -> tuple[str, ...]:
    """What a merge writes of a row, besides source and the bookkeeping columns."""
    return (*SHAPES[table].fields, "source_url", "raw", "content_hash", "payload_hash")


def ensure_source(
    con: duckdb.DuckDBPyConnection, name: str, origin: str, **meta: str | None
) -> None:
    con.execute(
        "INSERT INTO sources (name, title, publisher, licence, url, origin)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET title = coalesce(excluded.title, sources.title),"
        " publisher = coalesce(excluded.publisher, sources.publisher),"
        " licence = coalesce(excluded.licence, sources.licence),"
        " url = coalesce(excluded.url, sources.url)",
        [
            name,
            meta.get("title"),
            meta.get("publisher"),
            meta.get("licence"),
            meta.get("url"),
            origin,
        ],
    )


def merge(
    con: duckdb.DuckDBPyConnection,
    table: TableName,
    staged: str,
    source: str,
    crawl_id: int,
    snapshot: bool,
    now: dt.datetime | None = None,
    removal_guard: float | None = DEFAULT_REMOVAL_GUARD,
) -> MergeCounts:
    """Merge the staged relation (a trusted name) into TABLE for one source, as crawl CRAWL_ID.

    An unchanged row only has its last_seen moved; one that comes back after being marked
    removed counts as changed. With snapshot=True the batch is the whole source, so live rows
    missing from it are marked removed (never deleted), unless they are more than the share
    REMOVAL_GUARD of the live rows (None: no limit): then RemovalsHeld is raised before anything
    is written, since a source seldom loses a tenth of itself and a file cut short often does.
    """
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    key = SHAPES[table].key
    if not has_rows(con, table, source):
        # a first load: every staged row is new and nothing can be missing, so there is no plan
        # to make (joining against the plan would cost a third of the load)
        return MergeCounts(insert_staged(con, table, staged, source, now, crawl_id), 0, 0, 0)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE merge_plan AS
        SELECT s.{key} AS key,
            CASE WHEN t.{key} IS NULL THEN 'new'
                 WHEN t.removed_at IS NOT NULL OR t.content_hash <> s.content_hash
                    THEN 'changed'
                 WHEN t.payload_hash = s.payload_hash THEN 'unchanged'
                 WHEN was.kind = this.kind AND was.dataset IS NOT DISTINCT FROM this.dataset
                    THEN 'changed'
                 ELSE 'refreshed' END AS action
        FROM {staged} s
        LEFT JOIN {table} t ON t.source = $source AND t.{key} = s.{key}
        LEFT JOIN crawls was ON was.crawl_id = t.crawl_id
        CROSS JOIN (SELECT kind, dataset FROM crawls WHERE crawl_id = $crawl) this
        """,
        {"source": source, "crawl": crawl_id},
    )
    counts = dict(con.execute("SELECT action, count(*) FROM merge_plan GROUP BY action").fetchall())
    if snapshot and removal_guard is not None:
        _guard_removals(con, table, source, removal_guard)
    if counts.get("new"):
        only_new = f" SEMI JOIN merge_plan p ON p.key = s.{key} AND p.action = 'new'"
        insert_staged(con, table, staged, source, now, crawl_id, only_new)
    if counts.get("changed") or counts.get("refreshed"):
        assignments = ", ".join(f"{c} = s.{c}" for c in stored_columns(table)[1:])
        con.execute(
            f"UPDATE {table} SET {assignments}, last_seen = ?, removed_at = NULL, crawl_id = ?"
            f" FROM {staged} s, merge_plan p WHERE {table}.source = ? AND {table}.{key} = s.{key}"
            f" AND p.key = s.{key} AND p.action IN ('changed', 'refreshed')",
            [now, crawl_id, source],
        )
    if counts.get("unchanged"):
        con.execute(
            f"UPDATE {table} SET last_seen = ? FROM merge_plan p WHERE {table}.source = ?"
            f" AND {table}.{key} = p.key AND p.action = 'unchanged'",
            [now, source],
        )
    removed = _mark_removed(con, table, staged, source, now) if snapshot else 0
    con.execute("DROP TABLE merge_plan")
    refreshed = counts.get("refreshed", 0)
    return MergeCounts(
        counts.get("new", 0),
        counts.get("changed", 0),
        counts.get("unchanged", 0) + refreshed,
        removed,
        refreshed,
    )


def _guard_removals(
    con: duckdb.DuckDBPyConnection, table: TableName, source: str, share: float
) -> None:
    key = SHAPES[table].key
    live, removing = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM merge_plan p"
        f" WHERE p.key = t.{key})) FROM {table} t WHERE source = ? AND removed_at IS NULL",
        [source],
    ).fetchall()[0]
    if live and removing > share * live:
        raise RemovalsHeld(table, int(removing), int(live), share)


def has_rows(con: duckdb.DuckDBPyConnection, table: TableName, source: str) -> bool:
    """Whether TABLE holds any row of SOURCE, removed ones included."""
    found = con.execute(f"SELECT 1 FROM {table} WHERE source = ? LIMIT 1", [source])
    return bool(found.fetchall())


def insert_staged(
    con: duckdb.DuckDBPyConnection,
    table: TableName,
    staged: str,
    source: str,
    now: dt.datetime,
    crawl_id: int,
    join: str = "",
) -> int:
    """Insert the staged rows (those the trusted SQL JOIN keeps) as new rows of SOURCE, first
    and last seen NOW; returns how many."""
    columns = stored_columns(table)
    inserted = con.execute(
        f"INSERT INTO {table} (source, {', '.join(columns)}, first_seen, last_seen,"
        f" crawl_id) SELECT ?, {', '.join('s.' + c for c in columns)}, ?, ?, ?"
        f" FROM {staged} s{join}",
        [source, now, now, crawl_id],
    ).fetchall()
    return int(inserted[0][0])


def _mark_removed(
    con: duckdb.DuckDBPyConnection, table: TableName, staged: str, source: str, now: dt.datetime
) -> int:
    key = SHAPES[table].key
    rows = con.execute(
        f"UPDATE {table} SET removed_at = ? WHERE source = ? AND removed_at IS NULL"
        f" AND {key} NOT IN (SELECT {key} FROM {staged}) RETURNING 1",
        [now, source],
    ).fetchall()
    return len(rows)
