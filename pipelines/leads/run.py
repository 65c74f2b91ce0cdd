"""`oad leads build` as a library call: edges, entity links, then the leads.

A whole build makes each table again from the store. An incremental one (the default once a
whole build has run with the same settings) redoes only what changed since the last build
(pipelines.leads.changes) and gives the same rows a whole build would: the same edges, links,
lead ids, statuses and confidences (only the times it wrote differ: an edge or link not read
again keeps its built_at or resolved_at).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import duckdb

from matching.entities import resolve_entities
from matching.entities.resolve import relink_entities
from matching.related_persons import RelatedCounts, match_related_persons
from pipelines.leads import changes
from pipelines.leads.build import LeadCounts, build_leads
from pipelines.leads.control import nature_rows
from pipelines.leads.edges import build_edges, update_edges
from pipelines.leads.roles import RoleBook, load_roles
from pipelines.leads.walk import WalkLimits
from pipelines.runs import finish_run, start_run
from pipelines.store import Store

# DuckDB's memory for a build: it spills joins and sorts to its temp directory beyond this, and
# the Python side (entity keys) needs room of its own below the 4 GB a build may take.
BUILD_MEMORY_LIMIT = "2GB"


@dataclass(frozen=True)
class LeadsBuilt:
    run_id: int
    whole: bool  # a whole build, else only what changed
    edges: object
    entities: object  # None when no company record changed, so the links were kept
    related: RelatedCounts
    leads: LeadCounts
    changed: changes.Changes | None = None
    walked: int | None = None  # debtors walked again, in an incremental build

    def summary(self) -> str:
        how = "whole" if self.whole else f"incremental, {self.walked} debtors walked again"
        return (
            f"leads (run {self.run_id}, {how}): {self.leads.summary()}"
            f"; related persons: {self.related.summary()}"
        )


def run_leads(store: Store, limits: WalkLimits, full: bool = False) -> LeadsBuilt:
    """Build `lead_edges`, `entity_links` and `leads` from the store as it is. FULL, a first
    build, one after a failed build, or other settings (walk limits, role book) make everything
    again; otherwise only what changed since the last build is redone, in one transaction."""
    book = load_roles()
    settings = _settings(limits, book)
    with _memory_limit(store.con):
        last = store.scalar("SELECT value FROM lead_build_settings WHERE name = 'settings'")
        if full or last != settings:
            return _whole(store, limits, book, settings)
        return _incremental(store, limits, book, settings)


def _whole(store: Store, limits: WalkLimits, book: RoleBook, settings: str) -> LeadsBuilt:
    """Each step in a transaction of its own; the settings row is cleared first and written
    last, so a build that stops half way is followed by a whole one."""
    store.con.execute("DELETE FROM lead_build_settings")
    edges = build_edges(store.con, book)
    entities = resolve_entities(store.con)
    related = match_related_persons(store.con)
    with store.transaction() as con:
        run_id = start_run(con, "leads", {**asdict(limits), "whole": True})
        counts = build_leads(con, run_id, limits)
        changes.remember_inputs(con, limits.min_match)
        _finish(store, con, run_id, settings, {**asdict(counts), "whole": True})
    return LeadsBuilt(run_id, True, edges, entities, related, counts)


def _incremental(store: Store, limits: WalkLimits, book: RoleBook, settings: str) -> LeadsBuilt:
    # found again every build (the debtor list and the person records may have changed); a
    # debtor whose related persons' records changed has other starts, and is walked again
    related = match_related_persons(store.con)
    with store.transaction() as con:
        found = changes.find_changes(con, limits.min_match)
        changes.mark_dirty_relationships(con, found)
        edges = update_edges(con, book)
        entities = None
        if found.company_records:
            changes.keep_links_before(con)
            entities = relink_entities(con, changed_records="lead_changed_records")
        changes.mark_touched_nodes(con, links_resolved=entities is not None)
        walked = changes.mark_dirty_debtors(con)
        run_id = start_run(con, "leads", {**asdict(limits), "whole": False})
        counts = build_leads(con, run_id, limits, debtors="lead_dirty_debtors")
        changes.drop_working_tables(con)
        stats = {**asdict(counts), "whole": False, "walked": walked, **asdict(found)}
        _finish(store, con, run_id, settings, stats)
    return LeadsBuilt(run_id, False, edges, entities, related, counts, found, walked)


def _finish(
    store: Store,
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    settings: str,
    stats: dict[str, object],
) -> None:
    con.execute("INSERT OR REPLACE INTO lead_build_settings VALUES ('settings', ?)", [settings])
    finish_run(con, run_id, stats)
    store.audit("leads build", {"run_id": run_id, **stats})


def _settings(limits: WalkLimits, book: RoleBook) -> str:
    """What a build's edges and walk depend on besides the store: the walk limits and the role
    book and natures table (data files, which an upgrade may change)."""
    lookups = json.dumps(
        [book.word_rows(), sorted(book.fallback_paths().items()),
         [asdict(q) for q in book.qualifiers], nature_rows()],
        sort_keys=True, default=str,
    )  # fmt: skip
    digest = hashlib.sha256(lookups.encode("utf-8")).hexdigest()
    return json.dumps({"limits": asdict(limits), "roles": digest}, sort_keys=True)


@contextmanager
def _memory_limit(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.execute(f"SET memory_limit = '{BUILD_MEMORY_LIMIT}'")  # a constant, not data
    try:
        yield
    finally:
        con.execute("SET memory_limit = ?", [before])
