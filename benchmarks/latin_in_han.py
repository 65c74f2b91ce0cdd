"""Names-only ranking of Chinese company names that carry Latin letters or digits (TCL科技,
世紀21物業, 1001制作), each among all English names of its Hong Kong register slice.

About one bilingual pair in a hundred has such a name; a debtor list has as many as its names
write brands and numbers so (TCL, 58). For each such Chinese name (as the register writes it) every
English name of the slice, with or without a Chinese name beside it, as `benchmarks/quality.py`
ranks them, is scored by the company score a match ranks with (the translation model blended
with the name encoder); the true name's rank counts the names scoring strictly above it.

Run: .venv/bin/python benchmarks/latin_in_han.py [SLICE ...]   (default SP_5 SP_10)
The last line is one JSON object with the figures.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from matching.names.translation_vectorised import LatinNames  # noqa: E402

HK = REPO / "data" / "hk_companies_registry"
# chosen from the raw text, not by `literal_words`, so that the same names are measured on code
# from before it (192 of SP_5's 193 have a literal word: A-時代's letter A is the article "a"
# to the English parse, on both sides alike)
_LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z]")


def register_names(path: Path) -> list[tuple[str, str]]:
    """(English name, Chinese name or "") of every row with an English name."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    split = (row[2].partition("\n") for row in rows)
    return [(en.strip(), zh.strip()) for en, _, zh in split if en.strip()]


def measure(slice_name: str) -> dict[str, object]:
    names = register_names(HK / f"{slice_name}.csv")
    english = [en for en, _ in names]
    index = LatinNames(english)
    queries = [
        (row, zh)
        for row, (_, zh) in enumerate(names)
        if zh and _LATIN_OR_DIGIT.search(unicodedata.normalize("NFKC", zh))
    ]
    started = time.perf_counter()
    above = np.array([_above(index.scores(zh), row) for row, zh in queries])
    return {
        "slice": slice_name,
        "english_names": len(english),
        "queries": len(queries),
        "recall_at_1": round(float(np.mean(above == 0)), 3),
        "recall_at_10": round(float(np.mean(above < 10)), 3),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _above(scores: np.ndarray, true_row: int) -> int:
    return int((scores > scores[true_row]).sum())


def main() -> None:
    figures = [measure(name) for name in sys.argv[1:] or ["SP_5", "SP_10"]]
    for found in figures:
        print(", ".join(f"{key} {value}" for key, value in found.items()), flush=True)
    print(json.dumps({"slices": figures}))


if __name__ == "__main__":
    main()
