"""Running one crawl as a library call: `run_crawl(source, ...) -> CrawlOutcome`.

Scrapy's reactor cannot be restarted in a process, so each crawl runs in a child process
(`python -m spiders.run`). This side opens the store only for moments: to record the crawl's
start, and to read its outcome from the `crawls` table once the child is done. The child holds
no lock while it fetches; it takes the write lock only to merge what it staged, and writes the
crawl's final state (finished, failed, held, paused) in the same transaction. While it runs,
the child reports progress as JSON lines on its standard output.

A crawl's row says which process runs it; one left 'running' by a process that is gone (killed)
is marked failed when the next crawl starts. The child ends with this process: an interrupt or
a termination stops it, and the kernel stops it if this process is killed outright.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.crawl_log import refreshed_note, start_crawl
from pipelines.crawl_resume import ResumeState
from pipelines.errors import DEFAULT_WAIT, OadError
from pipelines.processes import left_running, process_identity
from pipelines.progress import QUIET, Progress
from pipelines.store import connect, resolve_db_path
from pipelines.upsert import ensure_source
from spiders.localserver import LocalServer
from spiders.metadata import load_meta
from spiders.settings import pairs, setting_pairs

MERGE_WAIT = 600.0  # seconds a crawl's staged rows wait for a store another command is writing
# a local server needs no politeness: no delay between requests (-s options still win)
SERVED = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_START_DELAY=0")
COUNTS = ("fetched", "new", "changed", "unchanged", "removed", "rejected")
STAGED_PREFIX = "oad-staged-"  # a crawl's own staging folder, under the system's temporary folder
EXIT_CODES = {"finished": 0, "paused": 3, "held": 4}
_CHAINED = ("During handling of the above", "The above exception", "\n")


@dataclass(frozen=True)
class CrawlOutcome:
    """A crawl's row in the store, as it ended."""

    crawl_id: int
    spider: str
    dataset: str
    source: str  # the store's source the rows went to
    status: str  # 'finished', 'failed', 'held' or 'paused'
    counts: dict[str, int]
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        return [str(e) for e in self.notes.get("errors", [])]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.status, 1)

    def summary(self) -> str:
        """The lines `oad crawl` prints: counts, then errors and columns not used."""
        counts = ", ".join(f"{self.counts.get(name, 0)} {name}" for name in COUNTS)
        text = f"{self.spider}: crawl {self.crawl_id} {self.status}: {counts}"
        text += refreshed_note(int(self.notes.get("refreshed") or 0))
        if self.notes.get("held"):
            text += f"\n{self.notes['held']}"
        for error in self.errors:
            text += f"\nerror: {error}"
        if self.notes.get("unused_columns"):
            unused = ", ".join(self.notes["unused_columns"])
            text += f"\ncolumns not used (kept in the raw payload): {unused}"
        return text


@dataclass(frozen=True)
class _Crawl:
    """What one crawl needs, checked before anything is started."""

    spider: str
    dataset: str
    source: str  # the store's
    path: Path
    base_url: str | None
    jobdir: str | None
    args: Sequence[str]
    settings: list[str]


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
    accept_removals: bool = False,
    wait: float = DEFAULT_WAIT,
    merge_wait: float = MERGE_WAIT,
    progress: Progress = QUIET,
) -> CrawlOutcome:
    """Crawl SOURCE's DATASET (default: its first) into the store and return how it ended.

    SERVE_DIR serves a folder on 127.0.0.1 for the length of the crawl and fetches from
    SERVE_DIR/SOURCE instead of the production URL (recorded responses); BASE_URL fetches from
    another URL. JOBDIR keeps the crawl's state, so that a stopped crawl resumes. ARGS and
    SETTINGS are spider arguments and Scrapy settings as NAME=VALUE. ACCEPT_REMOVALS applies a
    snapshot however many of the source's rows it no longer holds (otherwise more than the
    dataset's removal_guard share is held). OadError for a crawl that cannot be started.
    """
    if serve_dir is not None and base_url:
        raise OadError("give a folder to serve or a base URL, not both")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise OadError(f"not an http(s) URL: {base_url!r}")
    extra = [*(SERVED if serve_dir else ()), f"OAD_WAIT={merge_wait}", *settings]
    extra += ["HTTPCACHE_ENABLED=True"] if http_cache else []
    extra += ["OAD_ACCEPT_REMOVALS=True"] if accept_removals else []
    crawl = _checked(source, dataset, db_path, base_url, serve_dir, jobdir, args, extra)
    with LocalServer(serve_dir) if serve_dir is not None else nullcontext() as server:
        if server is not None:
            crawl = _served(crawl, server.url(f"/{source}"))
        staging = None if jobdir else tempfile.mkdtemp(prefix=STAGED_PREFIX)
        try:
            crawl_id = _start(crawl, wait, staging)
            code, errors = _run_child(_command(crawl, crawl_id, staging), progress)
        finally:
            if staging:
                shutil.rmtree(staging, ignore_errors=True)
    return _outcome(crawl, crawl_id, code, errors, wait)


