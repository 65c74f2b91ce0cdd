r"""Learn how true pairs spread over the name-similarity levels (the levels' m probabilities).

Splink's EM cannot learn these for companies: a Chinese debtor company and a Hong Kong record
share nothing but the name, and one variable alone does not separate matches from non-matches.
So the m probabilities come from real bilingual pairs: each Chinese name of a Hong Kong register
file (half made simplified, as a mainland bank holds names) is scored against its own English
name, and the share of pairs at each level is written out. The shipped file is learned from
SP_10, a slice neither the lexicon learns from nor any measurement uses (rows listed by
--exclude, such as an evaluation set's, are left out when another file is used).

    python -m matching.learn_name_levels --hk data/hk_companies_registry/SP_10.csv \
        --out data/matching/name_levels.tsv
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Sequence
from pathlib import Path

from matching.name_features import names_score
from matching.names.learn_lexicon import hk_register_rows
from matching.names.resources import opencc_converter
from matching.settings import COMPANY_NAME_LEVELS

SAMPLE, SEED = 2_000, 7
SMOOTHING = 1.0  # pseudo-count per level, so no level is ever impossible


def register_pairs(path: Path, excluded: set[str]) -> list[tuple[str, str]]:
    """(Chinese, English) from a Hong Kong register file, except the excluded Reg no. values."""
    return [(chinese, english) for number, english, chinese in hk_register_rows(path)
            if chinese and number not in excluded]  # fmt: skip


def level_of(score: float, thresholds: Sequence[float] = COMPANY_NAME_LEVELS) -> int:
    """0 for the top level, len(thresholds) for "all other"."""
    return next((i for i, t in enumerate(thresholds) if score >= t), len(thresholds))


def level_shares(pairs: Sequence[tuple[str, str]]) -> list[tuple[float, int]]:
    """Per level, top first: the smoothed share of true pairs and how many fell there."""
    counts = [0] * (len(COMPANY_NAME_LEVELS) + 1)
    for chinese, english in pairs:
        counts[level_of(names_score("company", [chinese], [english]).score)] += 1
    total = sum(counts) + SMOOTHING * len(counts)
    return [((c + SMOOTHING) / total, c) for c in counts]


def write_levels(out: Path, shares: list[tuple[float, int]], source: str, pairs: int) -> None:
    labels = [f"{t}" for t in COMPANY_NAME_LEVELS] + ["else"]
    lines = [
        "# m probabilities of the name-similarity levels: the share of true pairs at each level.",
        f"# Learned by matching/learn_name_levels.py from {pairs} bilingual pairs of {source}",
        "# (Hong Kong Companies Registry index; rows listed by --exclude left out). Regenerate",
        "# after the names module or its lexicon changes.",
        "# level\tm_probability\tpairs",
        *(
            f"{label}\t{share:.6f}\t{count}"
            for label, (share, count) in zip(labels, shares, strict=True)
        ),
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hk", type=Path, required=True, help="Hong Kong register CSV")
    parser.add_argument(
        "--exclude", type=Path, action="append", default=[],
        help="CSV whose source_id column lists Reg no. values to leave out",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=SAMPLE)
    args = parser.parse_args(argv)
    excluded: set[str] = set()
    for path in args.exclude:
        with path.open(encoding="utf-8", newline="") as handle:
            excluded |= {row["source_id"] for row in csv.DictReader(handle)}
    pairs = register_pairs(args.hk, excluded)
    rng = random.Random(SEED)
    chosen = rng.sample(pairs, min(args.sample, len(pairs)))
    to_simplified = opencc_converter("t2s")
    chosen = [
        (str(to_simplified.convert(zh)) if rng.random() < 0.5 else zh, en) for zh, en in chosen
    ]
    write_levels(args.out, level_shares(chosen), args.hk.name, len(chosen))


if __name__ == "__main__":
    main()
