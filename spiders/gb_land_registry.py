"""HM Land Registry OCOD/CCOD: each title an asset, each of its (up to four) proprietors a record,
and a 'proprietor' edge from the record to the title. A change-only file's D rows remove titles.

The files come through the Use land and property data API: its listing names the current files,
a file's endpoint answers with a signed download link (on a storage host, fetched without the
key), and the CSV in the zip ends with a 'Row Count' trailer row, which is checked, not loaded."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
from scrapy.http import Request, Response

from pipelines.crawl_items import Note, Removal, TableBatch
from pipelines.rejections import Rejected
from pipelines.text_cells import Batch
from spiders.base import SourceSpider
from spiders.columns import Columns, ColumnUse, join_present
from spiders.listing import ListedFile, size_in_bytes

API = "/api/v1/datasets"
TRAILER = r"(?i)^\s*row count\s*:?\s*$"  # the first cell of the file's last row
COUNT = re.compile(r"^\s*(\d[\d,]*)\s*$")
MONTH = re.compile(r"^(\d{4})[_-](\d{2})$")

BLOCK = [
    "Proprietor Name",
    "Company Registration No.",
    "Proprietorship Category",
    "Country Incorporated",
    "Address (1)",
    "Address (2)",
    "Address (3)",
]


@dataclass(frozen=True)
class Trailer:
    """The 'Row Count' row that ends a published file."""

    line: int | None
    cells: list[str]

    @property
    def count(self) -> int | None:
        """The count it gives: its first cell after the label that is a whole number."""
        for cell in self.cells[1:]:
            found = COUNT.match(cell)
            if found:
                return int(found.group(1).replace(",", ""))
        return None


class GbLandRegistry(SourceSpider):
    name = "gb_land_registry"
    signed_files = True

    def __init__(
        self, dataset: str | None = None, base_url: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(dataset, base_url, **kwargs)
        self.month = _month(kwargs.get("month"))

    @property
    def api_dataset(self) -> str:
        return str(self.dataset.params["api_dataset"])

    @property
    def file_kind(self) -> str:
        return str(self.dataset.params["file_kind"]).upper()

    # discovery ------------------------------------------------------------------------------

    def first_requests(self) -> Iterator[Request]:
        """The API's listing of the current files (or, with `-a month=YYYY_MM`, its history
        listing); `-a files=...` names API file endpoints or direct file URLs instead."""
        fixed = self.fixed_files()
        if fixed:
            yield from (self._fixed(path) for path in fixed)
            return
        listing = self.dataset.entry if self.month is None else f"{API}/history/{self.api_dataset}"
        yield self.request(self.url(listing), self.parse_index)

    def _fixed(self, path: str) -> Request:
        url = self.url(path)
        if f"{API}/" in urlsplit(url).path:  # a file's endpoint: it answers with the link
            return self.request(url, self.parse_download_link)
        return self.request(url, self.parse_file, authorised=False)

    def listed_files(self, response: Response) -> list[ListedFile]:
        """The newest file of the dataset's kind (FULL or COU) that the listing names: the
        current listing's `result.resources`, or the history listing's `dataset_history`."""
        answer = _answer(response)
        if "dataset_history" in answer:
            endpoint = f"{API}/history/{self.api_dataset}"
            entries = [
                (e.get("filename"), e.get("file_size"), e.get("last_updated"))
                for e in _objects(answer["dataset_history"])
            ]
        else:
            endpoint = f"{API}/{self.api_dataset}"
            result = answer.get("result")
            if not isinstance(result, dict):
                raise ValueError(f"{response.url}: the answer holds no result")
            published = result.get("last_updated")
            entries = [
                (r.get("file_name"), r.get("file_size"), published)
                for r in _objects(result.get("resources"))
            ]
        chosen = self._newest(entries)
        if chosen is None:
            return []
        name, size, published = chosen
        return [
            ListedFile(
                name,
                self.url(f"{endpoint}/{quote(name)}"),
                size_in_bytes(str(size)) if size is not None else None,
                str(published) if published is not None else None,
                handler="parse_download_link",
            )
        ]

    def _newest(self, entries: list[tuple[Any, Any, Any]]) -> tuple[str, Any, Any] | None:
        """The entry whose file name is this dataset's kind, of the month asked for (or the
        newest month); names are trusted only in the publisher's pattern."""
        pattern = re.compile(
            rf"^{re.escape(self.api_dataset.upper())}_{self.file_kind}_(\d{{4}})_(\d{{2}})\.zip$"
        )
        found = []
        for name, size, published in entries:
            matched = pattern.match(name) if isinstance(name, str) else None
            if matched is None:
                continue
            month = f"{matched.group(1)}_{matched.group(2)}"
            if self.month is None or month == self.month:
                found.append((month, name, size, published))
        if not found:
            return None
        _, name, size, published = max(found, key=lambda entry: entry[0])
        return name, size, published

    def parse_download_link(self, response: Response) -> Iterator[Any]:
        """A file endpoint's answer: the signed link, valid for seconds, fetched at once and
        without the key (it is on another host, so the API's request delay does not hold it)."""
        result = _answer(response).get("result")
        link = result.get("download_url") if isinstance(result, dict) else None
        if not isinstance(link, str) or not link.startswith(("https://", "http://")):
            raise ValueError(f"{response.url}: the answer holds no download_url")
        yield self.signed_link(response, link, self.parse_file)

    # the file -------------------------------------------------------------------------------

    def parse_file(self, response: Response) -> Iterator[Any]:
        """The bulk path, with the 'Row Count' trailer row taken out of the rows (whole, or
        refused by the reader for its few cells) and its count checked against them."""
        for table in self.tables(response):
            use = ColumnUse(table.label, table.header)
            trailers: list[Trailer] = []
            read = 0
            for batch in table.batches:
                rows, found = _without_trailer(batch)
                trailers += found
                read += rows.cells.num_rows
                if rows.cells.num_rows:
                    yield from self.parse_columns(Columns(use, rows.cells, rows.lines))
            for rejected in table.rejections:  # complete once the batches are read
                trailer = _trailer_refused(rejected)
                if trailer is None:
                    read += 1
                    yield rejected
                else:
                    trailers.append(trailer)
            yield _trailer_note(table.label, trailers, read)
            yield Note(f"{table.label}: read as {table.encoding}", use.unused(), table.label)

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


