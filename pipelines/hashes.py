"""Content and payload hashes of stored rows, kept comparable with the ones a merge computes.

Hashes are DuckDB's hash(), a fraction of md5's cost on a large load, which DuckDB does not
promise to keep from one version to the next. So the store keeps, in `hash_probe`, the hash of
a text that names what is hashed (each table's fields): when this DuckDB's hash of it differs,
because DuckDB or the record shape changed, every stored row is hashed again from its stored
fields and payload, so that a row read again unchanged still compares equal.
"""

from __future__ import annotations

import duckdb

from pipelines.shape import SHAPES, content_hash_sql, payload_hash_sql

_PROBE = "oad hashes 2"


def scheme() -> str:
    """The text whose hash the store keeps: what every table's content hash covers."""
    return "|".join([_PROBE, *(f"{t}:{','.join(s.fields)}" for t, s in SHAPES.items())])


def stale_hashes(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the probe says the stored hashes were made otherwise than this DuckDB would."""
    same = con.execute("SELECT probe = hash(?) FROM hash_probe", [scheme()]).fetchall()
    return not (same and same[0][0])


def refresh_hashes(con: duckdb.DuckDBPyConnection) -> int:
    """Rehash every stored row when the probe says the hashes were made otherwise; returns
    how many rows were rehashed (0 when the probe matched)."""
    if not stale_hashes(con):
        return 0
    rehashed = 0
    for table, shape in SHAPES.items():
        content, payload = content_hash_sql(list(shape.fields)), payload_hash_sql("raw")
        rows = con.execute(
            f"UPDATE {table} SET content_hash = {content}, payload_hash = {payload}"
        ).fetchall()
        rehashed += int(rows[0][0])
    con.execute("DELETE FROM hash_probe")
    con.execute("INSERT INTO hash_probe SELECT hash(?)", [scheme()])
    return rehashed
