"""One source's crawl as a flow of its own, for a work pool: the discovery flow hands each
configured crawl to the pool (`[crawl] pool`), and whichever worker is free runs it. Every
worker needs the project installed and the store's path reachable (one machine, or a shared
disk); the crawl holds the store only to merge, as it does under `oad run`.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from prefect import flow

from pipelines import discovery
from pipelines.config import SourceCrawl

CRAWL_FLOW = "crawl-source"
ENTRYPOINT = "flows/crawl.py:crawl_flow"


@flow(name=CRAWL_FLOW, persist_result=True)
def crawl_flow(
    db_path: str | None, crawl: dict[str, Any], serve: str | None = None
) -> dict[str, Any]:
    """CRAWL (a `[[crawl.sources]]` entry) into the store at DB_PATH; SERVE: recorded responses
    to serve on 127.0.0.1 instead of the source's site (tests, demo)."""
    outcome = discovery.crawl_source(
        db_path, SourceCrawl.model_validate(crawl), Path(serve) if serve else None
    )
    # which machine and which worker process ran it (a process worker starts the flow's)
    outcome["ran_on"] = f"{socket.gethostname()}:{os.getppid()}"
    return outcome
