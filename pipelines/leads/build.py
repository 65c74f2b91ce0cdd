"""Leads kept across builds: each path the walk finds (pipelines.leads.walk) becomes a lead whose
id comes from its debtor, target and path, so a rebuild keeps it. A lead whose hops or target
changed since the last build is flagged changed, with what changed; one no longer found is kept
as gone, never deleted.

Debtors are walked in batches (a batch's paths are folded before the next is walked, so memory
holds one batch's paths), and a build may walk only some debtors again (those whose walk could
have changed, pipelines.leads.changes): the live leads of the others are kept as they are and
read unchanged, as a whole build would find them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from pipelines.leads.walk import START_FINGERPRINTS, WalkLimits, prepare_steps, walk
from pipelines.store import insert_arrow

# Debtors walked at once: at 10,000 debtors of about 26 leads each, a batch of 2,500 holds its
# walk in well under a gigabyte, and more batches cost a scan of the steps a hop each.
BATCH_DEBTORS = 2500

# The debtors to walk, numbered into batches: every debtor with a start, or those of a table.
_EVERY_DEBTOR = f"""
CREATE OR REPLACE TEMP TABLE lead_walk_debtors AS
SELECT debtor_id, (row_number() OVER (ORDER BY debtor_id) - 1) // $size AS batch
FROM ({START_FINGERPRINTS})
"""
_SOME_DEBTORS = """
CREATE OR REPLACE TEMP TABLE lead_walk_debtors AS
SELECT debtor_id, (row_number() OVER (ORDER BY debtor_id) - 1) // $size AS batch
FROM (SELECT DISTINCT debtor_id FROM {table})
"""

# every path found, with its target's value and jurisdiction, how fresh its evidence is, and a
# hash of its hops and of the current content of every record and asset it passes through
FOUND = """
CREATE OR REPLACE TEMP TABLE lead_found AS
WITH nodes AS (
    SELECT lead_id, unnest(visited) AS node FROM lead_paths
), node_hashes AS (
    SELECT n.lead_id,
           hash(string_agg(coalesce(r.content_hash, a.content_hash, 0)::VARCHAR, ','
                           ORDER BY n.node.s, n.node.i)) AS nodes_hash
    FROM nodes n
    LEFT JOIN records r ON r.source = n.node.s AND r.source_id = n.node.i
    LEFT JOIN assets a ON a.source = n.node.s AND a.asset_id = n.node.i
    GROUP BY n.lead_id
)
SELECT p.*, a.price_paid AS value,
       CASE WHEN p.target_type = 'asset' THEN 'GB'
            ELSE coalesce(k.jurisdiction, r.jurisdiction) END AS jurisdiction,
       (SELECT min(TRY_CAST(h.fetched_at AS TIMESTAMP))::DATE FROM unnest(p.path) t(h))
           AS evidence_as_of,
       hash(list_transform(p.path, lambda e: [e.via, e.role, e.from_source, e.from_id,
                                              e.to_source, e.to_id, e.certainty::VARCHAR,
                                              e.reason, e.evidence_id]),
            h.nodes_hash) AS evidence_hash  -- fetch times left out: a recrawl is no change
FROM lead_paths p
JOIN node_hashes h USING (lead_id)
LEFT JOIN assets a ON p.target_type = 'asset' AND a.source = p.target_source
     AND a.asset_id = p.target_id
LEFT JOIN records r ON p.target_type = 'record' AND r.source = p.target_source
     AND r.source_id = p.target_id
LEFT JOIN entity_keys k ON p.target_type = 'record' AND k.source = p.target_source
     AND k.source_id = p.target_id  -- its jurisdiction as an ISO code ('BVI' is VG)
