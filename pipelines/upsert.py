"""Merging a staged batch into `records`, `relationships` or `assets`: new, changed, unchanged,
removed.

A staged table holds one row per key with the table's columns plus `content_hash`. Used by
`oad records import` and by the spiders' store pipeline alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class MergedTable:
    name: str
    key: str  # unique within a source
    columns: tuple[str, ...]  # besides source, the key and the bookkeeping columns


RECORDS = MergedTable(
    "records",
    "source_id",
    (
        "name", "kind", "alt_names", "jurisdiction", "registration_number", "incorporation_date",
        "birth_date", "nationality", "country_of_residence", "address", "source_url", "raw",
    ),
)  # fmt: skip
RELATIONSHIPS = MergedTable(
    "relationships",
    "relationship_id",
    (
        "subject_source", "subject_id", "object_source", "object_id", "object_type", "role",
        "start_date", "end_date", "share", "source_url", "raw",
    ),
)  # fmt: skip
ASSETS = MergedTable(
    "assets",
    "asset_id",
    (
        "kind", "tenure", "address", "district", "county", "region", "postcode", "price_paid",
        "date_added", "source_url", "raw",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class MergeCounts:
    new: int
    changed: int
    unchanged: int
    removed: int


def ensure_source(con: duckdb.DuckDBPyConnection, name: str, origin: str, **meta: str) -> None:
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
    table: MergedTable,
    staged: str,
    source: str,
    crawl_id: int,
    snapshot: bool,
    now: dt.datetime | None = None,
) -> MergeCounts:
    """Merge the staged table (a trusted temp-table name) into `table` for one source.

    A row whose content is unchanged only has its last_seen moved; one that comes back after
    being marked removed counts as changed. With snapshot=True the batch is the whole source, so
    live rows missing from it are marked removed (never deleted).
    """
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    name, key = table.name, table.key
    if not has_rows(con, table, source):
        # a first load: every staged row is new and nothing can be missing, so there is no plan
        # to make (joining against the plan would cost a third of the load)
        return MergeCounts(insert_staged(con, table, staged, source, now, crawl_id), 0, 0, 0)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE merge_plan AS SELECT s.{key} AS key,"
        f" CASE WHEN t.{key} IS NULL THEN 'new'"
        f" WHEN t.content_hash <> s.content_hash OR t.removed_at IS NOT NULL THEN 'changed'"
        f" ELSE 'unchanged' END AS action"
        f" FROM {staged} s LEFT JOIN {name} t ON t.source = ? AND t.{key} = s.{key}",
        [source],
    )
    counts = dict(con.execute("SELECT action, count(*) FROM merge_plan GROUP BY action").fetchall())
    if counts.get("new"):
        only_new = f" SEMI JOIN merge_plan p ON p.key = s.{key} AND p.action = 'new'"
        insert_staged(con, table, staged, source, now, crawl_id, only_new)
    if counts.get("changed"):
        assignments = ", ".join(f"{c} = s.{c}" for c in (*table.columns, "content_hash"))
        con.execute(
            f"UPDATE {name} SET {assignments}, last_seen = ?, removed_at = NULL, crawl_id = ?"
            f" FROM {staged} s, merge_plan p WHERE {name}.source = ? AND {name}.{key} = s.{key}"
            f" AND p.key = s.{key} AND p.action = 'changed'",
            [now, crawl_id, source],
        )
    if counts.get("unchanged"):
        con.execute(
            f"UPDATE {name} SET last_seen = ? FROM merge_plan p WHERE {name}.source = ?"
            f" AND {name}.{key} = p.key AND p.action = 'unchanged'",
            [now, source],
        )
    removed = _mark_removed(con, table, staged, source, now) if snapshot else 0
    con.execute("DROP TABLE merge_plan")
    return MergeCounts(
        counts.get("new", 0), counts.get("changed", 0), counts.get("unchanged", 0), removed
    )


def has_rows(con: duckdb.DuckDBPyConnection, table: MergedTable, source: str) -> bool:
    """Whether TABLE holds any row of SOURCE, removed ones included."""
    found = con.execute(f"SELECT 1 FROM {table.name} WHERE source = ? LIMIT 1", [source])
    return bool(found.fetchall())


def insert_staged(
    con: duckdb.DuckDBPyConnection,
    table: MergedTable,
    staged: str,
    source: str,
    now: dt.datetime,
    crawl_id: int,
    join: str = "",
) -> int:
    """Insert the staged rows (those the trusted SQL JOIN keeps) as new rows of SOURCE, first
    and last seen NOW; returns how many."""
    columns = (table.key, *table.columns, "content_hash")
    inserted = con.execute(
        f"INSERT INTO {table.name} (source, {', '.join(columns)}, first_seen, last_seen,"
        f" crawl_id) SELECT ?, {', '.join('s.' + c for c in columns)}, ?, ?, ?"
        f" FROM {staged} s{join}",
        [source, now, now, crawl_id],
    ).fetchall()
    return int(inserted[0][0])


def _mark_removed(
    con: duckdb.DuckDBPyConnection, table: MergedTable, staged: str, source: str, now: dt.datetime
) -> int:
    rows = con.execute(
        f"UPDATE {table.name} SET removed_at = ? WHERE source = ? AND removed_at IS NULL"
        f" AND {table.key} NOT IN (SELECT {table.key} FROM {staged}) RETURNING 1",
        [now, source],
    ).fetchall()
    return len(rows)
