"""`oad leads build` as a library call: edges, entity links, then the leads, each step whole."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from matching.entities import resolve_entities
from matching.related_persons import RelatedCounts, match_related_persons
from pipelines.leads.build import LeadCounts, build_leads
from pipelines.leads.edges import build_edges
from pipelines.leads.walk import WalkLimits
from pipelines.runs import finish_run, start_run
from pipelines.store import Store


@dataclass(frozen=True)
class LeadsBuilt:
    run_id: int
    edges: object
    entities: object
    related: RelatedCounts
    leads: LeadCounts

    def summary(self) -> str:
        return (
            f"leads (run {self.run_id}): {self.leads.summary()}"
            f"; related persons: {self.related.summary()}"
        )


def run_leads(store: Store, limits: WalkLimits) -> LeadsBuilt:
    """Rebuild `lead_edges`, `entity_links` and `related_matches` from the store as it is, then
    walk from every match (and every related person's record) and fold the paths into `leads`
    (one transaction each; a rebuild keeps lead ids)."""
    edges = build_edges(store.con)
    entities = resolve_entities(store.con)
    related = match_related_persons(store.con)
    with store.transaction() as con:
        run_id = start_run(con, "leads", asdict(limits))
        counts = build_leads(con, run_id, limits)
        finish_run(con, run_id, asdict(counts))
        store.audit("leads build", {"run_id": run_id, **asdict(counts)})
    return LeadsBuilt(run_id, edges, entities, related, counts)