def _checked(
    spider: str,
    dataset: str | None,
    db_path: str | os.PathLike[str] | None,
    base_url: str | None,
    serve_dir: Path | None,
    jobdir: str | None,
    args: Sequence[str],
    settings: list[str],
) -> _Crawl:
    try:
        meta = load_meta(spider)
        name, chosen = meta.dataset(dataset)
        arguments = pairs(args)
        setting_pairs(settings)
        source = meta.store_source(name, arguments)
    except ValueError as error:
        raise OadError(str(error)) from None
    if not (base_url or chosen.base_url or serve_dir):
        raise OadError(f"{spider} {name} has no URL of its own: give --base-url")
    path = resolve_db_path(db_path)
    return _Crawl(spider, name, source, path, base_url, jobdir, args, settings)


def _served(crawl: _Crawl, url: str) -> _Crawl:
    return _Crawl(
        crawl.spider, crawl.dataset, crawl.source, crawl.path, url, crawl.jobdir, crawl.args,
        crawl.settings,
    )  # fmt: skip


def _start(crawl: _Crawl, wait: float, staging: str | None) -> int:
    """The crawl's row: the paused one a job directory resumes, or a new one, running, with
    the process that runs it and its STAGING folder. Rows left running by processes that are
    gone are marked failed first."""
    resume = ResumeState(crawl.jobdir)
    meta = load_meta(crawl.spider)
    chosen = meta.datasets[crawl.dataset]
    location = (crawl.base_url or chosen.base_url or "").rstrip("/") + chosen.entry
    runner = json.dumps(
        {"runner": process_identity(os.getpid()), **({"staging": staging} if staging else {})}
    )
    with connect(crawl.path, wait=wait) as store, store.transaction() as con:
        ensure_source(
            con, crawl.source, "spider", title=meta.title, publisher=meta.publisher,
            licence=meta.licence, url=meta.url,
        )  # fmt: skip
        _fail_orphans(con)
        if resume.crawl_id is not None:
            status = con.execute(
                "SELECT status FROM crawls WHERE crawl_id = ?", [resume.crawl_id]
            ).fetchall()
            if status and status[0][0] in ("paused", "failed", "held"):
                con.execute(
                    "UPDATE crawls SET status = 'running', finished_at = NULL,"
                    " notes = json_merge_patch(coalesce(notes, '{}'), ?) WHERE crawl_id = ?",
                    [runner, resume.crawl_id],
                )
                return resume.crawl_id
            resume.clear()  # the state of a crawl that finished (or is not here): start anew
            resume = ResumeState(crawl.jobdir)
        crawl_id = start_crawl(con, "crawl", location, crawl.source, dataset=crawl.dataset)
        con.execute("UPDATE crawls SET notes = ? WHERE crawl_id = ?", [runner, crawl_id])
    if crawl.jobdir:
        resume.crawl_id = crawl_id
        resume.save()
    return crawl_id


def _fail_orphans(con: Any) -> None:
    """Rows left 'running' by a process that is no longer there (killed outright) are failed,
    and what they staged removed: the folder their row names, never one found by a pattern,
    since other stores' crawls (with the same numbers) may be staging beside them."""
    rows = con.execute(
        "SELECT crawl_id, json_extract(notes, '$.runner'), json_extract_string(notes,"
        " '$.staging') FROM crawls WHERE status = 'running' AND kind = 'crawl'"
    ).fetchall()
    staged = {crawl_id: folder for crawl_id, _, folder in rows}
    for crawl_id in left_running((crawl_id, runner) for crawl_id, runner, _ in rows)[0]:
        reason = "its process ended without recording a result (it was killed?)"
        folder = staged[crawl_id]
        if folder and Path(folder).name.startswith(STAGED_PREFIX):
            shutil.rmtree(folder, ignore_errors=True)
        con.execute(
            "UPDATE crawls SET status = 'failed', finished_at = current_timestamp,"
            " notes = json_merge_patch(coalesce(notes, '{}'), ?) WHERE crawl_id = ?",
            [json.dumps({"errors": [reason]}), crawl_id],
        )


