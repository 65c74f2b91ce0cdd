"""Staged batches: canonical rows written to Parquet files as a crawl goes, merged into the store
only when the crawl has finished.

Per-item rows are staged with their raw payload (JSON text). Bulk-file batches are staged as
their cells (`CELLS` files, the file's header in the Parquet metadata): their payloads are built
at the merge, in one pass over every batch, rather than batch by batch while the crawl is
reading the file. Nothing here opens the store: a crawl holds no lock while it fetches.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.crawl_items import FIELDS, Removal, TableBatch, staged_schema
from pipelines.payloads import payload_text
from pipelines.rejections import Rejected
from pipelines.shape import TableName

ITEMS = "items"  # file name prefix of per-item rows: items-<table>-<number>.parquet
CELLS = "cells"  # file name prefix of bulk batches: cells-<table>-<number>.parquet
RAW_KEYS = b"oad_raw_keys"  # Parquet metadata: the published names of the cells r0, r1, ...
CANONICAL = b"oad_canonical"  # Parquet metadata: the cells are a canonical record table
_MOST_PENDING = 2


@dataclass(frozen=True)
class CellGroup:
    header: tuple[str, ...]  # the published names of the cells r0, r1, ...
    canonical: bool  # a canonical record table, read by its header


class Staging:
    """Writes one Parquet file per flushed batch under `directory` (which survives a pause).

    Files are written by one background thread, in the order they were handed over, so that
    encoding a batch overlaps with reading the next one; `wait()` returns once every file handed
    over is complete (and raises what writing one raised). Listing the files waits first.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._number = len(list(directory.glob("*.parquet")))
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oad-staging")
        self._pending: deque[Future[None]] = deque()

    def files(self, kind: str) -> list[str]:
        self.wait()
        return sorted(str(p) for p in self.directory.glob(f"{kind}-*.parquet"))

    def item_files(self, table: TableName) -> list[str]:
        return self.files(f"{ITEMS}-{table}")

    def cell_files(self, table: TableName) -> dict[CellGroup, list[str]]:
        """The bulk batches of TABLE, grouped by the header their cells have."""
        groups: dict[CellGroup, list[str]] = defaultdict(list)
        for path in self.files(f"{CELLS}-{table}"):
            metadata = pq.read_schema(path).metadata or {}
            header = tuple(json.loads(metadata[RAW_KEYS]))
            groups[CellGroup(header, CANONICAL in metadata)].append(path)
        return dict(groups)

    def wait(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Waits for the files handed over, then stops the writing thread."""
        try:
            self.wait()
        finally:
            self._writer.shutdown(wait=True, cancel_futures=True)

    def write_items(self, table: TableName, items: list[Any]) -> None:
        """Per-item rows (Record, Relationship, Asset) with their raw payload as a dict."""
        if not items:
            return
        columns: dict[str, list[Any]] = defaultdict(list)
        for item in items:
            for name in (*FIELDS[table], "source_url", "line"):
                columns[name].append(getattr(item, name))
            columns["raw"].append(payload_text(item.raw))
        schema = staged_schema(table).append(pa.field("raw", pa.string()))
        self._save(f"{ITEMS}-{table}", pa.table(dict(columns), schema=schema))

    def write_batch(self, batch: TableBatch) -> None:
        shared = pa.array([batch.shared] * batch.data.num_rows, pa.bool_())
        data = batch.data.append_column("shared", shared)
        metadata = {RAW_KEYS: json.dumps(batch.raw_keys, ensure_ascii=False).encode()}
        if batch.canonical:
            metadata[CANONICAL] = b"1"
        self._save(f"{CELLS}-{batch.table}", data.replace_schema_metadata(metadata))

    def write_rejections(self, rejections: list[Rejected]) -> None:
        if rejections:
            rows = [vars(r) for r in rejections]
            self._save("rejected", pa.Table.from_pylist(rows, schema=_REJECTED))

    def write_removals(self, removals: list[Removal]) -> None:
        if removals:
            self._save("removed", pa.Table.from_pylist([vars(r) for r in removals], _REMOVED))

    def _save(self, kind: str, data: pa.Table) -> None:
        self._number += 1
        path = self.directory / f"{kind}-{self._number:06d}.parquet"
        while len(self._pending) >= _MOST_PENDING:  # bounds the batches held in memory
            self._pending.popleft().result()
        self._pending.append(self._writer.submit(_write, data, path))


def _write(data: pa.Table, path: Path) -> None:
    """Atomically: a file is either complete or absent, even if the process is killed."""
    temp = path.with_suffix(".tmp")
    pq.write_table(data, temp)
    os.replace(temp, path)


_REJECTED = pa.schema(
    [
        ("file", pa.string()),
        ("line", pa.int64()),
        ("reason", pa.string()),
        ("field", pa.string()),
        ("raw", pa.string()),
    ]
)
_REMOVED = pa.schema([("table", pa.string()), ("key", pa.string()), ("source_url", pa.string())])
