"""Crawls handed to a Prefect work pool: a real `prefect server start` on 127.0.0.1, the crawl
flow deployed to a process pool by `python -m flows deploy-crawls`, two workers started with
Prefect's own command, and `oad run` with `[crawl] pool` set: every source is crawled, by
both workers, and the run is recorded as usual."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from pipelines.store import connect
from tests.conftest import REPO
from tests.flows.conftest import wait_for
from tests.flows.test_commands import SAMPLE_CRAWL, oad

POOL = "oad-test"
# a worker runs one crawl at a time (`--limit 1`), but the discovery flow's threads hand the
# crawls out one by one, so a first crawl may end before the next is handed out: with two, one
# worker took both in a loaded run; with four (as before), the other has always had one
SOURCES = ("sg_acra", "hk_companies_registry", "icij_offshore_leaks", "gb_land_registry")


def pool_config(folder: Path) -> Path:
    path = folder / "oad.toml"
    sources = "".join(f'[[crawl.sources]]\nsource = "{source}"\n' for source in SOURCES)
    path.write_text(
        f'[crawl]\nserve = "{SAMPLE_CRAWL}"\npool = "{POOL}"\nconcurrency = 4\nretries = 0\n'
        f'{sources}[digest]\nfolder = "digests"\n',
        encoding="utf-8",
    )
    return path


def online_workers(api: str) -> list[str]:
    """The names of the pool's workers the server sees as online."""
    request = urllib.request.Request(
        f"{api}/work_pools/{POOL}/workers/filter", data=b"{}", method="POST",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            found = json.loads(answer.read())
    except OSError:
        return []
    return [w["name"] for w in found if w.get("status") == "ONLINE"]


def stop(worker: subprocess.Popen[bytes]) -> None:
    """Ask the worker to stop; one still flushing its events after 20 s is killed (on a busy
    machine it can take longer than the test cares to wait)."""
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=20)


def start_worker(log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`prefect worker start` on the pool, one flow run at a time, its log in LOG."""
    command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL,
               "--limit", "1", "--name", log.stem]  # fmt: skip
    with log.open("w") as written:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=written, stderr=written)


@pytest.mark.slow
def test_crawls_spread_over_the_pools_workers(
    tmp_path: Path, prefect_server: dict[str, str]
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), **prefect_server,
           "PREFECT_WORKER_QUERY_SECONDS": "1"}  # fmt: skip
    deployed = subprocess.run(
        [sys.executable, "-m", "flows", "deploy-crawls", "--pool", POOL],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert deployed.returncode == 0, deployed.stderr[-3000:]
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    workers = [start_worker(log, env) for log in logs]
    try:
        # both must be polling before the crawls are handed out, or a loaded machine's slower
        # worker may find nothing left to take
        api = prefect_server["PREFECT_API_URL"]
        wait_for(lambda: len(online_workers(api)) == 2, 240, "both workers to come online")
        ran = oad(tmp_path / "p.duckdb", "run", "--config", str(pool_config(tmp_path)),
                  env={**prefect_server, "PREFECT_WORKER_QUERY_SECONDS": "1"})  # fmt: skip
    finally:
        for worker in workers:
            stop(worker)
    assert ran.returncode == 0, ran.stderr[-3000:] + logs[0].read_text()[-2000:]
    with connect(tmp_path / "p.duckdb", read_only=True) as store:
        status, stats = store.con.execute(
            "SELECT status, stats::VARCHAR FROM runs WHERE kind = 'discovery'"
        ).fetchall()[0]
        crawled = store.con.execute("SELECT DISTINCT source FROM crawls").fetchall()
    assert status == "finished"
    outcomes = json.loads(stats)["sources"]
    assert sorted(key.split(":")[0] for key in outcomes) == sorted(SOURCES)
    assert {o["status"] for o in outcomes.values()} <= {"finished", "held"}, outcomes
    assert {row[0] for row in crawled} >= set(SOURCES)
    # each crawl ran in a process a worker started: both workers took some
    host = socket.gethostname()
    ran_on = {o["ran_on"] for o in outcomes.values()}
    assert ran_on == {f"{host}:{w.pid}" for w in workers}, (ran_on, [w.pid for w in workers])
