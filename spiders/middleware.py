"""Downloader middlewares: backing off when a server says "too many requests" (HTTP 429), then
trying again; asking again for a signed link that a paused crawl was handed before it paused."""

from __future__ import annotations

import asyncio
import logging

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.utils.request import request_from_dict

log = logging.getLogger(__name__)


class BackoffMiddleware:
    """Waits for Retry-After (or base × 2^attempt seconds) and re-issues the request."""

    def __init__(self, base: float, retries: int) -> None:
        self.base, self.retries = base, retries

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        settings = crawler.settings
        return cls(
            settings.getfloat("OAD_BACKOFF_BASE", 5.0), settings.getint("OAD_BACKOFF_RETRIES", 6)
        )

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status != 429:
            return response
        attempt = int(request.meta.get("backoff_attempt", 0))
        if attempt >= self.retries:
            return response  # the spider sees the 429 and records the failure
        delay = self._delay(response, attempt)
        log.info("%s: 429 too many requests; waiting %.1f s", request.url, delay)
        await asyncio.sleep(delay)
        retry = request.replace(dont_filter=True)
        retry.meta["backoff_attempt"] = attempt + 1
        return retry

    def _delay(self, response: Response, attempt: int) -> float:
        header = response.headers.get(b"Retry-After")
        if header:
            try:
                return min(float(header.decode()), 600.0)
            except ValueError:
                pass
        return float(self.base * 2**attempt)


class RenewExpiredLinks:
    """A signed link lives for seconds. Handed out before a pause, it comes back on resume from
    Scrapy's saved queue or oad's own list of requests in flight, expired: the request that
    handed it out (kept in its meta by `SourceSpider.signed_link`) is made again instead."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenewExpiredLinks:
        return cls(crawler)

    def process_request(self, request: Request) -> Request | None:
        from spiders.base import RENEW, RUN

        spider = self.crawler.spider
        if RENEW not in request.meta or spider is None:
            return None
        if request.meta.get(RUN) == getattr(spider, "run", None):
            return None
        log.info("%s: a link from before the pause; asking for a fresh one", request.url)
        return request_from_dict(request.meta[RENEW], spider=spider).replace(dont_filter=True)
