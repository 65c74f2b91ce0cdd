"""The end of a crawl: staged Parquet files → checked, de-duplicated rows → `upsert.merge`.

Rows are checked and typed by the record shape (`pipelines.shape`), as `oad records import`
checks them. Runs inside the caller's transaction, so a crawl lands whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from pipelines.canonical import canonical_text_sql
from pipelines.columns import load_spec, map_header
from pipelines.crawl_items import FIELDS, KEYS, staged_schema
from pipelines.crawl_log import write_rejections
from pipelines.crawl_staging import CellGroup, Staging
from pipelines.payloads import payload_sql
from pipelines.rejections import Rejected
from pipelines.shape import (
    SHAPES,
    TableName,
    checked_sql,
    duplicate_reason,
    valid_sql,
    variables,
)
from pipelines.store import Variables
from pipelines.upsert import DEFAULT_REMOVAL_GUARD, MergeCounts, has_rows, merge

_SQL_TYPES = {pa.string(): "VARCHAR", pa.list_(pa.string()): "VARCHAR[]", pa.int64(): "BIGINT"}


@dataclass
class CrawlCounts:
    tables: dict[str, MergeCounts] = field(default_factory=dict)
    rejected: int = 0
    duplicates: int = 0  # identical rows seen twice (a response processed again after a pause)

    def total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.tables.values())


def merge_staged(
    con: duckdb.DuckDBPyConnection,
    staging: Staging,
    source: str,
    crawl_id: int,
    snapshot: bool,
    removal_guard: float | None = DEFAULT_REMOVAL_GUARD,
    snapshot_tables: Collection[TableName] | None = None,
) -> CrawlCounts:
    """Merge every staged table; RemovalsHeld (before anything is written, in the caller's
    transaction) when a snapshot would remove more than REMOVAL_GUARD of a table's live rows.
    A snapshot covers SNAPSHOT_TABLES only (None: every table): the other tables keep the rows
    it does not hold."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts = CrawlCounts()
    settings = Variables(con)
    for name, value in variables().items():
        settings.set(name, value)
    settings.set("oad_source", source)
    rejections = _staged_rejections(con, staging)
    removed = _apply_removals(con, staging, source, now)
    for table in SHAPES:
        items, cells = staging.item_files(table), staging.cell_files(table)
        whole = snapshot and (snapshot_tables is None or table in snapshot_tables)
        if not items and not cells and not whole:
            continue
        _source_view(con, table, items, cells, settings)
        problems, repeated = con.execute(
            "SELECT count(*) FILTER (WHERE problem IS NOT NULL),"
            f" count(*) - count(DISTINCT {KEYS[table]}) FROM crawl_source"
        ).fetchall()[0]
        staged = "crawl_source"
        if problems or repeated or has_rows(con, table, source):
            # a copy: rows are taken out of it, and a merge against stored rows reads it more
            # than once. A clean first load is inserted straight from the staged files.
            con.execute("CREATE OR REPLACE TEMP TABLE crawl_staged AS SELECT * FROM crawl_source")
            rejections += _take_rejected(con)
            counts.duplicates += _deduplicated(con, table)
            rejections += _duplicates(con, table)
            staged = "crawl_staged"
        valid = valid_sql(table, f"(SELECT * FROM {staged} WHERE problem IS NULL)")
        con.execute(f"CREATE OR REPLACE TEMP VIEW crawl_valid AS {valid}")
        merged = merge(con, table, "crawl_valid", source, crawl_id, whole, now, removal_guard)
        counts.tables[table] = MergeCounts(
            merged.new,
            merged.changed,
            merged.unchanged,
            merged.removed + removed.get(table, 0),
            merged.refreshed,
        )
        con.execute("DROP VIEW crawl_valid")
        con.execute("DROP TABLE IF EXISTS crawl_staged")
        con.execute("DROP VIEW crawl_source")
        con.execute("DROP VIEW crawl_text")
    settings.reset()
    write_rejections(con, crawl_id, sorted(rejections, key=lambda r: (r.file, r.line or 0)))
    counts.rejected = len(rejections)
    return counts


def fields_with_defaults(table: TableName, source: str) -> str:
    """A trusted SQL select list of TABLE's staged fields, a default where one may be left out
    (the crawl's own source is the SQL expression SOURCE)."""
    defaults = {"subject_source": source, "object_source": source, "object_type": "'record'"}
    return ", ".join(
        f"coalesce({name}, {defaults[name]}) AS {name}" if name in defaults else name
        for name in FIELDS[table]
    )


