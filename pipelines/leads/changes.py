"""What changed since the last leads build, so that a build redoes only that (migration 010).

Each build leaves a fingerprint of every input row as the build reads it: each relationship
(its content and payload hashes, whether it is live, the crawl that wrote it), record and title
(content and payload hashes, live, kind), crawl (when it finished: an edge's fetch time) and each
debtor's starts (its matches at or above the floor). The next build compares the store with
them and redoes

- the edges of the relationships that changed, or whose ends or crawl changed;
- the entity links, whole, when a company record changed (they are one model's output);
- the walk of each debtor whose starts changed, whose walk read the steps of a node whose
  steps changed (an edge or a link from it added, removed or changed), or reached a record or
  title whose content changed.

A debtor outside these would walk the same paths to the same evidence, so its leads stay as they
are and read unchanged. The fingerprints trust the store's hashes: a row written by the merge
(pipelines/upsert.py) changes its content or payload hash whenever its facts change.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.leads.walk import START_FINGERPRINTS


@dataclass(frozen=True)
class _Input:
    name: str  # the changes go to the temp table lead_changed_<name>
    seen: str  # the table of the last build's fingerprints
    keys: tuple[str, ...]
    rows: str  # SQL: the keys, fingerprint (and company) of each row as the store holds it now
    company: bool = False  # rows carry whether they are a live company record


_INPUTS = (
    _Input(
        "relationships", "lead_seen_relationships", ("source", "relationship_id"),
        "SELECT source, relationship_id,"
        " hash(content_hash, payload_hash, removed_at IS NULL, crawl_id) AS fingerprint"
        " FROM relationships",
    ),
    _Input(
        "records", "lead_seen_records", ("source", "source_id"),
        "SELECT source, source_id,"
        " hash(content_hash, payload_hash, removed_at IS NULL, kind) AS fingerprint,"
        " kind = 'company' AND removed_at IS NULL AS company FROM records",
        company=True,
    ),
    _Input(
        "assets", "lead_seen_assets", ("source", "asset_id"),
        "SELECT source, asset_id,"
        " hash(content_hash, payload_hash, removed_at IS NULL) AS fingerprint FROM assets",
    ),
    _Input(
        "crawls", "lead_seen_crawls", ("crawl_id",),
        "SELECT crawl_id, hash(finished_at) AS fingerprint FROM crawls",
    ),
    _Input("starts", "lead_seen_starts", ("debtor_id",), START_FINGERPRINTS),
)  # fmt: skip


@dataclass(frozen=True)
class Changes:
    """How many rows of each input changed (new, changed or gone) since the last build."""

    relationships: int
    records: int
    assets: int
    crawls: int
    starts: int
    company_records: int  # of the records, live companies before or now

    def __str__(self) -> str:
        return (
            f"changed since the last build: {self.relationships} relationships,"
            f" {self.records} records ({self.company_records} companies), {self.assets} titles,"
            f" {self.crawls} crawls, {self.starts} debtors' starts"
        )


def remember_inputs(con: duckdb.DuckDBPyConnection, min_match: float) -> None:
    """Replace every fingerprint with the store's as it is (after a whole build)."""
    for source in _INPUTS:  # trusted names and SQL, never data
        columns = ", ".join((*source.keys, "fingerprint", *(["company"] if source.company else [])))
        con.execute(f"DELETE FROM {source.seen}")
        con.execute(
            f"INSERT INTO {source.seen} SELECT {columns} FROM ({source.rows})",
            _params(source, min_match),
        )


def find_changes(con: duckdb.DuckDBPyConnection, min_match: float) -> Changes:
    """Compare the store with the last build's fingerprints: the rows that differ go to the temp
    tables lead_changed_<input> (their keys, the new fingerprint or NULL when gone, and for
    records whether they are or were a live company), and the fingerprints are brought up to
    date (within the caller's transaction, with the build they serve)."""
    counted: dict[str, int] = {}
    for source in _INPUTS:
        counted[source.name] = _compare(con, source, min_match)
    company = con.execute(
        "SELECT count(*) FROM lead_changed_records WHERE company_before_or_now"
    ).fetchall()
    return Changes(**counted, company_records=int(company[0][0]))


def _compare(con: duckdb.DuckDBPyConnection, source: _Input, min_match: float) -> int:
    changed = f"lead_changed_{source.name}"
    keys = ", ".join(f"coalesce(n.{key}, o.{key}) AS {key}" for key in source.keys)
    same_key = " AND ".join(f"n.{key} = o.{key}" for key in source.keys)
    company = (
        ", n.company,"
        " coalesce(n.company, false) OR coalesce(o.company, false) AS company_before_or_now"
        if source.company
        else ""
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {changed} AS"
        f" SELECT {keys}, n.fingerprint{company}"
        f" FROM ({source.rows}) n FULL OUTER JOIN {source.seen} o ON {same_key}"
        " WHERE n.fingerprint IS DISTINCT FROM o.fingerprint",
        _params(source, min_match),
    )
    count = int(con.execute(f"SELECT count(*) FROM {changed}").fetchall()[0][0])
    if count:
        in_changed = " AND ".join(f"c.{key} = s.{key}" for key in source.keys)
        columns = ", ".join((*source.keys, "fingerprint", *(["company"] if source.company else [])))
        con.execute(f"DELETE FROM {source.seen} s USING {changed} c WHERE {in_changed}")
        con.execute(
            f"INSERT INTO {source.seen} SELECT {columns} FROM {changed}"
            " WHERE fingerprint IS NOT NULL"
        )
    return count


