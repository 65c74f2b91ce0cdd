"""The case as tables: the rows the xlsx case pack and the CSV files hold, built once from a Case so
that both say the same thing.

Value traced to a debtor counts each target once (two chains to one title are one title): its
known value (a title's price paid) in full when any chain to it starts from a confirmed match,
and weighted by the best confidence of the chains that reach it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pipelines.exports.case import Case, Hop, Lead, pseudonym
from pipelines.exports.sheets import CellValue, Column

Row = list[CellValue]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: list[Row]


PROBABILITY, MONEY, WHEN, DAY = "0.00", "#,##0", "yyyy-mm-dd hh:mm", "yyyy-mm-dd"


def hop_text(hop: Hop) -> str:
    """A hop as a chain shows it: its role and certainty ('psc (0.90)')."""
    role = "matched" if hop.via == "match" else hop.role
    if hop.via == "same_entity":
        role = "same company"
    return f"{role} ({hop.certainty:.2f})"


def chain_text(lead: Lead) -> str:
    """'安丰投资有限公司 → matched (0.98) → ANVEN INVESTMENT LIMITED → psc (0.90) → ...'"""
    parts = [lead.hops[0].start.name]
    for hop in lead.hops:
        parts += [hop_text(hop), hop.end.name]
    return " → ".join(parts)


LEAD_COLUMNS = (
    Column("lead_id", max_width=34), Column("debtor_id"), Column("debtor"), Column("via_related"),
    Column("target"), Column("target_kind"), Column("target_source"), Column("target_id"),
    Column("value", MONEY), Column("jurisdiction"), Column("confidence", PROBABILITY),
    Column("weakest_hop"), Column("decision"), Column("status"), Column("evidence_as_of", DAY),
    Column("hops"), Column("chain", max_width=100), Column("facts"),
)  # fmt: skip


def leads_table(case: Case) -> Table:
    names = {debtor.debtor_id: debtor.name for debtor in case.debtors}
    rows: list[Row] = [
        [lead.lead_id, lead.debtor_id, names.get(lead.debtor_id, lead.hops[0].start.name),
         lead.via_related, lead.target.name, lead.target.kind, lead.target.source,
         lead.target.node_id, lead.value, lead.jurisdiction, round(lead.confidence, 4),
         _weakest(lead), lead.decision, lead.status, lead.evidence_as_of, len(lead.hops),
         chain_text(lead), len(case.facts_of(lead))]
        for lead in case.leads
    ]  # fmt: skip
    return Table("Leads", LEAD_COLUMNS, rows)


def _weakest(lead: Lead) -> str:
    hop = lead.weakest_hop
    return f"hop {hop.number}: {hop_text(hop)} {hop.start.name} → {hop.end.name}"


EVIDENCE_COLUMNS = (
    Column("fact_id", max_width=40), Column("kind"), Column("source"), Column("record_id"),
    Column("statement", max_width=80), Column("url", max_width=60), Column("fetched_at", WHEN),
    Column("content_hash"), Column("leads", max_width=40),
)  # fmt: skip


def evidence_table(case: Case) -> Table:
    supports: dict[str, list[str]] = defaultdict(list)
    for lead in case.leads:
        for fact in case.facts_of(lead):
            supports[fact.fact_id].append(lead.lead_id)
    rows: list[Row] = [
        [fact.fact_id, fact.kind, fact.source, fact.record_id, fact.statement, fact.url,
         fact.fetched_at, fact.content_hash, " ".join(supports.get(fact.fact_id, []))]
        for fact in sorted(case.facts.values(), key=lambda fact: fact.fact_id)
    ]  # fmt: skip
    return Table("Evidence", EVIDENCE_COLUMNS, rows)


SUMMARY_COLUMNS = (
    Column("debtor_id"), Column("debtor"), Column("kind"), Column("outstanding", MONEY),
    Column("currency"), Column("leads"), Column("confirmed_leads"), Column("targets"),
    Column("known_value", MONEY), Column("value_confirmed", MONEY),
    Column("value_weighted", MONEY), Column("best_confidence", PROBABILITY),
)  # fmt: skip


@dataclass(frozen=True)
class _Traced:
    leads: int
    confirmed_leads: int
    targets: int
    known: Decimal
    confirmed: Decimal
    weighted: Decimal


def traced(leads: Iterable[Lead]) -> _Traced:
    """What LEADS reach, each target once (see the module's docstring)."""
    leads = list(leads)
    best: dict[tuple[str, str], Lead] = {}
    confirmed: set[tuple[str, str]] = set()
    for lead in leads:
        key = (lead.target.source, lead.target.node_id)
        if key not in best or lead.confidence > best[key].confidence:
            best[key] = lead
        if lead.decision == "confirmed":
            confirmed.add(key)
    values = {key: lead.value or Decimal(0) for key, lead in best.items()}
    return _Traced(
        leads=len(leads),
        confirmed_leads=sum(lead.decision == "confirmed" for lead in leads),
        targets=len(best),
        known=sum(values.values(), Decimal(0)),
        confirmed=sum((values[key] for key in confirmed), Decimal(0)),
        weighted=sum(
            (values[key] * Decimal(str(round(lead.confidence, 6))) for key, lead in best.items()),
            Decimal(0),
        ).quantize(Decimal("0.01")),
    )


def summary_table(case: Case) -> Table:
    by_debtor: dict[str, list[Lead]] = defaultdict(list)
    for lead in case.leads:
        by_debtor[lead.debtor_id].append(lead)
    rows: list[Row] = []
    for debtor in case.debtors:
        mine = by_debtor.get(debtor.debtor_id, [])
        found = traced(mine)
        best = max((lead.confidence for lead in mine), default=None)
        rows.append(
            [debtor.debtor_id, debtor.name, debtor.kind, debtor.claim.outstanding_amount,
             debtor.claim.currency, found.leads, found.confirmed_leads, found.targets,
             found.known, found.confirmed, found.weighted,
             None if best is None else round(best, 4)]
        )  # fmt: skip
    return Table("Summary", SUMMARY_COLUMNS, rows)


JURISDICTION_COLUMNS = (
    Column("jurisdiction"), Column("debtors"), Column("leads"), Column("targets"),
    Column("known_value", MONEY), Column("value_confirmed", MONEY),
    Column("value_weighted", MONEY),
)  # fmt: skip


def jurisdiction_table(case: Case) -> Table:
    """Known value by jurisdiction; each debtor's targets counted once within it."""
    by_place: dict[str, dict[str, list[Lead]]] = defaultdict(lambda: defaultdict(list))
    for lead in case.leads:
        by_place[lead.jurisdiction or "unknown"][lead.debtor_id].append(lead)
    rows: list[Row] = []
    for place in sorted(by_place):
        debtors = by_place[place]
        parts = [traced(leads) for leads in debtors.values()]
        rows.append(
            [place, len(debtors), sum(p.leads for p in parts), sum(p.targets for p in parts),
             sum((p.known for p in parts), Decimal(0)),
             sum((p.confirmed for p in parts), Decimal(0)),
             sum((p.weighted for p in parts), Decimal(0))]
        )  # fmt: skip
    return Table("By jurisdiction", JURISDICTION_COLUMNS, rows)


REVIEW_COLUMNS = (
    Column("debtor_id"), Column("debtor"), Column("source"), Column("record_id"),
    Column("record"), Column("decision"), Column("reviewer"), Column("note", max_width=60),
    Column("decided_at", WHEN),
)  # fmt: skip


def reviews_table(case: Case) -> Table:
    debtors = {debtor.debtor_id: debtor.name for debtor in case.debtors}
    records = {(m.source, m.source_id): m.name for m in case.matches}
    rows: list[Row] = [
        [r.debtor_id, debtors.get(r.debtor_id), r.source, r.source_id,
         records.get((r.source, r.source_id)), r.decision, r.reviewer, r.note, r.decided_at]
        for r in case.reviews
    ]  # fmt: skip
    return Table("Reviews", REVIEW_COLUMNS, rows)


ABOUT_COLUMNS = (Column("field"), Column("value", max_width=80))


def about_table(case: Case) -> Table:
    """When and from what the case pack was made, and what it holds."""
    filters = case.filters
    rows: list[Row] = [
        ["produced_at", case.produced_at.isoformat()],
        ["leads_run", case.run_id],
        ["debtor", _shown_debtor(case)],
        ["min_confidence", filters.min_confidence],
        ["status", filters.status],
        ["redacted", "yes" if filters.redact else "no"],
        ["debtors", len(case.debtors)],
        ["leads", len(case.leads)],
        ["facts", len(case.facts)],
        ["value", "a title's price paid as HM Land Registry publishes it, in GBP"],
    ]
    return Table("About", ABOUT_COLUMNS, rows)


def _shown_debtor(case: Case) -> str:
    debtor_id = case.filters.debtor_id
    if debtor_id is None:
        return "all"
    return pseudonym(debtor_id) if case.filters.redact else debtor_id
