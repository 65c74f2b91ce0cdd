"""The discovery flow: import the files dropped for this run, crawl every configured source at
once (each retried with backoff when it fails, none stopping the others), match what changed,
rebuild the leads, write the digest, and record the run with what each step did. Every step is a
library call (pipelines.discovery); this module only composes them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prefect import flow, task
from prefect.client.schemas.objects import FlowRun
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from pipelines import discovery
from pipelines.config import DiscoveryConfig, SourceCrawl, load_config
from pipelines.discovery import DbPath


def _retry_delays(config: DiscoveryConfig) -> list[float]:
    return [config.crawl.retry_delay * 2**attempt for attempt in range(config.crawl.retries)]


@task(name="crawl")
def crawl_task(db_path: DbPath, crawl: SourceCrawl, config: DiscoveryConfig) -> dict[str, Any]:
    return discovery.crawl_source(db_path, crawl, config.crawl.serve)


@task(name="crawl in the pool")
def pooled_crawl_task(
    db_path: DbPath, crawl: SourceCrawl, config: DiscoveryConfig
) -> dict[str, Any]:
    """CRAWL as a run of the crawl deployment, on whichever worker of the pool is free."""
    from prefect.deployments import run_deployment

    from flows.crawl import CRAWL_FLOW

    serve = str(config.crawl.serve) if config.crawl.serve else None
    parameters = {"db_path": str(db_path) if db_path else None,
                  "crawl": crawl.model_dump(mode="json"), "serve": serve}  # fmt: skip
    # a task runs in a worker thread, without an event loop: this call is synchronous
    run: FlowRun = run_deployment(  # type: ignore[assignment]
        f"{CRAWL_FLOW}/{config.crawl.deployment}", parameters=parameters, poll_interval=1
    )
    if run.state is None or not run.state.is_completed():
        message = run.state.message if run.state else "no state"
        raise discovery.CrawlFailed(f"{crawl.source}: {message}")
    outcome: dict[str, Any] = run.state.result()
    return outcome


@task(name="import dropped files")
def import_task(db_path: DbPath, config: DiscoveryConfig) -> list[dict[str, Any]]:
    return discovery.import_folder(db_path, config.imports.folder)


@task(name="match what changed")
def match_task(db_path: DbPath, config: DiscoveryConfig) -> dict[str, Any]:
    return discovery.match_changes(db_path, config.match)


@task(name="rebuild leads")
def leads_task(db_path: DbPath, config: DiscoveryConfig) -> dict[str, Any]:
    return discovery.rebuild_leads(db_path, config)


@task(name="digest")
def digest_task(db_path: DbPath, leads_run_id: int, config: DiscoveryConfig) -> dict[str, Any]:
    return discovery.send_digest(db_path, leads_run_id, config)


@flow(name="discovery", task_runner=ThreadPoolTaskRunner(max_workers=4))  # type: ignore[arg-type]
def discovery_flow(config_path: str | None = None, db_path: str | None = None) -> dict[str, Any]:
    """One discovery run over the configuration in CONFIG_PATH, into the store at DB_PATH (or the
    configuration's `store`)."""
    config = load_config(config_path)
    store = db_path or (str(config.store) if config.store else None)
    run_id = discovery.begin_run(store, config)
    stats: dict[str, Any] = {"steps": {}, "seconds": {}}
    try:
        _step(stats, "imports", lambda: import_task(store, config))
        stats["sources"] = _crawls(store, config, stats)
        _step(stats, "match", lambda: match_task(store, config))
        leads = _step(stats, "leads", lambda: leads_task(store, config))
        _step(stats, "digest", lambda: digest_task(store, leads["run_id"], config))
    except Exception as error:
        discovery.end_run(store, run_id, stats, f"{type(error).__name__}: {error}")
        raise
    discovery.end_run(store, run_id, stats, None)
    return {"run_id": run_id, **stats}


def _crawls(store: DbPath, config: DiscoveryConfig, stats: dict[str, Any]) -> dict[str, Any]:
    """Every source at once, a few at a time; a failed one is reported, not fatal."""
    started = time.perf_counter()
    crawling = pooled_crawl_task if config.crawl.pool else crawl_task
    retrying = crawling.with_options(
        retries=config.crawl.retries, retry_delay_seconds=_retry_delays(config)
    )
    futures: list[tuple[SourceCrawl, PrefectFuture[dict[str, Any]]]] = []
    for crawl in config.crawl.sources:
        futures.append((crawl, retrying.submit(store, crawl, config)))
    outcomes: dict[str, Any] = {}
    for crawl, future in futures:
        key = f"{crawl.source}:{crawl.dataset or 'default'}"
        future.wait()
        if future.state.is_completed():
            outcomes[key] = future.result()  # finished, or held (removals to accept)
        else:
            outcomes[key] = {"status": "failed", "error": str(future.state.message)}
    stats["seconds"]["crawl"] = round(time.perf_counter() - started, 2)
    return outcomes


def _step(stats: dict[str, Any], name: str, run: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        result = run()
    finally:
        stats["seconds"][name] = round(time.perf_counter() - started, 2)
    stats["steps"][name] = result
    return result