def _params(source: _Input, min_match: float) -> dict[str, object]:
    return {"min_match": min_match} if "$min_match" in source.rows else {}


# The relationships whose edges may differ: changed themselves, or an end or their crawl changed.
_DIRTY_RELATIONSHIPS = {
    "relationships": "SELECT source, relationship_id FROM lead_changed_relationships",
    "records": """
        SELECT r.source, r.relationship_id FROM relationships r
        SEMI JOIN lead_changed_records c
             ON c.source = r.subject_source AND c.source_id = r.subject_id
        UNION ALL
        SELECT r.source, r.relationship_id FROM relationships r
        SEMI JOIN lead_changed_records c ON r.object_type = 'record'
             AND c.source = r.object_source AND c.source_id = r.object_id""",
    "assets": """
        SELECT r.source, r.relationship_id FROM relationships r
        SEMI JOIN lead_changed_assets c ON r.object_type = 'asset'
             AND c.source = r.object_source AND c.asset_id = r.object_id""",
    "crawls": """
        SELECT r.source, r.relationship_id FROM relationships r
        SEMI JOIN lead_changed_crawls c ON c.crawl_id = r.crawl_id""",
}


def mark_dirty_relationships(con: duckdb.DuckDBPyConnection, changes: Changes) -> int:
    """The temp table lead_dirty_relationships (source, relationship_id): those to read again
    (after find_changes). Returns how many."""
    parts = [sql for name, sql in _DIRTY_RELATIONSHIPS.items() if getattr(changes, name)]
    union = " UNION ".join(parts) or (
        "SELECT source, relationship_id FROM lead_changed_relationships WHERE false"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE lead_dirty_relationships AS {union}")
    return int(con.execute("SELECT count(*) FROM lead_dirty_relationships").fetchall()[0][0])


# The nodes whose steps changed: the from-end of each edge that is not as it was (an undirected
# edge between records is a step from either end), and both ends of each link that is not.
_TOUCHED_BY_EDGES = """
INSERT INTO lead_touched_nodes
WITH now AS (
    SELECT e.* EXCLUDE (built_at) FROM lead_edges e
    SEMI JOIN lead_dirty_relationships d
        ON d.source = e.source AND d.relationship_id = e.relationship_id
), before AS (
    SELECT * EXCLUDE (built_at) FROM lead_edges_before
), differ AS (
    (FROM now EXCEPT ALL FROM before) UNION ALL (FROM before EXCEPT ALL FROM now)
)
SELECT controller_source, controller_id FROM differ
UNION ALL
SELECT controlled_source, controlled_id FROM differ WHERE undirected AND controlled_type = 'record'
"""

# A link's step reads its pair, method, probability and resolved_at (which a link found again
# as it was keeps), not its explanation: those are compared.
_LINK_STEP = "SELECT source_a, id_a, source_b, id_b, method, probability, resolved_at FROM {}"
_TOUCHED_BY_LINKS = f"""
INSERT INTO lead_touched_nodes
WITH now AS ({_LINK_STEP.format("entity_links")}),
before AS ({_LINK_STEP.format("lead_links_before")}),
differ AS ((FROM now EXCEPT ALL FROM before) UNION ALL (FROM before EXCEPT ALL FROM now))
SELECT source_a, id_a FROM differ UNION ALL SELECT source_b, id_b FROM differ
"""


def keep_links_before(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the entity links as they are, to tell after a resolution which changed."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE lead_links_before AS "
        + _LINK_STEP.format("entity_links")  # a trusted name
    )


def mark_touched_nodes(con: duckdb.DuckDBPyConnection, links_resolved: bool) -> int:
    """The temp table lead_touched_nodes (node_source, node_id): nodes whose steps changed, after
    update_edges (and, when LINKS_RESOLVED, after keep_links_before and a resolution)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE lead_touched_nodes (node_source VARCHAR, node_id VARCHAR)"
    )
    con.execute(_TOUCHED_BY_EDGES)
    if links_resolved:
        con.execute(_TOUCHED_BY_LINKS)
    return int(con.execute("SELECT count(*) FROM lead_touched_nodes").fetchall()[0][0])


_DIRTY_DEBTORS = """
CREATE OR REPLACE TEMP TABLE lead_dirty_debtors AS
SELECT debtor_id FROM lead_changed_starts
UNION
SELECT r.debtor_id FROM lead_reach r
SEMI JOIN lead_touched_nodes t ON t.node_source = r.node_source AND t.node_id = r.node_id
WHERE r.expands
UNION
SELECT r.debtor_id FROM lead_reach r
SEMI JOIN lead_changed_records c ON c.source = r.node_source AND c.source_id = r.node_id
UNION
SELECT r.debtor_id FROM lead_reach r
SEMI JOIN lead_changed_assets c ON c.source = r.node_source AND c.asset_id = r.node_id
"""


def mark_dirty_debtors(con: duckdb.DuckDBPyConnection) -> int:
    """The temp table lead_dirty_debtors (debtor_id): the debtors to walk again, after
    find_changes and mark_touched_nodes. Returns how many."""
    con.execute(_DIRTY_DEBTORS)
    return int(con.execute("SELECT count(*) FROM lead_dirty_debtors").fetchall()[0][0])


_TEMPORARY = (
    *(f"lead_changed_{source.name}" for source in _INPUTS),
    "lead_dirty_relationships", "lead_edges_before", "lead_links_before", "lead_touched_nodes",
    "lead_dirty_debtors",
)  # fmt: skip


def drop_working_tables(con: duckdb.DuckDBPyConnection) -> None:
    for table in _TEMPORARY:
        con.execute(f"DROP TABLE IF EXISTS {table}")  # trusted names