def _month(value: Any) -> str | None:
    """`-a month=2025_01` (or 2025-01) as the API's file names spell it."""
    if value is None or value == "":
        return None
    found = MONTH.match(str(value).strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"month must be YYYY_MM (e.g. 2025_01), got {value!r}")
    return f"{found.group(1)}_{found.group(2)}"


def _answer(response: Response) -> dict[str, Any]:
    """The API's JSON answer; its own refusal (`success: false`) as a clear error."""
    try:
        answer = json.loads(response.body)
    except ValueError:
        raise ValueError(f"{response.url}: the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise ValueError(f"{response.url}: the answer is not a JSON object")
    if answer.get("success") is False:
        raise ValueError(f"{response.url}: {answer.get('error') or 'the API refused the request'}")
    return answer


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _without_trailer(batch: Batch) -> tuple[Batch, list[Trailer]]:
    """The batch without any row whose first cell is 'Row Count', and those rows."""
    first = batch.cells.column(0)
    if first.type != pa.string():
        first = first.cast(pa.string(), safe=False)
    is_trailer = pc.fill_null(pc.match_substring_regex(first, TRAILER), False)
    if not pc.any(is_trailer).as_py():
        return batch, []
    found = batch.cells.filter(is_trailer)
    lines = pc.filter(batch.lines, is_trailer).to_pylist()
    columns = [column.to_pylist() for column in found.columns]
    trailers = [
        Trailer(line, [str(column[i] or "") for column in columns]) for i, line in enumerate(lines)
    ]
    keep = pc.invert(is_trailer)
    return Batch(batch.cells.filter(keep), pc.filter(batch.lines, keep)), trailers


def _trailer_refused(rejected: Rejected) -> Trailer | None:
    """The trailer when the reader refused it for having fewer cells than the header."""
    if not rejected.reason.startswith("malformed row") or not rejected.raw:
        return None
    cells = next(csv.reader([rejected.raw]), [])
    if not cells or re.match(TRAILER, cells[0]) is None:
        return None
    return Trailer(rejected.line, cells)


def _trailer_note(label: str, trailers: list[Trailer], read: int) -> Note:
    """What the trailer says of the rows read: a mismatch (a file cut short or padded, or a
    count that counts otherwise) is said in the crawl's notes; the rows read are loaded."""
    if not trailers:
        return Note(f"{label}: no 'Row Count' trailer row, the rows read ({read}) not checked")
    trailer = trailers[-1]
    where = f"the 'Row Count' trailer (line {trailer.line})"
    if trailer.count is None:
        return Note(f"{label}: {where} gives no count; {read} rows read")
    if trailer.count == read:
        return Note(f"{label}: {where} counts {read} rows, as read")
    return Note(f"{label}: {where} counts {trailer.count} rows, but {read} were read")
