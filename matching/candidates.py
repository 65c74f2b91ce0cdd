"""Candidate pairs: debtors and records that share a blocking key or a proving identifier.

Keys are exploded, so a debtor with several romanisations meets a record under any of them.
A key shared by more records than `max_block` (a common surname alone, say) makes no useful
block and is skipped; how many were skipped is reported.
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
    records_since: str | None = None,
) -> CandidateCounts:
    """Create the temp table candidate_pairs(debtor_id, source, source_id, by_identifier).

    With `records_since` (a timestamp) only records whose features were computed since then
    are paired: the daily, incremental case.
    """
    scope = "AND computed_at >= CAST($since AS TIMESTAMP)" if records_since else ""
    params: dict[str, object] = {"max_block": max_block}
    if records_since:
        params["since"] = records_since
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE record_keys AS
        SELECT source, entity_id AS source_id, kind, unnest(block_keys) AS key
        FROM features WHERE side = 'record' {scope}
        """,
        params if records_since else {},
    )
    skipped = con.execute(
        "SELECT count(*) FROM (SELECT key FROM record_keys GROUP BY key"
        " HAVING count(*) > $max_block)",
        {"max_block": max_block},
    ).fetchall()[0][0]
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {CANDIDATES} AS
        WITH debtor_keys AS (
            SELECT entity_id AS debtor_id, kind, unnest(block_keys) AS key
            FROM features WHERE side = 'debtor'
        ), usable AS (
            SELECT key FROM record_keys GROUP BY key HAVING count(*) <= $max_block
        ), by_key AS (
            SELECT DISTINCT d.debtor_id, r.source, r.source_id
            FROM debtor_keys d JOIN record_keys r USING (key) SEMI JOIN usable USING (key)
            WHERE d.kind = r.kind OR r.kind = 'unknown'
        ), by_identifier AS (
            SELECT DISTINCT d.debtor_id, r.source, r.source_id
            FROM (SELECT entity_id AS debtor_id, unnest(identifiers) AS identifier
                  FROM features WHERE side = 'debtor') d
            JOIN (SELECT source, entity_id AS source_id, unnest(identifiers) AS identifier
                  FROM features WHERE side = 'record' {scope}) r USING (identifier)
        )
        SELECT debtor_id, source, source_id, bool_or(identified) AS by_identifier
        FROM (SELECT *, false AS identified FROM by_key
              UNION ALL SELECT *, true FROM by_identifier)
        GROUP BY ALL
        """,
        params,
    )
    con.execute("DROP TABLE record_keys")
    pairs = con.execute(f"SELECT count(*) FROM {CANDIDATES}").fetchall()[0][0]
    return CandidateCounts(int(pairs), int(skipped))
