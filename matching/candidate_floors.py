"""Each debtor's candidate floors, so that an incremental run admits a changed record only where
a whole run would.

A whole run keeps, for each debtor, its `wide` best records by key score and then its
`per_debtor` best of those by the re-ranking. A changed record that scores below the last of
either could not have been among them, whatever the other changed records are; ranked among
the changed records alone, it would be (a changed register name shares keys with thousands of
debtors, and each would take its best few changed records). So a run that paired a debtor with
every record saves where its two cuts ended (`candidate_floors`), and later incremental runs
admit changed records for it only at or above both. Floors found under other limits are not
used: the debtor is then paired as before, with its best among the changed records.
"""

from __future__ import annotations

import json

import duckdb

from matching.limits import Limits

FLOORS = "candidate_floors"
STORED = "stored_floor"  # temp: did, key_floor, rank_floor of the debtors whose floors apply
FOUND = "found_floor"  # temp: debtor_id, key_floor, rank_floor of the debtors paired whole
# How far below a saved floor a changed record is still admitted. Key scores move a little as
# records change (a key's idf with its record count), so the pair that set a floor may now score
# just under it, and a whole run would lower the floor with it. The re-ranking value of a company
# pair (the translation model) does not move; a person's holds its key score. Wider margins let
# in records that a whole run's key cut keeps out.
KEY_MARGIN = 0.01
RANK_MARGIN = 0.005
DENSE_MARGIN = 0.005  # the encoder's score does not move either


def limits_key(limits: Limits, norm_power: float) -> str:
    """What a floor depends on, as the text saved beside it (slicing changes no score)."""
    return json.dumps(
        {"max_block": limits.max_block, "budget": limits.budget, "wide": limits.wide,
         "per_debtor": limits.per_debtor, "norm_power": norm_power, "dense": limits.dense},
        sort_keys=True,
    )  # fmt: skip


def load_floors(con: duckdb.DuckDBPyConnection, since: str | None, key: str) -> None:
    """stored_floor: the saved floors of the debtors an incremental run does not pair whole
    (those whose features did not change), when saved under the same limits; none in a whole
    run. `lost`: how many of the debtor's candidates changed or went. Each leaves a place in its
    best that a whole run gives to the next in line: the best `lost` changed records below the
    floor may take them. Needs cand_debtors and cand_records."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {STORED} AS"
        " SELECT c.did, f.key_floor - $key_margin * abs(f.key_floor) AS key_floor,"
        " f.rank_floor - $rank_margin * abs(f.rank_floor) AS rank_floor,"
        " f.dense_floor - $dense_margin AS dense_floor,"
        " coalesce(l.lost, 0) AS lost"
        f" FROM cand_debtors c JOIN {FLOORS} f USING (debtor_id)"
        " LEFT JOIN (SELECT m.debtor_id, count(*) AS lost FROM matches m"
        " LEFT JOIN cand_records r ON r.source = m.source AND r.source_id = m.source_id"
        " WHERE r.rid IS NULL OR r.fresh GROUP BY m.debtor_id) l USING (debtor_id)"
        " WHERE $since IS NOT NULL AND NOT c.fresh AND f.limits = $key",
        {
            "since": since,
            "key": key,
            "key_margin": KEY_MARGIN,
            "rank_margin": RANK_MARGIN,
            "dense_margin": DENSE_MARGIN,
        },
    )


def find_floors(con: duckdb.DuckDBPyConnection, since: str | None, wide: int, dense: int) -> None:
    """found_floor: where the cuts ended for each debtor paired with every record (all of them
    in a whole run, new and changed debtors in an incremental one). Needs cand_debtors,
    debtor_floor (the key score a whole run's first cut can reach down to), key_cut (each
    debtor's key pairs' count and lowest score), dense_pairs and reranked (with the
    re-ranking `value` where the debtor's pairs were re-ranked)."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {FOUND} AS
        SELECT c.debtor_id,
               CASE WHEN coalesce(k.pairs, 0) >= $wide THEN k.lowest ELSE d.floor END
                   AS key_floor,
               r.rank_floor,
               CASE WHEN n.found >= $dense THEN n.lowest END AS dense_floor
        FROM cand_debtors c JOIN debtor_floor d USING (did)
        LEFT JOIN key_cut k USING (did)
        LEFT JOIN (SELECT did, count(*) AS found, min(similarity) AS lowest FROM dense_pairs
                   GROUP BY did) n USING (did)
        LEFT JOIN (SELECT did, min(value) AS rank_floor FROM reranked GROUP BY did) r
               USING (did)
        WHERE $since IS NULL OR c.fresh
        """,
        {"since": since, "wide": wide, "dense": max(dense, 1)},
    )


def save_floors(con: duckdb.DuckDBPyConnection, key: str, whole: bool) -> int:
    """Write the floors found by the last candidate build (replacing all of them after a whole
    run, those of the debtors paired whole after an incremental one); returns how many. Call
    inside the transaction that writes the run's matches."""
    if whole:
        con.execute(f"DELETE FROM {FLOORS}")
    else:
        con.execute(
            f"DELETE FROM {FLOORS} WHERE debtor_id IN (SELECT debtor_id FROM {FOUND})"
            " OR debtor_id NOT IN (SELECT entity_id FROM features WHERE side = 'debtor')"
        )
    con.execute(
        f"INSERT INTO {FLOORS} (debtor_id, key_floor, rank_floor, limits, dense_floor)"
        f" SELECT debtor_id, key_floor, rank_floor, ?, dense_floor FROM {FOUND}",
        [key],
    )
    written = con.execute(f"SELECT count(*) FROM {FOUND}").fetchall()[0][0]
    con.execute(f"DROP TABLE {FOUND}")
    return int(written)