"""


@dataclass(frozen=True)
class LeadCounts:
    new: int
    unchanged: int
    changed: int
    gone: int

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged, {self.gone} gone"
        )


def build_leads(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    limits: WalkLimits,
    debtors: str | None = None,
    batch_debtors: int = BATCH_DEBTORS,
) -> LeadCounts:
    """Walk, then fold what was found into `leads`; within the caller's transaction.

    DEBTORS names a temp table (a trusted identifier) with a debtor_id column: only those debtors
    are walked again, their leads found, changed or gone; the live leads of every other debtor
    are kept and marked unchanged. None walks every debtor with a start. What each walked debtor
    reached replaces its rows of `lead_reach`."""
    prepare_steps(con, limits)
    if debtors is None:
        con.execute("DELETE FROM lead_reach")
        con.execute(_EVERY_DEBTOR, {"size": batch_debtors, "min_match": limits.min_match})
    else:
        con.execute(_SOME_DEBTORS.format(table=debtors), {"size": batch_debtors})
        con.execute(
            "DELETE FROM lead_reach WHERE debtor_id IN (SELECT debtor_id FROM lead_walk_debtors)"
        )
    con.execute("CREATE OR REPLACE TEMP TABLE lead_found_ids (lead_id VARCHAR)")
    batches = con.execute("SELECT max(batch) FROM lead_walk_debtors").fetchall()[0][0]
    for batch in range(-1 if batches is None else batches + 1):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE lead_walk_batch AS"
            " SELECT debtor_id FROM lead_walk_debtors WHERE batch = ?",
            [batch],
        )
        walk(con, limits)
        _fold(con, run_id)
    if debtors is None:
        gone_scope = ""
    else:
        gone_scope = " AND debtor_id IN (SELECT debtor_id FROM lead_walk_debtors)"
        # a debtor not walked again would find the same paths, with the same evidence
        con.execute(
            "UPDATE leads SET status = 'unchanged', changes = NULL, last_built = now(),"
            " run_id = $run WHERE gone_at IS NULL"
            " AND debtor_id NOT IN (SELECT debtor_id FROM lead_walk_debtors)",
            {"run": run_id},
        )
    con.execute(
        "UPDATE leads SET status = 'gone', gone_at = now(), run_id = $run WHERE gone_at IS NULL"
        " AND lead_id NOT IN (SELECT lead_id FROM lead_found_ids)" + gone_scope,
        {"run": run_id},
    )
    for table in ("lead_found_ids", "lead_walk_batch", "lead_walk_debtors", "lead_steps"):
        con.execute(f"DROP TABLE IF EXISTS {table}")  # trusted names
    rows = con.execute(
        "SELECT status, count(*) FROM leads WHERE run_id = ? GROUP BY status", [run_id]
    ).fetchall()
    counts = dict(rows)
    return LeadCounts(
        counts.get("new", 0), counts.get("unchanged", 0), counts.get("changed", 0),
        counts.get("gone", 0),
    )  # fmt: skip


def _fold(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """Fold one batch's paths (lead_paths) into `leads`: found again, changed, or new."""
    con.execute(FOUND)
    changed = _changes(con)
    con.execute(
        """
        UPDATE leads l SET status = CASE WHEN l.evidence_hash = f.evidence_hash
                                         AND l.gone_at IS NULL THEN 'unchanged'
                                         WHEN l.gone_at IS NOT NULL THEN 'new' ELSE 'changed' END,
               path = to_json(f.path), confidence = f.confidence, weakest = f.weakest,
               value = f.value, jurisdiction = f.jurisdiction, evidence_as_of = f.evidence_as_of,
               changes = CASE WHEN l.evidence_hash = f.evidence_hash THEN NULL ELSE l.changes END,
               evidence_hash = f.evidence_hash, last_built = now(), gone_at = NULL, run_id = $run
        FROM lead_found f WHERE l.lead_id = f.lead_id
        """,
        {"run": run_id},
    )
    if changed:  # one update for all: one a lead costs a statement each
        said = pa.table(
            {
                "lead_id": list(changed),
                "changes": [json.dumps(what) for what in changed.values()],
            }
        )
        insert_arrow(
            con,
            "lead_changes",
            said,
            "UPDATE leads SET changes = c.changes::JSON FROM lead_changes c"
            " WHERE leads.lead_id = c.lead_id",
        )
    con.execute(
        """
        INSERT INTO leads
        SELECT lead_id, debtor_id, target_source, target_id, target_type, via_related, hops,
               to_json(path), confidence, weakest, value, jurisdiction, evidence_as_of,
               evidence_hash, 'new', NULL, now(), now(), NULL, $run
        FROM lead_found f WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.lead_id = f.lead_id)
        """,
        {"run": run_id},
    )
    con.execute("INSERT INTO lead_found_ids SELECT lead_id FROM lead_found")
    con.execute("DROP TABLE lead_found")
    con.execute("DROP TABLE lead_paths")


def _changes(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """What changed in each lead whose evidence differs from the last build: hop by hop, the
    fields that differ, or that a record or title on the way changed."""
    rows = con.execute(
        "SELECT l.lead_id, l.path::VARCHAR, to_json(f.path)::VARCHAR FROM leads l"
        " JOIN lead_found f USING (lead_id)"
        " WHERE l.gone_at IS NULL AND l.evidence_hash <> f.evidence_hash"
    ).fetchall()
    changed: dict[str, list[dict[str, Any]]] = {}
    for lead_id, before_text, after_text in rows:
        before, after = json.loads(before_text), json.loads(after_text)
        changed[lead_id] = _hop_differences(before, after)
    return changed


def _hop_differences(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    differences = []
    for number, (old, new) in enumerate(zip(before, after, strict=False)):
        fields = {
            key: {"was": old.get(key), "now": new.get(key)}
            for key in new
            if key != "fetched_at" and old.get(key) != new.get(key)
        }
        if fields:
            differences.append({"hop": number, "to": new.get("to_id"), "fields": fields})
    if not differences:  # same hops: a record or a title on the way changed its content
        differences.append({"hop": None, "fields": {"content": "a record or title changed"}})
    return differences
