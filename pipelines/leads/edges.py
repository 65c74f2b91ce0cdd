"""`lead_edges`: the store's live relationships read as who holds or controls what.

Each relationship whose role the role book knows becomes one edge from its controller to what
it controls, with its canonical role, the bands and flags of its natures of control, whether it
has ceased, and a base certainty with its reason. What cannot be used (an unknown role, an end
the store does not have) goes to `lead_edge_problems` instead; an unknown nature of control is
noted there while its edge is kept. The whole build is set-based SQL in one transaction: the
role book and the natures table go into small temporary tables, never into the SQL text.
An incremental leads build reads again, with the same SQL, only the relationships that changed
or whose ends changed (update_edges).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from pipelines.leads.control import NATURE_COLUMNS, nature_rows
from pipelines.leads.roles import RoleBook, load_roles

# the word as roles.normalise_word compares it: lower-cased, spaces trimmed
_WORD = "lower(trim({}))"

_LOOKUPS = """
CREATE OR REPLACE TEMP TABLE lead_role_words (
    source VARCHAR, word VARCHAR, role VARCHAR, kind VARCHAR, controller VARCHAR,
    certainty DOUBLE, reason VARCHAR, undirected BOOLEAN, natures BOOLEAN);
CREATE OR REPLACE TEMP TABLE lead_role_fallbacks (source VARCHAR, path VARCHAR);
CREATE OR REPLACE TEMP TABLE lead_certainty_rules (
    source VARCHAR, path VARCHAR, value VARCHAR, certainty DOUBLE, reason VARCHAR, rank INTEGER);
CREATE OR REPLACE TEMP TABLE lead_natures (
    nature VARCHAR, share_min DOUBLE, share_max DOUBLE, votes_min DOUBLE, votes_max DOUBLE,
    appoints_directors BOOLEAN, significant_influence BOOLEAN, as_trust BOOLEAN,
    as_firm BOOLEAN, nominee_for VARCHAR, entity_type VARCHAR);
"""

# Every live relationship once, with its role (by its word, else by the source's fallback
# field), whether its ends are in the store, and the natures of control its subject publishes.
_WORK = f"""
CREATE OR REPLACE TEMP TABLE lead_edge_work AS
WITH live AS (
    SELECT r.rowid AS edge_no, r.source, r.relationship_id, r.subject_source, r.subject_id,
           r.object_source, r.object_id, r.object_type, r.role AS published_role,
           r.start_date, r.end_date, r.source_url, r.raw, c.finished_at AS fetched_at
    FROM relationships r LEFT JOIN crawls c ON c.crawl_id = r.crawl_id
    WHERE r.removed_at IS NULL{{scope}}
), roled AS (
    SELECT l.* EXCLUDE (raw),
           coalesce(w.role, fw.role) AS role, coalesce(w.kind, fw.kind) AS kind,
           coalesce(w.controller, fw.controller) AS controller,
           coalesce(w.certainty, fw.certainty) AS certainty,
           CASE WHEN w.role IS NOT NULL THEN w.reason
                ELSE fw.reason || ' (its word is not in the role book; read by '
                     || f.path || ' = ' || json_extract_string(l.raw, f.path) || ')' END
               AS reason,
           coalesce(w.undirected, fw.undirected) AS undirected,
           coalesce(w.natures, fw.natures, false) AS reads_natures,
           json_extract_string(l.raw, f.path) AS fallback_word
    FROM live l
    LEFT JOIN lead_role_words w
        ON w.source = l.source AND w.word = {_WORD.format("l.published_role")}
    LEFT JOIN lead_role_fallbacks f ON f.source = l.source AND w.role IS NULL
    LEFT JOIN lead_role_words fw
        ON fw.source = l.source
       AND fw.word = {_WORD.format("json_extract_string(l.raw, f.path)")}
)
SELECT r.*,
       s.source_id IS NOT NULL AND s.removed_at IS NULL AS subject_live,
       s.removed_at IS NOT NULL AS subject_removed,
       CASE WHEN r.object_type = 'asset' THEN a.asset_id IS NOT NULL AND a.removed_at IS NULL
            ELSE o.source_id IS NOT NULL AND o.removed_at IS NULL END AS object_live,
       coalesce(a.removed_at, o.removed_at) IS NOT NULL AS object_removed,
       CASE WHEN r.reads_natures THEN json_type(s.raw, '$.natures_of_control') END
           AS natures_type,
       CASE WHEN r.reads_natures AND json_type(s.raw, '$.natures_of_control') = 'ARRAY'
            THEN json_extract_string(s.raw, '$.natures_of_control[*]') END AS natures
FROM roled r
LEFT JOIN records s ON s.source = r.subject_source AND s.source_id = r.subject_id
LEFT JOIN records o
    ON r.object_type = 'record' AND o.source = r.object_source AND o.source_id = r.object_id
LEFT JOIN assets a
    ON r.object_type = 'asset' AND a.source = r.object_source AND a.asset_id = r.object_id
