"""Crawl payloads: the cells of a staged row with a value, both from bulk batches and items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipelines.crawl_items import Record, TableBatch, staged_schema
from pipelines.crawl_log import start_crawl
from pipelines.crawl_merge import CrawlCounts, merge_staged
from pipelines.crawl_staging import Staging
from pipelines.store import Store
from pipelines.upsert import ensure_source
from tests.conftest import rows_by

HEADER = ["CompanyNumber", "CompanyName", "Care Of", "PostTown"]


def bulk(*rows: tuple[str, ...]) -> TableBatch:
    """A records batch whose cells are ROWS under HEADER, as a bulk file's reader makes it."""
    data: dict[str, pa.Array] = {}
    for spec in staged_schema("records"):
        data[spec.name] = pa.nulls(len(rows), spec.type)
    data["source_id"] = pa.array([r[0] for r in rows])
    data["name"] = pa.array([r[1] for r in rows])
    data["kind"] = pa.array(["company"] * len(rows))
    data["line"] = pa.array(range(2, len(rows) + 2), pa.int64())
    for i in range(len(HEADER)):
        data[f"r{i}"] = pa.array([r[i] for r in rows], pa.string())
    return TableBatch("records", pa.table(data), HEADER)


def crawl(store: Store, tmp_path: Path, *staged: TableBatch | Record) -> CrawlCounts:
    directory = tmp_path / f"staging-{len(list(tmp_path.iterdir()))}"
    directory.mkdir()
    with store.transaction() as con:
        ensure_source(con, "src", "spider")
        crawl_id = start_crawl(con, "crawl", "test", "src", "")
        staging = Staging(directory)
        for item in staged:
            if isinstance(item, TableBatch):
                staging.write_batch(item)
            else:
                staging.write_items("records", [item])
        return merge_staged(con, staging, "src", crawl_id, snapshot=False)


def payloads(store: Store) -> dict[str, Any]:
    rows = rows_by(store, "SELECT source_id, raw FROM records", "source_id")
    return {key: json.loads(row["raw"]) for key, row in rows.items()}


def test_bulk_payloads_hold_only_cells_with_a_value(store: Store, tmp_path: Path) -> None:
    crawl(store, tmp_path, bulk(("01", "A LTD", "", "LONDON"), ("02", "B LTD", "", "")))
    assert payloads(store) == {
        "01": {"CompanyNumber": "01", "CompanyName": "A LTD", "PostTown": "LONDON"},
        "02": {"CompanyNumber": "02", "CompanyName": "B LTD"},
    }


def test_item_payloads_hold_only_values(store: Store, tmp_path: Path) -> None:
    raw = {"company_number": "03", "etag": None, "care_of": "", "links": []}
    crawl(store, tmp_path, Record("03", "C LTD", "company", raw=raw))
    assert payloads(store)["03"] == {"company_number": "03", "links": []}


def test_a_bulk_cell_filled_in_is_a_change(store: Store, tmp_path: Path) -> None:
    rows = (("01", "A LTD", "", "LONDON"), ("02", "B LTD", "", ""))
    first = crawl(store, tmp_path, bulk(*rows))
    assert first.total("new") == 2
    assert crawl(store, tmp_path, bulk(*rows)).total("unchanged") == 2
    filled = crawl(store, tmp_path, bulk(rows[0], ("02", "B LTD", "MR X", "")))
    assert (filled.total("changed"), filled.total("unchanged")) == (1, 1)
    assert payloads(store)["02"]["Care Of"] == "MR X"
    emptied = crawl(store, tmp_path, bulk(*rows))
    assert (emptied.total("changed"), emptied.total("unchanged")) == (1, 1)
    assert "Care Of" not in payloads(store)["02"]


def test_an_item_value_filled_in_is_a_change(store: Store, tmp_path: Path) -> None:
    crawl(store, tmp_path, Record("03", "C LTD", "company", raw={"n": "03", "care_of": None}))
    again = crawl(store, tmp_path, Record("03", "C LTD", "company", raw={"n": "03", "care_of": ""}))
    assert again.total("unchanged") == 1  # None and '' are both no value
    filled = {"n": "03", "care_of": "MR X"}
    assert (
        crawl(store, tmp_path, Record("03", "C LTD", "company", raw=filled)).total("changed") == 1
    )
