"""What a case team is handed, read once from the store: the debtors, their leads hop by hop, every
fact a hop rests on (source, record id, URL, when fetched, content hash), the matches that start
the chains with their explanations, and the investigators' decisions. Every export format (xlsx,
CSV, FollowTheMoney, the PDF dossier) and the recovery assessment render this one shape, so that
they agree with each other and with `oad leads list`.

Redaction happens here too, once: a redacted case carries no outstanding amounts, no review
notes, and a stable pseudonym in place of each of the bank's debtor ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

import duckdb

from pipelines.leads.report import RANKED_LEADS

LeadStatusFilter = Literal["all", "confirmed"]
Decision = Literal["confirmed", "rejected", "unreviewed"]


@dataclass(frozen=True)
class CaseFilter:
    debtor_id: str | None = None
    min_confidence: float = 0.0
    status: LeadStatusFilter = "all"  # 'confirmed': only leads whose first match was confirmed
    redact: bool = False
    include_gone: bool = False
    # the matches with their explanations; a page that ranks a debtor's candidates itself
    # leaves them out, and so reads the matches and records once less
    explained: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"debtor": self.debtor_id, "min_confidence": self.min_confidence,
                "status": self.status, "redact": self.redact}  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """The claim behind a debtor, as the debtor list gives it; every field may be missing."""

    kind: str | None  # 'judgment' or 'award'
    reference: str | None
    forum: str | None  # court or tribunal
    judgment_date: dt.date | None
    final: bool | None
    default_date: dt.date | None
    secured_amount: Decimal | None
    outstanding_amount: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class Debtor:
    debtor_id: str
    name: str
    kind: str
    alt_names: tuple[str, ...]
    id_number: str | None
    id_type: str | None  # 'uscc', 'ric' or None
    id_valid: bool | None
    lei: str | None
    birth_date: dt.date | None
    nationality: str | None
    address: str | None
    related_persons: tuple[dict[str, str], ...]
    findings: tuple[str, ...]  # what validation found on the debtor's row
    claim: Claim


@dataclass(frozen=True)
class Fact:
    """One row of a published source a lead rests on."""

    fact_id: str  # kind:source:record_id, unique within a case
    kind: str  # 'record', 'relationship', 'asset', 'match', 'entity_link' or 'debtor_file'
    source: str
    record_id: str
    statement: str  # what the row says, in a sentence
    url: str | None
    fetched_at: dt.datetime | None
    content_hash: str | None


@dataclass(frozen=True)
class Node:
    """A point on a chain: the debtor, a published record (company or person) or an asset."""

    source: str
    node_id: str
    node_type: str  # 'debtor', 'record' or 'asset'
    name: str
    kind: str | None = None  # a record's 'company' / 'person' / 'unknown'; an asset's kind
    jurisdiction: str | None = None
    registration_number: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Asset:
    source: str
    asset_id: str  # for a title, its title number
    kind: str
    tenure: str | None
    address: str | None
    postcode: str | None
    price_paid: Decimal | None
    date_added: dt.date | None
    url: str | None


@dataclass(frozen=True)
class Hop:
    number: int  # 1 is the match from the debtor
    via: str  # 'match', 'related_person', 'same_entity' or 'edge'
    role: str
    certainty: float
    reason: str
    start: Node
    end: Node
    fact_id: str  # the Fact this hop rests on
    # an edge's terms as its source publishes them (natures of control, dates in its own form)
    share: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class Lead:
    lead_id: str
    debtor_id: str
    via_related: str | None
    target: Node
    asset: Asset | None  # the title, when the lead reaches one
    hops: tuple[Hop, ...]
    confidence: float
    weakest: float
    value: Decimal | None
    jurisdiction: str | None
    status: str  # 'new', 'unchanged', 'changed' or 'gone'
    evidence_as_of: dt.date | None
    first_built: dt.datetime
    last_built: dt.datetime
    run_id: int
    decision: Decision  # the investigators' decision on the match the chain starts from

    @property
    def weakest_hop(self) -> Hop:
        return min(self.hops, key=lambda hop: hop.certainty)


@dataclass(frozen=True)
class Review:
    debtor_id: str
    source: str
    source_id: str
    decision: str  # 'confirm' or 'reject'
    reviewer: str
    note: str | None
    decided_at: dt.datetime


@dataclass(frozen=True)
class MatchExplained:
    debtor_id: str
    source: str
    source_id: str
    name: str
    probability: float
    reason: str
    contributions: Any  # the linkage model's per-comparison weights, as stored
    decision: Decision


@dataclass(frozen=True)
class Case:
    produced_at: dt.datetime
    run_id: int | None  # the leads build the case reads
    filters: CaseFilter
    debtors: tuple[Debtor, ...]
    leads: tuple[Lead, ...]
    facts: dict[str, Fact] = field(default_factory=dict)
    matches: tuple[MatchExplained, ...] = ()
    reviews: tuple[Review, ...] = ()

    def leads_of(self, debtor_id: str) -> list[Lead]:
        return [lead for lead in self.leads if lead.debtor_id == debtor_id]

    def facts_of(self, lead: Lead) -> list[Fact]:
        """The facts LEAD rests on: each hop's, then the published row of each record and of the
        asset it passes through, each once."""
        wanted = dict.fromkeys(hop.fact_id for hop in lead.hops)
        for hop in lead.hops:
            wanted[f"{hop.end.node_type}:{hop.end.source}:{hop.end.node_id}"] = None
        return [self.facts[fact_id] for fact_id in wanted if fact_id in self.facts]


_LATEST_DECISION = """
SELECT debtor_id, source, source_id, decision FROM reviews
QUALIFY row_number() OVER (PARTITION BY debtor_id, source, source_id ORDER BY review_id DESC) = 1
"""

_LEADS = f"""
SELECT l.lead_id, l.debtor_id, l.via_related, l.target_source, l.target_id, l.target_type,
       l.path::VARCHAR, l.confidence, l.weakest, l.value, l.jurisdiction, l.status,
       l.evidence_as_of, l.first_built, l.last_built, l.run_id,
       coalesce(rv.decision, 'none') AS decision
