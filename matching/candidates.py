"""Candidate pairs: for each debtor, the records that share its rarest, likeliest name keys, plus
every record that shares a proving identifier.

Like a search engine: a debtor's keys (English words its Chinese name implies, romanised full
names) are weighted by how strongly they speak for the name and by how rare they are among
records (idf); a record scores by the share of its own key weight the debtor explains, and the
`per_debtor` best-scoring records become candidates. A key shared by more
than `max_block` records says too little to block on and is skipped. Incrementally, only pairs
with a side whose features changed since the last run are formed: new records against every
debtor, and new debtors against every record.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

CANDIDATES = "candidate_pairs"
DEFAULT_MAX_BLOCK = 5_000
DEFAULT_PER_DEBTOR = 40
MIN_SCORE = 0.1  # below this share of a record's key weight, a pair is not worth scoring


@dataclass(frozen=True)
class CandidateCounts:
    pairs: int
    keys_skipped: int


def build_candidates(
    con: duckdb.DuckDBPyConnection,
    max_block: int = DEFAULT_MAX_BLOCK,
    since: str | None = None,
    per_debtor: int = DEFAULT_PER_DEBTOR,
) -> CandidateCounts:
    """Create the temp table candidate_pairs(debtor_id, source, source_id, by_identifier)."""
    _explode(con, since)
    skipped = con.execute(
        "SELECT count(*) FROM key_frequency WHERE records > ?", [max_block]
    ).fetchall()[0][0]
    # a full run pairs everything once; an incremental one, fresh records or fresh debtors
    halves = ["r.fresh"] if since is None else ["r.fresh", "d.fresh AND NOT r.fresh"]
    by_key = " UNION ALL ".join(
        "SELECT d.debtor_id, r.source, r.source_id, sum(d.strength) / any_value(r.norm) AS score"
        " FROM debtor_terms d JOIN record_keys r USING (key)"
        f" WHERE (d.kind = r.kind OR r.kind = 'unknown') AND {half} GROUP BY ALL"
        for half in halves
    )
    by_identifier = " UNION ALL ".join(
        "SELECT d.debtor_id, r.source, r.source_id"
        f" FROM debtor_ids d JOIN record_ids r USING (identifier) WHERE {half}"
        for half in halves
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE debtor_terms AS
        SELECT d.debtor_id, d.kind, d.fresh, d.key, d.weight * f.idf AS strength
        FROM debtor_keys d JOIN key_frequency f USING (key)
        WHERE f.records <= ?
        """,
        [max_block],
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {CANDIDATES} AS
        WITH scored AS (
            SELECT * FROM ({by_key}) WHERE score >= $min_score
            QUALIFY row_number() OVER (PARTITION BY debtor_id
                                       ORDER BY score DESC, source, source_id) <= $per_debtor
        )
        SELECT debtor_id, source, source_id, bool_or(identified) AS by_identifier
        FROM (SELECT debtor_id, source, source_id, false AS identified FROM scored
              UNION ALL SELECT *, true FROM ({by_identifier}))
        GROUP BY ALL
        """,
        {"per_debtor": per_debtor, "min_score": MIN_SCORE},
    )
    for table in ("record_keys", "debtor_keys", "record_ids", "debtor_ids", "key_frequency",
                  "debtor_terms"):  # fmt: skip
        con.execute(f"DROP TABLE {table}")
    pairs = con.execute(f"SELECT count(*) FROM {CANDIDATES}").fetchall()[0][0]
    return CandidateCounts(int(pairs), int(skipped))


def _explode(con: duckdb.DuckDBPyConnection, since: str | None) -> None:
    """One row per (entity, key) and per (entity, identifier), with whether it is fresh."""
    fresh = "coalesce(computed_at >= CAST($since AS TIMESTAMP), true)"
    params = {"since": since}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE record_keys AS SELECT source, entity_id AS source_id,"
        f" kind, {fresh} AS fresh, unnest(block_keys) AS key"
        f" FROM features WHERE side = 'record'",
        params,
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE debtor_keys AS SELECT entity_id AS debtor_id, kind,"
        f" {fresh} AS fresh, unnest(block_keys) AS key, unnest(block_weights) AS weight"
        f" FROM features WHERE side = 'debtor'",
        params,
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE key_frequency AS"
        " SELECT key, count(*) AS records,"
        " ln((any_value(n.total) + 1) / (count(*) + 1)) + 0.1 AS idf"
        " FROM record_keys, (SELECT count(DISTINCT (source, source_id)) AS total"
        "                    FROM record_keys) n GROUP BY key"
    )
    # a record's norm: the weight of all its keys, so that a record mostly explained wins
    con.execute(
        "CREATE OR REPLACE TEMP TABLE record_keys AS SELECT r.*,"
        " sum(f.idf) OVER (PARTITION BY r.source, r.source_id) AS norm"
        " FROM record_keys r JOIN key_frequency f USING (key)"
    )
    for side, columns in (("record", "source, entity_id AS source_id"),
                          ("debtor", "entity_id AS debtor_id")):  # fmt: skip
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {side}_ids AS SELECT {columns}, {fresh} AS fresh,"
            f" unnest(identifiers) AS identifier FROM features WHERE side = '{side}'",
            params,
        )
