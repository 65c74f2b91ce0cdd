"""The Scrapy item pipeline that writes a crawl into the store.

Items are staged in batches as they come (Parquet under the job directory), and merged into
`records`, `relationships` and `assets` in one transaction when the crawl ends well. A crawl
that fails writes nothing but its `crawls` row (status 'failed', the errors in its notes); one
stopped with a job directory is 'paused' and picks up where it was on the next run.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from pipelines.crawl_items import (
    ITEM_TABLES,
    Note,
    Rejected,
    Removal,
    ResponseDone,
    TableBatch,
    TableName,
)
from pipelines.crawl_log import ImportCounts, finish_crawl, start_crawl
from pipelines.crawl_merge import CrawlCounts, merge_staged
from pipelines.crawl_resume import ResumeState
from pipelines.crawl_staging import Staging
from pipelines.store import Store, connect
from pipelines.upsert import ensure_source

log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path: str = crawler.settings.get("OAD_DB") or "oad.duckdb"
        self.batch_items = crawler.settings.getint("OAD_BATCH_ITEMS", 20_000)
        self.buffers: dict[TableName, list[Any]] = defaultdict(list)
        self.rejected: list[Rejected] = []
        self.removals: list[Removal] = []
        self.notes: list[str] = []
        self.unused: dict[str, tuple[str, ...]] = {}
        self.items = 0
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
        self.store: Store = connect(self.db_path)
        meta = spider.meta  # type: ignore[attr-defined]
        with self.store.transaction() as con:
            ensure_source(
                con, self.source, "spider", title=meta.title, publisher=meta.publisher,
                licence=meta.licence, url=meta.url,
            )  # fmt: skip
            if self.resume.crawl_id is None:
                location = spider.location  # type: ignore[attr-defined]
                self.resume.crawl_id = start_crawl(con, "crawl", location, self.source, "")
            else:
                con.execute(
                    "UPDATE crawls SET status = 'running' WHERE crawl_id = ?",
                    [self.resume.crawl_id],
                )
        self.resume.save()
        self.staging = Staging(self.store.con, self.resume.staging_dir, self.source)

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
        elif isinstance(item, Rejected):
            self.rejected.append(item)
        elif isinstance(item, Removal):
            self.removals.append(item)
            self.items += 1
        elif isinstance(item, Note):
            self._note(item)
        elif isinstance(item, ResponseDone):
            self.flush()  # staged before the response counts as done
            self.resume.finished(item.fingerprint)
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
        crawl_id = self.resume.crawl_id
        assert crawl_id is not None
        try:
            if failures:
                self._end(crawl_id, "failed", {"errors": failures})
            elif reason != "finished":
                status = "paused" if self.resume.jobdir else "failed"
                self._end(crawl_id, status, {"errors": [f"stopped before the end: {reason}"]})
            else:
                self._finish(spider, crawl_id)
        except Exception as error:  # the crawl's row must say so, whatever went wrong
            log.exception("merging the crawl into the store failed")
            self._end(crawl_id, "failed", {"errors": [f"merging into the store failed: {error}"]})
        finally:
            self.staging.close()
            self.store.close()
            self.resume.save()
        spider.outcome = self.store_outcome(crawl_id)  # type: ignore[attr-defined]

    def _finish(self, spider: Spider, crawl_id: int) -> None:
        snapshot: bool = spider.dataset.snapshot  # type: ignore[attr-defined]
        if snapshot and self.items == 0:
            message = "the crawl yielded nothing; refusing to mark every row removed"
            self._end(crawl_id, "failed", {"errors": [message]})
            return
        expected = spider.dataset.expected_items  # type: ignore[attr-defined]
        if not expected.holds(self.items):
            self.notes.append(
                f"{self.items} items, outside the expected {expected.min}..{expected.max}"
            )
        with self.store.transaction() as con:
            counts = merge_staged(con, self.staging, self.source, crawl_id, snapshot)
            summary = _import_counts(counts, self.unused, self.notes)
            finish_crawl(con, crawl_id, summary)
            con.execute(
                "UPDATE crawls SET notes = json_merge_patch(notes, ?) WHERE crawl_id = ?",
                [json.dumps(self._extra_notes(counts), ensure_ascii=False), crawl_id],
            )
            self.store.audit("crawl", {"source": self.source, "crawl_id": crawl_id})
        log.info("crawl %s of %s: %s", crawl_id, self.source, summary.summary())

    def _extra_notes(self, counts: CrawlCounts) -> dict[str, Any]:
        stats = self.crawler.stats
        return {
            "items": self.items,
            "http_requests": stats.get_value("downloader/request_count", 0) if stats else None,
            "duplicates_collapsed": counts.duplicates,
            "unused_columns_by_file": {k: list(v) for k, v in self.unused.items()},
            "tables": {name: vars(c) for name, c in counts.tables.items()},
        }

    def _end(self, crawl_id: int, status: str, notes: dict[str, Any]) -> None:
        for error in notes.get("errors", []):
            log.error("%s", error)
        with self.store.transaction() as con:
            con.execute(
                "UPDATE crawls SET status = ?, finished_at = current_timestamp, notes = ?"
                " WHERE crawl_id = ?",
                [status, json.dumps({**notes, "notes": self.notes}, ensure_ascii=False), crawl_id],
            )

    def store_outcome(self, crawl_id: int) -> dict[str, Any]:
        with connect(self.db_path) as store:
            row = store.con.execute(
                "SELECT status, fetched, new, changed, unchanged, removed, rejected, notes"
                " FROM crawls WHERE crawl_id = ?",
                [crawl_id],
            ).fetchall()[0]
        names = ("status", "fetched", "new", "changed", "unchanged", "removed", "rejected")
        return {"crawl_id": crawl_id, **dict(zip(names, row[:7], strict=True)), "notes": row[7]}


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
        unused_columns=columns,
        notes=notes,
    )