FROM leads l
LEFT JOIN ({_LATEST_DECISION}) rv ON l.via_related IS NULL
     AND rv.debtor_id = l.debtor_id AND rv.source = l.path->>'$[0].to_source'
     AND rv.source_id = l.path->>'$[0].to_id'
WHERE ($debtor IS NULL OR l.debtor_id = $debtor) AND l.confidence >= $min_confidence
  AND ($gone OR l.gone_at IS NULL) AND (NOT $confirmed OR rv.decision = 'confirm')
{RANKED_LEADS}
"""

_DEBTORS = """
SELECT debtor_id, name, kind, alt_names, id_number, id_type, id_valid, lei, birth_date,
       nationality, address, related_persons::VARCHAR, findings, claim_kind, claim_reference,
       claim_forum, judgment_date, judgment_final, default_date, secured_amount,
       outstanding_amount, currency
FROM debtors WHERE $debtor IS NULL OR debtor_id = $debtor ORDER BY debtor_id
"""


def load_case(con: duckdb.DuckDBPyConnection, filters: CaseFilter | None = None) -> Case:
    """The case as FILTERS select it: the debtors (all, or the one named) and their leads."""
    filters = filters or CaseFilter()
    params = {"debtor": filters.debtor_id, "min_confidence": filters.min_confidence,
              "gone": filters.include_gone, "confirmed": filters.status == "confirmed"}  # fmt: skip
    lead_rows = con.execute(_LEADS, params).fetchall()
    paths = [json.loads(row[6]) for row in lead_rows]
    nodes = _nodes(con, paths)
    assets = _assets(con, paths)
    relationships = _relationships(con, paths)
    facts = _facts(paths, nodes, relationships)
    leads = tuple(
        _lead(row, path, nodes, assets, facts, relationships)
        for row, path in zip(lead_rows, paths, strict=True)
    )
    debtors = tuple(
        _debtor(row) for row in con.execute(_DEBTORS, {"debtor": filters.debtor_id}).fetchall()
    )
    run_id = con.execute("SELECT max(run_id) FROM leads").fetchone()
    case = Case(
        produced_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        run_id=run_id[0] if run_id else None,
        filters=filters,
        debtors=debtors,
        leads=leads,
        facts=facts,
        matches=_matches(con, filters.debtor_id) if filters.explained else (),
        reviews=_reviews(con, filters.debtor_id),
    )
    return redacted(case) if filters.redact else case


def _keys(paths: list[list[dict[str, Any]]], to_type: str) -> list[tuple[str, str]]:
    """Every record (or asset) the chains reach: each hop starts where the one before ended."""
    return sorted(
        {(h["to_source"], h["to_id"]) for p in paths for h in p if h["to_type"] == to_type}
    )


def _by_keys(con: duckdb.DuckDBPyConnection, sql: str, keys: list[tuple[str, str]]) -> list[Any]:
    """Rows of SQL joined to KEYS, a list of (source, id) given as two parallel lists."""
    if not keys:
        return []
    params = {"sources": [k[0] for k in keys], "ids": [k[1] for k in keys]}
    return con.execute(sql, params).fetchall()


_RECORDS = """
SELECT r.source, r.source_id, r.name, r.kind, r.jurisdiction, r.registration_number,
       r.source_url, r.last_seen, r.content_hash::VARCHAR