"""

# One value of a qualifying raw field per edge (the first rule, by rank, that matches).
_QUALIFIED = """
CREATE OR REPLACE TEMP TABLE lead_edge_qualified AS
SELECT r.rowid AS edge_no,
       arg_min(q.certainty, q.rank) AS certainty, arg_min(q.reason, q.rank) AS reason
FROM relationships r
JOIN lead_certainty_rules q
    ON q.source = r.source AND json_extract_string(r.raw, q.path) = q.value
WHERE r.removed_at IS NULL{scope}
GROUP BY ALL
"""

# The natures of each edge that reads them, combined: each band's hull, each flag's any.
_CONTROL = """
CREATE OR REPLACE TEMP TABLE lead_edge_control AS
SELECT u.edge_no,
       min(n.share_min) AS share_min, max(n.share_max) AS share_max,
       min(n.votes_min) AS votes_min, max(n.votes_max) AS votes_max,
       coalesce(bool_or(n.appoints_directors), false) AS appoints_directors,
       coalesce(bool_or(n.significant_influence), false) AS significant_influence,
       coalesce(bool_or(n.as_trust), false) AS as_trust,
       coalesce(bool_or(n.as_firm), false) AS as_firm,
       max(n.nominee_for) AS nominee_for, max(n.entity_type) AS entity_type,
       coalesce(list(u.nature ORDER BY u.nature) FILTER (WHERE n.nature IS NULL), [])
           AS unknown_natures
FROM (SELECT edge_no, unnest(natures) AS nature
      FROM lead_edge_work WHERE natures IS NOT NULL) u
LEFT JOIN lead_natures n ON n.nature = u.nature
GROUP BY u.edge_no
"""

# An update reads again only the relationships named in the temp table lead_dirty_relationships.
_DIRTY = (
    " AND EXISTS (SELECT 1 FROM lead_dirty_relationships d"
    " WHERE d.source = r.source AND d.relationship_id = r.relationship_id)"
)

_USABLE = (
    "w.role IS NOT NULL AND w.subject_live AND w.object_live"
    " AND NOT (w.controller = 'object' AND w.object_type = 'asset')"
)

_EDGES = f"""
INSERT INTO lead_edges
SELECT
    CASE w.controller WHEN 'subject' THEN w.subject_source ELSE w.object_source END,
    CASE w.controller WHEN 'subject' THEN w.subject_id ELSE w.object_id END,
    CASE w.controller WHEN 'subject' THEN w.object_source ELSE w.subject_source END,
    CASE w.controller WHEN 'subject' THEN w.object_id ELSE w.subject_id END,
    CASE w.controller WHEN 'subject' THEN w.object_type ELSE 'record' END,
    w.role, w.kind, w.undirected, w.published_role, w.natures,
    c.share_min, c.share_max, c.votes_min, c.votes_max,
    c.appoints_directors, c.significant_influence, c.as_trust, c.as_firm, c.nominee_for,
    c.entity_type, c.unknown_natures,
    w.start_date, w.end_date, coalesce(trim(w.end_date), '') <> '',
    coalesce(q.certainty, w.certainty), coalesce(q.reason, w.reason),
    w.source, w.relationship_id, w.source_url, w.fetched_at, current_timestamp
