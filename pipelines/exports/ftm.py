"""The case as FollowTheMoney entities, one JSON object a line, for Aleph and other FtM tools.

Debtors become Company / Person / LegalEntity, each record on a chain the same, each title a
RealEstate; each hop becomes the link it rests on: Ownership (PSC, shareholder, parent,
proprietor), Directorship (officers), UnknownLink (the match from the debtor, a related person
named in the debtor list, two sources' records of one entity, any other edge), with its source
URL, when it was fetched, its publisher and its certainty and reason in `summary`. Ids are
stable: the same record or fact gives the same id in every export.

A value the FtM type refuses (a date in a register's own form that cannot be read, say) is not
dropped: it is kept as text in the entity's `notes` (or a link's `description`).
"""

from __future__ import annotations

import json
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy

from pipelines.exports.case import Case, Debtor, Fact, Hop, Lead, Node
from pipelines.exports.files import written_whole
from pipelines.exports.ftm_values import FtmValues
from pipelines.exports.wording import contributions_text, match_index, match_of, publisher
from pipelines.leads.control import parse_natures
from pipelines.leads.roles import load_roles

ID_PREFIX = "oad"
DEBTOR_SCHEMA = {"company": "Company", "person": "Person"}
RECORD_SCHEMA = {"company": "Company", "person": "Person"}
# a role's kind (data/leads/roles.yml) -> the FtM link it becomes, when both ends fit it
LINK_SCHEMA = {"ownership": "Ownership", "control": "Ownership", "property": "Ownership",
               "group": "Ownership", "officer": "Directorship"}  # fmt: skip
LINK_ENDS = {"Ownership": ("owner", "asset"), "Directorship": ("director", "organization"),
             "UnknownLink": ("subject", "object")}  # fmt: skip


def write_ftm(case: Case, out: Path) -> list[Path]:
    """CASE as FtM JSON lines at OUT (written whole); returns [OUT]."""
    lines = [json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) for proxy in
             case_entities(case)]  # fmt: skip
    with written_whole([out]) as (staged,), staged.open("w", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in lines)
    return [out]


def case_entities(case: Case) -> list[EntityProxy]:
    """Every debtor, every point on the chains and every hop between them, each once."""
    builder = _Builder(case)
    for debtor in case.debtors:
        builder.debtor(debtor)
    for lead in case.leads:
        for hop in lead.hops:
            builder.hop(lead, hop)
    return list(builder.entities.values())


def node_id(node: Node) -> str:
    """The entity id of a point on a chain: the same record or title, the same id."""
    parts = ("debtors", node.node_id) if node.node_type == "debtor" else (
        node.node_type, node.source, node.node_id)  # fmt: skip
    return _make_id(*parts)


def hop_id(hop: Hop) -> str:
    return _make_id("hop", hop.fact_id, node_id(hop.start), node_id(hop.end))


def _make_id(*parts: str) -> str:
    proxy = model.make_entity("Thing", key_prefix=ID_PREFIX)
    made = proxy.make_id(*parts)
    assert made is not None  # parts are never all empty: a kind and a key
    return made


