"""How company matching grows with the bilingual pairs the names lexicon and encoder learn from.

For each count of learning slices (SP_2; SP_2 to SP_4; the five shipped; the five and SP_10),
this copies the project to a scratch folder, learns the lexicon and the name encoder there from
those slices, and runs `benchmarks/quality.py` in the copy: the same 1,000 SP_5 company debtors
against all SP_5 English names, through the commands a user runs, and names-only ranking of the
same names. The name levels and the company calibration stay as shipped (learned on SP_10 by
the five-slice name model), so the six-slice row shows a name model that has seen SP_10 with a
calibration learned by one that had not.

Prints one line per count (pairs learned from, recall@1, recall@10, pairs completeness, links at
p >= 0.9 with their precision and recall, names-only recall@1 and @10), then how many pairs
each recall target would need if every doubling of the pairs went on adding what it added here
(a straight line against the pairs' log). The last line is one JSON object.

Run: .venv/bin/python benchmarks/learning_curve.py [--counts 1,3,5,6] [--keep DIR]
(about 30 minutes on two cores for the four counts)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.calibration_transfer import learn_names, project_copy  # noqa: E402
from benchmarks.names import HK, LEARNING_SLICES  # noqa: E402
from matching.names.learn_lexicon import read_hk_register  # noqa: E402

# the shipped names data's slices, then the one the name levels and calibration learn from
ORDER = (*LEARNING_SLICES, "SP_10.csv")
TARGETS = {"recall_at_1": 0.45, "recall_at_10": 0.65}  # benchmarks/quality.py's, companies


def quality_in(folder: Path) -> dict[str, Any]:
    """benchmarks/quality.py run inside FOLDER; its last line's figures."""
    done = subprocess.run(
        [sys.executable, "benchmarks/quality.py"], cwd=folder, check=True,
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(folder)},
    )  # fmt: skip
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def point(count: int, work: Path) -> dict[str, Any]:
    """The figures with the first COUNT learning slices."""
    slices = ORDER[:count]
    started = time.perf_counter()
    copy = project_copy(work / f"slices_{count}")
    learn_names(copy, slices)
    found = quality_in(copy)
    company, names_only = found["company"], found["company_names_only"]
    return {
        "slices": [name.removesuffix(".csv") for name in slices],
        "pairs": sum(1 for name in slices for _ in read_hk_register(HK / name)),
        "recall_at_1": company["recall_at_1"],
        "recall_at_10": company["recall_at_10"],
        "pairs_completeness": company["pairs_completeness"],
        "at_0.9": company["at_0.9"],
        "names_only": names_only,
        "seconds": round(time.perf_counter() - started),
    }


def pairs_needed(points: list[dict[str, Any]]) -> dict[str, int | None]:
    """Pairs each target would need if the figure kept growing by the same amount for each
    doubling of the pairs (a least-squares line over all points against log2 of the pairs;
    None where the line does not rise)."""
    doublings = np.log2([float(p["pairs"]) for p in points])
    needed: dict[str, int | None] = {}
    for key, target in TARGETS.items():
        slope, intercept = np.polyfit(doublings, [float(p[key]) for p in points], 1)
        needed[key] = round(2 ** ((target - intercept) / slope)) if slope > 0 else None
    return needed


def show(found: dict[str, Any]) -> None:
    sure, names = found["at_0.9"], found["names_only"]
    print(f"{len(found['slices'])} slices, {found['pairs']:,} pairs: "
          f"recall@1 {found['recall_at_1']}, recall@10 {found['recall_at_10']}, "
          f"pairs completeness {found['pairs_completeness']}, at p >= 0.9 {sure}, "
          f"names-only {names} ({found['seconds']} s)", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1,3,5,6", help="slice counts, comma-separated")
    parser.add_argument("--keep", type=Path, help="keep the project copies here")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        points = []
        for count in counts:
            points.append(point(count, work))
            show(points[-1])
    figures: dict[str, object] = {"points": points}
    if len(points) > 1:
        figures["pairs_needed"] = pairs_needed(points)
        print(f"pairs each target would need, the line carried on: "
              f"{figures['pairs_needed']}")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
