"""A crawl holds the store only to merge: while it fetches from a slow server, other commands
read the store; a command that finds it busy waits, boundedly, then says so."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from spiders.localserver import LocalServer, Reply
from tests.conftest import REPO

ROWS = b"source_id,name,kind\nV1,LION CITY HOLDINGS PTE. LTD.,company\nV2,HUI Ka Yan,person\n"


def oad(db: Path, *args: str, wait: str = "0") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cli", "--db", str(db), "--wait", wait, *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, cwd=REPO)


def test_readers_answer_while_a_crawl_fetches(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    assert oad(db, "debtors", "import", str(REPO / "data/sample/debtors.csv")).returncode == 0
    with LocalServer() as server:
        server.route("/records.csv", Reply(body=ROWS, delay=12))
        command = [
            sys.executable, "-m", "cli", "--db", str(db), "crawl", "records_feed",
            "--base-url", server.url(), "-a", "source=vendor", "-s", "DOWNLOAD_DELAY=0",
            "-s", "ROBOTSTXT_OBEY=False",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        crawl = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
        try:
            deadline = time.monotonic() + 60
            while not server.seen("/records.csv"):  # the crawl is waiting for the slow reply
                assert time.monotonic() < deadline and crawl.poll() is None
                time.sleep(0.1)
            status = oad(db, "status")
            shown = oad(db, "matches", "show", "D001")
            written = oad(db, "debtors", "import", str(REPO / "data/sample/debtors.csv"))
            still_fetching = crawl.poll() is None
        finally:
            output, _ = crawl.communicate(timeout=120)
    assert still_fetching
    assert status.returncode == 0, status.stderr
    assert "#2 crawl vendor" in status.stdout  # the crawl's row, running, is already there
    assert shown.returncode == 0, shown.stderr
    assert written.returncode == 0 and "24 unchanged" in written.stdout, written.stderr
    assert crawl.returncode == 0, output
    assert "2 fetched, 2 new" in output
