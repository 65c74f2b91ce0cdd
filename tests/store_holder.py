"""A store held for writing by another process, as a discovery run or a crawl's merge holds it:
DuckDB then lets no other process open the file."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# holds the store for writing, adds a run being written, and waits to be told to go
_HOLDER = """
import sys, time, duckdb
deadline = time.monotonic() + 30
while True:  # as a run does, wait for a reader (a replica being copied) to let go
    try:
        con = duckdb.connect(sys.argv[1])
        break
    except duckdb.IOException:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.05)
con.execute("INSERT INTO runs VALUES (999, 'discovery', now(), NULL, 'running', NULL, NULL)")
print("holding", flush=True)
sys.stdin.readline()
"""


@contextmanager
def held_by_another_process(store_path: Path) -> Iterator[None]:
    """STORE_PATH held for writing by a child process until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(store_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield
    finally:
        if holder.stdin:
            holder.stdin.close()
        holder.wait(timeout=30)
