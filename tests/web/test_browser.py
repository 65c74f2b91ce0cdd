"""The workbench in a real browser (Debian's chromium driven by Playwright).

With OAD_SCREENSHOTS=DIR the main pages are also saved there as PNG (`make screenshots`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipelines.user_sessions import MAX_FAILURES
from tests.store_holder import held_by_another_process
from tests.web.conftest import HOSTILE_NAME, dialogs_of, log_in, search_by_typing

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_wrong_password_is_refused_and_failures_past_the_limit_lock_out(
    page: Page, served: str
) -> None:
    for _ in range(MAX_FAILURES):
        log_in(page, served, "vic", "not the password")
        assert "wrong name or password" in page.inner_text(".error")
    log_in(page, served, "vic")  # the right password, too late
    assert "too many failed logins" in page.inner_text(".error")
    assert page.url.startswith(f"{served}/login")


def test_a_viewer_sees_no_admin_pages_and_her_forged_post_is_refused(
    page: Page, served: str
) -> None:
    log_in(page, served, "vic")
    nav = page.inner_text("header nav")
    assert "Runs" in nav and "Audit" not in nav and "Users" not in nav
    token = page.get_attribute("input[name=csrf_token]", "value")
    forged = page.request.post(f"{served}/users/ian/disable", form={"csrf_token": token})
    assert forged.status == 403
    assert page.goto(f"{served}/audit").status == 403


def test_a_post_without_the_csrf_token_is_refused(page: Page, served: str) -> None:
    log_in(page, served, "ada")
    page.goto(f"{served}/users")
    page.eval_on_selector_all(
        "input[name=csrf_token]", "fields => fields.forEach(field => field.remove())"
    )
    with page.expect_navigation():
        page.click("tr:has(td:text-is('vic')) button")
    assert "no valid CSRF token" in page.inner_text(".error")
    page.goto(f"{served}/users")
    assert "active" in page.inner_text("tr:has(td:text-is('vic'))")


def test_a_crawled_name_with_a_script_tag_shows_as_text(page: Page, served: str) -> None:
    alerts = dialogs_of(page)
    log_in(page, served, "ada")
    page.goto(f"{served}/audit")
    assert HOSTILE_NAME in page.inner_text("main")
    assert alerts == []


def test_the_runs_page_answers_from_the_replica_while_a_run_writes(
    page: Page, served: str, workbench_store: Path
) -> None:
    log_in(page, served, "vic")
    page.goto(f"{served}/runs")
    assert page.locator(".banner").count() == 0
    with held_by_another_process(workbench_store):
        response = page.goto(f"{served}/runs")
        assert response.status == 200
        banner = page.inner_text(".banner")
        assert re.search(r"A run is writing the store: showing it as of \d{4}-\d\d-\d\d", banner)
        kinds = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
        assert kinds == ["discovery", "leads", "match"]  # the run being written is not there


@pytest.mark.skipif(not os.environ.get("OAD_SCREENSHOTS"), reason="OAD_SCREENSHOTS not set")
def test_screenshots_of_the_main_pages(page: Page, served: str) -> None:
    folder = Path(os.environ["OAD_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    page.goto(f"{served}/login")
    page.screenshot(path=str(folder / "login.png"))
    log_in(page, served, "ada")
    for name in ("runs", "audit", "users"):
        page.goto(f"{served}/{name}")
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        assert (folder / f"{name}.png").stat().st_size > 0


def test_an_investigator_finds_a_debtor_and_confirms_a_candidate_screenshots(
    page: Page, served_pages: str
) -> None:
    """Search as one types, open the debtor, confirm its candidate, read a lead's evidence;
    saved as PNG with OAD_SCREENSHOTS (so `make screenshots` takes these pages too)."""
    folder = Path(os.environ["OAD_SCREENSHOTS"]) if os.environ.get("OAD_SCREENSHOTS") else None
    alerts = dialogs_of(page)
    log_in(page, served_pages, "ian")
    search_by_typing(page, served_pages, "Chan Tai Man")
    page.wait_for_url(f"{served_pages}/search?q=Chan%20Tai%20Man")  # the address follows
    page.wait_for_selector("#results a[href='/debtors/D2']")
    _shoot(page, folder, "search")
    with page.expect_navigation():
        page.click("#results a[href='/debtors/D2']")
    candidate = page.locator("#candidate-1")
    assert "not reviewed" in candidate.inner_text()
    assert candidate.locator("svg rect.for").count() >= 1
    candidate.locator("input[name=note]").fill("same HKID in the bank's file")
    with page.expect_navigation():
        candidate.locator("button[value=confirm]").click()
    assert page.url == f"{served_pages}/debtors/D2"
    assert "confirmed by ian" in page.locator("#candidate-1").inner_text()
    page.goto(f"{served_pages}/debtors/D1")
    assert HOSTILE_NAME in page.inner_text("table.leads")
    _shoot(page, folder, "debtor")
    with page.expect_navigation():
        page.locator("table.leads a", has_text="Evidence").first.click()
    assert "https://example.org/" in page.inner_text("table.facts")
    _shoot(page, folder, "lead")
    page.goto(f"{served_pages}/debtors/D1/graph")
    _shoot(page, folder, "graph")
    assert alerts == []


def _shoot(page: Page, folder: Path | None, name: str) -> None:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        assert (folder / f"{name}.png").stat().st_size > 0
