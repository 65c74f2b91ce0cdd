"""The workbench at scale: server times of its search, debtor and review queue pages.

The store: benchmarks/incremental.py's (debtors, records from the bundled Hong Kong register
pairs and generated persons, matched) on nine tenths of the records, and benchmarks/leads.py's
ownership chains on the last tenth (persons with significant control, companies, proprietors of
titles), a tenth of the debtors matched to those persons; features, search index and leads
built. The real app is served by uvicorn on 127.0.0.1 in a thread, an investigator logged in.

Time measured: the client's round trip on localhost (request sent to body read), with
keep-alive; it holds the server's work plus well under a millisecond of loopback.

Run: .venv/bin/python benchmarks/web.py [--debtors N] [--records N] [--reuse DIR]
     [--searches N] [--debtor-pages N] [--queue-pages N]
Building the store takes a quarter of an hour or more: --reuse DIR builds it into DIR once and
later runs read it from there. A route the app does not have (404) is reported as "missing",
not timed. The last line printed is one JSON object with all the figures (target: p95 under
300 ms on 2 cores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]  # the web package, not this file, is `web`

from benchmarks import leads as chains  # noqa: E402
from benchmarks.incremental import build_store  # noqa: E402
from benchmarks.search import percentile, queries  # noqa: E402
from matching.features import refresh_features  # noqa: E402
from pipelines.leads.run import run_leads  # noqa: E402
from pipelines.leads.walk import WalkLimits  # noqa: E402
from pipelines.store import connect  # noqa: E402
from pipelines.users import add_user  # noqa: E402
from pipelines.workbench_db import connect_workbench  # noqa: E402
from pipelines.workbench_events import Change  # noqa: E402

STORE = "bench.duckdb"
WARM_UP = 5  # requests per page before timing: the first read copies the store to its replica
SEARCH_PARAMETER = "q"
BUILT = "built.json"  # written last: a folder without it holds no finished store

# the chains' matches name debtors D0, D1, ...: give them to debtors of the store instead
_CHAIN_MATCHES_TO_DEBTORS = """
UPDATE matches SET debtor_id = picked.debtor_id
FROM (SELECT debtor_id, row_number() OVER (ORDER BY hash(debtor_id)) - 1 AS i FROM debtors) picked
WHERE matches.reason = 'synthetic' AND matches.debtor_id = 'D' || picked.i::VARCHAR
"""


def build(folder: Path, debtors: int, records: int) -> dict[str, object]:
    """A store of DEBTORS and RECORDS with matches and leads in FOLDER, unless one is there."""
    if (folder / BUILT).exists():
        built: dict[str, object] = json.loads((folder / BUILT).read_text("utf-8"))
        return built
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tick = time.perf_counter()
    chain_records = records // 10
    figures: dict[str, object] = {}
    build_store(folder, argparse.Namespace(debtors=debtors, records=records - chain_records),
                figures)  # fmt: skip
    shape = chains._shape(
        argparse.Namespace(records=chain_records, edges=3 * chain_records,
                           titles=chain_records // 10, debtors=debtors // 10)
    )  # fmt: skip
    chains._fill(folder / STORE, shape)
    with connect(folder / STORE) as store:
        store.con.execute(_CHAIN_MATCHES_TO_DEBTORS)
        refresh_features(store)
        run_leads(store, WalkLimits())
        built = {
            "debtors": store.scalar("SELECT count(*) FROM debtors"),
            "records": store.scalar("SELECT count(*) FROM records"),
            "matches": store.scalar("SELECT count(*) FROM matches"),
            "leads": store.scalar("SELECT count(*) FROM leads WHERE gone_at IS NULL"),
            "build_s": round(time.perf_counter() - tick, 1),
        }
    for made in ("debtors.csv", "records.csv"):
        (folder / made).unlink(missing_ok=True)
    (folder / BUILT).write_text(json.dumps(built), "utf-8")
    return built


def debtors_with_leads(db: Path, count: int) -> list[str]:
    with connect(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT DISTINCT debtor_id FROM leads WHERE gone_at IS NULL"
            " ORDER BY hash(debtor_id) LIMIT ?",
            [count],
        ).fetchall()
    return [debtor_id for (debtor_id,) in rows]


def search_texts(db: Path, count: int) -> list[tuple[str, str]]:
    """(kind, text): the searches benchmarks/search.py makes, of every kind."""
    with connect(db, read_only=True) as store:
        return [(kind, text) for kind, text, _ in queries(store, count, random.Random(13))]


def investigator(db: Path) -> tuple[str, str]:
    """(name, password) of an investigator added to the workbench database for this run."""
    name, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    with closing(connect_workbench(db)) as con:
        add_user(
            con, name, "investigator", password, Change("cli:benchmark", dt.datetime.now(dt.UTC))
        )
    return name, password


@contextmanager
def served(db: Path) -> Iterator[tuple[str, int]]:
    """`oad serve` over DB in a process of its own (its threads do not share this one's
    interpreter): its base URL and process id until the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "--db", str(db), "serve", "--port", str(port)],
        cwd=REPO, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "no workbench"
                time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def peak_mb(pid: int) -> float:
    """The process's peak resident memory so far (Linux), in MB."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(found.group(1)) / 1024, 1) if found else float("nan")


def log_in(client: httpx.Client, name: str, password: str) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "the login page has no CSRF field"
    answer = client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text


def timed(client: httpx.Client, paths: list[str]) -> dict[str, object]:
    """Each path's round trip; a page the app does not have is "missing", not timed."""
    if not paths:
        return {"status": "not asked"}
    first = client.get(paths[0])
    if first.status_code == 404:
        return {"status": "missing"}
    for path in paths[:WARM_UP]:
        client.get(path)
    seconds: list[float] = []
    failed: dict[str, int] = {}
    for path in paths:
        tick = time.perf_counter()
        answer = client.get(path)
        seconds.append(time.perf_counter() - tick)
        if answer.status_code != 200:
            failed[path] = answer.status_code
    return {
        "status": "timed", "requests": len(seconds),
        "p50_ms": round(1000 * percentile(seconds, 0.5), 1),
        "p95_ms": round(1000 * percentile(seconds, 0.95), 1),
        "max_ms": round(1000 * max(seconds), 1),
        "not_200": len(failed), "not_200_first": dict(list(failed.items())[:3]),
    }  # fmt: skip


