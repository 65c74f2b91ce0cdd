"""GLEIF API: LEI records (legal, other and transliterated names; registeredAs as the register
number) and Level-2 edges (child IS_DIRECTLY_CONSOLIDATED_BY parent)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response

from pipelines.crawl_items import Record, Relationship
from spiders.base import SourceSpider

RECORDS = "/api/v1/lei-records"


class Gleif(SourceSpider):
    name = "gleif"

    def first_requests(self) -> Iterator[Request]:
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
            address=", ".join([*address.get("addressLines", []), address.get("city") or "",
                               address.get("country") or ""]).strip(", ") or None,
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
