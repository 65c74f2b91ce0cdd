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
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]  # the web package, not this file, is `web`

from benchmarks import leads as chains  # noqa: E402
from benchmarks.incremental import build_store  # noqa: E402
from matching.features import refresh_features  # noqa: E402
from pipelines.leads.run import run_leads  # noqa: E402
from pipelines.leads.walk import WalkLimits  # noqa: E402
from pipelines.store import connect  # noqa: E402

STORE = "bench.duckdb"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--reuse", type=Path, help="build the store here once, then reuse it")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--debtor-pages", type=int, default=200)
    parser.add_argument("--queue-pages", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.reuse or Path(tmp) / "store"
        built = build(folder, args.debtors, args.records)
        print(f"store: {built}", flush=True)
        random.Random(17)


if __name__ == "__main__":
    main()
