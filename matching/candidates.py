"""Candidate pairs: for each debtor, the records that share its rarest, likeliest name keys, plus
every record that shares a proving identifier.

Like a search engine: a debtor's keys (English words its Chinese name implies, romanised full
names) are weighted by how strongly they speak for the name and by how rare they are among
records (idf); a record scores by the share of its own key weight the debtor explains, and the
`wide` best-scoring records go on to a second, finer look. For a debtor with more than
`per_debtor` of them, the translation model (both directions, over every name of each side)
re-ranks them, and the `per_debtor` best become candidates: keys alone cannot tell which of many
"... KNITTING FACTORY LIMITED" records a Chinese knitting factory's name explains best.

A key shared by more than `max_block` records says too little to block on and is skipped.
Incrementally, only pairs with a side whose features changed since the last run are formed: new
records against every debtor, and new debtors against every record.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from matching.rerank import translation_scores
from pipelines.store import insert_arrow

CANDIDATES = "candidate_pairs"
DEFAULT_MAX_BLOCK = 5_000
DEFAULT_PER_DEBTOR = 20
DEFAULT_WIDE = 200  # the first, key-based cut, before the translation model re-ranks
MIN_SCORE = 0.05  # below this share of a record's key weight, a pair is not worth scoring


@dataclass(frozen=True)
class CandidateCounts:
    pairs: int
    keys_skipped: int


def build_candidates(
    con: duckdb.DuckDBPyConnection,
    max_block: int = DEFAULT_MAX_BLOCK,
    since: str | None = None,
    per_debtor: int = DEFAULT_PER_DEBTOR,
    wide: int = DEFAULT_WIDE,
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
        f"CREATE OR REPLACE TEMP TABLE key_pairs AS SELECT * FROM ({by_key})"
        " WHERE score >= $min_score QUALIFY row_number() OVER (PARTITION BY debtor_id"
        " ORDER BY score DESC, source, source_id) <= $wide",
        {"min_score": MIN_SCORE, "wide": max(wide, per_debtor)},
    )
    _rerank(con, per_debtor)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {CANDIDATES} AS
        SELECT debtor_id, source, source_id, bool_or(identified) AS by_identifier
        FROM (SELECT debtor_id, source, source_id, false AS identified FROM reranked
              UNION ALL SELECT *, true FROM ({by_identifier}))
        GROUP BY ALL
        """
    )
    for table in ("record_keys", "debtor_keys", "record_ids", "debtor_ids", "key_frequency",
                  "debtor_terms", "key_pairs", "reranked"):  # fmt: skip
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


def _rerank(con: duckdb.DuckDBPyConnection, per_debtor: int) -> None:
    """Keep each debtor's `per_debtor` best key pairs. Where there are more, a company debtor's
    are ordered by the translation model, and a person's by key score plus how well the birth
    dates agree (a common name has many namesakes abroad; the one born that month goes first)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE counted AS SELECT k.*, d.kind AS debtor_kind,"
        " count(*) OVER (PARTITION BY k.debtor_id) AS pairs FROM key_pairs k"
        " JOIN features d ON d.side = 'debtor' AND d.entity_id = k.debtor_id"
    )
    insert_arrow(
        con,
        "company_fine",
        _company_translation(con, per_debtor),
        f"""
        CREATE OR REPLACE TEMP TABLE reranked AS
        SELECT debtor_id, source, source_id FROM (
            SELECT c.debtor_id, c.source, c.source_id, c.score, f.fine
            FROM counted c JOIN company_fine f USING (debtor_id, source, source_id)
            UNION ALL
            SELECT c.debtor_id, c.source, c.source_id, c.score,
                   c.score + {_BIRTH_AGREEMENT} AS fine
            FROM counted c
            JOIN features d ON d.side = 'debtor' AND d.entity_id = c.debtor_id
            JOIN features r ON r.side = 'record' AND r.source = c.source
                           AND r.entity_id = c.source_id
            WHERE c.pairs > $per_debtor AND c.debtor_kind <> 'company'
            UNION ALL
            SELECT debtor_id, source, source_id, score, NULL FROM counted
            WHERE pairs <= $per_debtor
        )
        QUALIFY row_number() OVER (PARTITION BY debtor_id
                                   ORDER BY fine DESC NULLS LAST, score DESC,
                                            source, source_id) <= $per_debtor
        """,
        {"per_debtor": per_debtor},
    )
    con.execute("DROP TABLE counted")


def _company_translation(con: duckdb.DuckDBPyConnection, per_debtor: int) -> pa.Table:
    """Translation scores of the pairs of company debtors with more than `per_debtor` pairs,
    one debtor (and all its candidates) at a time."""
    reader = con.sql(
        "SELECT c.debtor_id, any_value(d.names) AS debtor_names, list(c.source) AS sources,"
        " list(c.source_id) AS source_ids, list(r.names) AS record_names FROM counted c"
        " JOIN features d ON d.side = 'debtor' AND d.entity_id = c.debtor_id"
        " JOIN features r ON r.side = 'record' AND r.source = c.source"
        " AND r.entity_id = c.source_id"
        " WHERE c.pairs > ? AND c.debtor_kind = 'company' GROUP BY c.debtor_id",
        params=[per_debtor],
    ).to_arrow_reader(2_000)
    out: dict[str, list[object]] = {"debtor_id": [], "source": [], "source_id": [], "fine": []}
    for batch in reader:
        for row in batch.to_pylist():
            scores = translation_scores(row["debtor_names"], row["record_names"])
            out["debtor_id"].extend([row["debtor_id"]] * len(scores))
            out["source"].extend(row["sources"])
            out["source_id"].extend(row["source_ids"])
            out["fine"].extend(scores)
    return pa.table(
        out,
        schema=pa.schema([("debtor_id", pa.string()), ("source", pa.string()),
                          ("source_id", pa.string()), ("fine", pa.float64())]),
    )  # fmt: skip


# added to a person pair's key score (at most 1): same birth month, year, within two years,
# unknown on a side, further apart
_BIRTH_AGREEMENT = """CASE
    WHEN d.birth_year IS NULL OR r.birth_year IS NULL THEN 0.15
    WHEN d.birth_year = r.birth_year AND d.birth_month = r.birth_month THEN 1.0
    WHEN d.birth_year = r.birth_year THEN 0.6
    WHEN abs(d.birth_year - r.birth_year) <= 2 THEN 0.3
    ELSE 0.0 END"""
