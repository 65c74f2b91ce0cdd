"""A crawl stopped midway and resumed from its job directory ends with the same store as one
that ran straight through."""

from __future__ import annotations

import json
from pathlib import Path

from spiders.localserver import LocalServer, Reply, route_key
from tests.spiders.helpers import FIXTURES, crawl, dump


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


def test_a_resumed_crawl_asks_again_for_a_signed_link_that_expired(tmp_path: Path) -> None:
    """Paused after the file endpoint handed out its short-lived link: on resume the endpoint is
    asked again, and the fresh link fetched, not the expired one."""
    published = FIXTURES / "gb_land_registry"
    answer = json.loads((published / "api/ocod/OCOD_FULL_2025_11.json").read_text("utf-8"))
    expired = answer["result"]["download_url"].replace("{{server}}", "")
    db, jobdir = tmp_path / "s.duckdb", tmp_path / "job"
    with LocalServer(FIXTURES) as server:
        base = server.url("/gb_land_registry")
        stop = ["-s", "CLOSESPIDER_PAGECOUNT=3", "-s", "CONCURRENT_REQUESTS=1"]  # robots.txt too
        first = crawl(db, "gb_land_registry", base, "--jobdir", str(jobdir), *stop)
        assert first.exit_code == 3, first.log[-2000:]
        assert not any(seen.path.startswith("/gb_land_registry/files/") for seen in server.requests)
        fresh = "/gb_land_registry/files/OCOD_FULL_2025_11.zip?X-Amz-Signature=fresh"
        answer["result"]["download_url"] = server.url(fresh)
        server.route(expired, Reply(403, b"Request has expired\n"))
        endpoint = "/gb_land_registry/api/v1/datasets/ocod/OCOD_FULL_2025_11.zip"
        server.route(endpoint, Reply(body=json.dumps(answer).encode()))
        server.route(fresh, Reply(body=(published / "files/OCOD_FULL_2025_11.zip").read_bytes()))
        second = crawl(db, "gb_land_registry", base, "--jobdir", str(jobdir))
    assert second.exit_code == 0, second.log[-2000:]
    assert second.row["crawl_id"] == first.row["crawl_id"]
    assert [seen.path for seen in server.requests].count(route_key(fresh)) == 1
    assert route_key(expired) not in [seen.path for seen in server.requests]
    assert len(dump(db)["assets"]) == 24
