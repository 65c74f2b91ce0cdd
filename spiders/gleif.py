"""GLEIF: LEI records (legal, other and transliterated names; registeredAs as the register number)
from the API with Level-2 edges (child IS_DIRECTLY_CONSOLIDATED_BY parent), or from the golden
copy's LEI-level CSV, which gives the same records for every LEI at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow.compute as pc
from scrapy.http import Request, Response

from pipelines.crawl_items import Record, Relationship, TableBatch
from spiders.base import SourceSpider
from spiders.columns import Columns, join_present, list_of_present

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


class Gleif(SourceSpider):
    name = "gleif"

    def first_requests(self) -> Iterator[Request]:
        if self.dataset.format != "json-api":  # the golden copy: one bulk file
            yield from super().first_requests()
            return
        for country in self.param("countries", []):
            yield self._page(RECORDS, 1, {"filter[entity.legalAddress.country]": country})
        for lei in self.param("leis", []):
            yield self.request(self.url(f"{RECORDS}/{lei}"), self.parse_single)
            for part in ("direct-children", "direct-child-relationships"):
                yield self._page(f"{RECORDS}/{lei}/{part}", 1, {})

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
        if pagination.get("currentPage", 1) < pagination.get("lastPage", 1):
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
        periods = [p for p in relation.get("periods", []) if p["type"] == "RELATIONSHIP_PERIOD"]
        return Relationship(
            f"{child}|{kind}|{parent}", child, parent, kind.lower(),
            start_date=periods[0]["startDate"][:10] if periods else None,
            end_date=(periods[0].get("endDate") or "")[:10] or None if periods else None,
            source_url=response.url, line=line, raw=entry["attributes"],
        )  # fmt: skip

    # golden copy -------------------------------------------------------------------------------

    def parse_columns(self, columns: Columns) -> Iterator[TableBatch]:
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
        yield self.batch(
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