def pages(args: argparse.Namespace, db: Path) -> dict[str, list[str]]:
    """The paths to time, by page. The runs page and the export form (one debtor looked up)
    are there to compare with: a page's least cost, opening the store and one small read."""
    searches = search_texts(db, args.searches)
    debtors = debtors_with_leads(db, args.debtor_pages)
    return {
        "search": [f"/search?{httpx.QueryParams({SEARCH_PARAMETER: t})}" for _, t in searches],
        "debtor": [f"/debtors/{debtor}" for debtor in debtors],
        "review": [f"/review?page={n}" for n in range(1, args.queue_pages + 1)],
        "runs": ["/runs"] * args.queue_pages,
        "export_form": [f"/exports?debtor={debtor}" for debtor in debtors],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--reuse", type=Path, help="build the store here once, then reuse it")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--debtor-pages", type=int, default=200)
    parser.add_argument("--queue-pages", type=int, default=20)
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.reuse or Path(tmp) / "store"
        figures["store"] = build(folder, args.debtors, args.records)
        print(f"store: {figures['store']}", flush=True)
        db = folder / STORE
        asked = pages(args, db)
        user = investigator(db)
        with served(db) as (base, pid), httpx.Client(base_url=base, timeout=60) as client:
            log_in(client, *user)
            for name, paths in asked.items():
                figures[name] = timed(client, paths)
                print(f"{name}: {figures[name]}", flush=True)
            figures["server_peak_mb"] = peak_mb(pid)
            print(f"server peak memory: {figures['server_peak_mb']} MB", flush=True)
    figures["timing"] = "client round trip on 127.0.0.1, keep-alive, one request at a time"
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
