"""Records in oad's canonical shape published at a URL: a data vendor's feed, or a bank's own
register extracts on an internal server. Each file is read as `oad records import` reads one
(the same columns and aliases, the same checks), into the source named by `-a source=NAME`."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from scrapy.http import Request

from pipelines.columns import load_spec, map_header
from pipelines.crawl_items import TableBatch
from spiders.base import SourceSpider
from spiders.columns import Columns


class RecordsFeed(SourceSpider):
    name = "records_feed"

    def first_requests(self) -> Iterator[Request]:
        paths = self.param("paths", self.dataset.paths)
        for path in paths.split(",") if isinstance(paths, str) else paths:
            yield self.request(self.url(path.strip()), self.parse_file)

    def wanted_member(self, name: str) -> bool:
        return name.lower().endswith((".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".parquet"))

    def parse_columns(self, columns: Columns) -> Iterator[TableBatch]:
        """The cells as published; their header says which column holds which field."""
        header = map_header(columns.file.label, columns.file.header, load_spec("records"))
        columns.ignore(*(t for t in columns.file.header if t not in header.unused))
        data = {f"r{i}": array for i, array in enumerate(columns.batch.columns)}
        data["source_url"] = pa.array([columns.file.label] * columns.rows, pa.string())
        data["line"] = columns.lines
        yield TableBatch("records", pa.table(data), list(columns.file.header), canonical=True)
