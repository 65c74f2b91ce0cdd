"""A crawl's progress, told as JSON lines on standard output for the process that started it
(`spiders.runner`): the bulk download's bytes, then the rows read, then the merge."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

BULK_BYTES = 1 << 20  # a response this large is shown as a download of its own
EVERY = 0.5  # seconds between two reports of the same stage


class CrawlReport:
    def __init__(self, crawler: Crawler) -> None:
        self._stage: str | None = None
        self._last = 0.0
        self._downloads: dict[int, int] = {}  # request id -> bytes received
        crawler.signals.connect(self._headers, signal=signals.headers_received)
        crawler.signals.connect(self._bytes, signal=signals.bytes_received)

    def stage(self, name: str, total: float | None = None, unit: str = "rows") -> None:
        self._stage = name
        self._emit({"stage": name, "total": total, "unit": unit, "done": 0})

    def rows(self, count: int) -> None:
        if self._stage != "read":
            self.stage("read")
        self._throttled({"stage": "read", "unit": "rows", "done": count})

    def error(self, message: str) -> None:
        self._emit({"error": message})

    def finish(self) -> None:
        self._emit({"stage": "done"})

    def _headers(self, headers: Any, body_length: int, request: Any, spider: Any) -> None:
        if body_length and body_length >= BULK_BYTES:
            self._downloads[id(request)] = 0
            name = request.url.rsplit("/", 1)[-1] or request.url
            self.stage(f"download {name}", body_length, "bytes")

    def _bytes(self, data: bytes, request: Any, spider: Any) -> None:
        if id(request) in self._downloads:
            self._downloads[id(request)] += len(data)
            self._throttled({"stage": self._stage, "done": self._downloads[id(request)]})

    def _throttled(self, event: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self._last >= EVERY:
            self._last = now
            self._emit(event)

    def _emit(self, event: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()
