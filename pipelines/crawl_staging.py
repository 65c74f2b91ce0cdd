"""Staged batches: canonical rows written to Parquet files as a crawl goes, with each row's raw
payload (JSON) and content hash, merged into the store only when the crawl has finished."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.crawl_items import FIELDS, Rejected, Removal, TableBatch, TableName, staged_schema

HASHED_SEPARATOR = "chr(31)"


def hash_sql(table: TableName) -> str:
    """A trusted SQL expression: the md5 of a staged row's fields and raw payload, not of where
    it was found (URL and line), so a row moved in the file is still unchanged."""
    parts = [
        "coalesce(array_to_string(alt_names, chr(30)), '')"
        if name == "alt_names"
        else f"coalesce({name}, '')"
        for name in FIELDS[table]
    ]
    return f"md5(concat_ws({HASHED_SEPARATOR}, {', '.join(parts)}, raw::VARCHAR))"


class Staging:
    """Writes one Parquet file per flushed batch under `directory` (which survives a pause)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, directory: Path, source: str) -> None:
        self.con, self.directory, self.source = con, directory, source
        self._number = len(list(directory.glob("*.parquet")))

    def files(self, kind: str) -> list[str]:
        return sorted(str(p) for p in self.directory.glob(f"{kind}-*.parquet"))

    def write_items(self, table: TableName, items: list[Any]) -> None:
        """Per-item rows (Record, Relationship, Asset) with their raw payload as a dict."""
        if not items:
            return
        columns: dict[str, list[Any]] = defaultdict(list)
        for item in items:
            for name in (*FIELDS[table], "source_url", "line"):
                columns[name].append(getattr(item, name))
            columns["raw"].append(json.dumps(item.raw, ensure_ascii=False, sort_keys=True))
        schema = staged_schema(table).append(pa.field("raw", pa.string()))
        data = pa.table(dict(columns), schema=schema)
        self._write(table, data, "raw::JSON", {})

    def write_batch(self, batch: TableBatch) -> None:
        keys = {f"k{i}": key for i, key in enumerate(batch.raw_keys)}
        pairs = ", ".join(f"$k{i}, r{i}" for i in range(len(batch.raw_keys)))
        self._write(batch.table, batch.data, f"json_object({pairs})", keys, batch.shared)

    def write_rejections(self, rejections: list[Rejected]) -> None:
        if rejections:
            rows = [vars(r) for r in rejections]
            self._save("rejected", pa.Table.from_pylist(rows, schema=_REJECTED))

    def write_removals(self, removals: list[Removal]) -> None:
        if removals:
            self._save("removed", pa.Table.from_pylist([vars(r) for r in removals], _REMOVED))

    def _write(
        self,
        table: TableName,
        data: pa.Table,
        raw_sql: str,
        params: dict[str, str],
        shared: bool = False,
    ) -> None:
        defaults = {
            "subject_source": "$source",
            "object_source": "$source",
            "object_type": "'record'",
        }
        fields = [
            f"coalesce({name}, {defaults[name]}) AS {name}" if name in defaults else name
            for name in FIELDS[table]
        ]
        fields_sql = ", ".join(fields)
        self.con.register("crawl_batch", data)
        try:
            staged = self.con.sql(
                f"WITH b AS (SELECT {fields_sql}, source_url, line, {raw_sql} AS raw"
                f" FROM crawl_batch) SELECT *, {hash_sql(table)} AS content_hash,"
                " $shared AS shared FROM b",
                params={**params, "shared": shared, **self._source_param(fields_sql)},
            ).to_arrow_table()
        finally:
            self.con.unregister("crawl_batch")
        self._save(table, staged)

    def _source_param(self, sql: str) -> dict[str, str]:
        return {"source": self.source} if "$source" in sql else {}

    def _save(self, kind: str, data: pa.Table) -> None:
        """Atomically: a file is either complete or absent, even if the process is killed."""
        self._number += 1
        path = self.directory / f"{kind}-{self._number:06d}.parquet"
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