def _command(crawl: _Crawl, crawl_id: int, staging: str | None) -> list[str]:
    command = [sys.executable, "-m", "spiders.run", crawl.spider, "--db", str(crawl.path)]
    command += ["--dataset", crawl.dataset, "--crawl-id", str(crawl_id)]
    if crawl.base_url:
        command += ["--base-url", crawl.base_url]
    if crawl.jobdir:
        command += ["--jobdir", crawl.jobdir]
    for value in crawl.args:
        command += ["-a", value]
    settings = [*crawl.settings, *([f"OAD_STAGING={staging}"] if staging else [])]
    return command + [part for value in settings for part in ("-s", value)]


def _run_child(command: list[str], progress: Progress) -> tuple[int, list[str]]:
    """Run the crawl's process to its end, its progress lines handed to PROGRESS; returns its
    exit status and the errors it reported that its row may not hold (the last lines of its
    log when it ended without a word). An interrupt or termination of this process stops the
    child too."""
    parent = json.dumps(process_identity(os.getpid()))
    child = subprocess.Popen(
        [*command, "--parent", parent], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True,
    )  # fmt: skip
    errors: list[str] = []
    log: deque[str] = deque(maxlen=20)
    readers = [
        threading.Thread(target=_relay, args=(child, progress, errors), daemon=True),
        threading.Thread(target=_keep_log, args=(child, log), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        code = child.wait()
    except BaseException:
        _stop(child)
        raise
    finally:
        for reader in readers:
            reader.join(timeout=5)
        progress.finish()
    if code not in EXIT_CODES.values() and not errors:
        errors += _last_error(log)
    return code, errors


def _stop(child: subprocess.Popen[str]) -> None:
    """SIGTERM to the child's process group (Scrapy closes the crawl, which records itself);
    again after 10 s (Scrapy stops at once, even in the middle of a download; the crawl still
    records itself); SIGKILL after 20 s more."""
    for signum, patience in ((signal.SIGTERM, 10), (signal.SIGTERM, 20), (signal.SIGKILL, 60)):
        if child.poll() is not None:
            return
        os.killpg(child.pid, signum)
        try:
            child.wait(timeout=patience)
        except subprocess.TimeoutExpired:
            continue


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


def _keep_log(child: subprocess.Popen[str], log: deque[str]) -> None:
    """The child's log (Scrapy's warnings and errors) is passed through to this process's
    standard error, a traceback as its last line only (what went wrong, not where), and its
    last lines kept."""
    assert child.stderr is not None
    in_traceback = False
    for line in child.stderr:
        log.append(line.rstrip("\n"))
        if line.startswith("Traceback (most recent call last)"):
            in_traceback = True
        elif in_traceback and not line[:1].isspace() and not line.startswith(_CHAINED):
            in_traceback = False
            sys.stderr.write(f"error: {line}")
        elif not in_traceback:
            sys.stderr.write(line)


def _last_error(log: deque[str]) -> list[str]:
    """The line that says what went wrong: the last exception's message, else the last line."""
    lines = [line for line in log if line.strip()]
    found = [line for line in lines if "Error:" in line or "Exception:" in line]
    chosen = found[-1] if found else (lines[-1] if lines else "")
    return [chosen.strip()] if chosen else []


def _outcome(
    crawl: _Crawl, crawl_id: int, code: int, errors: list[str], wait: float
) -> CrawlOutcome:
    """The crawl's row; one the child left running (it was killed, or died) is failed now."""
    with connect(crawl.path, read_only=True, wait=max(wait, 30.0)) as store:
        row = _row(store.con, crawl_id)
    if row["status"] == "running":
        ended = f"the crawl process ended (exit status {code}) before recording a result"
        with connect(crawl.path, wait=max(wait, 30.0)) as store, store.transaction() as con:
            con.execute(
                "UPDATE crawls SET status = 'failed', finished_at = current_timestamp,"
                " notes = json_merge_patch(coalesce(notes, '{}'), ?) WHERE crawl_id = ?",
                [json.dumps({"errors": [*errors, ended]}, ensure_ascii=False), crawl_id],
            )
            row = _row(con, crawl_id)
    notes = json.loads(row.pop("notes") or "{}")
    return CrawlOutcome(
        crawl_id, crawl.spider, crawl.dataset, row.pop("source"), row.pop("status"), row, notes
    )


def _row(con: Any, crawl_id: int) -> dict[str, Any]:
    cursor = con.execute(
        f"SELECT source, status, {', '.join(COUNTS)}, notes FROM crawls WHERE crawl_id = ?",
        [crawl_id],
    )
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchall()[0], strict=True))
