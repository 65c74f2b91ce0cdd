"""Running real crawls (each in its own process, through `oad crawl`); dumping what they wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from tests.conftest import REPO

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
# no waiting between requests against the local server; quick back-off
FAST = [
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "OAD_BACKOFF_BASE=0.05",
    "-s", "LOG_LEVEL=WARNING", "-s", "RETRY_TIMES=2",
]  # fmt: skip


@dataclass
class Crawl:
    exit_code: int
    output: str
    log: str
    row: dict[str, Any]  # the crawl's row in `crawls`, notes parsed

    @property
    def counts(self) -> tuple[int, ...]:
        names = ("fetched", "new", "changed", "unchanged", "removed", "rejected")
        return tuple(self.row[n] for n in names)


def crawl(db: Path, source: str, base_url: str, *options: str, timeout: float = 120) -> Crawl:
    """`oad --db DB crawl SOURCE --base-url URL OPTIONS...` in a new process."""
    command = [sys.executable, "-m", "cli", "--db", str(db), "crawl", source]
    command += ["--base-url", base_url, *FAST, *options]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd=REPO, env=env, check=False
    )
    return Crawl(done.returncode, done.stdout, done.stderr, last_crawl(db))


def last_crawl(db: Path) -> dict[str, Any]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute("SELECT * FROM crawls ORDER BY crawl_id DESC LIMIT 1")
        names = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    if not rows:
        return {}
    row = dict(zip(names, rows[0], strict=True))
    row["notes"] = json.loads(row["notes"]) if row["notes"] else {}
    return row


_STORED = (
    "SELECT * EXCLUDE (first_seen, last_seen, removed_at, crawl_id, raw, content_hash,"
    " payload_hash), removed_at IS NOT NULL AS removed, raw::VARCHAR AS raw FROM {}"
)
_DUMPS = {
    "records": _STORED.format("records") + " ORDER BY source, source_id",
    "relationships": _STORED.format("relationships") + " ORDER BY source, relationship_id",
    "assets": _STORED.format("assets") + " ORDER BY source, asset_id",
    "rejected_rows": "SELECT file, line, field, reason, raw FROM rejected_rows"
    " ORDER BY file, line, reason",
    "crawls": "SELECT source, status, fetched, new, changed, unchanged, removed, rejected"
    " FROM crawls ORDER BY crawl_id",
}


def dump(db: Path, base_url: str = "") -> dict[str, list[dict[str, Any]]]:
    """Every row the crawls wrote, without timestamps, in a fixed order; the server's address
    replaced by BASE so that the dump does not depend on the port."""
    result: dict[str, list[dict[str, Any]]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table, sql in _DUMPS.items():
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description or []]
            result[table] = [
                {n: _plain(v, base_url) for n, v in zip(names, row, strict=True)}
                for row in cursor.fetchall()
            ]
    return result


def _plain(value: Any, base_url: str) -> Any:
    if isinstance(value, str):
        return value.replace(base_url, "BASE") if base_url else value
    if isinstance(value, list):
        return [_plain(v, base_url) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)


def check_golden(name: str, rows: dict[str, Any]) -> None:
    """Compare with golden/NAME.json; OAD_UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if os.environ.get("OAD_UPDATE_GOLDEN") == "1" or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text), (
        f"{path.name} differs: rerun with OAD_UPDATE_GOLDEN=1 to accept the new output"
    )
