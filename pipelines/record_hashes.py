"""Content hashes of imported records: DuckDB's hash() of the raw payload text, as text.

hash() costs a fraction of md5 on a large import, but DuckDB does not promise that it gives the
same value from one version to the next. So the store keeps hash() of a fixed text in
`hash_probe` (migration 003): an import run by a DuckDB whose hash() differs from the one the
stored hashes were made with first rehashes every imported record from its stored payload, so
that a row read again unchanged still compares equal. (Crawled rows keep their md5 hashes.)
"""

from __future__ import annotations

import duckdb

_PROBE = "oad records content hash"


def content_hash_sql(payload: str) -> str:
    """A trusted SQL expression: the content hash of PAYLOAD (a trusted VARCHAR expression)."""
    return f"hash({payload})::VARCHAR"


def refresh_content_hashes(con: duckdb.DuckDBPyConnection) -> int:
    """Rehash the imported records when this DuckDB's hash() is not the one their hashes were
    made with (or none is recorded yet, as in a store made before migration 003, whose hashes
    are md5); returns how many hashes changed."""
    same = con.execute("SELECT probe = hash(?) FROM hash_probe", [_PROBE]).fetchall()
    if same and same[0][0]:
        return 0
    rehashed = content_hash_sql("raw::VARCHAR")
    changed = con.execute(
        f"UPDATE records SET content_hash = {rehashed} WHERE content_hash <> {rehashed}"
        " AND crawl_id IN (SELECT crawl_id FROM crawls WHERE kind = 'records_import')"
    ).fetchall()
    con.execute("DELETE FROM hash_probe")
    con.execute("INSERT INTO hash_probe SELECT hash(?)", [_PROBE])
    return int(changed[0][0])
