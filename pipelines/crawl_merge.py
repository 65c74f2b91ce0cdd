"""The end of a crawl: staged Parquet files → checked, de-duplicated rows → `upsert.merge`.

Runs inside the caller's transaction, so a crawl lands whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from pipelines.crawl_items import KEYS, TableName, staged_schema
from pipelines.crawl_log import Rejection, write_rejections
from pipelines.crawl_staging import Staging, fields_with_defaults, hash_sql
from pipelines.payloads import payload_sql
from pipelines.store import Variables
from pipelines.upsert import (
    ASSETS,
    RECORDS,
    RELATIONSHIPS,
    MergeCounts,
    MergedTable,
    has_rows,
    merge,
)

TABLES: dict[TableName, MergedTable] = {
    "records": RECORDS,
    "relationships": RELATIONSHIPS,
    "assets": ASSETS,
}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d-%b-%Y", "%Y%m%d"]
_BIRTH_DATE = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"

# per table: (condition that makes a row bad, field, reason), in the order they are tried
_CHECKS: dict[TableName, list[tuple[str, str, str]]] = {
    "records": [
        ("source_id IS NULL", "source_id", "source_id is empty"),
        ("name IS NULL", "name", "name is empty"),
        ("kind NOT IN ('company', 'person', 'unknown')", "kind", "kind is not company or person"),
        (
            "incorporation_date IS NOT NULL"
            " AND try_strptime(incorporation_date, getvariable('oad_dates')) IS NULL",
            "incorporation_date",
            "not a date",
        ),
        (
            "birth_date IS NOT NULL AND NOT regexp_matches(birth_date, getvariable('oad_birth'))",
            "birth_date",
            "not YYYY-MM or YYYY-MM-DD",
        ),
    ],
    "relationships": [
        ("relationship_id IS NULL", "relationship_id", "relationship_id is empty"),
        ("subject_id IS NULL", "subject_id", "subject is empty"),
        ("object_id IS NULL", "object_id", "object is empty"),
        ("role IS NULL", "role", "role is empty"),
        ("object_type NOT IN ('record', 'asset')", "object_type", "not record or asset"),
    ],
    "assets": [
        ("asset_id IS NULL", "asset_id", "asset_id is empty"),
        (
            "price_paid IS NOT NULL AND try_cast(regexp_replace(price_paid, '[£,\\s]', '', 'g')"
            " AS DECIMAL(18, 2)) IS NULL",
            "price_paid",
            "not an amount",
        ),
        (
            "date_added IS NOT NULL AND try_strptime(date_added, getvariable('oad_dates')) IS NULL",
            "date_added",
            "not a date",
        ),
    ],
}
# staged text → the store's column types
_TYPED = {
    "incorporation_date": "try_strptime(incorporation_date, getvariable('oad_dates'))::DATE",
    "date_added": "try_strptime(date_added, getvariable('oad_dates'))::DATE",
    "price_paid": "try_cast(regexp_replace(price_paid, '[£,\\s]', '', 'g') AS DECIMAL(18, 2))",
}


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
) -> CrawlCounts:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts = CrawlCounts()
    variables = Variables(con)
    variables.set("oad_dates", DATE_FORMATS)
    variables.set("oad_birth", _BIRTH_DATE)
    variables.set("oad_source", source)
    rejections = _staged_rejections(con, staging)
    removed = _apply_removals(con, staging, source, now)
    for table in TABLES:
        if not staging.files(table) and not staging.cell_files(table) and not snapshot:
            continue
        _source_view(con, table, staging, variables)
        problems, repeated = con.execute(
            "SELECT count(*) FILTER (WHERE problem IS NOT NULL),"
            f" count(*) - count(DISTINCT {KEYS[table]}) FROM crawl_source"
        ).fetchall()[0]
        staged = "crawl_source"
        if problems or repeated or has_rows(con, TABLES[table], source):
            # a copy: rows are taken out of it, and a merge against stored rows reads it more
            # than once. A clean first load is inserted straight from the staged files.
            con.execute("CREATE OR REPLACE TEMP TABLE crawl_staged AS SELECT * FROM crawl_source")
            rejections += _take_rejected(con)
            counts.duplicates += _deduplicated(con, table)
            rejections += _duplicates(con, table)
            staged = "crawl_staged"
        con.execute(_valid_view(table, staged))
        merged = merge(con, TABLES[table], "crawl_valid", source, crawl_id, snapshot, now)
        counts.tables[table] = MergeCounts(
            merged.new, merged.changed, merged.unchanged, merged.removed + removed.get(table, 0)
        )
        con.execute("DROP VIEW crawl_valid")
        con.execute("DROP TABLE IF EXISTS crawl_staged")
        con.execute("DROP VIEW crawl_source")
    variables.reset()
    for file in sorted({r.file for r in rejections}):
        write_rejections(con, crawl_id, file, [r.rejection for r in rejections if r.file == file])
    counts.rejected = len(rejections)
    return counts


@dataclass(frozen=True)
class _FileRejection:
    file: str
    rejection: Rejection


_SQL_TYPES = {pa.string(): "VARCHAR", pa.list_(pa.string()): "VARCHAR[]", pa.int64(): "BIGINT"}


def _source_view(
    con: duckdb.DuckDBPyConnection, table: TableName, staging: Staging, variables: Variables
) -> None:
    """`crawl_source`: a view of every staged row of TABLE with its raw payload, content hash
    and first problem.

    Per-item files hold payload and hash already. Bulk batches hold cells: their payload is
    built from the cells and the header when the view is read, in one statement over every
    batch so that it runs on every core. File names and headers are variables, never SQL.
    """
    parts: list[str] = []
    if staging.files(table):
        variables.set("oad_item_files", staging.files(table))
        parts.append("SELECT * FROM read_parquet(getvariable('oad_item_files'))")
    fields = fields_with_defaults(table, "getvariable('oad_source')")
    for group, (keys, paths) in enumerate(staging.cell_files(table).items()):
        variables.set(f"oad_cells_{group}", paths)
        variables.set(f"oad_header_{group}", list(keys))
        raw = payload_sql(f"oad_header_{group}", [f"r{i}" for i in range(len(keys))])
        parts.append(
            f"SELECT *, {hash_sql(table)} AS content_hash FROM (SELECT {fields}, source_url,"
            f" line, {raw} AS raw, shared"
            f" FROM read_parquet(getvariable('oad_cells_{group}')))"
        )
    if not parts:  # a snapshot that staged nothing of this table: every stored row is missing
        empty = ", ".join(f"NULL::{_SQL_TYPES[f.type]} AS {f.name}" for f in staged_schema(table))
        parts.append(
            f"SELECT {empty}, NULL::JSON AS raw, ''::VARCHAR AS content_hash, false AS shared"
            " WHERE false"
        )
    case = " ".join(
        f"WHEN {condition} THEN {{'field': '{name}', 'reason': '{reason}'}}"
        for condition, name, reason in _CHECKS[table]
    )
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW crawl_source AS SELECT *, CASE {case} END AS problem"
        f" FROM ({' UNION ALL BY NAME '.join(parts)})"
    )


def _deduplicated(con: duckdb.DuckDBPyConnection, table: TableName) -> int:
    """The same row twice (key and content): kept once."""
    key = KEYS[table]
    before, keys = con.execute(
        f"SELECT count(*), count(DISTINCT {key}) FROM crawl_staged"
    ).fetchall()[0]
    if before == keys:  # the usual case: every key once, settled by one aggregate
        return 0
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE crawl_staged AS SELECT * FROM crawl_staged"
        f" QUALIFY row_number() OVER (PARTITION BY {key}, content_hash"
        f" ORDER BY source_url, line) = 1"
    )
    after = con.execute("SELECT count(*) FROM crawl_staged").fetchall()[0][0]
    return int(before - after)


def _duplicates(con: duckdb.DuckDBPyConnection, table: TableName) -> list[_FileRejection]:
    """A key again with other content: the first (by URL and line) is kept. The later ones are
    rejected, unless the rows are mentions of a shared entity (one proprietor of many titles)."""
    key = KEYS[table]
    repeated = con.execute(f"SELECT count(*) - count(DISTINCT {key}) FROM crawl_staged")
    if not repeated.fetchall()[0][0]:
        return []
    con.execute(
        f"UPDATE crawl_staged SET problem = {{'field': '{key}', 'reason': 'duplicate {key}"
        f" with other details; the first row with it was loaded'}} WHERE rowid IN ("
        f" SELECT rowid FROM crawl_staged QUALIFY row_number() OVER (PARTITION BY {key}"
        f" ORDER BY source_url, line) > 1)"
    )
    con.execute("DELETE FROM crawl_staged WHERE problem IS NOT NULL AND shared")
    return _take_rejected(con)


def _take_rejected(con: duckdb.DuckDBPyConnection) -> list[_FileRejection]:
    """Rows with a problem leave the staged table as rejections."""
    rows = con.execute(
        "SELECT coalesce(source_url, ''), line, problem.field, problem.reason, raw::VARCHAR"
        " FROM crawl_staged WHERE problem IS NOT NULL ORDER BY source_url, line"
    ).fetchall()
    if rows:
        con.execute("DELETE FROM crawl_staged WHERE problem IS NOT NULL")
    return [_FileRejection(url, Rejection(*rest)) for url, *rest in rows]


def _valid_view(table: TableName, staged: str) -> str:
    """The staged rows (of the trusted relation STAGED) in the store's types: a view, since the
    merge reads them once or twice and a copy of every payload would cost more than typing a few
    columns again."""
    columns = [KEYS[table], *TABLES[table].columns, "content_hash"]
    select = ", ".join(f"{_TYPED[c]} AS {c}" if c in _TYPED else c for c in columns)
    return f"CREATE OR REPLACE TEMP VIEW crawl_valid AS SELECT {select} FROM {staged}"


def _staged_rejections(con: duckdb.DuckDBPyConnection, staging: Staging) -> list[_FileRejection]:
    files = staging.files("rejected")
    if not files:
        return []
    rows = con.execute(
        "SELECT DISTINCT file, line, field, reason, raw FROM read_parquet(?)"
        " ORDER BY file, line, reason",
        [files],
    ).fetchall()
    return [_FileRejection(file, Rejection(*rest)) for file, *rest in rows]


def _apply_removals(
    con: duckdb.DuckDBPyConnection, staging: Staging, source: str, now: dt.datetime
) -> dict[str, int]:
    """A change-only file's deletions: mark the keys removed, and the edges to removed assets."""
    files = staging.files("removed")
    if not files:
        return {}
    counts: dict[str, int] = {}
    for table in TABLES:
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
