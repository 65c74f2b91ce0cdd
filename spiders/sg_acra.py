"""Singapore ACRA entities from data.gov.sg's datastore, page by page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response

from pipelines.crawl_items import Note, Record
from spiders.base import SourceSpider

USED = [
    "_id",
    "uen",
    "entity_name",
    "registration_incorporation_date",
    "reg_street_name",
    "reg_postal_code",
    "entity_type_description",
    "uen_status",
    "entity_status_description",
]


class SgAcra(SourceSpider):
    name = "sg_acra"

    def first_requests(self) -> Iterator[Request]:
        for resource in self.param("resources", []):
            yield self._page(resource, 0)

    def _page(self, resource: str, offset: int) -> Request:
        size = int(self.param("page_size", 1000))
        url = (
            f"{self.url(self.dataset.paths[0])}?resource_id={resource}&offset={offset}&limit={size}"
        )
        return self.request(url, self.parse_page, resource=resource, offset=offset)

    def parse_page(self, response: Response, resource: str, offset: int) -> Iterator[Any]:
        result = json.loads(response.text)["result"]
        rows = result.get("records", [])
        unused: set[str] = set()
        for line, row in enumerate(rows, start=offset + 1):
            fields = dict(row)
            address = " ".join(
                filter(
                    None, (fields.pop("reg_street_name", None), fields.pop("reg_postal_code", None))
                )
            )
            yield Record(
                fields.pop("uen", None),
                fields.pop("entity_name", None),
                "company",
                jurisdiction="SG",
                registration_number=row.get("uen"),
                incorporation_date=fields.pop("registration_incorporation_date", None),
                address=address or None,
                source_url=response.url,
                line=line,
                raw=row,
            )
            unused |= set(fields) - set(USED)
        yield Note("", tuple(sorted(unused)), response.url)
        if rows and offset + len(rows) < int(result.get("total", 0)):
            yield self._page(resource, offset + len(rows))
