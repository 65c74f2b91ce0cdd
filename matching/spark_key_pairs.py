"""The key join of candidate generation as a Spark job: each debtor's `wide` best records by
key score, from the debtor and record terms the store worked out (matching/candidates.py).

This is the part of candidate generation that grows with debtors times records per key; the
terms, the floors, the encoder's nearest records and the re-ranking are linear or per debtor.
The join is partitioned by key. A key shared by few records can still be held by tens of
thousands of debtors, and its pairs would all land on one executor: such a hot key is salted,
its records spread over `salts` buckets by record number and its debtors copied to each, so that
no task holds more than about SKEW_PAIRS of its pairs. A pair's score sums over the keys it
shares, whatever bucket each came through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from pipelines.store import insert_arrow

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SKEW_PAIRS = 2_000_000  # key pairs a salt bucket of a hot key holds at most, roughly
MAX_SALTS = 64


def spark_key_pairs(
    con: duckdb.DuckDBPyConnection, session: SparkSession, wide: int, table: str
) -> int:
    """Fill TABLE (did, rid, score, kind) with each debtor's `wide` best records by key score
    at or above its floor; needs debtor_terms, record_terms and debtor_floor. A whole run's
    pairs only (every record fresh). Returns how many pairs."""
    for name, sql in _INPUTS.items():
        session.createDataFrame(con.sql(sql).to_arrow_table()).createOrReplaceTempView(name)
    session.sql(_SALTS, args={"pairs": SKEW_PAIRS, "most": MAX_SALTS}).createOrReplaceTempView(
        "oad_salts"
    )
    found = session.sql(_BEST, args={"wide": wide}).toArrow()
    insert_arrow(
        con, "spark_key_pairs", found, f"INSERT INTO {table} SELECT * FROM spark_key_pairs"
    )
    return int(found.num_rows)


_INPUTS = {
    "oad_debtor_terms": "SELECT did, key_id, kind, strength FROM debtor_terms",
    "oad_record_terms": "SELECT rid, key_id, kind, shrink FROM record_terms",
    "oad_debtor_floor": "SELECT did, floor FROM debtor_floor",
}
# per key, how many buckets its pairs are spread over
_SALTS = """
    SELECT key_id, CAST(least(:most, greatest(1, ceil(d.debtors * r.records / :pairs))) AS INT)
        AS salts
    FROM (SELECT key_id, count(*) AS debtors FROM oad_debtor_terms GROUP BY key_id) d
    JOIN (SELECT key_id, count(*) AS records FROM oad_record_terms GROUP BY key_id) r
        USING (key_id)
"""
_BEST = """
    WITH debtor_side AS (
        SELECT d.did, d.key_id, d.kind, d.strength, salt
        FROM oad_debtor_terms d JOIN oad_salts s USING (key_id)
        LATERAL VIEW explode(sequence(0, s.salts - 1)) buckets AS salt
    ), record_side AS (
        SELECT r.rid, r.key_id, r.kind, r.shrink, pmod(r.rid, s.salts) AS salt
        FROM oad_record_terms r JOIN oad_salts s USING (key_id)
    ), scored AS (
        SELECT d.did, r.rid, sum(d.strength) * first(r.shrink) AS score,
               first(d.kind) AS kind
        FROM debtor_side d JOIN record_side r ON d.key_id = r.key_id AND d.salt = r.salt
        WHERE d.kind = r.kind OR r.kind = 'unknown'
        GROUP BY d.did, r.rid
    )
    SELECT CAST(did AS INT) AS did, CAST(rid AS INT) AS rid, score, kind FROM (
        SELECT p.*, row_number() OVER (PARTITION BY p.did ORDER BY p.score DESC, p.rid) AS place
        FROM scored p JOIN oad_debtor_floor f USING (did) WHERE p.score >= f.floor)
    WHERE place <= :wide
"""