FROM records r JOIN (SELECT unnest($sources) AS source, unnest($ids) AS source_id) k
     USING (source, source_id)
"""
_ASSETS = """
SELECT a.source, a.asset_id, a.kind, a.tenure, a.address, a.postcode, a.price_paid,
       a.date_added, a.source_url, a.last_seen, a.content_hash::VARCHAR
FROM assets a JOIN (SELECT unnest($sources) AS source, unnest($ids) AS asset_id) k
     USING (source, asset_id)
"""
_RELATIONSHIPS = """
SELECT r.source, r.relationship_id, r.role, r.share, r.start_date, r.end_date, r.source_url,
       r.last_seen, r.content_hash::VARCHAR
FROM relationships r JOIN (SELECT unnest($sources) AS source, unnest($ids) AS relationship_id) k
     USING (source, relationship_id)
"""
_DEBTOR_NAMES = "SELECT debtor_id, name FROM debtors WHERE list_contains($ids, debtor_id)"


@dataclass(frozen=True)
class _Published:
    """What the store holds on the points the case's chains pass through."""

    nodes: dict[tuple[str, str], Node]
    record_rows: dict[tuple[str, str], tuple[Any, ...]]


def _nodes(con: duckdb.DuckDBPyConnection, paths: list[list[dict[str, Any]]]) -> _Published:
    nodes: dict[tuple[str, str], Node] = {}
    rows: dict[tuple[str, str], tuple[Any, ...]] = {}
    for row in _by_keys(con, _RECORDS, _keys(paths, "record")):
        source, key, name, kind, jurisdiction, number, url = row[:7]
        nodes[(source, key)] = Node(source, key, "record", name, kind, jurisdiction, number, url)
        rows[(source, key)] = tuple(row)
    for row in _by_keys(con, _ASSETS, _keys(paths, "asset")):
        nodes[(row[0], row[1])] = Node(row[0], row[1], "asset", row[4] or row[1], row[2], "GB",
                                       None, row[8])  # fmt: skip
    debtor_ids = sorted({h["from_id"] for p in paths for h in p if h["from_source"] == "debtors"})
    for debtor_id, name in con.execute(_DEBTOR_NAMES, {"ids": debtor_ids}).fetchall():
        nodes[("debtors", debtor_id)] = Node("debtors", debtor_id, "debtor", name)
    return _Published(nodes, rows)


