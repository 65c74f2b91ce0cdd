"""GLEIF: LEI records (legal, other and transliterated names; registeredAs as the register number)
and their Level 2 relationships (child IS_DIRECTLY_CONSOLIDATED_BY parent, ...).

Three datasets, one store source: the golden copy's LEI-level CSV (every LEI record), its
relationship-record CSV (every relationship), both found through the golden copy API's listing of
the current publish; and the live API, for given LEIs and their direct children (or a country's
records, as far as its paging reaches). The API and the relationship file give the same edge the
same relationship_id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from scrapy.http import Request, Response

from pipelines.crawl_items import Note, Record, Relationship, TableBatch
from pipelines.rejections import Rejected
from spiders.base import SourceSpider
from spiders.columns import Columns, join_present, list_of_present
from spiders.listing import ListedFile

RECORDS = "/api/v1/lei-records"
# golden copy: the repeating name groups, and the legal address parts the API's address joins
OTHER_NAMES = [f"Entity.OtherEntityNames.OtherEntityName.{n}" for n in range(1, 6)]
TRANSLITERATED = [
    f"Entity.TransliteratedOtherEntityNames.TransliteratedOtherEntityName.{n}" for n in range(1, 6)
]
ADDRESS = [
    f"Entity.LegalAddress.{part}"
    for part in ("FirstAddressLine", "AdditionalAddressLine.1", "AdditionalAddressLine.2",
                 "AdditionalAddressLine.3", "City", "Country")
]  # fmt: skip
# kept in the raw payload besides the columns used (the file has over 300, mostly empty)
RAW_TOO = [
    "Entity.LegalName.xmllang", f"{OTHER_NAMES[0]}.type", f"{TRANSLITERATED[0]}.type",
    "Entity.LegalAddress.Region", "Entity.LegalAddress.PostalCode",
    "Entity.HeadquartersAddress.City", "Entity.HeadquartersAddress.Country",
    "Entity.RegistrationAuthority.RegistrationAuthorityID", "Entity.EntityCategory",
    "Entity.LegalForm.EntityLegalFormCode", "Entity.EntityStatus",
    "Entity.EntityExpirationDate", "Entity.SuccessorEntity.1.SuccessorLEI",
    "Registration.InitialRegistrationDate", "Registration.LastUpdateDate",
    "Registration.RegistrationStatus",
]  # fmt: skip
KNOWN_FAMILIES = ("Entity.", "Registration.", "ConformityFlag")
# relationship file: the numbered period slots; the relationship's own period is any one of them
PERIOD_SLOTS = range(1, 6)
RELATIONSHIP_PERIOD = "RELATIONSHIP_PERIOD"
# the rest of its 54 columns (status, qualifiers, quantifiers, registration) stay in the payload
RELATIONSHIP_FAMILIES = ("Relationship.", "Registration.")


def edge_id(child: str, kind: str, parent: str) -> str:
    """One relationship's key, the same from the API and from the relationship file."""
    return f"{child}|{kind}|{parent}"


