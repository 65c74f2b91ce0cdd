"""Cross-script company-name ranking on real Hong Kong pairs, and key-generation speed.

Run: .venv/bin/python benchmarks/names.py [--quick] [--keys-only]

Ranking: the lexicon and the name encoder are learned from SP_2, 3, 4, 6 and 7 (and checked to
be what the shipped files hold); for each Chinese name in SP_5 (half made simplified, as a
mainland bank would hold it) all English names of SP_5 are ranked, and recall@1 and recall@10
are reported beside two baselines (rapidfuzz WRatio on the raw strings; pypinyin and
token_set_ratio), the baselines on a fixed sample of the same queries.
Speed: keys for synthetic foreign and Chinese names built from the same registers.
Prints figures as it goes; the last line is one JSON object with all of them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from matching.names import company_keys, company_similarity, person_keys  # noqa: E402
from matching.names.encoder import ENCODER_FILE  # noqa: E402
from matching.names.learn_encoder import main as learn_encoder  # noqa: E402
from matching.names.learn_lexicon import main as learn  # noqa: E402
from matching.names.learn_lexicon import read_hk_register  # noqa: E402
from matching.names.lexicon import LEXICON_FILE  # noqa: E402
from matching.names.resources import data_path  # noqa: E402
from matching.names.script import is_han, opencc_converter  # noqa: E402
from matching.names.translation_vectorised import LatinNames  # noqa: E402

HK = REPO / "data" / "hk_companies_registry"
SHORTLIST = 60
# the slices the lexicon and the encoder are learned from (SP_10 is kept for the name levels and
# the calibration, SP_5 for measuring)
LEARNING_SLICES = ("SP_2.csv", "SP_3.csv", "SP_4.csv", "SP_6.csv", "SP_7.csv")
FIGURES: dict[str, object] = {}


def report(key: str, value: object, label: str) -> None:
    FIGURES[key] = value
    shown = f"{value:.4f}" if isinstance(value, float) else value
    print(f"{label}: {shown}", flush=True)


def relearn() -> None:
    """Learn from the learning slices into scratch files and check the shipped lexicon and
    encoder are what comes out."""
    slices = [argument for name in LEARNING_SLICES for argument in ("--hk", str(HK / name))]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / LEXICON_FILE
        learn(["--out", str(out), *slices])
        fresh = _associations(out)
    report("learn_seconds", round(time.perf_counter() - started, 1), "lexicon learned (s)")
    shipped = _associations(data_path(LEXICON_FILE))
    report("lexicon_pairs", len(shipped), "lexicon associations shipped")
    report("lexicon_reproduced", fresh == shipped, "shipped lexicon reproduced")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / ENCODER_FILE
        learn_encoder(["--out", str(out), *slices])
        same = _same_arrays(out, data_path(ENCODER_FILE))
    report(
        "encoder_learn_seconds", round(time.perf_counter() - started, 1),
        "name encoder learned (s)",
    )  # fmt: skip
    report("encoder_reproduced", same, "shipped name encoder reproduced")


def _same_arrays(left: Path, right: Path) -> bool:
    """Whether two encoder files hold the same arrays (their provenance dates may differ)."""
    with np.load(left) as one, np.load(right) as other:
        names = set(one.files) - {"provenance"}
        return names == set(other.files) - {"provenance"} and all(
            np.array_equal(one[n], other[n]) for n in names
        )


def _associations(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if not line.startswith("#")}


def measurement_pairs(limit: int | None) -> tuple[list[str], list[str]]:
    """SP_5's bilingual rows: Chinese names (every other one made simplified) and English names."""
    pairs = list(read_hk_register(HK / "SP_5.csv"))
    if limit:
        pairs = random.Random(5).sample(pairs, limit)
    to_simplified = opencc_converter("t2s")
    chosen = random.Random(55)
    chinese = [str(to_simplified.convert(zh)) if chosen.random() < 0.5 else zh for zh, _ in pairs]
    return chinese, [en for _, en in pairs]


def rank_oad(index: LatinNames, english: Sequence[str], chinese_name: str) -> list[int]:
    shortlist = index.best(chinese_name, SHORTLIST)
    scored = [(company_similarity(chinese_name, english[d]).score, -i, int(d))
              for i, d in enumerate(shortlist)]  # fmt: skip
    return [d for _, _, d in sorted(scored, reverse=True)]


def recall(
    ranked: Sequence[Sequence[int]], gold: Sequence[int], english: Sequence[str], k: int
) -> float:
    hits = sum(
        any(english[d] == english[g] for d in r[:k]) for r, g in zip(ranked, gold, strict=True)
    )
    return hits / max(len(gold), 1)


def measure_oad(chinese: list[str], english: list[str]) -> None:
    started = time.perf_counter()
    index = LatinNames(english)
    ranked = [rank_oad(index, english, name) for name in chinese]
    seconds = time.perf_counter() - started
    gold = list(range(len(chinese)))
    report("queries", len(chinese), "queries (SP_5 Chinese names)")
    report("candidates", len(english), "candidates ranked per query (SP_5 English names)")
    report("oad_recall_at_1", recall(ranked, gold, english, 1), "oad recall@1")
    report("oad_recall_at_10", recall(ranked, gold, english, 10), "oad recall@10")
    report("oad_rank_seconds", round(seconds, 1), "oad ranking time (s)")