def _node(published: _Published, source: str, key: str, kind: str) -> Node:
    return published.nodes.get((source, key)) or Node(source, key, kind, key)


def _assets(
    con: duckdb.DuckDBPyConnection, paths: list[list[dict[str, Any]]]
) -> dict[tuple[str, str], tuple[Asset, Fact]]:
    found: dict[tuple[str, str], tuple[Asset, Fact]] = {}
    for row in _by_keys(con, _ASSETS, _keys(paths, "asset")):
        source, key, kind, tenure, address, postcode, price, added, url, seen, digest = row
        asset = Asset(source, key, kind, tenure, address, postcode, price, added, url)
        price_text = f", price paid £{price:,.0f}" if price is not None else ""
        statement = f"title {key}: {address or 'no address'}, {tenure or 'tenure not given'}"
        fact = Fact(f"asset:{source}:{key}", "asset", source, key, statement + price_text, url,
                    seen, digest)  # fmt: skip
        found[(source, key)] = (asset, fact)
    return found


def _relationships(
    con: duckdb.DuckDBPyConnection, paths: list[list[dict[str, Any]]]
) -> dict[tuple[str, str], Any]:
    """The published row of every edge the chains pass along, by (source, relationship id)."""
    edges = [
        (h["evidence_source"], h["evidence_id"]) for p in paths for h in p if h["via"] == "edge"
    ]
    return {(r[0], r[1]): r for r in _by_keys(con, _RELATIONSHIPS, sorted(set(edges)))}


def _facts(
    paths: list[list[dict[str, Any]]],
    published: _Published,
    relationships: dict[tuple[str, str], Any],
) -> dict[str, Fact]:
    """Each hop's fact, and the published row of every record and asset on the chains."""
    facts: dict[str, Fact] = {}
    for path in paths:
        for hop in path:
            fact = _hop_fact(hop, published, relationships)
            facts.setdefault(fact.fact_id, fact)
    for (source, key), row in published.record_rows.items():
        name, kind, jurisdiction, number, url, seen, digest = row[2:]
        where = f", {jurisdiction}" if jurisdiction else ""
        registered = f", registration number {number}" if number else ""
        facts[f"record:{source}:{key}"] = Fact(
            f"record:{source}:{key}", "record", source, key,
            f"{kind} {name}{where}{registered}", url, seen, digest,
        )  # fmt: skip
    return facts


def _hop_fact(
    hop: dict[str, Any], published: _Published, relationships: dict[tuple[str, str], Any]
) -> Fact:
    start = _node(published, hop["from_source"], hop["from_id"], "record").name
    end = _node(published, hop["to_source"], hop["to_id"], hop["to_type"])
    fetched = _timestamp(hop.get("fetched_at"))
    source, key = hop["evidence_source"], hop["evidence_id"]
    if hop["via"] == "edge":
        row = relationships.get((source, key))
        share = f" ({row[3]})" if row and row[3] else ""
        since = f", from {row[4]}" if row and row[4] else ""
        until = f" to {row[5]}" if row and row[5] else ""
        statement = f"{start} is {hop['role']} of {end.name}{share}{since}{until}"
        if row is None:
            return Fact(_fact_id("relationship", source, key), "relationship", source, key,
                        statement, hop.get("source_url"), fetched, None)  # fmt: skip
        return Fact(_fact_id("relationship", source, key), "relationship", source, key,
                    statement, row[6], row[7], row[8])  # fmt: skip
    if hop["via"] == "match":
        statement = f"debtor {start} matched to {end.name} (p {hop['certainty']:.3f})"
        reason = f": {hop['reason']}" if hop["reason"] else ""
        return Fact(_fact_id("match", hop["from_id"], key), "match", end.source, end.node_id,
                    statement + reason, end.url, fetched, None)  # fmt: skip
    if hop["via"] == "related_person":
        statement = f"the debtor list names {hop['role']} of {start}; found as {end.name}"
        return Fact(_fact_id("debtor_file", source, key), "debtor_file", source, key,
                    f"{statement} ({hop['reason']})", None, fetched, None)  # fmt: skip
    statement = f"{start} and {end.name} are one entity ({hop['reason']})"
    return Fact(_fact_id("entity_link", source, key), "entity_link", source, key, statement,
                end.url, fetched, None)  # fmt: skip


