"""The search index: `search_keys`, every key a debtor, live record or live asset is found by.

Built from the features table (the names' keys matching derived, so no name is read twice),
plus exact-name keys and identifiers. Kept incremental like the features: an entity is indexed
again only when the hash of what its keys come from changed, or when KEYS_VERSION did.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

# Raise when the keys derived from the same entity change, so every entity is indexed again.
KEYS_VERSION = "1"
# Past this share of the index changed, it is written again whole, sorted by key (appended rows
# are sorted only among themselves, and a look-up must read every row group whose range of
# keys covers one it wants).
REWRITE_SHARE = 0.2

_CURRENT = """
    CREATE OR REPLACE TEMP TABLE search_current AS
    SELECT side, source, entity_id, content_hash || ':' || $version AS content_hash
    FROM features
    UNION ALL
    SELECT 'asset', source, asset_id, content_hash::VARCHAR || ':' || $version
    FROM assets WHERE removed_at IS NULL
"""
_STALE = """
    CREATE OR REPLACE TEMP TABLE search_stale AS
    SELECT side, source, entity_id FROM search_indexed i WHERE NOT EXISTS (
        SELECT 1 FROM search_current c WHERE c.side = i.side AND c.source = i.source
            AND c.entity_id = i.entity_id AND c.content_hash = i.content_hash)
"""
_TODO = """
    CREATE OR REPLACE TEMP TABLE search_todo AS
    SELECT * FROM search_current c WHERE NOT EXISTS (
        SELECT 1 FROM search_indexed i WHERE i.side = c.side AND i.source = c.source
            AND i.entity_id = c.entity_id)
"""
# An identifier's key: its letters and digits, upper case ('91440300 MA5...' finds '91440300MA5').
_ID = "'id:' || upper(regexp_replace({0}, '[^0-9A-Za-z]', '', 'g'))"
_KEYS = f"""
    WITH todo_features AS (
        SELECT f.side, f.source, f.entity_id, f.names, f.block_keys, f.block_weights,
               f.identifiers
        FROM features f JOIN search_todo t USING (side, source, entity_id)
    ),
    name_keys AS (
        SELECT side, source, entity_id, unnest(block_keys) AS key, unnest(block_weights) AS weight
        FROM todo_features
    ),
    person_names AS (
        SELECT side, source, entity_id, split_part(substr(key, 3), ' ', 1) AS surname,
               split_part(substr(key, 3), ' ', 2) AS given
        FROM name_keys WHERE key LIKE 'p:_% _%'
    ),
    -- a surname with the first three letters of the given name: a typo further on still finds
    prefix_keys AS (
        SELECT side, source, entity_id, 's:' || surname || ' ' || left(given, 3) AS key,
               0.5 AS weight
        FROM person_names WHERE length(given) > 3
    ),
    exact_keys AS (
        SELECT side, source, entity_id,
               'x:' || lower(regexp_replace(unnest(names), '[^\\p{{L}}\\p{{N}}]', '', 'g')) AS key,
               1.0 AS weight
        FROM todo_features
    ),
    raw_ids AS (
        SELECT side, source, entity_id,
               unnest(list_prepend(entity_id, list_transform(identifiers,
                   lambda x: regexp_replace(x, '^[a-z-]+:', '')))) AS raw
        FROM todo_features
        UNION ALL
        SELECT 'debtor', 'debtors', d.debtor_id, unnest([d.id_number, d.lei])
        FROM debtors d JOIN search_todo t ON t.side = 'debtor' AND t.entity_id = d.debtor_id
        UNION ALL
        SELECT 'record', r.source, r.source_id, r.registration_number
        FROM records r JOIN search_todo t
            ON t.side = 'record' AND t.source = r.source AND t.entity_id = r.source_id
        UNION ALL
        SELECT side, source, entity_id, entity_id FROM search_todo WHERE side = 'asset'
    ),
    id_keys AS (
        SELECT side, source, entity_id, {_ID.format("raw")} AS key, 1.0 AS weight
        FROM raw_ids WHERE raw IS NOT NULL
    ),
    -- a name key is once an entity already (its block keys); the other kinds can repeat
    -- (two names alike but for spaces, a number that is also the id) and are grouped
    other_keys AS (
        SELECT key, side, source, entity_id, max(weight) AS weight FROM (
            SELECT * FROM prefix_keys UNION ALL SELECT * FROM exact_keys
            UNION ALL SELECT * FROM id_keys)
        GROUP BY ALL
    )
    SELECT key, side, source, entity_id, weight FROM (
        SELECT key, side, source, entity_id, weight FROM name_keys
        UNION ALL SELECT key, side, source, entity_id, weight FROM other_keys)
    WHERE length(key) > 3 ORDER BY key
"""


@dataclass(frozen=True)
class IndexCounts:
    indexed: int  # entities whose keys were written (new or changed)
    removed: int  # entities whose keys were deleted (changed, then written again, or gone)
    rewritten: bool  # the whole index was written again, sorted


def refresh_search_index(con: duckdb.DuckDBPyConnection, full: bool = False) -> IndexCounts:
    """Bring search_keys up to date with the features and live assets. Call inside the
    caller's transaction (it writes several tables that must agree)."""
    con.execute(_CURRENT, {"version": KEYS_VERSION})
    con.execute(_STALE)
    stale = _count(con, "search_stale")
    indexed = _count(con, "search_indexed")
    changed = stale + _count(con, "search_current") - (indexed - stale)
    rewrite = full or changed > REWRITE_SHARE * max(indexed, 1)
    if rewrite:
        con.execute("DELETE FROM search_keys")
        con.execute("DELETE FROM search_indexed")
        removed = indexed
    else:
        for table in ("search_keys", "search_indexed"):
            con.execute(
                f"DELETE FROM {table} k USING search_stale s WHERE k.side = s.side"
                " AND k.source = s.source AND k.entity_id = s.entity_id"
            )
        removed = stale
    con.execute(_TODO)
    con.execute(f"INSERT INTO search_keys {_KEYS}")
    con.execute("INSERT INTO search_indexed SELECT * FROM search_todo")
    written = _count(con, "search_todo")
    for table in ("search_current", "search_stale", "search_todo"):
        con.execute(f"DROP TABLE {table}")
    return IndexCounts(written, removed, rewrite)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def index_built(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has a search index to look in: a store made before the index existed
    has no table, and one migrated since has it empty until the index is built."""
    try:
        return bool(con.execute("SELECT 1 FROM search_keys LIMIT 1").fetchall())
    except duckdb.CatalogException:
        return False
