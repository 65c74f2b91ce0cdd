"""What one debtor's dossier shows, read off the case: identity and identifiers with their
validation, the claim, each lead's chain hop by hop with the evidence each hop rests on
(numbered E1, E2, ... in the order the chains first use them), the matches the chains start
from with what each comparison contributed, the sources, and the investigators' decisions.
The template (data/exports/dossier.html.j2) only lays this out."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from pipelines.exports.case import Case, Claim, Debtor, Fact, Hop, Lead, MatchExplained, Review
from pipelines.exports.tables import traced
from pipelines.exports.wording import (
    Contribution,
    contributions,
    match_index,
    match_of,
    publisher,
)

ID_TYPES = {"uscc": "Unified Social Credit Code", "ric": "resident identity card number"}
VIA_WORDS = {"match": "matched by name", "same_entity": "same entity",
             "related_person": "related person in the debtor list"}  # fmt: skip


@dataclass(frozen=True)
class HopView:
    hop: Hop
    role: str
    evidence: tuple[int, ...]  # the E-numbers of the facts it rests on
    weakest: bool


@dataclass(frozen=True)
class LeadView:
    number: int
    lead: Lead
    hops: tuple[HopView, ...]


@dataclass(frozen=True)
class MatchView:
    match: MatchExplained
    contributions: tuple[Contribution, ...]
    scale: float  # bits per full bar, the same for every match in the dossier


@dataclass(frozen=True)
class SourceView:
    source: str
    publisher: str
    facts: int
    last_fetched: dt.datetime | None


@dataclass(frozen=True)
class DebtorDossier:
    debtor: Debtor
    identity: tuple[tuple[str, str], ...]
    claim: tuple[tuple[str, str], ...]
    known_value: Decimal
    confirmed_value: Decimal
    leads: tuple[LeadView, ...]
    matches: tuple[MatchView, ...]
    evidence: tuple[tuple[int, Fact], ...]
    sources: tuple[SourceView, ...]
    reviews: tuple[Review, ...]


def debtor_dossier(case: Case, debtor: Debtor) -> DebtorDossier:
    leads = case.leads_of(debtor.debtor_id)
    numbers: dict[str, int] = {}
    for lead in leads:
        for fact in case.facts_of(lead):
            numbers.setdefault(fact.fact_id, len(numbers) + 1)
    evidence = tuple((n, case.facts[fact_id]) for fact_id, n in numbers.items())
    worth = traced(leads)
    return DebtorDossier(
        debtor=debtor,
        identity=identity_rows(debtor),
        claim=claim_rows(debtor.claim),
        known_value=worth.known,
        confirmed_value=worth.confirmed,
        leads=tuple(_lead_view(n, lead, numbers) for n, lead in enumerate(leads, 1)),
        matches=_match_views(case, debtor, leads),
        evidence=evidence,
        sources=_sources([fact for _, fact in evidence]),
        reviews=tuple(r for r in case.reviews if r.debtor_id == debtor.debtor_id),
    )


def identity_rows(debtor: Debtor) -> tuple[tuple[str, str], ...]:
    rows = [("name", debtor.name), ("kind", debtor.kind)]
    rows += [("also known as", name) for name in debtor.alt_names]
    if debtor.id_number:
        kind = ID_TYPES.get(debtor.id_type or "", "identifier of unrecognised form")
        rows.append(("identifier", f"{debtor.id_number} ({kind}; {_validity(debtor.id_valid)})"))
    optional = (("LEI", debtor.lei), ("born", debtor.birth_date),
                ("nationality", debtor.nationality), ("address", debtor.address))  # fmt: skip
    rows += [(label, str(value)) for label, value in optional if value]
    rows += [(f"related person ({p.get('role', 'role not given')})", p.get("name", ""))
             for p in debtor.related_persons]  # fmt: skip
    rows += [("finding", finding) for finding in debtor.findings]
    return tuple(rows)


def _validity(valid: bool | None) -> str:
    if valid is None:
        return "not checked"
    return "check character valid" if valid else "FAILS its check"


def claim_rows(claim: Claim) -> tuple[tuple[str, str], ...]:
    final = None if claim.final is None else ("yes" if claim.final else "no, appeal possible")
    fields = (
        ("claim", claim.kind), ("reference", claim.reference), ("court or tribunal", claim.forum),
        ("judgment or award date", claim.judgment_date), ("final", final),
        ("default date", claim.default_date),
        ("secured amount", money(claim.secured_amount, claim.currency)),
        ("outstanding amount", money(claim.outstanding_amount, claim.currency)),
    )  # fmt: skip
    return tuple((label, str(value)) for label, value in fields if value is not None)


def money(amount: Decimal | None, currency: str | None = None) -> str | None:
    if amount is None:
        return None
    return f"{currency + ' ' if currency else ''}{amount:,.2f}"


def _lead_view(number: int, lead: Lead, numbers: dict[str, int]) -> LeadView:
    weakest = lead.weakest_hop.number
    hops = []
    for hop in lead.hops:
        end_fact = f"{hop.end.node_type}:{hop.end.source}:{hop.end.node_id}"
        cited = tuple(numbers[f] for f in (hop.fact_id, end_fact) if f in numbers)
        role = VIA_WORDS.get(hop.via, hop.role.replace("_", " "))
        if hop.via == "related_person":
            role = f"{hop.role} ({VIA_WORDS['related_person']})"
        hops.append(HopView(hop, role, cited, hop.number == weakest))
    return LeadView(number, lead, tuple(hops))


def _match_views(case: Case, debtor: Debtor, leads: list[Lead]) -> tuple[MatchView, ...]:
    index = match_index(case)
    found = {id(m): m for lead in leads if (m := match_of(index, debtor.debtor_id, lead.hops[0]))}
    parts = {key: tuple(contributions(m)) for key, m in found.items()}
    scale = max((abs(c.bits) for p in parts.values() for c in p), default=1.0) or 1.0
    ordered = sorted(found.items(), key=lambda item: -item[1].probability)
    return tuple(MatchView(m, parts[key], scale) for key, m in ordered)


def _sources(facts: list[Fact]) -> tuple[SourceView, ...]:
    counts = Counter(fact.source for fact in facts)
    views = []
    for source, count in sorted(counts.items()):
        fetched = [f.fetched_at for f in facts if f.source == source and f.fetched_at]
        name = publisher(source) or ("oad" if source == "entity_links" else source)
        views.append(SourceView(source, name, count, max(fetched, default=None)))
    return tuple(views)
