"""Names-only ranking of benchmarks/match.py's company debtors at one and five million records.

benchmarks/match.py writes the same debtors for every size, and a smaller size's records are
the first lines of a larger one's (one seed, one sequence). So each true record meets, at five
million, every record it met at one million and four million more look-alikes: a score that
depends on the pair alone can only rank it the same or lower. This measures how much lower the
name score itself ranks it, with no blocking and no model: a sample of the company debtors, each
scored against every company record name by the blended name score (the translation model and
the name encoder, `LatinNames`, as names-only ranking's first cut), the true record's rank
counted among the records of the smaller size and among all.

Prints recall@1 and recall@10 at both sizes and how many true records leave the first ten; the
last line is one JSON object.

Run: .venv/bin/python benchmarks/names_at_scale.py [--debtors 300] [--records 5000000]
     [--prefix 1000000]
(about 5 minutes to write and index five million records, then 2 to 3 s a debtor)
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.match import SEED, write_data  # noqa: E402
from matching.names.translation_vectorised import LatinNames  # noqa: E402

DEBTORS = 100_000  # benchmarks/match.py's default, which sets which debtors are written


def company_records(path: Path, prefix: int) -> tuple[list[str], dict[str, int], int]:
    """The company records' names in file order, each source id's position among them, and how
    many of them lie in the file's first PREFIX records."""
    names: list[str] = []
    position: dict[str, int] = {}
    within = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle)):
            if row["kind"] == "company":
                position[row["source_id"]] = len(names)
                names.append(row["name"])
                within += line < prefix
    return names, position, within


def company_debtors(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["debtor_id"]: row["name"] for row in csv.DictReader(handle)
                if row["kind"] == "company"}  # fmt: skip


def outranked(index: LatinNames, debtor_name: str, true_at: int, within: int) -> tuple[int, int]:
    """How many record names score above the true one: among the first WITHIN, and among all."""
    scores = index.ranking_scores(debtor_name)
    true = scores[true_at]
    return int((scores[:within] > true).sum()), int((scores > true).sum())


def _share(hits: np.ndarray) -> float:
    return round(float(hits.mean()), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=300, help="company debtors sampled")
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--prefix", type=int, default=1_000_000, help="the smaller size")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        truth = write_data(work, DEBTORS, args.records, random.Random(SEED))
        names, position, within = company_records(work / "records.csv", args.prefix)
        debtors = company_debtors(work / "debtors.csv")
    pairs = sorted((d, s) for d, s in truth if d in debtors)
    sample = random.Random(3).sample(pairs, min(args.debtors, len(pairs)))
    index = LatinNames(names)
    print(f"{len(names):,} company record names ({within:,} in the first {args.prefix:,} "
          f"records) indexed in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    counts = np.array([outranked(index, debtors[d], position[s], within) for d, s in sample])
    small, large = counts[:, 0], counts[:, 1]
    figures = {
        "debtors": len(sample),
        "records": args.records,
        "prefix": args.prefix,
        "recall_at_1": {"prefix": _share(small < 1), "all": _share(large < 1)},
        "recall_at_10": {"prefix": _share(small < 10), "all": _share(large < 10)},
        "left_the_first_ten": int(((small < 10) & (large >= 10)).sum()),
        "seconds": round(time.perf_counter() - started),
    }
    print(f"recall@1 {figures['recall_at_1']}, recall@10 {figures['recall_at_10']}; "
          f"{figures['left_the_first_ten']} of {len(sample)} true records in the first ten "
          f"at {args.prefix:,} are not at {args.records:,}")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
