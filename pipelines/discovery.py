"""The steps of a discovery run as library calls, each opening the store only for as long as it
writes: record the run, crawl a source, import dropped files, match what changed, rebuild the
leads, write the digest, and end the run. The Prefect flow (flows/discovery.py) composes them;
nothing here knows of Prefect."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pipelines.config import DiscoveryConfig, MatchConfig, SourceCrawl
from pipelines.errors import OadError
from pipelines.processes import left_running, process_identity
from pipelines.runs import fail_run, finish_run, start_run
from pipelines.store import connect
from pipelines.workbench_backlog import apply_backlog

DbPath = str | os.PathLike[str] | None
# a run nobody watches waits this long for the store rather than fail: the workbench holds it
# read-only for seconds while it copies a large store to its replica
RUN_WAIT = 300.0


class CrawlFailed(OadError):
    """A crawl ended failed (a network error, a source that did not answer): worth a retry."""


def begin_run(db_path: DbPath, config: DiscoveryConfig) -> int:
    """A new discovery run in `runs`; a run left running by a process that is gone is marked
    failed first, and one still running elsewhere refuses this one (one run at a time)."""
    with connect(
        db_path, wait=RUN_WAIT
    ) as store:  # decisions investigators took while the store was held
        apply_backlog(store)
    with connect(db_path, wait=RUN_WAIT) as store, store.transaction() as con:
        rows = con.execute(
            "SELECT run_id, params->'$.runner' FROM runs"
            " WHERE kind = 'discovery' AND status = 'running'"
        ).fetchall()
        gone, running = left_running(rows)
        if running:
            run_id, identity = running[0]
            raise OadError(f"discovery run {run_id} is still running (process {identity})")
        for run_id in gone:
            fail_run(con, run_id, "its process ended without recording a result", {})
        params = {"runner": process_identity(os.getpid()),
                  "config": config.model_dump(mode="json")}  # fmt: skip
        return start_run(con, "discovery", params)


def end_run(db_path: DbPath, run_id: int, stats: dict[str, Any], error: str | None) -> None:
    with connect(db_path, wait=RUN_WAIT) as store, store.transaction() as con:
        if error is None:
            finish_run(con, run_id, stats)
        else:
            fail_run(con, run_id, error, stats)
        store.audit("discovery", {"run_id": run_id, "status": "failed" if error else "finished"})


def crawl_source(db_path: DbPath, crawl: SourceCrawl, serve: Path | None) -> dict[str, Any]:
    """One source's crawl (in a process of its own, the store locked only to merge); CrawlFailed
    when it failed, so that the caller may try again."""
    from spiders.runner import MERGE_WAIT, run_crawl

    # the other sources' crawls merge meanwhile: recording this one's start and reading its
    # outcome wait for them as long as its merge would
    outcome = run_crawl(
        crawl.source, crawl.dataset, db_path,
        base_url=crawl.base_url, serve_dir=serve if not crawl.base_url else None,
        args=[f"{name}={value}" for name, value in crawl.args.items()],
        settings=[f"{name}={value}" for name, value in crawl.settings.items()],
        accept_removals=crawl.accept_removals, wait=MERGE_WAIT,
    )  # fmt: skip
    if outcome.status == "failed":
        raise CrawlFailed(f"{crawl.source}: " + "; ".join(outcome.errors or ["failed"]))
    return {"crawl_id": outcome.crawl_id, "dataset": outcome.dataset, "status": outcome.status,
            "counts": outcome.counts, "summary": outcome.summary()}  # fmt: skip


def import_folder(db_path: DbPath, folder: Path | None) -> list[dict[str, Any]]:
    """Every file waiting in the drop folder, each imported whole or moved aside with why."""
    from pipelines.drop_folder import import_dropped, pending_files

    if folder is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)  # made on the first run: files are dropped later
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return [asdict(import_dropped(f, folder, stamp, db_path)) for f in pending_files(folder)]


def match_changes(db_path: DbPath, config: MatchConfig) -> dict[str, Any]:
    """Features for what changed, then new and changed records against every debtor and new
    and changed debtors against every record (all of it on the first run), on the configured
    engine."""
    from matching.engine import Engine
    from matching.run import run_matching

    engine = Engine(config.engine, config.spark_master)
    with connect(db_path, wait=RUN_WAIT) as store:
        summary = run_matching(store, threshold=config.threshold, incremental=True, engine=engine)
    return asdict(summary)


def rebuild_leads(db_path: DbPath, config: DiscoveryConfig) -> dict[str, Any]:
    from pipelines.leads.run import run_leads
    from pipelines.leads.walk import WalkLimits

    limits = WalkLimits(depth=config.leads.depth, min_match=config.leads.min_match)
    with connect(db_path, wait=RUN_WAIT) as store:
        built = run_leads(store, limits)
    return {"run_id": built.run_id, "counts": asdict(built.leads), "summary": built.summary()}


def send_digest(db_path: DbPath, leads_run_id: int, config: DiscoveryConfig) -> dict[str, Any]:
    """The new and changed leads as Markdown and CSV in the digest folder, and POSTed to the
    webhook when one is set (a failed post is recorded, never fatal)."""
    from pipelines.digest import write_digest
    from pipelines.webhook import post_json

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    config.digest.folder.mkdir(parents=True, exist_ok=True)
    with connect(db_path, read_only=True, wait=RUN_WAIT) as store:
        digest = write_digest(
            store.con, leads_run_id, config.digest.min_confidence, config.digest.folder, stamp
        )
    sent: dict[str, Any] | None = None
    if config.digest.webhook:
        posted = post_json(
            config.digest.webhook, digest.payload, attempts=config.digest.webhook_attempts
        )
        sent = asdict(posted)
    return {"markdown": str(digest.md_path), "csv": str(digest.csv_path),
            "counts": _plain(digest.counts), "webhook": sent}  # fmt: skip


def _plain(value: Any) -> Any:
    return asdict(value) if hasattr(value, "__dataclass_fields__") else value


def summary_lines(result: dict[str, Any]) -> list[str]:
    """A run's summary as the case team reads it: the imports, each source, matching, leads,
    the digest, and the seconds each step took."""
    lines = [f"discovery run {result.get('run_id')}"]
    steps = result.get("steps") or {}
    for imported in steps.get("imports") or []:
        lines.append(f"  import {imported['file']}: {imported['status']}: {imported['summary']}")
    for key, outcome in (result.get("sources") or {}).items():
        said = outcome.get("summary") or outcome.get("error") or ""
        lines.append(f"  crawl {key}: {outcome['status']}: {said.splitlines()[0] if said else ''}")
    if "match" in steps:
        match = steps["match"]
        lines.append(
            f"  match (run {match['run_id']}): {match['scored_pairs']} pairs scored,"
            f" {match['links']} at or above {match['threshold']}"
        )
    if "leads" in steps:
        lines.append(f"  {steps['leads']['summary']}")
    if "digest" in steps:
        digest = steps["digest"]
        hook = digest.get("webhook")
        posted = "" if not hook else f"; webhook {'sent' if hook['ok'] else 'FAILED'}"
        lines.append(f"  digest: {digest['markdown']}, {digest['csv']}{posted}")
    seconds = result.get("seconds") or {}
    lines.append("  seconds: " + ", ".join(f"{name} {value}" for name, value in seconds.items()))
    return lines