FROM lead_edge_work w
LEFT JOIN lead_edge_control c USING (edge_no)
LEFT JOIN lead_edge_qualified q USING (edge_no)
WHERE {_USABLE}
"""

_PROBLEMS = f"""
INSERT INTO lead_edge_problems
WITH found AS (
    SELECT w.edge_no, 'unknown_role' AS problem,
           'role ' || to_json(w.published_role)
           || coalesce(' (and ' || to_json(w.fallback_word) || ')', '')
           || ' of source ' || w.source || ' is not in data/leads/roles.yml' AS reason
    FROM lead_edge_work w WHERE w.role IS NULL
    UNION ALL
    SELECT w.edge_no, 'missing_subject',
           'subject record ' || w.subject_source || ' ' || to_json(w.subject_id)
           || CASE WHEN w.subject_removed THEN ' was removed from the store'
                   ELSE ' is not in the store' END
    FROM lead_edge_work w WHERE NOT w.subject_live
    UNION ALL
    SELECT w.edge_no, 'missing_object',
           'object ' || w.object_type || ' ' || w.object_source || ' ' || to_json(w.object_id)
           || CASE WHEN w.object_removed THEN ' was removed from the store'
                   ELSE ' is not in the store' END
    FROM lead_edge_work w WHERE NOT w.object_live
    UNION ALL
    SELECT w.edge_no, 'asset_controls',
           'role ' || w.role || ' has the object control the subject, but the object is an asset'
    FROM lead_edge_work w WHERE w.controller = 'object' AND w.object_type = 'asset'
    UNION ALL
    SELECT w.edge_no, 'bad_natures',
           'natures_of_control of subject ' || to_json(w.subject_id) || ' is '
           || w.natures_type || ', not a list'
    FROM lead_edge_work w WHERE w.natures_type IS NOT NULL AND w.natures_type <> 'ARRAY'
    UNION ALL
    SELECT c.edge_no, 'unknown_nature',
           'natures of control not in data/leads/natures_of_control.yml: '
           || array_to_string(c.unknown_natures, ', ')
    FROM lead_edge_control c WHERE len(c.unknown_natures) > 0
)
SELECT w.source, w.relationship_id, f.problem, f.reason, {_USABLE}, current_timestamp
FROM found f JOIN lead_edge_work w USING (edge_no)
"""

_TEMPORARY = (
    "lead_edge_work", "lead_edge_qualified", "lead_edge_control", "lead_role_words",
    "lead_role_fallbacks", "lead_certainty_rules", "lead_natures",
)  # fmt: skip


@dataclass(frozen=True)
class EdgeCounts:
    relationships: int  # live relationships read
    edges: int  # rows of lead_edges
    problems: dict[str, int] = field(default_factory=dict)  # problem -> relationships

    def __str__(self) -> str:
        noted = ", ".join(f"{count} {problem}" for problem, count in sorted(self.problems.items()))
        return f"{self.relationships} relationships read, {self.edges} lead edges" + (
            f"; problems: {noted}" if noted else ""
        )


def build_edges(con: duckdb.DuckDBPyConnection, book: RoleBook | None = None) -> EdgeCounts:
    """Build `lead_edges` and `lead_edge_problems` again from the live relationships, in one
    transaction of its own (CON must not be inside one): all or nothing."""
    book = book or load_roles()
    con.execute("BEGIN TRANSACTION")
    # lead_edges has no order to keep: rows are then written from both threads at once
    con.execute("SET preserve_insertion_order = false")
    try:
        con.execute("DELETE FROM lead_edges")
        con.execute("DELETE FROM lead_edge_problems")
        counts = _write(con, book, scope="")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("RESET preserve_insertion_order")
    con.execute("COMMIT")
    return counts


def update_edges(con: duckdb.DuckDBPyConnection, book: RoleBook | None = None) -> EdgeCounts:
    """Build again, within the caller's transaction, the edges and problems of the relationships
    in the temp table `lead_dirty_relationships` (source, relationship_id): changed ones, and
    those whose ends or crawl changed (pipelines.leads.changes). Their edges as they were are
    left in the temp table `lead_edges_before`, to tell which steps changed. The counts are the
    relationships read again, and every edge and problem of the table."""
    book = book or load_roles()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE lead_edges_before AS SELECT e.* FROM lead_edges e"
        " SEMI JOIN lead_dirty_relationships d"
        " ON d.source = e.source AND d.relationship_id = e.relationship_id"
    )
    for table in ("lead_edges", "lead_edge_problems"):  # trusted names
        con.execute(
            f"DELETE FROM {table} t USING lead_dirty_relationships d"
            " WHERE d.source = t.source AND d.relationship_id = t.relationship_id"
        )
    return _write(con, book, scope=_DIRTY)


def _write(con: duckdb.DuckDBPyConnection, book: RoleBook, scope: str) -> EdgeCounts:
    """The edges and problems of the live relationships SCOPE (trusted SQL) leaves in."""
    _load_lookups(con, book)
    for statement in (_WORK.format(scope=scope), _QUALIFIED.format(scope=scope), _CONTROL,
                      _EDGES, _PROBLEMS):  # fmt: skip
        con.execute(statement)
    counts = _counts(con)
    for table in _TEMPORARY:
        con.execute(f"DROP TABLE {table}")  # trusted names, not data
    return counts


def _load_lookups(con: duckdb.DuckDBPyConnection, book: RoleBook) -> None:
    con.execute(_LOOKUPS)
    con.executemany(
        "INSERT INTO lead_role_words VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", book.word_rows()
    )
    fallbacks = list(book.fallback_paths().items())
    if fallbacks:
        con.executemany("INSERT INTO lead_role_fallbacks VALUES (?, ?)", fallbacks)
    rules = [
        (q.source, q.path, q.value, q.certainty, q.reason, rank)
        for rank, q in enumerate(book.qualifiers)
    ]
    if rules:
        con.executemany("INSERT INTO lead_certainty_rules VALUES (?, ?, ?, ?, ?, ?)", rules)
    marks = ", ".join("?" for _ in NATURE_COLUMNS)
    con.executemany(f"INSERT INTO lead_natures VALUES ({marks})", nature_rows())


def _counts(con: duckdb.DuckDBPyConnection) -> EdgeCounts:
    read = con.execute("SELECT count(*) FROM lead_edge_work").fetchone()
    edges = con.execute("SELECT count(*) FROM lead_edges").fetchone()
    problems = con.execute(
        "SELECT problem, count(DISTINCT (source, relationship_id)) FROM lead_edge_problems"
        " GROUP BY problem"
    ).fetchall()
    return EdgeCounts(
        int(read[0]) if read else 0,
        int(edges[0]) if edges else 0,
        {str(problem): int(count) for problem, count in problems},
    )
