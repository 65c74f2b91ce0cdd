"""Candidate pairs: debtors and records that share a blocking key or a proving identifier.

Keys are exploded, so a debtor with several romanisations meets a record under any of them.
A key shared by more records than `max_block` (a common surname alone, say) makes no useful
block and is skipped; how many were skipped is reported. Incrementally, only pairs with a side
whose features changed since the last run are formed: new records against every debtor, and
new debtors against every record.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

CANDIDATES = "candidate_pairs"
DEFAULT_MAX_BLOCK = 2_000


@dataclass(frozen=True)
class CandidateCounts:
    pairs: int
    keys_skipped: int


def build_candidates(
    con: duckdb.DuckDBPyConnection,
    max_block: int = DEFAULT_MAX_BLOCK,
    since: str | None = None,
) -> CandidateCounts:
    """Create the temp table candidate_pairs(debtor_id, source, source_id, by_identifier)."""
    fresh = "coalesce(computed_at >= CAST($since AS TIMESTAMP), true)"
    params = {"since": since}
    for side, columns in (
        ("record", "source, entity_id AS source_id"),
        ("debtor", "entity_id AS debtor_id"),
    ):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {side}_keys AS SELECT {columns}, kind,"
            f" {fresh} AS fresh, unnest(block_keys) AS key FROM features WHERE side = '{side}'",
            params,
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {side}_ids AS SELECT {columns}, {fresh} AS fresh,"
            f" unnest(identifiers) AS identifier FROM features WHERE side = '{side}'",
            params,
        )
    skipped = con.execute(
        "SELECT count(*) FROM (SELECT key FROM record_keys GROUP BY key HAVING count(*) > ?)",
        [max_block],
    ).fetchall()[0][0]
    # a full run pairs everything once; an incremental one, fresh records or fresh debtors
    halves = ["r.fresh"] if since is None else ["r.fresh", "d.fresh AND NOT r.fresh"]
    by_key = " UNION ALL ".join(
        "SELECT d.debtor_id, r.source, r.source_id, false AS identified"
        " FROM debtor_keys d JOIN record_keys r USING (key) SEMI JOIN usable USING (key)"
        f" WHERE (d.kind = r.kind OR r.kind = 'unknown') AND {half}"
        for half in halves
    )
    by_identifier = " UNION ALL ".join(
        "SELECT d.debtor_id, r.source, r.source_id, true"
        f" FROM debtor_ids d JOIN record_ids r USING (identifier) WHERE {half}"
        for half in halves
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {CANDIDATES} AS
        WITH usable AS (SELECT key FROM record_keys GROUP BY key HAVING count(*) <= ?)
        SELECT debtor_id, source, source_id, bool_or(identified) AS by_identifier
        FROM ({by_key} UNION ALL {by_identifier})
        GROUP BY ALL
        """,
        [max_block],
    )
    for table in ("record_keys", "debtor_keys", "record_ids", "debtor_ids"):
        con.execute(f"DROP TABLE {table}")
    pairs = con.execute(f"SELECT count(*) FROM {CANDIDATES}").fetchall()[0][0]
    return CandidateCounts(int(pairs), int(skipped))
