"""Every match's review priority, worked out once per state of the store and kept in memory
(kept.py), so that a page of the review queue is a read of a sorted table, not a pass over the
store. The same table gives search the debtor each record hit is a candidate of.

A state is told by aggregates of the matches, the debtors' claims and the live leads. Reviews
are not part of it: the queue leaves the decided pairs out on each page (`decided_positions`),
by a join on one integer (each pair's hash) checked against the pair itself, so a decision
costs no rebuild.

Cost at 2,000,000 matches: about two seconds to build, after a run has changed the store; some
200 MB of memory for the one state kept (the one pages read).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from matching.kept import Kept, KeptTables

Pair = tuple[str, str, str]  # debtor_id, source, source_id
PAIRS_SCHEMA = pa.schema(
    [("debtor_id", pa.string()), ("source", pa.string()), ("source_id", pa.string())]
)

_STATE = (
    "SELECT count(*), max(run_id), sum(run_id), max(created_at) FROM matches",
    "SELECT count(*), sum(hash(debtor_id, outstanding_amount, currency)) FROM debtors",
    "SELECT count(*), max(last_built), max(gone_at), max(run_id), sum(hash(lead_id)) FROM leads",
)
# value = the live leads' value through the match (their first hop is the match) capped at the
# claim, else the claim; amounts as stored (no exchange rates: a triage, not a valuation)
_VALUED = """
WITH lead_values AS (
    SELECT debtor_id, path->0->>'to_source' AS source, path->0->>'to_id' AS source_id,
           sum(value) AS leads_value, count(*) AS leads
    FROM leads WHERE gone_at IS NULL AND via_related IS NULL
    GROUP BY ALL
)
SELECT m.debtor_id, m.source, m.source_id, m.match_probability AS probability,
       coalesce(least(t.leads_value, d.outstanding_amount), t.leads_value,
                d.outstanding_amount, 0) AS value,
       coalesce(t.leads, 0) AS leads, t.leads_value
FROM matches m JOIN debtors d USING (debtor_id)
LEFT JOIN lead_values t USING (debtor_id, source, source_id)
"""
_SORTED = """
CREATE TABLE priorities AS
SELECT *, row_number() OVER (ORDER BY priority DESC, debtor_id, source, source_id) AS position,
       hash(debtor_id, source, source_id) AS pair_hash
FROM (SELECT *, value * (1 - abs(2 * probability - 1)) AS priority FROM valued)
ORDER BY position;
-- the matches' keys, as search reads them (matching/search.py matched_debtors)
CREATE INDEX priorities_source_id ON priorities (source_id);
CREATE VIEW matches AS
SELECT debtor_id, source, source_id, probability AS match_probability FROM priorities;
"""
_SAME_HASH = """
SELECT p.position, p.debtor_id, p.source, p.source_id,
       d.debtor_id AS decided_debtor, d.source AS decided_source, d.source_id AS decided_id
FROM priorities p JOIN (SELECT *, hash(debtor_id, source, source_id) AS h FROM decided) d
     ON p.pair_hash = d.h
"""


def _fill(store: duckdb.DuckDBPyConnection, memory: duckdb.DuckDBPyConnection) -> None:
    memory.register("valued", store.sql(_VALUED).to_arrow_table())
    memory.execute(_SORTED)
    memory.unregister("valued")


PRIORITIES = KeptTables(_STATE, _fill)


def priorities(con: duckdb.DuckDBPyConnection) -> Kept:
    """The priorities of the state CON reads (table `priorities`, view `matches`), made when
    that state is new to this process."""
    return PRIORITIES.of(con)


def decided_positions(cursor: duckdb.DuckDBPyConnection, decided: pa.Table) -> pa.Array:
    """The positions of the DECIDED pairs (a table of debtor_id, source, source_id) among the
    priorities: joined on the pairs' hashes, then each checked against the pair itself."""
    cursor.register("decided", decided)
    try:
        found = cursor.sql(_SAME_HASH).to_arrow_table()
    finally:
        cursor.unregister("decided")
    same = pc.and_(
        pc.and_(
            pc.equal(found["debtor_id"], found["decided_debtor"]),
            pc.equal(found["source"], found["decided_source"]),
        ),
        pc.equal(found["source_id"], found["decided_id"]),
    )
    return found.filter(same)["position"].combine_chunks()


def pairs_table(pairs: Iterable[Pair]) -> pa.Table:
    columns = list(zip(*pairs, strict=True)) or [(), (), ()]
    return pa.Table.from_arrays([pa.array(c, pa.string()) for c in columns], schema=PAIRS_SCHEMA)
