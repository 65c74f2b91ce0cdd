"""Companies House: the bulk company file (records), the PSC snapshot and the API's officers and
PSCs (person or company records, with an edge to the company they control or serve)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

from scrapy.http import Request, Response

from pipelines.crawl_items import Note, Record, Relationship, TableBatch
from spiders.base import SourceSpider
from spiders.columns import Columns, join_present, list_of_present

COMPANIES = "gb_companies_house"
ADDRESS = [
    "RegAddress.AddressLine1",
    "RegAddress.AddressLine2",
    "RegAddress.PostTown",
    "RegAddress.County",
    "RegAddress.Country",
    "RegAddress.PostCode",
]
KNOWN = [
    "RegAddress.CareOf",
    "RegAddress.POBox",
    "CompanyCategory",
    "CompanyStatus",
    "CountryOfOrigin",
    "DissolutionDate",
    "Accounts.AccountRefDay",
    "Accounts.AccountRefMonth",
    "Accounts.NextDueDate",
    "Accounts.LastMadeUpDate",
    "Accounts.AccountCategory",
    "Returns.NextDueDate",
    "Returns.LastMadeUpDate",
    "Mortgages.NumMortCharges",
    "Mortgages.NumMortOutstanding",
    "Mortgages.NumMortPartSatisfied",
    "Mortgages.NumMortSatisfied",
    *[f"SICCode.SicText_{i}" for i in range(1, 5)],
    "LimitedPartnerships.NumGenPartners",
    "LimitedPartnerships.NumLimPartners",
    "URI",
    "ConfStmtNextDueDate",
    "ConfStmtLastMadeUpDate",
    *[f"PreviousName_{i}.CONDATE" for i in range(1, 11)],
]


class GbCompaniesHouse(SourceSpider):
    name = "gb_companies_house"
    handle_httpstatus_list: ClassVar[list[int]] = [
        404
    ]  # a company number not found is recorded, not fatal

    def first_requests(self) -> Iterator[Request]:
        if self.dataset.format != "json-api":
            yield from super().first_requests()
            return
        companies = self.param("companies", [])
        numbers = companies.split(",") if isinstance(companies, str) else companies
        for number in numbers:
            for path in self.dataset.paths:
                yield self._page(path.format(number=number.strip()), number.strip(), 0)

    # bulk company data ----------------------------------------------------------------------

    def parse_columns(self, columns: Columns) -> Iterator[TableBatch]:
        number = columns.pop("CompanyNumber")
        previous = [columns.pop_optional(f"PreviousName_{i}.CompanyName") for i in range(1, 11)]
        columns.ignore(*KNOWN)
        yield self.batch(
            "records",
            columns,
            {
                "source_id": number,
                "name": columns.pop("CompanyName"),
                "kind": "company",
                "alt_names": list_of_present(*previous),
                "jurisdiction": "GB",
                "registration_number": number,
                "incorporation_date": columns.pop("IncorporationDate"),
                "address": join_present(", ", *[columns.pop(c) for c in ADDRESS]),
            },
        )

    # PSC snapshot ---------------------------------------------------------------------------

    def parse_file(self, response: Response) -> Iterator[Any]:
        if self.dataset.format != "jsonl":
            yield from super().parse_file(response)
            return
        skipped = 0
        for line, text in enumerate(response.text.splitlines(), start=1):
            try:
                entry = json.loads(text)
            except json.JSONDecodeError as error:
                yield self.reject(response, f"not JSON: {error}", line)
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("data", {}), dict):
                yield self.reject(response, "not a PSC record (a JSON object with data)", line)
                continue
            items = list(
                self._psc(entry.get("company_number"), entry.get("data", {}), response, line)
            )
            skipped += not items
            yield from items
        yield Note(f"{response.url}: {skipped} lines are statements or totals, not persons")

    def _psc(
        self, company: str | None, data: dict[str, Any], response: Response, line: int
    ) -> Iterator[Any]:
        kind = self.meta.lookups["psc_kind"].get(data.get("kind", ""))
        if kind is None:
            return
        psc_id = data.get("links", {}).get("self")
        yield self._person(data, psc_id, kind, response, line)
        yield Relationship(
            f"{company}|{psc_id}",
            psc_id,
            company,
            "psc",
            object_source=COMPANIES,
            start_date=data.get("notified_on"),
            end_date=data.get("ceased_on"),
            share="; ".join(data.get("natures_of_control", [])) or None,
            source_url=response.url,
            line=line,
            raw={"company_number": company},
        )

    def _person(
        self, data: dict[str, Any], key: str | None, kind: str, response: Response, line: int
    ) -> Record:
        born = data.get("date_of_birth") or {}
        return Record(
            key,
            data.get("name"),
            kind,
            nationality=data.get("nationality"),
            birth_date=_birth(born),
            country_of_residence=data.get("country_of_residence"),
            address=", ".join(str(v) for v in (data.get("address") or {}).values()) or None,
            source_url=response.url,
            line=line,
            raw=data,
        )

    # REST API -------------------------------------------------------------------------------

    def _page(self, path: str, number: str, start: int) -> Request:
        size = int(self.param("page_size", 100))
        url = f"{self.url(path)}?items_per_page={size}&start_index={start}"
        return self.request(url, self.parse_page, path=path, number=number, start=start)

    def parse_page(self, response: Response, path: str, number: str, start: int) -> Iterator[Any]:
        if response.status == 404:
            yield self.reject(response, f"company {number} not found (HTTP 404)")
            return
        page = json.loads(response.text)
        items = page.get("items", [])
        role = "psc" if "significant" in path else None
        for line, item in enumerate(items, start=start + 1):
            key = _officer_id(item) if role is None else item.get("links", {}).get("self")
            kind = "person" if "individual" in item.get("kind", "individual") else "company"
            yield self._person(item, key, kind, response, line)
            yield Relationship(
                f"{number}|{key}|{role or item.get('officer_role')}",
                key,
                number,
                role or item.get("officer_role"),
                object_source=COMPANIES,
                start_date=item.get("appointed_on") or item.get("notified_on"),
                end_date=item.get("resigned_on") or item.get("ceased_on"),
                source_url=response.url,
                line=line,
                raw={"company_number": number},
            )
        if items and start + len(items) < int(page.get("total_results", 0)):
            yield self._page(path, number, start + len(items))


def _birth(born: Any) -> str | None:
    """A published {month, year} as YYYY-MM; what is not (a month missing) as published, for
    the record shape to refuse with its reason."""
    if not isinstance(born, dict) or not born.get("year"):
        return None
    year, month = born.get("year"), born.get("month")
    if isinstance(year, int) and isinstance(month, int):
        return f"{year}-{month:02d}"
    return "-".join(str(part) for part in (year, month) if part is not None)


def _officer_id(item: dict[str, Any]) -> str | None:
    link = item.get("links", {}).get("officer", {}).get("appointments", "")
    return link.split("/")[2] if link.count("/") >= 3 else None
