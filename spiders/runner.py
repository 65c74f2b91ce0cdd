"""Running one crawl as a library call: `run_crawl(source, ...) -> CrawlOutcome`.

Scrapy's reactor cannot be restarted in a process, so each crawl runs in a child process
(`python -m spiders.run`). This side opens the store only for moments: to record the crawl's
start, and to read its outcome from the `crawls` table once the child is done. The child holds
no lock while it fetches; it takes the write lock only to merge what it staged. While it runs,
the child reports progress as JSON lines on its standard output.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.crawl_log import refreshed_note, start_crawl
from pipelines.crawl_resume import ResumeState
from pipelines.errors import DEFAULT_WAIT, OadError
from pipelines.progress import QUIET, Progress
from pipelines.store import connect, resolve_db_path
from pipelines.upsert import ensure_source
from spiders.localserver import LocalServer
from spiders.metadata import load_meta
from spiders.settings import pairs

MERGE_WAIT = 600.0  # seconds a crawl's staged rows wait for a store another command is writing
# a local server needs no politeness: no delay between requests (-s options still win)
SERVED = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_START_DELAY=0")
COUNTS = ("fetched", "new", "changed", "unchanged", "removed", "rejected")


@dataclass(frozen=True)
class CrawlOutcome:
    """A crawl's row in the store, as it ended."""

    crawl_id: int
    spider: str
    dataset: str
    source: str  # the store's source the rows went to
    status: str  # 'finished', 'failed' or 'paused'
    counts: dict[str, int]
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        return [str(e) for e in self.notes.get("errors", [])]

    def summary(self) -> str:
        """The lines `oad crawl` prints: counts, then errors and columns not used."""
        counts = ", ".join(f"{self.counts.get(name, 0)} {name}" for name in COUNTS)
        text = f"{self.spider}: crawl {self.crawl_id} {self.status}: {counts}"
        text += refreshed_note(int(self.notes.get("refreshed") or 0))
        for error in self.errors:
            text += f"\nerror: {error}"
        if self.notes.get("unused_columns"):
            unused = ", ".join(self.notes["unused_columns"])
            text += f"\ncolumns not used (kept in the raw payload): {unused}"
        return text


def run_crawl(
    source: str,
    dataset: str | None = None,
    db_path: str | os.PathLike[str] | None = None,
    *,
    base_url: str | None = None,
    serve_dir: Path | None = None,
    jobdir: str | None = None,
    args: Sequence[str] = (),
    settings: Sequence[str] = (),
    http_cache: bool = False,
    wait: float = DEFAULT_WAIT,
    merge_wait: float = MERGE_WAIT,
    progress: Progress = QUIET,
) -> CrawlOutcome:
    """Crawl SOURCE's DATASET (default: its first) into the store and return how it ended.

    SERVE_DIR serves a folder on 127.0.0.1 for the length of the crawl and fetches from
    SERVE_DIR/SOURCE instead of the production URL (recorded responses); BASE_URL fetches from
    another URL. JOBDIR keeps the crawl's state, so that a stopped crawl resumes. ARGS and
    SETTINGS are spider arguments and Scrapy settings as NAME=VALUE.
    """
    if serve_dir is not None and base_url:
        raise OadError("give a folder to serve or a base URL, not both")
    try:
        meta = load_meta(source)
        dataset_name, chosen = meta.dataset(dataset)
    except ValueError as error:
        raise OadError(str(error)) from None
    try:
        arguments, _ = pairs(args), pairs(settings)
        store_source = meta.store_source(dataset_name, arguments)
    except ValueError as error:
        raise OadError(str(error)) from None
    if not (base_url or chosen.base_url or serve_dir):
        raise OadError(f"{source} {dataset_name} has no URL of its own: give --base-url")
    path = resolve_db_path(db_path)
    with LocalServer(serve_dir) if serve_dir is not None else nullcontext() as server:
        if server is not None:
            base_url = server.url(f"/{source}")
        location = (base_url or chosen.base_url or "").rstrip("/") + chosen.paths[0]
        crawl_id = _start(path, source, dataset_name, store_source, location, jobdir, wait)
        command = _command(source, dataset_name, path, crawl_id, base_url, jobdir, args)
        command += _settings(serve_dir is not None, settings, http_cache, merge_wait)
        code, errors = _run_child(command, progress)
    return _outcome(path, crawl_id, source, dataset_name, code, errors, wait)


