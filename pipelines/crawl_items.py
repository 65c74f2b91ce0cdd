"""The canonical items spiders yield, and the staged table shape each becomes.

Per-item classes suit API sources; `TableBatch` carries many rows at once for bulk files. Values
stay text as published (dates in any of the accepted formats); the merge checks and types them
by the record shape (`pipelines.shape`), as an import does, so a bad value becomes a rejected row
with its reason, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from pipelines.shape import SHAPES, TableName

FIELDS: dict[TableName, tuple[str, ...]] = {name: shape.fields for name, shape in SHAPES.items()}
KEYS: dict[TableName, str] = {name: shape.key for name, shape in SHAPES.items()}
# every staged row also carries where it came from: URL and line (or item number) in that file
PROVENANCE = ("source_url", "line")


def staged_schema(table: TableName) -> pa.Schema:
    columns = [
        pa.field(name, pa.list_(pa.string()) if name == "alt_names" else pa.string())
        for name in FIELDS[table]
    ]
    return pa.schema([*columns, pa.field("source_url", pa.string()), pa.field("line", pa.int64())])


@dataclass
class Record:
    source_id: str | None
    name: str | None
    kind: str = "unknown"  # 'company', 'person' or 'unknown'
    alt_names: list[str] = field(default_factory=list)
    jurisdiction: str | None = None
    registration_number: str | None = None
    incorporation_date: str | None = None
    birth_date: str | None = None  # YYYY-MM or YYYY-MM-DD
    nationality: str | None = None
    country_of_residence: str | None = None
    address: str | None = None
    source_url: str | None = None
    line: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Relationship:
    """SUBJECT is ROLE of OBJECT: an officer of a company, a proprietor of a title."""

    relationship_id: str | None
    subject_id: str | None
    object_id: str | None
    role: str | None
    subject_source: str | None = None  # None: the crawl's own store source
    object_source: str | None = None
    object_type: str = "record"  # or 'asset'
    start_date: str | None = None
    end_date: str | None = None
    share: str | None = None
    source_url: str | None = None
    line: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Asset:
    asset_id: str | None
    kind: str = "property"
    tenure: str | None = None
    address: str | None = None
    district: str | None = None
    county: str | None = None
    region: str | None = None
    postcode: str | None = None
    price_paid: str | None = None
    date_added: str | None = None
    source_url: str | None = None
    line: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableBatch:
    """Many rows of one table: `data` holds the staged columns (see `staged_schema`) plus the raw
    source columns r0, r1, ... whose names in the published file are `raw_keys`."""

    table: TableName
    data: pa.Table
    raw_keys: list[str]
    shared: bool = False  # the same key may recur with other details (first one is kept)
    # the cells are a table in oad's canonical record shape, read by its header as an import
    # reads a file; `data` then holds only r0, r1, ..., source_url and line
    canonical: bool = False


@dataclass
class ItemBatch:
    """Many per-item rows (Record, Relationship or Asset) of one table at once: a spider that
    reads millions of them from one file (JSON lines) hands them over in batches, staged as
    they come, rather than one Scrapy item each."""

    table: TableName
    items: list[Any]


@dataclass
class Removal:
    """A change-only file says this key is gone from the source."""

    table: TableName
    key: str
    source_url: str | None = None


@dataclass
class Note:
    """Something the crawl's notes should say: columns not used, rows skipped on purpose."""

    text: str
    unused_columns: tuple[str, ...] = ()
    file: str | None = None


@dataclass
class Discovered:
    """A file the publisher's listing named, which the crawl then fetched: its provenance."""

    index_url: str  # the listing (page or API) that named it
    name: str
    url: str
    size: int | None = None  # bytes, as listed
    published: str | None = None  # as listed (a date or a timestamp)


@dataclass
class ResponseDone:
    """Every item of one response has been yielded (a resumed crawl does not fetch it again)."""

    fingerprint: str


ITEM_TABLES: dict[type, TableName] = {
    Record: "records",
    Relationship: "relationships",
    Asset: "assets",
}