def measure_baseline(
    key: str, chinese: list[str], english: list[str], sample: int,
    prepare: Callable[[str], str], scorer: Callable[..., float],
) -> None:  # fmt: skip
    queries = sorted(random.Random(7).sample(range(len(chinese)), min(sample, len(chinese))))
    started = time.perf_counter()
    choices = [prepare(e) for e in english]
    matrix = process.cdist([prepare(chinese[q]) for q in queries], choices, scorer=scorer,
                           workers=-1, dtype=np.uint8)  # fmt: skip
    ranked = [list(np.argsort(-row, kind="stable")[:10]) for row in matrix]
    report(f"{key}_queries", len(queries), f"{key} queries (sample of the same work)")
    report(f"{key}_recall_at_1", recall(ranked, queries, english, 1), f"{key} recall@1")
    report(f"{key}_recall_at_10", recall(ranked, queries, english, 10), f"{key} recall@10")
    report(f"{key}_seconds", round(time.perf_counter() - started, 1), f"{key} time (s)")


def pinyin_form(name: str) -> str:
    return " ".join(lazy_pinyin(name)).lower()


def synthetic_names(
    count_foreign: int, count_chinese: int
) -> tuple[list[str], list[tuple[str, str]]]:
    """Foreign names (companies, romanised persons) and Chinese names (kind, name); fixed seed."""
    pairs = list(read_hk_register(HK / "SP_2.csv")) + list(read_hk_register(HK / "SP_5.csv"))
    words = sorted({w for _, en in pairs for w in en.split() if w.isalpha()})
    chars = sorted({c for zh, _ in pairs for c in zh.replace("有限公司", "") if is_han(c)})
    syllables = sorted({w.lower() for w in words if len(w) <= 5})
    forms = ["LIMITED", "CO., LTD.", "HOLDINGS LIMITED", "PTE. LTD.", "SDN. BHD.", "INC.", "LLC"]
    surnames = "陈林黄张李王吴刘蔡杨许郑谢郭洪曾邱廖赖周徐苏叶庄吕江何萧罗高"
    rng = random.Random(2026)
    foreign = []
    for i in range(count_foreign):
        if i % 2:
            foreign.append(f"{' '.join(rng.sample(words, rng.randint(1, 3)))} {rng.choice(forms)}")
        else:
            given = "-".join(rng.sample(syllables, 2)).title()
            foreign.append(f"{rng.choice(syllables).upper()} {given}")
    chinese = []
    for i in range(count_chinese):
        if i % 2:
            chinese.append(
                ("company", rng.choice(pairs)[0][:2] + "".join(rng.sample(chars, 2)) + "有限公司")
            )
        else:
            chinese.append(("person", rng.choice(surnames) + "".join(rng.sample(chars, 2))))
    return foreign, chinese


def measure_speed(count_foreign: int, count_chinese: int) -> None:
    foreign, chinese = synthetic_names(count_foreign, count_chinese)
    started = time.perf_counter()
    for i, name in enumerate(foreign):
        _ = company_keys(name).blocking_keys if i % 2 else person_keys(name).blocking_keys
    foreign_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for kind, name in chinese:
        _ = (
            company_keys(name).blocking_keys
            if kind == "company"
            else person_keys(name).blocking_keys
        )
    chinese_seconds = time.perf_counter() - started
    report("foreign_names", count_foreign, "foreign names keyed")
    report("foreign_names_per_second", round(count_foreign / foreign_seconds), "foreign names/s")
    report("chinese_names", count_chinese, "Chinese names keyed")
    report("chinese_names_per_second", round(count_chinese / chinese_seconds), "Chinese names/s")
    report("keys_seconds", round(foreign_seconds + chinese_seconds, 1), "keys total time (s)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Cross-script names benchmark")
    parser.add_argument("--quick", action="store_true", help="2,000 pairs and 100k/10k names")
    parser.add_argument("--baseline-sample", type=int, default=2000)
    parser.add_argument("--keys-only", action="store_true", help="only the key-generation speed")
    args = parser.parse_args()
    if not args.keys_only:
        relearn()
        chinese, english = measurement_pairs(2000 if args.quick else None)
        measure_oad(chinese, english)
        baselines = (
            ("wratio", str, fuzz.WRatio),
            ("pinyin_token_set", pinyin_form, fuzz.token_set_ratio),
        )
        for key, prepare, scorer in baselines:
            measure_baseline(key, chinese, english, args.baseline_sample, prepare, scorer)
    measure_speed(100_000 if args.quick else 1_000_000, 10_000 if args.quick else 100_000)
    print(json.dumps(FIGURES, ensure_ascii=False))


if __name__ == "__main__":
    main()
