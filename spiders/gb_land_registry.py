"""HM Land Registry OCOD/CCOD: each title an asset, each of its (up to four) proprietors a record,
and a 'proprietor' edge from the record to the title. A change-only file's D rows remove titles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.crawl_items import Removal, TableBatch
from spiders.base import SourceSpider
from spiders.columns import Columns, join_present

BLOCK = [
    "Proprietor Name",
    "Company Registration No.",
    "Proprietorship Category",
    "Country Incorporated",
    "Address (1)",
    "Address (2)",
    "Address (3)",
]


class GbLandRegistry(SourceSpider):
    name = "gb_land_registry"

    def parse_columns(self, columns: Columns) -> Iterator[Any]:
        title = columns.pop("Title Number")
        mask = None
        if columns.has("Change Indicator"):
            change = columns.pop("Change Indicator")
            columns.ignore("Change Date")
            yield from self._removals(columns, title, pc.equal(change, "D"))
            mask = pc.equal(change, "A")
        added = columns.pop("Date Proprietor Added")
        yield self.batch("assets", columns, self._asset(columns, title, added), mask)
        columns.ignore("Multiple Address Indicator", "Additional Proprietor Indicator")
        for n in range(1, 5):
            yield from self._proprietor(columns, n, title, added, mask)

    def _asset(self, columns: Columns, title: pa.Array, added: pa.Array) -> dict[str, Any]:
        return {
            "asset_id": title,
            "kind": "property",
            "tenure": columns.pop("Tenure"),
            "address": columns.pop("Property Address"),
            "district": columns.pop("District"),
            "county": columns.pop("County"),
            "region": columns.pop("Region"),
            "postcode": columns.pop("Postcode"),
            "price_paid": columns.pop("Price Paid"),
            "date_added": added,
        }

    def _proprietor(
        self, columns: Columns, n: int, title: pa.Array, added: pa.Array, mask: pa.Array | None
    ) -> Iterator[TableBatch]:
        names = [
            f"{c} ({n})" if c.startswith(("Prop", "Comp", "Country")) else f"Proprietor ({n}) {c}"
            for c in BLOCK
        ]
        block = {c: columns.pop_optional(name) for c, name in zip(BLOCK, names, strict=True)}
        country = block["Country Incorporated"]
        if columns.file.position(names[3]) is None:  # CCOD: UK companies
            country = pa.array([self.param("jurisdiction")] * columns.rows, pa.string())
        present = pc.is_valid(block["Proprietor Name"])
        if mask is not None:
            present = pc.and_(present, mask)
        # no register number for many overseas companies: the name stands in for it
        number_or_name = pc.coalesce(
            block["Company Registration No."],
            pc.binary_join_element_wise("name:", block["Proprietor Name"], ""),
        )
        key = pc.binary_join_element_wise(pc.coalesce(country, ""), number_or_name, "|")
        raw = (BLOCK, [block[c] for c in BLOCK])
        record = {
            "source_id": key,
            "name": block["Proprietor Name"],
            "kind": "company",
            "jurisdiction": country,
            "registration_number": block["Company Registration No."],
            "address": join_present(
                ", ", block["Address (1)"], block["Address (2)"], block["Address (3)"]
            ),
        }
        yield self.batch("records", columns, record, present, raw, shared=True)
        edge = {
            "relationship_id": pc.binary_join_element_wise(title, key, "|"),
            "subject_id": key,
            "object_id": title,
            "object_type": "asset",
            "role": "proprietor",
            "start_date": added,
        }
        yield self.batch("relationships", columns, edge, present, raw)

    def _removals(self, columns: Columns, title: pa.Array, deleted: pa.Array) -> Iterator[Removal]:
        for key in pc.filter(title, deleted).to_pylist():
            yield Removal("assets", key, columns.file.label)
