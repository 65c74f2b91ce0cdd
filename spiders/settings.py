"""The Scrapy settings of every crawl, from a source's metadata and the crawl's options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spiders.metadata import SourceMeta

USER_AGENT = "oad/0.1 (overseas asset discovery; public registers only)"


def pairs(values: Sequence[str]) -> dict[str, str]:
    """NAME=VALUE arguments as a dict; ValueError naming the one that is not of that form."""
    parsed = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected NAME=VALUE, got {value!r}")
        parsed[key.strip()] = text
    return parsed


# what a value must read as, by the type of Scrapy's default (some whole-number defaults, such
# as DOWNLOAD_DELAY's 0, take fractions)
_KINDS = {bool: "true or false", int: "a number", float: "a number"}


def setting_pairs(values: Sequence[str]) -> dict[str, str]:
    """-s NAME=VALUE settings as a dict; ValueError naming one whose value is not of the kind
    Scrapy's default for it is (a number for DOWNLOAD_DELAY), before any crawl starts."""
    from scrapy.settings import Settings

    parsed = pairs(values)
    defaults = Settings()
    for name, text in parsed.items():
        kind = type(defaults.get(name))
        if kind not in _KINDS:
            continue
        given = Settings({name: text})
        read = given.getbool if kind is bool else given.getfloat
        try:
            read(name)
        except ValueError:
            raise ValueError(f"setting {name}={text!r}: must be {_KINDS[kind]}") from None
    return parsed


def crawl_settings(
    meta: SourceMeta,
    db_path: str,
    crawl_id: int,
    jobdir: str | None = None,
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
        "DOWNLOADER_MIDDLEWARES": {
            "spiders.middleware.BackoffMiddleware": 560,
            "spiders.middleware.RenewExpiredLinks": 100,
        },
        "ITEM_PIPELINES": {"pipelines.crawl_store.StorePipeline": 300},
        "CONCURRENT_ITEMS": 1,  # items reach the store pipeline in the order yielded
        "DOWNLOAD_MAXSIZE": 0,  # bulk files are large
        "DOWNLOAD_WARNSIZE": 0,
        "HTTPCACHE_ENABLED": False,
        "HTTPCACHE_DIR": "httpcache",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # no listening port beside the crawl
        "LOG_LEVEL": "WARNING",  # -s LOG_LEVEL=INFO for Scrapy's own account of the crawl
        "OAD_DB": db_path,
        "OAD_CRAWL_ID": crawl_id,
    }
    if jobdir:
        settings["JOBDIR"] = jobdir
    settings.update(overrides or {})
    return settings
