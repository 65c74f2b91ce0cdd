"""Running `oad` as users do, in processes of its own, for tests that kill, stall and starve it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import psutil

from tests.conftest import REPO

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def oad(
    db: Path, *args: str, timeout: float = 180, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cli", "--db", str(db), *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env={**ENV, **(env or {})},
        cwd=REPO, check=False,
    )  # fmt: skip


def start(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`oad` started and left running, its output captured."""
    command = [sys.executable, "-m", "cli", "--db", str(db), *args]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**ENV, **(env or {})},
        cwd=REPO,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.1)


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def kill_hard(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def gone(processes: list[psutil.Process], timeout: float = 30) -> bool:
    """Whether every process has ended (or been reaped) within TIMEOUT seconds."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return not [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def crawl_rows(db: Path) -> list[tuple[int, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [(int(i), str(s)) for i, s in con.execute(
            "SELECT crawl_id, status FROM crawls WHERE kind = 'crawl' ORDER BY crawl_id"
        ).fetchall()]  # fmt: skip


def scalar(db: Path, sql: str) -> object:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(sql).fetchone()
    return row[0] if row else None