def _start(
    path: Path,
    spider: str,
    dataset: str,
    source: str,
    location: str,
    jobdir: str | None,
    wait: float,
) -> int:
    """The crawl's row: a new one, running, or the paused one a job directory resumes."""
    resume = ResumeState(jobdir)
    meta = load_meta(spider)
    with connect(path, wait=wait) as store, store.transaction() as con:
        ensure_source(
            con, source, "spider", title=meta.title, publisher=meta.publisher,
            licence=meta.licence, url=meta.url,
        )  # fmt: skip
        if resume.crawl_id is not None:
            con.execute(
                "UPDATE crawls SET status = 'running' WHERE crawl_id = ?", [resume.crawl_id]
            )
            return resume.crawl_id
        crawl_id = start_crawl(con, "crawl", location, source, dataset=dataset)
    if jobdir:
        resume.crawl_id = crawl_id
        resume.save()
    return crawl_id


def _command(
    source: str,
    dataset: str,
    path: Path,
    crawl_id: int,
    base_url: str | None,
    jobdir: str | None,
    args: Sequence[str],
) -> list[str]:
    command = [sys.executable, "-m", "spiders.run", source, "--db", str(path)]
    command += ["--dataset", dataset, "--crawl-id", str(crawl_id)]
    if base_url:
        command += ["--base-url", base_url]
    if jobdir:
        command += ["--jobdir", jobdir]
    for value in args:
        command += ["-a", value]
    return command


def _settings(
    served: bool, settings: Sequence[str], http_cache: bool, merge_wait: float
) -> list[str]:
    chosen = [*(SERVED if served else ()), f"OAD_WAIT={merge_wait}", *settings]
    if http_cache:
        chosen.append("HTTPCACHE_ENABLED=True")
    return [part for value in chosen for part in ("-s", value)]


def _run_child(command: list[str], progress: Progress) -> tuple[int, list[str]]:
    """Run the crawl's process to its end, its progress lines handed to PROGRESS; returns its
    exit status and the errors it reported that its row may not hold. An interrupt or
    termination of this process stops the child too."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    errors: list[str] = []
    reader = threading.Thread(target=_relay, args=(child, progress, errors), daemon=True)
    reader.start()
    try:
        code = child.wait()
    except BaseException:
        _stop(child)
        raise
    finally:
        reader.join(timeout=5)
        progress.finish()
    return code, errors


def _stop(child: subprocess.Popen[str]) -> None:
    """SIGTERM to the child's process group (Scrapy stops and records a failed crawl), then
    SIGKILL if it has not ended in 30 s."""
    if child.poll() is not None:
        return
    os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def _relay(child: subprocess.Popen[str], progress: Progress, errors: list[str]) -> None:
    assert child.stdout is not None
    stage = None
    for line in child.stdout:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(event, dict) or event.get("stage") == "done":
            continue
        if event.get("error"):
            errors.append(str(event["error"]))
            continue
        if event.get("stage") != stage:
            stage = event.get("stage")
            progress.stage(str(stage), event.get("total"), str(event.get("unit", "rows")))
        if event.get("done") is not None:
            progress.update(float(event["done"]))


def _outcome(
    path: Path,
    crawl_id: int,
    spider: str,
    dataset: str,
    code: int,
    errors: list[str],
    wait: float,
) -> CrawlOutcome:
    """The crawl's row; one the child left running (it was killed, or died) is failed now."""
    with connect(path, read_only=True, wait=max(wait, 30.0)) as store:
        row = _row(store.con, crawl_id)
    if row["status"] == "running":
        ended = f"the crawl process ended (exit status {code}) before recording a result"
        with connect(path, wait=max(wait, 30.0)) as store, store.transaction() as con:
            con.execute(
                "UPDATE crawls SET status = 'failed', finished_at = current_timestamp,"
                " notes = json_merge_patch(coalesce(notes, '{}'), ?) WHERE crawl_id = ?",
                [json.dumps({"errors": [*errors, ended]}, ensure_ascii=False), crawl_id],
            )
            row = _row(con, crawl_id)
    notes = json.loads(row.pop("notes") or "{}")
    return CrawlOutcome(crawl_id, spider, dataset, row.pop("source"), row.pop("status"), row, notes)


def _row(con: Any, crawl_id: int) -> dict[str, Any]:
    cursor = con.execute(
        f"SELECT source, status, {', '.join(COUNTS)}, notes FROM crawls WHERE crawl_id = ?",
        [crawl_id],
    )
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchall()[0], strict=True))
