"""The Scrapy settings of every crawl, from a source's metadata and the command's options."""

from __future__ import annotations

from typing import Any

from spiders.metadata import SourceMeta

USER_AGENT = "oad/0.1 (overseas asset discovery; public registers only)"


def crawl_settings(
    meta: SourceMeta,
    db_path: str,
    jobdir: str | None = None,
    http_cache: bool = False,
    overrides: dict[str, str] | None = None,
) -> dict[str, Any]:
    delay = 1.0 / meta.rate_limit.requests_per_second
    settings: dict[str, Any] = {
        "BOT_NAME": "oad",
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": meta.rate_limit.concurrent_requests,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 3,
        "DOWNLOADER_MIDDLEWARES": {"spiders.middleware.BackoffMiddleware": 560},
        "ITEM_PIPELINES": {"pipelines.crawl_store.StorePipeline": 300},
        "CONCURRENT_ITEMS": 1,  # items reach the store pipeline in the order yielded
        "DOWNLOAD_MAXSIZE": 0,  # bulk files are large
        "DOWNLOAD_WARNSIZE": 0,
        "HTTPCACHE_ENABLED": http_cache,
        "HTTPCACHE_DIR": "httpcache",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # no listening port beside the crawl
        "LOG_LEVEL": "INFO",
        "OAD_DB": db_path,
    }
    if jobdir:
        settings["JOBDIR"] = jobdir
    settings.update(overrides or {})
    return settings
