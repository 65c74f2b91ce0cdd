"""The walk from each debtor's matched records to what they own or control: one recursive query
over the edges (`lead_edges`, built by pipelines.leads.edges) and the links between records of
one company in several sources (`entity_links`, built by matching.entities), depth-bounded and
never visiting a node twice on one path, so ownership cycles end."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class WalkLimits:
    depth: int = 4  # hops after the match
    min_match: float = 0.5  # matches below this start no walk (confirmed ones are 1.0)
    min_confidence: float = 0.01  # a path whose product falls below this is not followed
    ceased_factor: float = 0.5  # a ceased PSC, a resigned officer, an ended relationship


# one hop's description, the same shape for the match, edges and entity links
_HOP = """{{'via': {via}, 'role': {role}, 'from_source': {fs}, 'from_id': {fi},
  'to_source': {ts}, 'to_id': {ti}, 'to_type': {tt}, 'certainty': {c}, 'reason': {r},
  'evidence_source': {es}, 'evidence_id': {ei}, 'source_url': {u}, 'fetched_at': {f}}}"""

_MATCH_HOP = _HOP.format(
    via="m.via", role="m.role", fs="'debtors'", fi="m.debtor_id", ts="m.source",
    ti="m.source_id", tt="'record'", c="m.probability", r="m.reason",
    es="m.evidence_source", ei="m.evidence_id", u="NULL::VARCHAR", f="m.found_at",
)  # fmt: skip

_STEP_HOP = _HOP.format(
    via="s.via", role="s.role", fs="s.from_source", fi="s.from_id", ts="s.to_source",
    ti="s.to_id", tt="s.to_type", c="s.certainty", r="s.reason", es="s.evidence_source",
    ei="s.evidence_id", u="s.source_url", f="s.fetched_at",
)  # fmt: skip

# Where walks start: the debtor's own matches at or above the floor, and the records found for
# its related persons (matching.related_persons), each with the first hop's description; a
# related person's evidence is the debtor file, as of the debtor's last import.
STARTS_SELECT = """
SELECT debtor_id, source, source_id, match_probability::DOUBLE AS probability,
       coalesce(reason, '') AS reason, 'match' AS via, 'matched' AS role,
       'matches' AS evidence_source, source || ':' || source_id AS evidence_id,
       created_at::VARCHAR AS found_at, NULL::VARCHAR AS via_related
FROM matches WHERE match_probability >= $min_match
UNION ALL
SELECT r.debtor_id, r.source, r.source_id, r.probability, r.reason, 'related_person',
       r.role_label, 'debtors',
       r.debtor_id || ':' || r.person_name || ':' || r.source || ':' || r.source_id,
       d.updated_at::VARCHAR, r.person_name || ' (' || r.role_label || ')'
FROM related_matches r JOIN debtors d USING (debtor_id)
"""

STARTS = f"CREATE OR REPLACE TEMP TABLE lead_starts AS {STARTS_SELECT}"

STEPS = """
CREATE OR REPLACE TEMP TABLE lead_steps AS
SELECT controller_source AS from_source, controller_id AS from_id,
       controlled_source AS to_source, controlled_id AS to_id, controlled_type AS to_type,
       'edge' AS via, role, kind,
       (base_certainty * CASE WHEN ceased THEN $ceased ELSE 1.0 END)::DOUBLE AS certainty,
       coalesce(certainty_reason, '') || CASE WHEN ceased THEN '; ceased' ELSE '' END AS reason,
       source AS evidence_source, relationship_id AS evidence_id, source_url,
       fetched_at::VARCHAR AS fetched_at
FROM lead_edges
UNION ALL  -- an undirected edge (the same person, a similar name) reads both ways
SELECT controlled_source, controlled_id, controller_source, controller_id, 'record', 'edge',
       role, kind, (base_certainty * CASE WHEN ceased THEN $ceased ELSE 1.0 END)::DOUBLE,
       coalesce(certainty_reason, ''), source, relationship_id, source_url, fetched_at::VARCHAR
FROM lead_edges WHERE undirected AND controlled_type = 'record'
UNION ALL
SELECT source_a, id_a, source_b, id_b, 'record', 'same_entity', method, 'identity',
       probability::DOUBLE, 'the same company: ' || method, 'entity_links',
       source_a || ':' || id_a || '=' || source_b || ':' || id_b, NULL, resolved_at::VARCHAR