class _Builder:
    def __init__(self, case: Case) -> None:
        self.case = case
        self.entities: dict[str, EntityProxy] = {}
        self.debtors = {debtor.debtor_id: debtor for debtor in case.debtors}
        self.matches = match_index(case)
        self.roles = load_roles().roles
        self.organisations = {node_id(h.end) for lead in case.leads for h in lead.hops
                              if self._link_kind(h) is not None}  # fmt: skip
        self.assets = {node_id(lead.target): lead.asset for lead in case.leads if lead.asset}

    def debtor(self, debtor: Debtor) -> str:
        entity_id = _make_id("debtors", debtor.debtor_id)
        if entity_id not in self.entities:
            proxy = _entity(DEBTOR_SCHEMA.get(debtor.kind, "LegalEntity"), entity_id)
            _debtor_values(FtmValues(proxy), debtor)
            self.entities[entity_id] = proxy
        return entity_id

    def node(self, node: Node) -> str:
        entity_id = node_id(node)
        if entity_id in self.entities:
            return entity_id
        if node.node_type == "debtor" and node.node_id in self.debtors:
            return self.debtor(self.debtors[node.node_id])
        proxy = _entity(self._node_schema(node, entity_id), entity_id)
        values = FtmValues(proxy)
        if node.node_type == "asset":
            self._asset_values(values, node)
        else:
            self._record_values(values, node)
        self.entities[entity_id] = proxy
        return entity_id

    def hop(self, lead: Lead, hop: Hop) -> None:
        start, end = self.node(hop.start), self.node(hop.end)
        entity_id = hop_id(hop)
        if entity_id in self.entities:
            return
        schema = self._link_schema(hop)
        proxy = _entity(schema, entity_id)
        from_end, to_end = LINK_ENDS[schema]
        proxy.add(from_end, start)
        proxy.add(to_end, end)
        values = FtmValues(proxy)
        self._link_values(values, lead, hop)
        self.entities[entity_id] = proxy

    def _link_kind(self, hop: Hop) -> str | None:
        role = self.roles.get(hop.role) if hop.via == "edge" else None
        return LINK_SCHEMA.get(role.kind) if role else None

    def _link_schema(self, hop: Hop) -> str:
        wanted = self._link_kind(hop)
        if wanted is None:
            return "UnknownLink"
        start, end = (self.entities[node_id(n)].schema for n in (hop.start, hop.end))
        from_end, to_end = (model.schemata[wanted].properties[p] for p in LINK_ENDS[wanted])
        fits = start.is_a(from_end.range) and end.is_a(to_end.range)
        return wanted if fits else "UnknownLink"

    def _node_schema(self, node: Node, entity_id: str) -> str:
        if node.node_type == "asset":
            return "RealEstate"
        if node.node_type == "debtor":
            return "LegalEntity"
        known = RECORD_SCHEMA.get(node.kind or "")
        # a record of unknown kind that is held or has officers is an organisation at least
        return known or ("Company" if entity_id in self.organisations else "LegalEntity")

    def _record_values(self, values: FtmValues, node: Node) -> None:
        values.put("name", node.name)
        values.put("registrationNumber", node.registration_number)
        values.put("jurisdiction", node.jurisdiction)
        self._provenance(values, node.source, node.url, self._fact(f"record:{node.source}:"
                                                                   f"{node.node_id}"))  # fmt: skip

    def _asset_values(self, values: FtmValues, node: Node) -> None:
        fact = self._fact(f"asset:{node.source}:{node.node_id}")
        asset = self.assets.get(node_id(node))
        values.put("name", node.name)
        values.put("titleNumber", node.node_id)
        values.put("country", "gb")
        if asset is not None:
            values.put("address", _address(asset.address, asset.postcode))
            values.put("tenure", asset.tenure)
            values.put("propertyType", asset.kind)
            if asset.price_paid is not None:
                values.put("amount", str(asset.price_paid))
                values.put("currency", "GBP")
            values.put("createDate", asset.date_added)
        self._provenance(values, node.source, node.url, fact)

    def _link_values(self, values: FtmValues, lead: Lead, hop: Hop) -> None:
        fact = self._fact(hop.fact_id)
        match = match_of(self.matches, lead.debtor_id, hop)
        values.put("role", _role_words(hop))
        values.put("summary", f"certainty {hop.certainty:.2f}: {hop.reason or hop.via}")
        values.put("description", fact.statement if fact else None)
        values.put("description", contributions_text(match) or None)
        if match is not None:
            values.put("status", match.decision)
        values.put("recordId", fact.record_id if fact else None)
        values.put("startDate", hop.since)
        values.put("endDate", hop.until)
        if values.proxy.schema.name == "Ownership" and hop.share:
            values.put("ownershipType", hop.share)
            values.put("percentage", share_band(hop.share.split(";")))
        url = fact.url if fact else hop.end.url
        self._provenance(values, fact.source if fact else hop.end.source, url, fact)

    def _provenance(
        self, values: FtmValues, source: str, url: str | None, fact: Fact | None
    ) -> None:
        values.put("sourceUrl", url)
        values.put("publisher", publisher(source))
        values.put("retrievedAt", fact.fetched_at if fact else None)

    def _fact(self, fact_id: str) -> Fact | None:
        return self.case.facts.get(fact_id)


def _entity(schema: str, entity_id: str) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    return proxy


def _debtor_values(values: FtmValues, debtor: Debtor) -> None:
    values.put("name", debtor.name)
    for alias in debtor.alt_names:
        values.put("alias", alias)
    values.put("country", "cn")
    is_person = values.proxy.schema.name == "Person"
    values.put("idNumber" if is_person else "registrationNumber", debtor.id_number)
    if debtor.id_type == "uscc":
        values.put("uscCode", debtor.id_number)
    values.put("leiCode", debtor.lei)
    if is_person:
        values.put("birthDate", debtor.birth_date)
        values.put("nationality", debtor.nationality)
    values.put("address", debtor.address)
    values.put("notes", f"debtor {debtor.debtor_id} in the bank's debtor list")
    if debtor.id_valid is False:
        values.put("notes", f"identifier {debtor.id_number} fails its check")
    for finding in debtor.findings:
        values.put("notes", finding)


def _role_words(hop: Hop) -> str:
    if hop.via == "match":
        return "matched to the debtor"
    if hop.via == "related_person":
        return f"{hop.role} named in the debtor list"
    if hop.via == "same_entity":
        return f"same entity ({hop.role.replace('_', ' ')})"
    return hop.role.replace("_", " ")


def _address(address: str | None, postcode: str | None) -> str | None:
    if postcode and address and postcode not in address:
        return f"{address}, {postcode}"
    return address or postcode


def share_band(natures: list[str]) -> str | None:
    """The share band the natures of control give, e.g. "75-100"; None when they give none."""
    control = parse_natures(n.strip() for n in natures if n.strip())
    if control.share_min is None and control.share_max is None:
        return None
    low, high = control.share_min or 0, control.share_max or 100
    return f"{low:g}-{high:g}"