class Gleif(SourceSpider):
    name = "gleif"

    def first_requests(self) -> Iterator[Request]:
        if self.dataset.format != "json-api":  # the golden copy files
            yield from super().first_requests()
            return
        for country in self.param("countries", []):
            yield self._page(RECORDS, 1, {"filter[entity.legalAddress.country]": country})
        for lei in self.param("leis", []):
            yield self.request(self.url(f"{RECORDS}/{lei}"), self.parse_single)
            for part in ("direct-children", "direct-child-relationships"):
                yield self._page(f"{RECORDS}/{lei}/{part}", 1, {})

    # the golden copy API's listing ------------------------------------------------------------

    def listed_files(self, response: Response) -> list[ListedFile]:
        """The current publish's full CSV file of this dataset's type (`publish_type`: lei2 or
        rr), as the golden copy API lists it; delta files and other formats are left out."""
        kind = str(self.dataset.params["publish_type"])
        publish = current_publish(json.loads(response.text), kind)
        try:
            listed = publish["full_file"]["csv"]
            url = response.urljoin(str(listed["url"]))
        except (KeyError, TypeError):
            raise ValueError(f"{response.url}: the {kind} publish lists no full CSV file") from None
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{response.url}: the {kind} full CSV file has no web address: {url}")
        size = listed.get("size")
        published = publish.get("publish_date")
        return [
            ListedFile(
                url.rsplit("/", 1)[-1],
                url,
                size=size if isinstance(size, int) and size >= 0 else None,
                published=published if isinstance(published, str) else None,
            )
        ]

    # the API ------------------------------------------------------------------------------------

    def _page(self, path: str, number: int, query: dict[str, str]) -> Request:
        size = int(self.param("page_size", 200))
        params = "".join(f"{k}={v}&" for k, v in query.items())
        url = f"{self.url(path)}?{params}page[number]={number}&page[size]={size}"
        return self.request(url, self.parse_page, path=path, number=number, query=query)

    def parse_single(self, response: Response) -> Iterator[Any]:
        yield self._record(json.loads(response.text)["data"], response, 1)

    def parse_page(
        self, response: Response, path: str, number: int, query: dict[str, str]
    ) -> Iterator[Any]:
        page = json.loads(response.text)
        for line, entry in enumerate(page.get("data", []), start=1):
            if entry.get("type") == "relationship-records":
                yield self._edge(entry, response, line)
            else:
                yield self._record(entry, response, line)
        pagination = page.get("meta", {}).get("pagination", {})
        if pagination.get("currentPage", 1) >= pagination.get("lastPage", 1):
            return
        reach = int(self.param("max_results", 10_000))
        if number * int(self.param("page_size", 200)) >= reach:
            # the API pages no further: asking would fail the crawl, not finish the list
            yield Note(
                f"{response.url}: the API lists {pagination.get('total', '?')} records here but"
                f" pages only through the first {reach:,}; the golden copy (golden_copy) has them"
                " all"
            )
            return
        yield self._page(path, number + 1, query)

    def _record(self, entry: dict[str, Any], response: Response, line: int) -> Record:
        attributes = entry["attributes"]
        entity = attributes["entity"]
        names = [n["name"] for n in entity.get("otherNames", [])]
        names += [n["name"] for n in entity.get("transliteratedOtherNames", [])]
        address = entity.get("legalAddress") or {}
        return Record(
            attributes["lei"], entity["legalName"]["name"], "company", alt_names=names,
            jurisdiction=entity.get("jurisdiction"), registration_number=entity.get("registeredAs"),
            incorporation_date=(entity.get("creationDate") or "")[:10] or None,
            address=", ".join(part for part in [*address.get("addressLines", []),
                               address.get("city"), address.get("country")] if part) or None,
            source_url=response.url, line=line, raw=attributes,
        )  # fmt: skip

    def _edge(self, entry: dict[str, Any], response: Response, line: int) -> Relationship:
        relation = entry["attributes"]["relationship"]
        child, parent = relation["startNode"]["id"], relation["endNode"]["id"]
        kind = relation["type"]
        periods = [p for p in relation.get("periods", []) if p["type"] == RELATIONSHIP_PERIOD]
        return Relationship(
            edge_id(child, kind, parent), child, parent, kind.lower(),
            start_date=periods[0]["startDate"][:10] if periods else None,
            end_date=(periods[0].get("endDate") or "")[:10] or None if periods else None,
            source_url=response.url, line=line, raw=entry["attributes"],
        )  # fmt: skip

    # the golden copy files ----------------------------------------------------------------------

    def parse_columns(self, columns: Columns) -> Iterator[Any]:
        if self.dataset.params.get("publish_type") == "rr":
            yield from self._relationships(columns)
        else:
            yield self._lei_records(columns)

    def _lei_records(self, columns: Columns) -> TableBatch:
        """LEI-level CSV rows as the same records the API gives; the raw payload holds the columns
        used and those in RAW_TOO, always the same keys (a row's hash must not depend on others)."""
        used = {"LEI": columns.pop("LEI"), "Entity.LegalName": columns.pop("Entity.LegalName")}
        for name in [*OTHER_NAMES, *TRANSLITERATED, *ADDRESS, "Entity.LegalJurisdiction",
                     "Entity.RegistrationAuthority.RegistrationAuthorityEntityID",
                     "Entity.EntityCreationDate", *RAW_TOO]:  # fmt: skip
            used[name] = columns.pop_optional(name)
        # the rest (other addresses, events, validation authorities ...) is known and left out
        columns.ignore(*(h for h in columns.file.header if h.startswith(KNOWN_FAMILIES)))
        created = used["Entity.EntityCreationDate"]
        return self.batch(
            "records",
            columns,
            {
                "source_id": used["LEI"], "name": used["Entity.LegalName"], "kind": "company",
                "alt_names": list_of_present(*(used[n] for n in OTHER_NAMES + TRANSLITERATED)),
                "jurisdiction": used["Entity.LegalJurisdiction"],
                "registration_number":
                    used["Entity.RegistrationAuthority.RegistrationAuthorityEntityID"],
                "incorporation_date": pc.utf8_slice_codeunits(created, 0, 10),
                "address": join_present(", ", *(used[n] for n in ADDRESS)),
            },
            raw=(list(used), list(used.values())),
        )  # fmt: skip

    def _relationships(self, columns: Columns) -> Iterator[Any]:
        """Relationship-record rows as edges from the child (start node) to the parent (end
        node), keyed and dated as the API's edges are. Inactive relationships are kept: their
        status is in the raw payload (the whole row), their end date in end_date when GLEIF gives
        one. A node that is not an LEI is rejected: the store's records are keyed by LEI."""
        child = columns.pop("Relationship.StartNode.NodeID")
        parent = columns.pop("Relationship.EndNode.NodeID")
        kind = columns.pop("Relationship.RelationshipType")
        start_lei = _is_lei(columns.pop("Relationship.StartNode.NodeIDType"))
        end_lei = _is_lei(columns.pop("Relationship.EndNode.NodeIDType"))
        start, end = relationship_period(columns)
        columns.ignore(*(h for h in columns.file.header if h.startswith(RELATIONSHIP_FAMILIES)))
        # one rejection a row, naming the first node that is not an LEI
        yield from _not_leis(columns, pc.invert(start_lei), "Relationship.StartNode.NodeIDType")
        bad_end = pc.and_(start_lei, pc.invert(end_lei))
        yield from _not_leis(columns, bad_end, "Relationship.EndNode.NodeIDType")
        edge = {
            "relationship_id": pc.binary_join_element_wise(child, kind, parent, "|"),
            "subject_id": child,
            "object_id": parent,
            "role": pc.utf8_lower(kind),
            "start_date": pc.utf8_slice_codeunits(start, 0, 10),
            "end_date": pc.utf8_slice_codeunits(end, 0, 10),
        }
        yield self.batch("relationships", columns, edge, pc.and_(start_lei, end_lei))


