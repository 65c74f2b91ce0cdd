"""The workbench end to end in a real browser (Debian's chromium driven by Playwright), over a
store the real commands built and matched: an investigator finds 许家印 by any spelling,
decides on his candidates, sees the decisions audited and applied by the next match; the pages
keep answering while a crawl runs."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from playwright.sync_api import Browser, Locator, Page

from tests.conftest import REPO
from tests.store_holder import held_by_another_process
from tests.web.conftest import add_users, copy_store, dialogs_of, log_in, search_by_typing, serving
from tests.web.xu_store import HOSTILE_RECORD, SAMPLE, XU, build_xu_store, oad

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
    return copy_store(built, tmp_path)


@pytest.fixture
def xu_served(xu_store: Path) -> Iterator[str]:
    with serving(xu_store) as base:
        yield base


def candidate(page: Page, record_name: str) -> Locator:
    """The debtor page's candidate whose record bears RECORD_NAME."""
    return page.locator("article.candidate").filter(
        has=page.locator(".record-name", has_text=re.compile(f"^{re.escape(record_name)}$"))
    )


def rejected(page: Page, record_name: str) -> Locator:
    """The debtor page's rejected pair whose record bears RECORD_NAME."""
    return page.locator("tr.rejected-pair").filter(
        has=page.locator(".record-name", has_text=re.compile(f"^{re.escape(record_name)}$"))
    )


def decide(page: Page, record_name: str, decision: str, note: str) -> None:
    found = candidate(page, record_name)
    found.locator("input[name=note]").fill(note)
    with page.expect_navigation():
        found.locator(f"button[value={decision}]").click()


def test_an_investigator_finds_xu_decides_and_the_next_match_keeps_the_decisions(
    page: Page, browser: Browser, xu_served: str, xu_store: Path
) -> None:
    log_in(page, xu_served, "ian")
    # the debtor's own hit, not a record's link to its debtor
    xu_hit = page.locator(f"#results a[href='/debtors/{XU}']", has_text="许家印")
    for query in ("Hui Ka Yan", "xu jiayin", "許家印"):
        search_by_typing(page, xu_served, query)
        xu_hit.first.wait_for()
    with page.expect_navigation():
        xu_hit.first.click()
    assert page.url == f"{xu_served}/debtors/{XU}"
    assert page.get_attribute("p.actions a", "href") == f"/exports?debtor={XU}"
    assert candidate(page, "XU JIAYIN").count() == 1  # the namesake, born 1978
    decide(page, "XU, Jiayin", "confirm", "born October 1958, as the bank's file")
    decide(page, "XU JIAYIN", "reject", "born 1978: a namesake")
    assert "confirmed by ian" in candidate(page, "XU, Jiayin").inner_text()
    assert candidate(page, "XU JIAYIN").count() == 0  # out of the matches at once
    assert "born 1978: a namesake" in rejected(page, "XU JIAYIN").inner_text()

    admins = browser.new_context()
    admin = admins.new_page()
    log_in(admin, xu_served, "ada")
    admin.goto(f"{xu_served}/audit")
    audit = admin.inner_text("main")
    admins.close()
    for seen in ("gb-p2", "gb-p3", "confirm", "reject", "born 1978: a namesake", "ian"):
        assert seen in audit

    oad(xu_store, "match")  # the next run: decisions hold
    page.goto(f"{xu_served}/debtors/{XU}")
    assert candidate(page, "XU JIAYIN").count() == 0
    assert rejected(page, "XU JIAYIN").count() == 1
    kept = candidate(page, "XU, Jiayin").inner_text()
    assert "p 1.000" in kept and "confirmed by ian" in kept


def test_a_decision_taken_while_a_run_holds_the_store_applies_with_the_next(
    page: Page, xu_served: str, xu_store: Path
) -> None:
    log_in(page, xu_served, "ian")
    page.goto(f"{xu_served}/debtors/{XU}")  # the replica is made from the free store
    with held_by_another_process(xu_store):
        page.goto(f"{xu_served}/debtors/{XU}")
        assert "A run is writing the store" in page.inner_text(".banner")
        decide(page, "HUI KA YAN", "confirm", "his Hong Kong spelling")
        assert "is waiting for the store" in candidate(page, "HUI KA YAN").inner_text()
    oad(xu_store, "match")
    page.goto(f"{xu_served}/debtors/{XU}")
    found = candidate(page, "HUI KA YAN").inner_text()
    assert "confirmed by ian" in found and "waiting" not in found


def test_a_viewer_cannot_review_and_forged_posts_are_refused(
    page: Page, browser: Browser, xu_served: str
) -> None:
    log_in(page, xu_served, "vic")
    page.goto(f"{xu_served}/debtors/{XU}")
    assert candidate(page, "XU, Jiayin").count() == 1
    assert page.locator("form.decide").count() == 0  # no buttons
    token = page.get_attribute("input[name=csrf_token]", "value")
    pair = {"debtor_id": XU, "source": "officers", "source_id": "gb-p2", "decision": "confirm"}
    forged = page.request.post(f"{xu_served}/decisions", form={**pair, "csrf_token": token or ""})
    assert forged.status == 403
    investigators = browser.new_context()
    investigator = investigators.new_page()
    log_in(investigator, xu_served, "ian")
    without_token = investigator.request.post(f"{xu_served}/decisions", form=pair)
    investigators.close()
    assert without_token.status == 403
    page.goto(f"{xu_served}/debtors/{XU}")
    assert "not reviewed" in candidate(page, "XU, Jiayin").inner_text()


def test_a_crawled_name_with_a_script_tag_shows_as_text(page: Page, xu_served: str) -> None:
    alerts = dialogs_of(page)
    log_in(page, xu_served, "ian")
    page.goto(f"{xu_served}/search?q={quote(HOSTILE_RECORD)}")
    assert HOSTILE_RECORD in page.inner_text("#results")
    assert page.locator("#results script").count() == 0
    assert alerts == []


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
