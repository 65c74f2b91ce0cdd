"""The name encoder's nearest-record search, faiss's own against a cluster at a time.

Builds the data of `benchmarks/match.py` (its company debtors' Chinese names; its records'
English company names), encodes and places the record names in a clustered index as a matching
run does, then finds each debtor name's 100 nearest records twice: with faiss's search (a query
at a time) and with `matching.ivf_search.search` (a cluster at a time, every query that probes
it together). Prints both times and how far the results differ.

Run: .venv/bin/python benchmarks/encoder_search.py [--records N]
The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.match import SEED, write_data
from matching import ivf_search
from matching.dense_candidates import Names, query_vectors, record_index

NEAREST = 100


def company_names(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["name"] for row in csv.DictReader(handle) if row["kind"] == "company"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        write_data(work, 100_000, args.records, random.Random(SEED))
        records, debtors = company_names(work / "records.csv"), company_names(work / "debtors.csv")
    started = time.perf_counter()
    index = record_index(Names(np.arange(len(records), dtype=np.int32), records), None)
    figures: dict[str, object] = {"record_names": len(records), "queries": len(debtors),
                                  "index_s": round(time.perf_counter() - started, 1)}  # fmt: skip
    queries = query_vectors(debtors)
    started = time.perf_counter()
    theirs, their_ids = index.search(queries, NEAREST)
    figures["faiss_search_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    ours, our_ids = ivf_search.search(index, queries, NEAREST)
    figures["by_cluster_search_s"] = round(time.perf_counter() - started, 1)
    figures["largest_score_difference"] = float(np.abs(theirs - ours).max())
    # records of equal score may be cut at the hundredth place differently
    shared = [len(np.intersect1d(a, b)) for a, b in zip(their_ids, our_ids, strict=True)]
    figures["records_in_common"] = round(float(np.mean(shared)) / NEAREST, 4)
    print(", ".join(f"{key} {value}" for key, value in figures.items()))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