def _source_view(
    con: duckdb.DuckDBPyConnection,
    table: TableName,
    items: list[str],
    cells: dict[CellGroup, list[str]],
    settings: Variables,
) -> None:
    """`crawl_source`: every staged row of TABLE with its raw payload, checked by the record
    shape (`problem`).

    Per-item files hold their payload already. Bulk batches hold cells: their payload is built
    from the cells and the header when the view is read, in one statement over every batch so
    that it runs on every core. File names and headers are variables, never SQL.
    """
    parts: list[str] = []
    fields = fields_with_defaults(table, "getvariable('oad_source')")
    if items:
        settings.set("oad_item_files", items)
        parts.append(
            f"SELECT {fields}, source_url, line, raw, false AS shared"
            " FROM read_parquet(getvariable('oad_item_files'))"
        )
    for number, (group, paths) in enumerate(cells.items()):
        settings.set(f"oad_cells_{number}", paths)
        settings.set(f"oad_header_{number}", list(group.header))
        names = [f"r{i}" for i in range(len(group.header))]
        files = f"read_parquet(getvariable('oad_cells_{number}'))"
        if group.canonical:
            header = map_header(paths[0], list(group.header), load_spec("records"))
            text = canonical_text_sql(header, names, files, f"oad_header_{number}", "source_url")
            parts.append(f"SELECT *, false AS shared FROM ({text})")
            continue
        raw = payload_sql(f"oad_header_{number}", names)
        parts.append(f"SELECT {fields}, source_url, line, {raw} AS raw, shared FROM {files}")
    if not parts:  # a snapshot that staged nothing of this table: every stored row is missing
        empty = ", ".join(f"NULL::{_SQL_TYPES[f.type]} AS {f.name}" for f in staged_schema(table))
        parts.append(f"SELECT {empty}, NULL::VARCHAR AS raw, false AS shared WHERE false")
    con.execute(f"CREATE OR REPLACE TEMP VIEW crawl_text AS {' UNION ALL BY NAME '.join(parts)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW crawl_source AS {checked_sql(table, 'crawl_text')}")


def _deduplicated(con: duckdb.DuckDBPyConnection, table: TableName) -> int:
    """The same row twice (key, fields and payload): kept once."""
    key = KEYS[table]
    before, keys = con.execute(
        f"SELECT count(*), count(DISTINCT {key}) FROM crawl_staged"
    ).fetchall()[0]
    if before == keys:  # the usual case: every key once, settled by one aggregate
        return 0
    content = ", ".join((*FIELDS[table], "raw::VARCHAR"))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE crawl_staged AS SELECT * FROM crawl_staged"
        f" QUALIFY row_number() OVER (PARTITION BY {key}, hash({content})"
        f" ORDER BY source_url, line) = 1"
    )
    after = con.execute("SELECT count(*) FROM crawl_staged").fetchall()[0][0]
    return int(before - after)


def _duplicates(con: duckdb.DuckDBPyConnection, table: TableName) -> list[Rejected]:
    """A key again with other content: the first (by URL and line) is kept. The later ones are
    rejected, unless the rows are mentions of a shared entity (one proprietor of many titles)."""
    key = KEYS[table]
    repeated = con.execute(f"SELECT count(*) - count(DISTINCT {key}) FROM crawl_staged")
    if not repeated.fetchall()[0][0]:
        return []
    con.execute(
        f"UPDATE crawl_staged SET problem = {{'field': '{key}', 'reason': ?}} WHERE rowid IN ("
        f" SELECT rowid FROM crawl_staged QUALIFY row_number() OVER (PARTITION BY {key}"
        f" ORDER BY source_url, line) > 1)",
        [duplicate_reason(table)],
    )
    con.execute("DELETE FROM crawl_staged WHERE problem IS NOT NULL AND shared")
    return _take_rejected(con)


def _take_rejected(con: duckdb.DuckDBPyConnection) -> list[Rejected]:
    """Rows with a problem leave the staged table as rejections."""
    rows = con.execute(
        "SELECT coalesce(source_url, ''), line, problem.reason, problem.field, raw::VARCHAR"
        " FROM crawl_staged WHERE problem IS NOT NULL ORDER BY source_url, line"
    ).fetchall()
    if rows:
        con.execute("DELETE FROM crawl_staged WHERE problem IS NOT NULL")
    return [Rejected(*row) for row in rows]


def _staged_rejections(con: duckdb.DuckDBPyConnection, staging: Staging) -> list[Rejected]:
    files = staging.files("rejected")
    if not files:
        return []
    rows = con.execute(
        "SELECT DISTINCT file, line, reason, field, raw FROM read_parquet(?)"
        " ORDER BY file, line, reason",
        [files],
    ).fetchall()
    return [Rejected(*row) for row in rows]


def _apply_removals(
    con: duckdb.DuckDBPyConnection, staging: Staging, source: str, now: dt.datetime
) -> dict[str, int]:
    """A change-only file's deletions: mark the keys removed, and the edges to removed assets."""
    files = staging.files("removed")
    if not files:
        return {}
    counts: dict[str, int] = {}
    for table in SHAPES:
        key = KEYS[table]
        rows = con.execute(
            f"UPDATE {table} SET removed_at = ? WHERE source = ? AND removed_at IS NULL"
            f' AND {key} IN (SELECT key FROM read_parquet(?) WHERE "table" = ?) RETURNING 1',
            [now, source, files, table],
        ).fetchall()
        counts[table] = len(rows)
    edges = con.execute(
        "UPDATE relationships SET removed_at = ? WHERE source = ? AND removed_at IS NULL"
        " AND object_type = 'asset' AND object_id IN (SELECT key FROM read_parquet(?)"
        " WHERE \"table\" = 'assets') RETURNING 1",
        [now, source, files],
    ).fetchall()
    counts["relationships"] = counts.get("relationships", 0) + len(edges)
    return counts
