"""The workbench end to end in a real browser (Debian's chromium driven by Playwright), over a
store the real commands built and matched: an investigator finds 许家印 by any spelling,
decides on his candidates, sees the decisions audited and applied by the next match; the pages
keep answering while a crawl runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Page

from pipelines.workbench_db import workbench_path
from tests.conftest import REPO
from tests.web.conftest import add_users, log_in, serving
from tests.web.xu_store import SAMPLE, build_xu_store

pytestmark = pytest.mark.slow  # the store is built and matched by the real commands


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("xu") / "bank.duckdb"
    build_xu_store(db)
    add_users(db)
    return db


@pytest.fixture
def xu_store(built: Path, tmp_path: Path) -> Path:
    """A copy of the built store and its workbench database, for one test to change."""
    db = tmp_path / built.name
    shutil.copyfile(built, db)
    shutil.copyfile(workbench_path(built), workbench_path(db))
    return db


@pytest.fixture
def xu_served(xu_store: Path) -> Iterator[str]:
    with serving(xu_store) as base:
        yield base


def test_the_pages_answer_while_a_crawl_runs(page: Page, xu_served: str, xu_store: Path) -> None:
    log_in(page, xu_served, "vic")
    crawl = subprocess.Popen(
        [sys.executable, "-m", "cli", "--db", str(xu_store), "crawl", "sg_acra",
         "--serve", str(SAMPLE / "crawl"), "-s", "DOWNLOAD_DELAY=0.5", "-s", "LOG_LEVEL=ERROR"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    answers: list[int] = []
    try:
        while crawl.poll() is None:
            response = page.goto(f"{xu_served}/runs")
            answers.append(response.status if response else 0)
    finally:
        output, _ = crawl.communicate(timeout=120)
    assert crawl.returncode == 0, output
    assert len(answers) >= 3, "the crawl ended before the pages were asked"
    assert set(answers) == {200}
    with closing(duckdb.connect(str(xu_store), read_only=True)) as con:
        crawled = con.execute("SELECT count(*) FROM records WHERE source = 'sg_acra'").fetchone()
    assert crawled and crawled[0] > 0, "the crawl wrote nothing: the test proved nothing"