def current_publish(listing: Any, kind: str) -> dict[str, Any]:
    """The current publish of KIND in a golden copy API answer: `publishes/KIND/latest` holds it
    as `data`, `publishes/latest` holds every type under `data`, `publishes` a list of publishes
    (the current one first)."""
    data = listing.get("data") if isinstance(listing, dict) else None
    if isinstance(data, list):
        data = data[0] if data else None
    if isinstance(data, dict) and isinstance(data.get(kind), dict):
        data = {"publish_date": data.get("publish_date"), **data[kind]}
    if not isinstance(data, dict) or "full_file" not in data:
        raise ValueError(f"the golden copy API's answer holds no {kind} publish")
    return data


def relationship_period(columns: Columns) -> tuple[pa.Array, pa.Array]:
    """Start and end dates of the first period slot whose type is RELATIONSHIP_PERIOD (the file
    puts it in any slot, often after an accounting period), as the API's edges take the first
    such period; nulls where there is none."""
    nothing = pa.nulls(columns.rows, pa.string())
    start, end = nothing, nothing
    taken = pa.array([False] * columns.rows)
    for n in PERIOD_SLOTS:
        prefix = f"Relationship.Period.{n}."
        kind = columns.pop_optional(prefix + "periodType")
        here = pc.and_(pc.invert(taken), pc.fill_null(pc.equal(kind, RELATIONSHIP_PERIOD), False))
        start = pc.if_else(here, columns.pop_optional(prefix + "startDate"), start)
        end = pc.if_else(here, columns.pop_optional(prefix + "endDate"), end)
        taken = pc.or_(taken, here)
    return start, end


def _is_lei(node_type: pa.Array) -> pa.Array:
    return pc.fill_null(pc.equal(node_type, "LEI"), False)


def _not_leis(columns: Columns, rows: pa.Array, column: str) -> Iterator[Rejected]:
    """A rejection for each of ROWS (a mask): its node in COLUMN is not an LEI."""
    for line in pc.filter(columns.lines, rows).to_pylist():
        yield Rejected(columns.file.label, line, "the node is not an LEI", column)
