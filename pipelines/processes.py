"""Processes that work for a command: knowing whether the one that started a crawl is still
there, and ending a child process together with its parent."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

Result = TypeVar("Result")


def process_identity(pid: int) -> dict[str, Any]:
    """What names a running process beyond its id, which the system reuses: its host and the
    time it started (in clock ticks since boot, where the system says)."""
    return {"pid": pid, "host": socket.gethostname(), "started": _start_time(pid)}


def process_alive(identity: dict[str, Any]) -> bool:
    """Whether the process IDENTITY names still runs (on another host: assumed so)."""
    if identity.get("host") != socket.gethostname():
        return True
    pid = int(identity.get("pid") or 0)
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    started = identity.get("started")
    return started is None or _start_time(pid) == started


def left_running(
    rows: Iterable[tuple[int, str | None]],
) -> tuple[list[int], list[tuple[int, dict[str, Any]]]]:
    """ROWS (an id, and the identity of the process that started it as JSON text) split into
    the ids whose process is gone (a row without an identity counts as gone) and those whose
    process still runs, with its identity."""
    gone: list[int] = []
    running: list[tuple[int, dict[str, Any]]] = []
    for row_id, runner in rows:
        identity = json.loads(runner) if runner else None
        if identity is not None and process_alive(identity):
            running.append((row_id, identity))
        else:
            gone.append(row_id)
    return gone, running


def _start_time(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[19])  # the 22nd field of the whole line


def end_with(identity: dict[str, Any], every: float = 0.5) -> None:
    """Watch, from a thread, for the process IDENTITY to be gone, and then end this one at
    once: a worker whose command was killed outright must not go on computing for no one."""

    def watch() -> None:
        while process_alive(identity):
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="oad-watch-parent", daemon=True).start()


def stop_with(identity: dict[str, Any], grace: float = 5.0, every: float = 0.5) -> None:
    """Watch, from a thread, for the process IDENTITY to be gone, and then stop this one as a
    terminal's Ctrl-C would: SIGTERM (a crawl closes and records itself), and again after GRACE
    seconds (a crawl stuck on a download stops at once)."""

    def watch() -> None:
        while process_alive(identity):
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="oad-watch-parent", daemon=True).start()


def worker_count() -> int:
    """OAD_WORKERS, else one worker process per core."""
    configured = os.environ.get("OAD_WORKERS", "")
    return int(configured) if configured.isdigit() else (os.cpu_count() or 1)


@contextmanager
def bulk_work() -> Iterator[None]:
    """Python's cycle collector paused while bulk work fills memory with millions of
    long-lived objects (name caches, each record's names): every full collection walks them
    all, and over five million records tripled the names code's time. That work makes next
    to no reference cycles; what it makes is collected once the pause ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def in_processes(
    work: Callable[..., Result], calls: Iterable[tuple[Any, ...]], workers: int
) -> Iterator[Result]:
    """`work(*call)` for each call, in the calls' order, spread over WORKERS processes (pure
    Python work, which threads would not speed up), at most two calls a worker in flight.
    The workers do bulk work (`bulk_work`) and each ends when this process does, even when
    it is killed outright."""
    context = multiprocessing.get_context("forkserver")
    parent = process_identity(os.getpid())
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(parent,)
    ) as pool:
        pending: deque[Future[Result]] = deque()
        for call in calls:
            pending.append(pool.submit(work, *call))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def with_forks(
    work: Callable[..., Result], calls: Sequence[tuple[Any, ...]], workers: int
) -> list[Result]:
    """`work(*call)` for each call, in the calls' order, dealt in turn to this process and
    WORKERS - 1 workers forked from it, for work that reads large tables this process built
    (millions of names and their vectors): the workers share them, not copy or receive them.
    This process works too, so one worker fewer copies the pages it writes to (Python's
    reference counts and allocations: at five million records, more than a gigabyte each).
    WORK must touch neither the store (its connection is this process's) nor anything that
    starts threads it then waits on."""
    lanes = max(min(workers, len(calls)), 1)
    if lanes == 1:
        return [work(*call) for call in calls]
    context = multiprocessing.get_context("fork")
    parent = process_identity(os.getpid())
    with ProcessPoolExecutor(
        lanes - 1, mp_context=context, initializer=_start_worker, initargs=(parent,)
    ) as pool:
        theirs = [pool.submit(_each, work, calls[lane::lanes]) for lane in range(1, lanes)]
        found: list[list[Result]] = [[work(*call) for call in calls[::lanes]]]
        found.extend(future.result() for future in theirs)
    return [found[at % lanes][at // lanes] for at in range(len(calls))]


def _each(work: Callable[..., Result], calls: Sequence[tuple[Any, ...]]) -> list[Result]:
    return [work(*call) for call in calls]


def _start_worker(parent: dict[str, Any]) -> None:
    gc.disable()  # for the worker's life: see bulk_work
    end_with(parent)
    faiss = sys.modules.get("faiss")
    if faiss is not None:
        # a forked worker inherits an OpenMP thread pool whose threads it does not have
        faiss.omp_set_num_threads(1)
