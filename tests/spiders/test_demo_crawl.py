"""`make demo`'s imports and crawls, as the Makefile and the demo's discovery configuration list
them (tests/demo_crawl.py), into a temporary store: each crawl serves data/sample/crawl/ on
127.0.0.1 for its duration and loads every source."""

from __future__ import annotations

import shlex
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
from click.testing import Result

from tests.demo_crawl import DemoCrawl, demo_steps

# live records, relationships and assets per source after the demo's imports and crawls
EXPECTED = {
    "gb_land_registry": (7, 32, 26),
    "gb_land_registry_ccod": (3, 3, 3),
    "gb_companies_house": (6, 0, 0),
    "gb_companies_house_psc": (11, 11, 0),
    "gleif": (15, 15, 0),
    "icij_offshore_leaks": (11, 7, 0),
    "hk_companies_registry": (311, 0, 0),
    "sg_acra": (8, 0, 0),
}
# one crawl a source and dataset: OCOD and CCOD, companies and PSCs, LEI and relationship records
CRAWLS = 9


def test_demo_crawls_serve_the_bundled_files_and_load_every_source(demo_crawl: DemoCrawl) -> None:
    for step, done in demo_crawl.steps:
        assert done.returncode == 0, f"{shlex.join(step[2:])}\n{done.stdout}{done.stderr[-3000:]}"
        if "--serve" in step:
            assert " finished: " in done.stdout and " 0 removed, 0 rejected" in done.stdout
            if "hk_companies_registry" in step:
                # the weekly lists' companies (keyed on BR numbers) join the 300 imported
                # from an index extract (keyed on the older company numbers): none is the same
                assert "11 fetched, 11 new, 0 changed, 0 unchanged" in done.stdout
    assert len(demo_crawl.steps) == len(demo_steps(demo_crawl.db))
    assert len([s for s, _ in demo_crawl.steps if "--serve" in s]) == CRAWLS

    with duckdb.connect(str(demo_crawl.db), read_only=True) as con:
        counts = {
            source: tuple(
                _live(con, table, source) for table in ("records", "relationships", "assets")
            )
            for source in EXPECTED
        }
        locations = con.execute("SELECT location FROM crawls WHERE kind = 'crawl'").fetchall()
    assert counts == EXPECTED
    # each crawl fetched from its own local server, and that server is gone
    assert len(locations) == CRAWLS
    for (location,) in locations:
        address = urlsplit(location)
        assert address.hostname == "127.0.0.1"
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", address.port or 80)) != 0, location


def _live(con: duckdb.DuckDBPyConnection, table: str, source: str) -> int:
    sql = f"SELECT count(*) FROM {table} WHERE source = ? AND removed_at IS NULL"
    row = con.execute(sql, [source]).fetchone()
    return int(row[0]) if row else 0


def test_serve_and_base_url_exclude_each_other(oad: Callable[..., Result], tmp_path: Path) -> None:
    result = oad(
        "crawl", "gleif", "--serve", str(tmp_path), "--base-url", "http://x", expect_exit=2
    )
    assert "give --serve or --base-url, not both" in result.output
