"""The review queue in a real browser: decided by keyboard, the row leaving without a reload.

With OAD_SCREENSHOTS=DIR the queue is also saved there as PNG (`review.png`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.pipelines.exports.case_store import PSC
from tests.web.conftest import CHROMIUM, HOSTILE_NAME, dialogs_of, log_in, serving
from tests.web.queue_store import UNDECIDED, build_queue_store

playwright_api = pytest.importorskip("playwright.sync_api")
Page, expect = playwright_api.Page, playwright_api.expect
if not Path(CHROMIUM).exists():
    pytest.skip("the system's chromium is not installed", allow_module_level=True)

ROWS = "table.queue tbody tr.pair"


@pytest.fixture
def queue_store(tmp_path: Path) -> Path:
    store_path = tmp_path / "bank.duckdb"
    build_queue_store(store_path)
    return store_path


@pytest.fixture
def queue_served(queue_store: Path) -> Iterator[str]:
    with serving(queue_store) as base:
        yield base


def record_ids(page: Page) -> list[str]:
    return [
        text.split("·")[-1].strip()
        for text in page.locator(f"{ROWS} .record .sub").all_inner_texts()
    ]


def test_j_then_c_confirms_the_second_pair_and_it_leaves_the_queue(
    page: Page, queue_served: str, queue_store: Path
) -> None:
    alerts = dialogs_of(page)
    log_in(page, queue_served, "ian")
    page.goto(f"{queue_served}/review")
    assert record_ids(page) == [pair[2] for pair in UNDECIDED]
    assert HOSTILE_NAME in page.inner_text(ROWS + ":first-child .record")
    loaded_at = page.evaluate("performance.timeOrigin")
    page.keyboard.press("j")
    second = page.locator(f"{ROWS}.current")
    assert second.count() == 1 and UNDECIDED[1][2] in second.inner_text()
    page.keyboard.press("n")
    page.keyboard.type("same birth date in the bank file")
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    expect(page.locator(ROWS)).to_have_count(2)
    assert record_ids(page) == [UNDECIDED[0][2], UNDECIDED[2][2]]
    assert page.evaluate("performance.timeOrigin") == loaded_at  # no reload
    assert UNDECIDED[2][2] in page.inner_text(f"{ROWS}.current")  # the next pair is current
    with duckdb.connect(str(queue_store), read_only=True) as con:
        review = con.execute(
            "SELECT decision, reviewer, note FROM reviews WHERE debtor_id = ? AND source = ?"
            " AND source_id = ?",
            list(UNDECIDED[1]),
        ).fetchall()
    assert review == [("confirm", "ian", "same birth date in the bank file")]
    page.reload()
    assert UNDECIDED[1][2] not in record_ids(page)
    assert alerts == []


def test_the_help_shows_with_a_question_mark(page: Page, queue_served: str) -> None:
    log_in(page, queue_served, "ian")
    page.goto(f"{queue_served}/review")
    assert not page.is_visible("#keys-help")
    page.keyboard.press("?")
    assert page.is_visible("#keys-help")
    assert "unsure" in page.inner_text("#keys-help")


def test_ticked_pairs_are_decided_together(page: Page, queue_served: str) -> None:
    log_in(page, queue_served, "ian")
    page.goto(f"{queue_served}/review")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.fill("form.bulk input[name=note]", "not the debtors")
    with page.expect_navigation():
        page.click("form.bulk button[value=reject]")
    assert record_ids(page) == [UNDECIDED[2][2]]
    assert PSC in page.inner_text(ROWS)


@pytest.mark.skipif(not os.environ.get("OAD_SCREENSHOTS"), reason="OAD_SCREENSHOTS not set")
def test_screenshot_of_the_queue(page: Page, queue_served: str) -> None:
    folder = Path(os.environ["OAD_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    log_in(page, queue_served, "ian")
    page.goto(f"{queue_served}/review")
    page.keyboard.press("j")
    page.screenshot(path=str(folder / "review.png"), full_page=True)
    page.goto(f"{queue_served}/review?blind=1")
    page.screenshot(path=str(folder / "review-blind.png"), full_page=True)
    assert (folder / "review.png").stat().st_size > 0
