"""A crawl says truly how it ended, whatever happens to it: a busy store, a termination, a kill
outright, a resume. Its process ends with `oad crawl`, and it leaves no staged files behind."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from spiders.localserver import LocalServer, Reply
from tests.reliability.helpers import (
    ENV,
    crawl_rows,
    descendants,
    gone,
    kill_hard,
    oad,
    scalar,
    start,
    wait_for,
)

A = b"source_id,name\n" + b"".join(b"A%d,ALPHA %d LIMITED\n" % (i, i) for i in range(5))
B = b"source_id,name\n" + b"".join(b"B%d,BETA %d LIMITED\n" % (i, i) for i in range(5))


def feed(db: Path, url: str, *more: str) -> list[str]:
    return [
        "crawl", "records_feed", "--base-url", url, "-a", "source=vendor",
        "-a", "paths=/a.csv,/b.csv", "-s", "DOWNLOAD_DELAY=0", "-s", "ROBOTSTXT_OBEY=False",
        *more,
    ]  # fmt: skip


def hold(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the store for SECONDS (once it says 'ready')."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time
            from pipelines.store import connect
            store = connect({str(db)!r})
            print("ready", flush=True)
            time.sleep({seconds})
        """)],
        stdout=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def test_a_crawl_started_on_a_busy_store_says_so_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    holder = hold(db, 20)
    try:
        with LocalServer() as server:
            done = oad(db, "--wait", "1", *feed(db, server.url()))
    finally:
        holder.kill()
    assert done.returncode == 1
    assert "store is in use" in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert "crawl None" not in done.stdout