def _fact_id(kind: str, source: str, key: str) -> str:
    return f"{kind}:{source}:{key}"


def _timestamp(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _lead(
    row: tuple[Any, ...],
    path: list[dict[str, Any]],
    published: _Published,
    assets: dict[tuple[str, str], tuple[Asset, Fact]],
    facts: dict[str, Fact],
    relationships: dict[tuple[str, str], Any],
) -> Lead:
    (lead_id, debtor_id, via_related, target_source, target_id, target_type, _path, confidence,
     weakest, value, jurisdiction, status, as_of, first_built, last_built, run_id,
     decision) = row  # fmt: skip
    hops = tuple(_hop(number, hop, published, relationships) for number, hop in enumerate(path, 1))
    found = assets.get((target_source, target_id)) if target_type == "asset" else None
    if found is not None:
        facts.setdefault(found[1].fact_id, found[1])
    return Lead(
        lead_id, debtor_id, via_related,
        _node(published, target_source, target_id, target_type),
        found[0] if found else None, hops, confidence, weakest, value, jurisdiction, status,
        as_of, first_built, last_built, run_id, _decision(decision),
    )  # fmt: skip


def _hop(
    number: int,
    hop: dict[str, Any],
    published: _Published,
    relationships: dict[tuple[str, str], Any],
) -> Hop:
    via, source, key = hop["via"], hop["evidence_source"], hop["evidence_id"]
    edge = relationships.get((source, key)) if via == "edge" else None
    share, since, until = edge[3:6] if edge else (None, None, None)
    kind = {"edge": "relationship", "same_entity": "entity_link",
            "related_person": "debtor_file"}.get(via, "match")  # fmt: skip
    fact_id = (
        _fact_id("match", hop["from_id"], key) if kind == "match" else _fact_id(kind, source, key)
    )
    return Hop(
        number, via, hop["role"], float(hop["certainty"]), hop["reason"] or "",
        _node(published, hop["from_source"], hop["from_id"], "debtor" if number == 1 else "record"),
        _node(published, hop["to_source"], hop["to_id"], hop["to_type"]), fact_id,
        share, since, until,
    )  # fmt: skip


def _decision(stored: str) -> Decision:
    return {"confirm": "confirmed", "reject": "rejected"}.get(stored, "unreviewed")  # type: ignore[return-value]


def _debtor(row: tuple[Any, ...]) -> Debtor:
    (debtor_id, name, kind, alt_names, id_number, id_type, id_valid, lei, birth_date, nationality,
     address, related, findings, claim_kind, reference, forum, judgment_date, final, default_date,
     secured, outstanding, currency) = row  # fmt: skip
    claim = Claim(claim_kind, reference, forum, judgment_date, final, default_date, secured,
                  outstanding, currency)  # fmt: skip
    return Debtor(
        debtor_id, name, kind, tuple(alt_names or ()), id_number, id_type, id_valid, lei,
        birth_date, nationality, address, tuple(json.loads(related) if related else ()),
        tuple(findings or ()), claim,
    )  # fmt: skip


# the debtor's matches are taken first, so that one debtor's case reads no other's records
_MATCHES = f"""
WITH m AS (SELECT * FROM matches WHERE $debtor IS NULL OR debtor_id = $debtor)
SELECT m.debtor_id, m.source, m.source_id, r.name, m.match_probability, coalesce(m.reason, ''),
       m.contributions::VARCHAR, coalesce(rv.decision, 'none')
FROM m
LEFT JOIN (SELECT source, source_id, name FROM records
           WHERE source_id IN (SELECT source_id FROM m)) r USING (source, source_id)
LEFT JOIN ({_LATEST_DECISION}) rv USING (debtor_id, source, source_id)
ORDER BY m.debtor_id, m.match_probability DESC, m.source, m.source_id
"""
_REVIEWS = """
SELECT debtor_id, source, source_id, decision, reviewer, note, decided_at FROM reviews
WHERE $debtor IS NULL OR debtor_id = $debtor ORDER BY review_id
"""


def _matches(con: duckdb.DuckDBPyConnection, debtor_id: str | None) -> tuple[MatchExplained, ...]:
    rows = con.execute(_MATCHES, {"debtor": debtor_id}).fetchall()
    return tuple(
        MatchExplained(d, s, k, name or k, float(p), reason,
                       json.loads(contributions) if contributions else None, _decision(decision))
        for d, s, k, name, p, reason, contributions, decision in rows
    )  # fmt: skip


def _reviews(con: duckdb.DuckDBPyConnection, debtor_id: str | None) -> tuple[Review, ...]:
    return tuple(Review(*row) for row in con.execute(_REVIEWS, {"debtor": debtor_id}).fetchall())


def pseudonym(debtor_id: str) -> str:
    """A stable stand-in for a bank's debtor id in a redacted export: the same id gives the same
    pseudonym in every export, and the id cannot be read back from it."""
    return "X-" + hashlib.sha256(debtor_id.encode("utf-8")).hexdigest()[:10].upper()


def redacted(case: Case) -> Case:
    """CASE without the bank's internal fields: debtor ids, outstanding amounts, review notes."""
    debtors = tuple(
        replace(
            d, debtor_id=pseudonym(d.debtor_id), claim=replace(d.claim, outstanding_amount=None)
        )
        for d in case.debtors
    )
    fact_ids = {key: _redacted_fact_id(fact) for key, fact in case.facts.items()}
    facts = {fact_ids[key]: _redacted_fact(fact, fact_ids[key]) for key, fact in case.facts.items()}
    leads = tuple(
        replace(lead, debtor_id=pseudonym(lead.debtor_id),
                hops=tuple(_redacted_hop(hop, fact_ids) for hop in lead.hops))
        for lead in case.leads
    )  # fmt: skip
    matches = tuple(replace(m, debtor_id=pseudonym(m.debtor_id)) for m in case.matches)
    reviews = tuple(replace(r, debtor_id=pseudonym(r.debtor_id), note=None) for r in case.reviews)
    return replace(case, debtors=debtors, leads=leads, facts=facts, matches=matches,
                   reviews=reviews)  # fmt: skip


def _redacted_fact_id(fact: Fact) -> str:
    """Match and debtor-list facts carry the debtor id in their ids: replaced by its pseudonym."""
    if fact.kind == "match":
        kind, debtor_id, rest = fact.fact_id.split(":", 2)
        return f"{kind}:{pseudonym(debtor_id)}:{rest}"
    if fact.kind == "debtor_file":
        return _fact_id("debtor_file", fact.source, pseudonym(fact.record_id))
    return fact.fact_id


def _redacted_fact(fact: Fact, fact_id: str) -> Fact:
    if fact.kind != "debtor_file":
        return replace(fact, fact_id=fact_id)
    return replace(fact, fact_id=fact_id, record_id=pseudonym(fact.record_id))


def _redacted_hop(hop: Hop, fact_ids: dict[str, str]) -> Hop:
    start = hop.start
    if start.node_type == "debtor":
        start = replace(start, node_id=pseudonym(start.node_id))
    return replace(hop, start=start, fact_id=fact_ids.get(hop.fact_id, hop.fact_id))
