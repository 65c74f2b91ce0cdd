"""The review queue at scale: a synthetic store of 100,000 debtors, 1,000,000 records, their
matches (with contributions, as a run leaves them), leads starting from some of them and
reviews of a few, then queue pages timed as the workbench asks for them (first pages, deep
pages, a source filter, a probability floor, with pending decisions skipped).

Run: .venv/bin/python benchmarks/review_queue.py [--debtors N] [--records N] [--matches N]
The last line is one JSON object with all the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.review_queue import QueueFilter, queue_page
from matching.settings import settings
from pipelines.store import Store, connect

SOURCES = ("gb_companies_house_psc", "gb_companies_house", "hk_companies_registry")


def fill(store: Store, debtors: int, records: int, matches: int) -> None:
    con = store.con
    model = settings(1e-5).create_settings_dict(sql_dialect_str="duckdb")
    con.execute("INSERT INTO models VALUES ('v1', now(), ?, '{}')", [json.dumps(model)])
    con.execute(
        "INSERT INTO debtors (debtor_id, name, kind, outstanding_amount, currency, content_hash,"
        " source_file, source_line, crawl_id, imported_at, updated_at)"
        " SELECT 'D' || i, 'debtor ' || i, CASE WHEN i % 3 = 0 THEN 'person' ELSE 'company' END,"
        " (hash(i) % 10000000)::DECIMAL(20, 2), 'CNY', 'h', 'f.csv', i, 1, now(), now()"
        " FROM range(?) t(i)",
        [debtors],
    )
    con.execute(
        "INSERT INTO records (source, source_id, name, kind, content_hash, first_seen, last_seen,"
        " crawl_id) SELECT ($sources)[1 + i % 3], 'R' || i, 'record ' || i, 'company', 0,"
        " now(), now(), 1 FROM range($n) t(i)",
        {"sources": list(SOURCES), "n": records},
    )
    contributions = (
        "json_object('person_name', json_object('bits', (hash(i) % 200) / 10.0 - 5, 'level', 5),"
        " 'company_name', json_object('bits', (hash(i + 1) % 200) / 10.0 - 5, 'level', 6),"
        " 'birth', json_object('bits', 0, 'level', -1))"
    )
    con.execute(
        f"INSERT INTO matches SELECT DISTINCT ON (d, s, r) * FROM ("
        f" SELECT 'D' || (hash(i) % $debtors) AS d,"
        f" ($sources)[(1 + (hash(i * 7) % $records) % 3)::BIGINT] AS s,"
        f" 'R' || (hash(i * 7) % $records) AS r, (hash(i * 13) % 1000) / 1000.0,"
        f" (hash(i) % 40) - 20.0, 0.8, {contributions}, 'name agrees', 'v1', 1, now()"
        f" FROM range($n) t(i))",
        {"debtors": debtors, "records": records, "sources": list(SOURCES), "n": matches},
    )
    # two leads from one match in three above the walk's floor, a third of them with a value
    con.execute(
        "INSERT INTO leads SELECT md5(debtor_id || source || source_id || k), debtor_id,"
        " 'gb_land_registry_ccod', 'T' || k, 'asset', NULL, 2,"
        " json_array(json_object('via', 'match', 'from_source', 'debtors', 'from_id', debtor_id,"
        " 'to_source', source, 'to_id', source_id), json_object('via', 'edge')), 0.5, 0.5,"
        " CASE WHEN k % 3 = 0 THEN (hash(source_id) % 2000000)::DECIMAL(18, 2) END, 'GB',"
        " NULL, 0, 'new', NULL, now(), now(), NULL, 1"
        " FROM matches, range(2) t(k) WHERE match_probability >= 0.5 AND hash(source_id) % 3 = 0"
    )
    con.execute(
        "INSERT INTO reviews SELECT nextval('review_id_seq'), debtor_id, source, source_id,"
        " 'confirm', 'bench', NULL, now() FROM matches USING SAMPLE 5000 ROWS"
    )


def timed_pages(store: Store, rounds: int, rng: random.Random) -> dict[str, list[float]]:
    skip = store.con.execute(
        "SELECT debtor_id, source, source_id FROM matches USING SAMPLE 300 ROWS"
    ).fetchall()
    cases = {
        "first page": (QueueFilter(), 0),
        "page 40": (QueueFilter(), 39 * 25),
        "one source": (QueueFilter(source=SOURCES[1]), 0),
        "p >= 0.8": (QueueFilter(min_probability=0.8), 0),
    }
    seconds: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (wanted, offset) in rng.sample(list(cases.items()), len(cases)):
            tick = time.perf_counter()
            found = queue_page(store.con, skip, wanted, offset, 25)
            seconds[name].append(time.perf_counter() - tick)
            assert found.rows and found.total > 0
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--matches", type=int, default=150_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, connect(Path(folder) / "b.duckdb") as store:
        tick = time.perf_counter()
        fill(store, args.debtors, args.records, args.matches)
        built = time.perf_counter() - tick
        counts = {
            table: store.scalar(f"SELECT count(*) FROM {table}")
            for table in ("debtors", "records", "matches", "leads", "reviews")
        }
        seconds = timed_pages(store, args.rounds, random.Random(7))
    figures = {
        "rows": counts,
        "build_seconds": round(built, 1),
        "ms": {
            name: {
                "median": round(statistics.median(times) * 1000, 1),
                "p95": round(sorted(times)[int(0.95 * (len(times) - 1))] * 1000, 1),
            }
            for name, times in seconds.items()
        },
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
