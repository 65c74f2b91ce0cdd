"""Search at scale: the store benchmarks/match.py builds (100,000 debtors, 1,000,000 records),
its features and search index made, then queries of every kind timed one by one.

Queries: debtors' Chinese names (simplified and traditional), person debtors' pinyin with and
without spaces, record company names in another word order, with a typo, and identifiers.

Run: .venv/bin/python benchmarks/search.py [--debtors N] [--records N] [--queries N]
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

import opencc
from pypinyin import lazy_pinyin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.match import peak_gb, write_data
from matching.features import refresh_features
from matching.search import search
from matching.search_index import refresh_search_index
from pipelines.debtors import import_debtors
from pipelines.records import import_records
from pipelines.store import Store, connect

Query = tuple[str, str, str]  # (kind of query, query, the id it should find)


def queries(store: Store, count: int, rng: random.Random) -> list[Query]:
    s2t = opencc.OpenCC("s2t")
    debtors = store.con.execute(
        "SELECT debtor_id, name, kind, id_number FROM debtors USING SAMPLE 2000 ROWS"
    ).fetchall()
    records = store.con.execute(
        "SELECT source_id, name FROM records WHERE kind = 'company' USING SAMPLE 2000 ROWS"
    ).fetchall()
    made: list[Query] = []
    for debtor_id, name, kind, id_number in debtors:
        made.append(("chinese", name, debtor_id))
        made.append(("traditional", s2t.convert(name), debtor_id))
        made.append(("identifier", id_number, debtor_id))
        if kind == "person":
            syllables = lazy_pinyin(name)
            made.append(("pinyin", f"{syllables[0]} {''.join(syllables[1:])}", debtor_id))
            made.append(("pinyin_run_together", "".join(syllables), debtor_id))
    for source_id, name in records:
        words = name.split()
        made.append(("company_reordered", " ".join(reversed(words)).lower(), source_id))
        at = rng.randrange(len(name))
        made.append(("company_typo", name[:at] + name[at + 1 :], source_id))
    rng.shuffle(made)
    return made[:count]


def timed(store: Store, batch: list[Query]) -> tuple[list[float], dict[str, list[bool]]]:
    seconds: list[float] = []
    found: dict[str, list[bool]] = {}
    for kind, text, wanted in batch:
        tick = time.perf_counter()
        hits = search(store.con, text, limit=10)
        seconds.append(time.perf_counter() - tick)
        found.setdefault(kind, []).append(any(hit.id == wanted for hit in hits))
    return seconds, found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(13)
    figures: dict[str, object] = {"debtors": args.debtors, "records": args.records}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_data(work, args.debtors, args.records, rng)
        with connect(work / "bench.duckdb") as store:
            import_debtors(store, work / "debtors.csv")
            import_records(store, work / "records.csv", "bench")
            tick = time.perf_counter()
            refresh_features(store)
            figures["features_and_index_s"] = round(time.perf_counter() - tick, 1)
            tick = time.perf_counter()
            with store.transaction() as con:
                refresh_search_index(con, full=True)
            figures["index_rewrite_s"] = round(time.perf_counter() - tick, 1)
            tick = time.perf_counter()
            with store.transaction() as con:
                refresh_search_index(con)
            figures["index_unchanged_s"] = round(time.perf_counter() - tick, 2)
            figures["search_keys"] = store.scalar("SELECT count(*) FROM search_keys")
            print(", ".join(f"{k} {v}" for k, v in figures.items()))
            batch = queries(store, args.queries, rng)
            timed(store, batch[:20])  # the names module loads its tables on first use
            seconds, found = timed(store, batch)
    figures["queries"] = len(seconds)
    figures["p50_ms"] = round(1000 * statistics.median(seconds), 1)
    figures["p95_ms"] = round(1000 * percentile(seconds, 0.95), 1)
    figures["max_ms"] = round(1000 * max(seconds), 1)
    for kind, hits in sorted(found.items()):
        figures[f"found_in_top10_{kind}"] = round(sum(hits) / len(hits), 3)
    figures["peak_memory_gb"] = round(peak_gb(), 2)
    print(f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms over {len(seconds)} queries")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
