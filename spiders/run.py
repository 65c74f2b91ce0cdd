"""Run one crawl in this process: `python -m spiders.run SOURCE --db FILE [options]`.

Scrapy's reactor cannot be restarted, so each crawl gets a process of its own (`oad crawl`
starts this module). The exit status is 0 when the crawl finished, 3 when it paused (resume with
the same --jobdir) and 1 when it failed; the last line printed is the crawl's row as JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess

from spiders.base import SourceSpider
from spiders.metadata import load_meta
from spiders.settings import crawl_settings

EXIT = {"finished": 0, "paused": 3}


def spider_class(source: str) -> type[SourceSpider]:
    load_meta(source)  # a clear error for an unknown source
    module = importlib.import_module(f"spiders.{source}")
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, SourceSpider)
        and getattr(value, "name", None) == source
    ]
    if len(found) != 1:
        raise ValueError(f"spiders/{source}.py must define one spider named {source!r}")
    return found[0]


def pairs(values: list[str]) -> dict[str, str]:
    parsed = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep:
            raise SystemExit(f"expected NAME=VALUE, got {value!r}")
        parsed[key] = text
    return parsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.run")
    parser.add_argument("source")
    parser.add_argument("--db", required=True)
    parser.add_argument("--dataset")
    parser.add_argument("--base-url")
    parser.add_argument("--jobdir")
    parser.add_argument("--http-cache", action="store_true")
    parser.add_argument("-a", dest="args", action="append", default=[])
    parser.add_argument("-s", dest="settings", action="append", default=[])
    options = parser.parse_args(argv)
    try:
        spider = spider_class(options.source)
    except ValueError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    meta = load_meta(options.source)
    settings = crawl_settings(
        meta, options.db, options.jobdir, options.http_cache, pairs(options.settings)
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    arguments: dict[str, Any] = {**pairs(options.args), "dataset": options.dataset}
    if options.base_url:
        arguments["base_url"] = options.base_url
    process.crawl(crawler, **arguments)
    process.start()
    outcome = getattr(crawler.spider, "outcome", None) or {"status": "failed", "notes": None}
    if outcome["status"] == "finished" and options.jobdir:
        shutil.rmtree(options.jobdir, ignore_errors=True)  # nothing left to resume
    print(json.dumps(outcome, ensure_ascii=False, default=str))
    return EXIT.get(outcome["status"], 1)


if __name__ == "__main__":
    sys.exit(main())
