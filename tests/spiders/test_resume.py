"""A crawl stopped midway and resumed from its job directory ends with the same store as one
that ran straight through."""

from __future__ import annotations

from pathlib import Path

from spiders.localserver import LocalServer
from tests.spiders.helpers import crawl, dump


def test_stopped_then_resumed_crawl_equals_uninterrupted(
    server: LocalServer, tmp_path: Path
) -> None:
    base = server.url("/gleif")
    straight = tmp_path / "straight.duckdb"
    assert crawl(straight, "gleif", base).exit_code == 0

    resumed, jobdir = tmp_path / "resumed.duckdb", tmp_path / "job"
    stop = ["--jobdir", str(jobdir), "-s", "CLOSESPIDER_PAGECOUNT=3", "-s", "CONCURRENT_REQUESTS=1"]
    first = crawl(resumed, "gleif", base, *stop)
    assert first.exit_code == 3, first.log[-2000:]  # paused
    assert first.row["status"] == "paused" and dump(resumed)["records"] == []
    second = crawl(resumed, "gleif", base, "--jobdir", str(jobdir))
    assert second.exit_code == 0, second.log[-2000:]
    assert second.row["crawl_id"] == first.row["crawl_id"]  # the same crawl, carried on
    assert not jobdir.exists()  # nothing left to resume

    expected, actual = dump(straight, base), dump(resumed, base)
    for table in ("records", "relationships", "assets", "rejected_rows"):
        assert actual[table] == expected[table], table
    assert actual["crawls"][-1] == expected["crawls"][-1]
