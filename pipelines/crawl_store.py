"""The Scrapy item pipeline that writes a crawl into the store.

Items are staged in batches as they come (Parquet, under the job directory when the crawl can
be resumed), without the store: a crawl holds no lock while it fetches. When the crawl ends the
store is opened for writing (waiting up to OAD_WAIT seconds for another writer), and the staged
rows are merged and the crawl's row given its final state, in one transaction: a crawl lands
whole or not at all. A crawl that fails writes nothing but its row ('failed', the errors in its
notes); one stopped with a job directory is 'paused' and picks up where it was on the next run.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import asdict
from typing import Any

import duckdb
from scrapy import Spider, signals
from scrapy.crawler import Crawler

from pipelines.crawl_items import (
    ITEM_TABLES,
    Discovered,
    ItemBatch,
    Note,
    Removal,
    ResponseDone,
    TableBatch,
)
from pipelines.crawl_log import ImportCounts, finish_crawl
from pipelines.crawl_merge import CrawlCounts, merge_staged
from pipelines.crawl_progress import CrawlReport
from pipelines.crawl_resume import ResumeState
from pipelines.crawl_staging import Staging
from pipelines.errors import DEFAULT_WAIT, OadError, RemovalsHeld
from pipelines.rejections import Rejected
from pipelines.shape import TableName
from pipelines.store import connect

log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path: str = crawler.settings.get("OAD_DB") or "oad.duckdb"
        self.crawl_id: int = crawler.settings.getint("OAD_CRAWL_ID")
        self.wait = crawler.settings.getfloat("OAD_WAIT", DEFAULT_WAIT)
        self.accept_removals = crawler.settings.getbool("OAD_ACCEPT_REMOVALS")
        self.batch_items = crawler.settings.getint("OAD_BATCH_ITEMS", 20_000)
        self.buffers: dict[TableName, list[Any]] = defaultdict(list)
        self.rejected: list[Rejected] = []
        self.removals: list[Removal] = []
        self.notes: list[str] = []
        self.discovered: list[dict[str, Any]] = []  # the files the publisher's index named
        self.unused: dict[str, tuple[str, ...]] = {}
        self.items = 0
        self.report = CrawlReport(crawler)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.spider = self.crawler.spider
        assert spider is not None
        self.resume: ResumeState = spider.resume  # type: ignore[attr-defined]
        self.source: str = spider.store_source  # type: ignore[attr-defined]
        self.staging = Staging(self.resume.staging_dir)
        self.items = self.resume.items  # those a stopped run of this crawl staged

    def process_item(self, item: Any) -> Any:
        table = ITEM_TABLES.get(type(item))
        if table is not None:
            self.buffers[table].append(item)
            self.items += 1
            if len(self.buffers[table]) >= self.batch_items:
                self.flush()
        elif isinstance(item, TableBatch):
            self.staging.write_batch(item)
            self.items += item.data.num_rows
        elif isinstance(item, ItemBatch):
            self.staging.write_items(item.table, item.items)
            self.items += len(item.items)
        elif isinstance(item, Rejected):
            self.rejected.append(item)
        elif isinstance(item, Removal):
            self.removals.append(item)
            self.items += 1
        elif isinstance(item, Note):
            self._note(item)
        elif isinstance(item, Discovered):
            self.discovered.append(asdict(item))
            log.info("%s lists %s (%s bytes)", item.index_url, item.url, item.size)
        elif isinstance(item, ResponseDone):
            self.flush()  # staged before the response counts as done
            self.resume.finished(item.fingerprint, self.items)
        self.report.rows(self.items)
        return item

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        where = getattr(response, "url", None) or spider.name
        spider.failures.append(f"{where}: storing an item failed: {failure.getErrorMessage()}")  # type: ignore[attr-defined]

    def _note(self, note: Note) -> None:
        if note.unused_columns:
            self.unused[note.file or ""] = note.unused_columns
            log.warning("%s: columns not used: %s", note.file, ", ".join(note.unused_columns))
        if note.text:
            self.notes.append(note.text)
            log.info("%s", note.text)

    def flush(self) -> None:
        for table, items in self.buffers.items():
            self.staging.write_items(table, items)
        self.buffers.clear()
        self.staging.write_rejections(self.rejected)
        self.staging.write_removals(self.removals)
        self.rejected, self.removals = [], []
        self.staging.wait()  # every staged file complete before a response counts as done

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        failures: list[str] = spider.failures  # type: ignore[attr-defined]
        status = "failed"
        try:
            if failures:
                self._end("failed", {"errors": failures})
            elif reason != "finished":
                status = "paused" if self.resume.jobdir else "failed"
                self._end(status, {"errors": [f"stopped before the end: {reason}"]})
            else:
                status = self._finish(spider)
        except Exception as error:  # the crawl's row must say so, whatever went wrong
            log.exception("merging the crawl into the store failed")
            status = "failed"
            self._record_failure(f"merging into the store failed: {error}")
        finally:
            self.staging.close()
            if status == "finished" or not self.resume.jobdir:
                self.resume.clear()  # nothing left to resume: staged files go
            else:
                self.resume.save()
            self.report.finish()
        spider.final_status = status  # type: ignore[attr-defined]

    def _finish(self, spider: Spider) -> str:
        snapshot: bool = spider.dataset.snapshot  # type: ignore[attr-defined]
        if snapshot and self.items == 0:
            message = "the crawl yielded nothing; refusing to mark every row removed"
            self._end("failed", {"errors": [message]})
            return "failed"
        expected = spider.dataset.expected_items  # type: ignore[attr-defined]
        if not expected.holds(self.items):
            self.notes.append(
                f"{self.items} items, outside the expected {expected.min}..{expected.max}"
            )
        self.report.stage("merge")
        guard = None if self.accept_removals else spider.dataset.removal_guard  # type: ignore[attr-defined]
        try:
            return self._merge(snapshot, guard, spider.dataset.snapshot_of)  # type: ignore[attr-defined]
        except RemovalsHeld as held:
            self._end("held", {"held": str(held), "would_remove": held.removing, "live": held.live})
            return "held"

    def _merge(
        self, snapshot: bool, guard: float | None, tables: tuple[TableName, ...] | None
    ) -> str:
        with connect(self.db_path, wait=self.wait) as store, store.transaction() as con:
            counts = merge_staged(
                con, self.staging, self.source, self.crawl_id, snapshot, guard, tables
            )
            summary = _import_counts(counts, self.unused, self.notes)
            finish_crawl(con, self.crawl_id, summary)
            _patch_notes(con, self.crawl_id, self._extra_notes(counts))
            store.audit("crawl", {"source": self.source, "crawl_id": self.crawl_id})
        log.info("crawl %s of %s: %s", self.crawl_id, self.source, summary.summary())
        return "finished"

    def _extra_notes(self, counts: CrawlCounts) -> dict[str, Any]:
        stats = self.crawler.stats
        return {
            "items": self.items,
            "discovered": self.discovered,
            "http_requests": stats.get_value("downloader/request_count", 0) if stats else None,
            "duplicates_collapsed": counts.duplicates,
            "unused_columns_by_file": {k: list(v) for k, v in self.unused.items()},
            "tables": {name: vars(c) for name, c in counts.tables.items()},
        }

    def _end(self, status: str, notes: dict[str, Any]) -> None:
        for error in notes.get("errors", []):
            log.error("%s", error)
        with connect(self.db_path, wait=self.wait) as store, store.transaction() as con:
            con.execute(
                "UPDATE crawls SET status = ?, finished_at = current_timestamp WHERE crawl_id = ?",
                [status, self.crawl_id],
            )
            _patch_notes(
                con, self.crawl_id, {**notes, "notes": self.notes, "discovered": self.discovered}
            )

    def _record_failure(self, reason: str) -> None:
        """The row says failed; when the store cannot be had, the parent learns why from the
        progress stream and records it."""
        try:
            self._end("failed", {"errors": [reason]})
        except OadError as error:
            self.report.error(f"{reason}; and the crawl's row could not be written: {error}")


def _patch_notes(con: duckdb.DuckDBPyConnection, crawl_id: int, notes: dict[str, Any]) -> None:
    con.execute(
        "UPDATE crawls SET notes = json_merge_patch(coalesce(notes, '{}'), ?) WHERE crawl_id = ?",
        [json.dumps(notes, ensure_ascii=False), crawl_id],
    )


def _import_counts(
    counts: CrawlCounts, unused: dict[str, tuple[str, ...]], notes: list[str]
) -> ImportCounts:
    columns = tuple(dict.fromkeys(c for cols in unused.values() for c in cols))
    return ImportCounts(
        loaded=counts.total("new"),
        updated=counts.total("changed"),
        unchanged=counts.total("unchanged"),
        rejected=counts.rejected,
        removed=counts.total("removed"),
        refreshed=counts.total("refreshed"),
        unused_columns=columns,
        notes=notes,
    )