FROM entity_links
UNION ALL
SELECT source_b, id_b, source_a, id_a, 'record', 'same_entity', method, 'identity',
       probability::DOUBLE, 'the same company: ' || method, 'entity_links',
       source_a || ':' || id_a || '=' || source_b || ':' || id_b, NULL, resolved_at::VARCHAR
FROM entity_links
"""

# The debtors walked are those in the temp table lead_walk_batch (a batch of the build's). Two
# links between sources' records of one company are never taken in a row: the links are made
# between every pair of a company's records, so a second one only reaches the same records
# again by another way, a second lead to the same asset through the same company.
WALK = f"""
CREATE OR REPLACE TEMP TABLE lead_walk AS
WITH RECURSIVE walk AS (
    SELECT m.debtor_id, m.via_related, m.source AS node_source, m.source_id AS node_id,
           'record' AS node_type, 'match' AS last_kind, 0 AS hops,
           m.probability AS confidence, m.probability AS weakest,
           [{{'s': m.source, 'i': m.source_id}}] AS visited, [{_MATCH_HOP}] AS path
    FROM lead_starts m WHERE m.debtor_id IN (SELECT debtor_id FROM lead_walk_batch)
    UNION ALL
    SELECT w.debtor_id, w.via_related, s.to_source, s.to_id, s.to_type, s.kind, w.hops + 1,
           w.confidence * s.certainty, least(w.weakest, s.certainty),
           list_append(w.visited, {{'s': s.to_source, 'i': s.to_id}}),
           list_append(w.path, {_STEP_HOP})
    FROM walk w JOIN lead_steps s ON s.from_source = w.node_source AND s.from_id = w.node_id
    WHERE w.node_type = 'record' AND w.hops < $depth
      AND w.confidence * s.certainty >= $min_confidence
      AND NOT (w.last_kind = 'identity' AND s.kind = 'identity')
      AND NOT list_contains(w.visited, {{'s': s.to_source, 'i': s.to_id}})
)
SELECT * FROM walk
"""

PATHS = """
CREATE OR REPLACE TEMP TABLE lead_paths AS
SELECT debtor_id, via_related, node_source AS target_source, node_id AS target_id,
       node_type AS target_type, hops, confidence, weakest, visited, path,
       md5(debtor_id || '>' || array_to_string(
           list_transform(path, lambda h: h.to_source || '|' || h.to_id || '|'
                                          || h.evidence_id), '>')) AS lead_id
FROM lead_walk
WHERE hops > 0 AND (node_type = 'asset' OR last_kind IN ('ownership', 'control', 'group'))
"""


# Each debtor's walk starts, one fingerprint a debtor: it reads what the seed of WALK reads, so
# that a debtor whose starts changed is walked again (pipelines.leads.changes).
START_FINGERPRINTS = f"""
SELECT m.debtor_id,
       hash(list(hash(m.source, m.source_id, m.probability, m.reason, m.via, m.found_at,
                      m.evidence_id)
                 ORDER BY m.source, m.source_id, m.evidence_id)) AS fingerprint
FROM ({STARTS_SELECT}) m
GROUP BY m.debtor_id
"""

# What each walked debtor reached: every node, and whether a path reached it with hops to spare
# (then its steps were read, and a change to them can change the walk).
REACH = """
INSERT INTO lead_reach
SELECT debtor_id, node_source, node_id, bool_or(node_type = 'record' AND hops < $depth)
FROM lead_walk GROUP BY ALL
"""


def prepare_steps(con: duckdb.DuckDBPyConnection, limits: WalkLimits) -> None:
    """The steps a walk may take, from `lead_edges` and `entity_links`, in the temp table
    `lead_steps`, and where walks start, in `lead_starts`; once a build, before its batches."""
    con.execute(STARTS, {"min_match": limits.min_match})
    con.execute(STEPS, {"ceased": limits.ceased_factor})


def walk(con: duckdb.DuckDBPyConnection, limits: WalkLimits) -> int:
    """Every path from a matched record (or a related person's) of a debtor in the temp table
    `lead_walk_batch` to a title or a controlled company, in the temp table `lead_paths` (after
    prepare_steps); each node reached goes to `lead_reach`. Returns how many paths."""
    con.execute(WALK, {"depth": limits.depth, "min_confidence": limits.min_confidence})
    con.execute(REACH, {"depth": limits.depth})
    con.execute(PATHS)
    con.execute("DROP TABLE lead_walk")
    found = con.execute("SELECT count(*) FROM lead_paths").fetchone()
    return int(found[0]) if found else 0
