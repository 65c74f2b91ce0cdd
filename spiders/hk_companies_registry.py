"""Hong Kong Companies Registry index: one record per company; the Chinese name is an alt name."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow.compute as pc

from pipelines.crawl_items import TableBatch
from spiders.base import SourceSpider
from spiders.columns import Columns, blank_to_null


class HkCompaniesRegistry(SourceSpider):
    name = "hk_companies_registry"

    def parse_columns(self, columns: Columns) -> Iterator[TableBatch]:
        number = columns.pop("Reg no.")
        # "ENGLISH NAME\n中文名稱": the first line is the name, any other line an alt name
        lines = pc.split_pattern(columns.pop("Name"), "\n", max_splits=1)
        columns.ignore("", "Dissolved", "Type")  # the row counter; kept in the raw payload
        yield self.batch(
            "records",
            columns,
            {
                "source_id": number,
                "name": blank_to_null(pc.list_element(lines, 0)),
                "alt_names": pc.list_slice(lines, 1),
                "kind": "company",
                "jurisdiction": "HK",
                "registration_number": number,
                "incorporation_date": columns.pop("Incorporated"),
            },
        )