def test_a_merge_that_meets_a_busy_store_waits_and_finishes(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with LocalServer() as server:
        server.route("/a.csv", Reply(body=A, delay=2))
        server.route("/b.csv", Reply(body=B))
        running = start(db, *feed(db, server.url()))
        wait_for(lambda: bool(server.seen("/a.csv")), what="the first request")
        holder = hold(db, 5)  # holds the store while the crawl wants to merge
        out, err = running.communicate(timeout=120)
        holder.wait(timeout=30)
    assert running.returncode == 0, err
    assert "finished: 10 fetched, 10 new" in out
    assert crawl_rows(db) == [(1, "finished")]


@pytest.mark.parametrize(
    ("how", "everything"),
    [(signal.SIGTERM, False), (signal.SIGKILL, False), (signal.SIGKILL, True)],
    ids=["term", "kill", "kill-both"],
)
def test_stopping_oad_crawl_stops_its_crawl(
    tmp_path: Path, how: signal.Signals, everything: bool
) -> None:
    """Terminated or killed, `oad crawl` takes its crawl with it, and the crawl's row says it
    failed: at once, or (when the crawl's own process was killed outright too) when the next
    crawl starts. No staged file is left."""
    db = tmp_path / "s.duckdb"
    staged = tmp_path / "tmp"
    staged.mkdir()
    with LocalServer() as server:
        server.route("/a.csv", Reply(body=A, delay=60))
        running = start(db, *feed(db, server.url()), env={"TMPDIR": str(staged)})
        wait_for(lambda: bool(server.seen("/a.csv")), what="the first request")
        children = descendants(running.pid)
        assert children, "the crawl runs in a process of its own"
        for child in children if everything else []:
            child.kill()
        running.send_signal(how)
        running.wait(timeout=60)
        assert gone(children, timeout=45), [c.cmdline() for c in children if c.is_running()]
    if everything:
        assert crawl_rows(db) == [(1, "running")]  # no process left to say otherwise
        with LocalServer() as server:
            server.route("/a.csv", Reply(body=A))
            server.route("/b.csv", Reply(body=B))
            assert oad(db, *feed(db, server.url()), env={"TMPDIR": str(staged)}).returncode == 0
        assert crawl_rows(db) == [(1, "failed"), (2, "finished")]
        assert "killed" in str(scalar(db, "SELECT notes::VARCHAR FROM crawls WHERE crawl_id = 1"))
    else:
        assert crawl_rows(db) == [(1, "failed")]
        assert "stopped before the end" in str(scalar(db, "SELECT notes::VARCHAR FROM crawls"))
    assert not list(staged.glob("oad-staged-*"))


def test_clearing_a_killed_crawl_spares_another_stores_crawl(tmp_path: Path) -> None:
    """Two stores on one machine number their crawls alike. Clearing up after store X's killed
    crawl 1 removes what that crawl staged, and nothing of store Y's crawl 1, staging beside it."""
    x, y, staged = tmp_path / "x.duckdb", tmp_path / "y.duckdb", tmp_path / "tmp"
    staged.mkdir()
    env = {"TMPDIR": str(staged)}
    with LocalServer() as server:
        server.route("/a.csv", Reply(body=A, delay=60))
        killed = start(x, *feed(x, server.url()), env=env)
        wait_for(lambda: bool(server.seen("/a.csv")), what="store X's first request")
        for child in descendants(killed.pid):
            child.kill()
        kill_hard(killed)
    [x_staging] = list(staged.glob("oad-staged-*"))
    with LocalServer() as x_server, LocalServer() as y_server:
        for server in (x_server, y_server):
            server.route("/a.csv", Reply(body=A))
        x_server.route("/b.csv", Reply(body=B))
        y_server.route("/b.csv", Reply(body=B, delay=20))
        running = start(y, *feed(y, y_server.url()), env=env)
        wait_for(lambda: _staged_files(staged, x_staging) > 0, what="store Y's first file staged")
        assert oad(x, *feed(x, x_server.url()), env=env).returncode == 0
        out, err = running.communicate(timeout=120)
    assert crawl_rows(x) == [(1, "failed"), (2, "finished")]
    assert not x_staging.exists()
    assert running.returncode == 0, err
    assert "crawl 1 finished: 10 fetched, 10 new" in out


def _staged_files(staged: Path, besides: Path) -> int:
    folders = [folder for folder in staged.glob("oad-staged-*") if folder != besides]
    return sum(1 for folder in folders for path in folder.rglob("*") if path.is_file())


def test_no_staged_files_are_left_by_finished_or_failed_crawls(tmp_path: Path) -> None:
    db, staged = tmp_path / "s.duckdb", tmp_path / "tmp"
    staged.mkdir()
    with LocalServer() as server:
        server.route("/a.csv", Reply(body=A))
        server.route("/b.csv", Reply(body=B))
        env = {"TMPDIR": str(staged)}
        finished = start(db, *feed(db, server.url()), env=env)
        assert finished.wait(timeout=120) == 0
        server.route("/b.csv", Reply(status=500))
        failed = start(db, *feed(db, server.url(), "-s", "RETRY_TIMES=0"), env=env)
        assert failed.wait(timeout=120) == 1
    assert crawl_rows(db) == [(1, "finished"), (2, "failed")]
    assert not list(staged.glob("oad-staged-*"))


def test_a_resume_after_a_kill_carries_on_exactly(tmp_path: Path) -> None:
    db, jobdir = tmp_path / "s.duckdb", tmp_path / "job"
    with LocalServer() as server:
        server.route("/a.csv", Reply(body=A))
        server.route("/b.csv", Reply(body=B, delay=60))
        running = start(db, *feed(db, server.url(), "--jobdir", str(jobdir)))
        wait_for(lambda: _staged_items(jobdir) == 5, what="the first file staged")
        children = descendants(running.pid)
        for child in children:
            child.kill()
        kill_hard(running)
        server.route("/b.csv", Reply(body=B))
        resumed = oad(db, *feed(db, server.url(), "--jobdir", str(jobdir)))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "finished: 10 fetched, 10 new" in resumed.stdout
    assert crawl_rows(db) == [(1, "finished")]
    assert not jobdir.exists()


def test_a_finished_crawls_job_directory_is_not_resumed(tmp_path: Path) -> None:
    """Killed right after its merge, a crawl's job directory still names it: a rerun starts a
    new crawl and leaves the finished one as it was."""
    db, jobdir = tmp_path / "s.duckdb", tmp_path / "job"
    with LocalServer() as server:
        server.route("/a.csv", Reply(body=A))
        server.route("/b.csv", Reply(body=B))
        assert oad(db, *feed(db, server.url())).returncode == 0
        jobdir.mkdir()
        state = {"crawl_id": 1, "pending": {}, "items": 10}
        (jobdir / "oad-resume.pickle").write_bytes(pickle.dumps(state))
        before = scalar(db, "SELECT (status, new, finished_at)::VARCHAR FROM crawls")
        again = oad(db, *feed(db, server.url(), "--jobdir", str(jobdir)))
    assert again.returncode == 0 and "crawl 2 finished: 10 fetched, 0 new" in again.stdout
    assert scalar(
        db, "SELECT (status, new, finished_at)::VARCHAR FROM crawls WHERE crawl_id = 1"
    ) == (before)


def _staged_items(jobdir: Path) -> int:
    try:
        return int(pickle.loads((jobdir / "oad-resume.pickle").read_bytes()).get("items", 0))
    except (OSError, EOFError, pickle.UnpicklingError):
        return 0


def test_the_process_helpers_tell_a_live_process_from_a_gone_one() -> None:
    from pipelines.processes import process_alive, process_identity

    me = process_identity(os.getpid())
    assert process_alive(me)
    assert not process_alive({**me, "started": (me["started"] or 0) + 1})
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert not process_alive({**me, "pid": int(done.stdout)})
