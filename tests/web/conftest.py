"""A small store with runs and audit entries, its users, and the workbench over it, served
by uvicorn on 127.0.0.1 for the browser tests; and a store with debtors, matches, leads and a
search index for the read pages."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

from matching.features import refresh_features
from matching.run import run_matching
from pipelines.runs import finish_run, start_run
from pipelines.store import connect
from pipelines.users import add_user
from pipelines.workbench_db import connect_workbench, workbench_path
from pipelines.workbench_events import Change
from tests.pipelines.exports.case_store import CH, build_case_store
from web.app import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PASSWORD = "a long password"
T0 = dt.datetime(2025, 5, 6, 8, 30)
USERS = {"ada": "admin", "ian": "investigator", "vic": "viewer"}
CHROMIUM = "/usr/bin/chromium"  # Debian's package: Playwright's own download is not used
HOSTILE_NAME = "<script>alert('x')</script>許家印"


def build_store(store_path: Path) -> None:
    """Three runs, and audit entries: one with a crawled name that carries a script tag."""
    with connect(store_path) as store:
        con = store.con
        match = start_run(con, "match", {"threshold": 0.9}, T0)
        finish_run(con, match, {"links": 412, "candidates": 9031, "threshold": 0.9})
        leads = start_run(con, "leads", {"depth": 4}, T0 + dt.timedelta(minutes=20))
        finish_run(con, leads, {"new": 37, "changed": 4, "unchanged": 120, "gone": 1})
        discovery = start_run(con, "discovery", {}, T0 + dt.timedelta(hours=1))
        finish_run(con, discovery, {"imported": 3, "crawled": 5, "failed": 0})
        # the finish times are the clock's: set known ones so the durations read true
        for run_id, seconds in ((match, 95), (leads, 41), (discovery, 1460)):
            con.execute(
                "UPDATE runs SET finished_at = started_at + to_seconds(?) WHERE run_id = ?",
                [seconds, run_id],
            )
        for action, details in [
            ("crawl", {"source": "hk_companies_registry", "fetched": 1200, "new": 31}),
            ("review", {"debtor_id": "D001", "record_name": HOSTILE_NAME, "decision": "confirm"}),
            ("export", {"format": "pdf", "debtor": "D001 许家印", "files": 1}),
        ]:
            store.audit(action, details)


def add_users(store_path: Path) -> None:
    with closing(connect_workbench(store_path)) as con:
        for name, role in USERS.items():
            add_user(con, name, role, PASSWORD, Change("cli:test", dt.datetime.now(dt.UTC)))


@pytest.fixture(scope="session")
def matched_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export tests' case store (debtors D1..D3, leads to titles T1 and T2) matched by the
    linkage model, so candidates carry their explanation, and indexed for search. The company
    on D1's chain has a crawled name carrying a script tag. Built once: copy it to change it."""
    store_path = tmp_path_factory.mktemp("pages") / "bank.duckdb"
    build_case_store(store_path)
    with connect(store_path) as store:
        store.con.execute(
            "UPDATE records SET name = ? WHERE source = ? AND source_id = 'C1'", [HOSTILE_NAME, CH]
        )
        run_matching(store)
        refresh_features(store)
    return store_path


def copy_store(built: Path, folder: Path) -> Path:
    """A copy of the store BUILT in FOLDER, with its workbench database if it has one: for one
    test to change a store that is built once."""
    copy = folder / built.name
    shutil.copyfile(built, copy)
    if workbench_path(built).exists():
        shutil.copyfile(workbench_path(built), workbench_path(copy))
    return copy


@pytest.fixture
def pages_store(matched_store: Path, tmp_path: Path) -> Path:
    """A copy of the matched store, with the users."""
    store_path = copy_store(matched_store, tmp_path)
    add_users(store_path)
    return store_path


@pytest.fixture
def workbench_store(tmp_path: Path) -> Path:
    store_path = tmp_path / "bank.duckdb"
    build_store(store_path)
    add_users(store_path)
    return store_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(store_path: Path) -> Iterator[str]:
    """The workbench over STORE_PATH served by uvicorn from a thread of this process; its base
    URL."""
    port = free_port()
    app = create_app(store_path)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the workbench did not start"
        time.sleep(0.05)
    # its warm-up reads the store: done before a test writes to it from this process
    assert app.state.tables_kept.wait(60), "the warm-up of the tables kept did not finish"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def served(workbench_store: Path) -> Iterator[str]:
    """The workbench's base URL over the small store."""
    with serving(workbench_store) as base:
        yield base


@pytest.fixture
def served_pages(pages_store: Path) -> Iterator[str]:
    """The workbench over the matched store."""
    with serving(pages_store) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, driven by Playwright, for the tests of a module."""
    api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("the system's chromium is not installed")
    with api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 760})
    opened = context.new_page()
    yield opened
    context.close()


def log_in(page: Page, base: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def search_by_typing(page: Page, base: str, query: str) -> None:
    """Open the search page and type QUERY with no Enter: the results come as one types. The
    box takes focus by itself (autofocus); keys typed before the browser applies it would be
    lost, so this waits for it, and times out if the box never takes focus."""
    page.goto(f"{base}/search")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'q'")
    page.keyboard.type(query)


def dialogs_of(page: Page) -> list[str]:
    """The messages of every dialog (alert, confirm) PAGE opens from now on, each dismissed: a
    crawled name that ran as script would leave one here."""
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened
