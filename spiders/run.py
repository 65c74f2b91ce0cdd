"""Run one crawl in this process: `python -m spiders.run SOURCE --db FILE --crawl-id N ...`.

Started by `spiders.runner.run_crawl`, which has recorded the crawl's row: this process fetches,
stages, and merges into the store at the end, writing the row's final state there. Standard
output carries progress as JSON lines; the exit status is 0 when the crawl finished, 3 when it
paused (resume with the same --jobdir) and 1 when it failed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess

from pipelines.errors import OadError
from pipelines.processes import stop_with
from pipelines.store import connect
from spiders.base import SourceSpider
from spiders.metadata import load_meta
from spiders.settings import crawl_settings, pairs, setting_pairs

EXIT = {"finished": 0, "paused": 3, "held": 4}


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.run")
    parser.add_argument("source")
    parser.add_argument("--db", required=True)
    parser.add_argument("--crawl-id", type=int, required=True)
    parser.add_argument("--dataset")
    parser.add_argument("--base-url")
    parser.add_argument("--jobdir")
    parser.add_argument("-a", dest="args", action="append", default=[])
    parser.add_argument("-s", dest="settings", action="append", default=[])
    parser.add_argument("--parent", help="stop when this process (as JSON identity) ends")
    options = parser.parse_args(argv)
    if options.parent:
        stop_with(json.loads(options.parent))
    try:
        spider = spider_class(options.source)
        overrides = setting_pairs(options.settings)
        arguments: dict[str, Any] = {**pairs(options.args), "dataset": options.dataset}
    except ValueError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    meta = load_meta(options.source)
    settings = crawl_settings(meta, options.db, options.crawl_id, options.jobdir, overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    if options.base_url:
        arguments["base_url"] = options.base_url
    if options.jobdir is None and "OAD_STAGING" not in overrides:
        print("Error: a crawl needs --jobdir or -s OAD_STAGING=DIR", file=sys.stderr)
        return 2
    process.crawl(crawler, **arguments)
    process.start()
    status = getattr(crawler.spider, "final_status", None)
    if status is None:  # stopped outright: the crawl could not close and record itself
        status = "paused" if options.jobdir else "failed"
        _record_stop(options.db, options.crawl_id, status, overrides.get("OAD_STAGING"))
    return EXIT.get(status, 1)


def _record_stop(db: str, crawl_id: int, status: str, staging: str | None) -> None:
    """A crawl stopped at once (a second signal) records itself here, and drops its staged
    files unless a job directory keeps them for a resume."""
    if staging:
        shutil.rmtree(staging, ignore_errors=True)
    notes = json.dumps({"errors": ["stopped before the end: terminated"]})
    try:
        with connect(db, wait=30) as store, store.transaction() as con:
            con.execute(
                "UPDATE crawls SET status = ?, finished_at = current_timestamp,"
                " notes = json_merge_patch(coalesce(notes, '{}'), ?)"
                " WHERE crawl_id = ? AND status = 'running'",
                [status, notes, crawl_id],
            )
    except OadError as error:
        print(f"Error: the crawl's row could not be written: {error}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
