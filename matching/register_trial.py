"""A matching trial on one slice of the Hong Kong register index, whose rows give the truth.

A sample of its Chinese names (every other one, at random, made simplified, as a mainland bank
holds names) plays the bank's company debtors; every English name of the same slice plays one
foreign register's records. Each debtor's true record is the row it came from. The company
calibration is learned on one slice's trial (`matching/learn_calibration.py`) and match quality
measured on another's (`benchmarks/quality.py`).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matching.names.learn_lexicon import hk_register_rows
from matching.names.resources import opencc_converter

REGISTER = "hk_register"  # the source the trial's records are imported as
SAMPLE_SEED, SCRIPT_SEED = 5, 55
DEBTOR_COLUMNS = ["debtor_id", "name", "kind", "id_number", "birth_date"]

Pair = tuple[str, str, str]  # debtor_id, source, source_id


@dataclass(frozen=True)
class Trial:
    debtors: list[tuple[str, str]]  # (debtor_id, Chinese name as the bank holds it)
    records: list[tuple[str, str]]  # (registration number, English name)
    truth: set[Pair]


def register_trial(path: Path, companies: int) -> Trial:
    """COMPANIES bilingual rows of the register file at PATH as debtors, all rows as records."""
    rows = list(hk_register_rows(path))
    bilingual = [row for row in rows if row[2]]
    chosen = random.Random(SAMPLE_SEED).sample(bilingual, min(companies, len(bilingual)))
    to_simplified = opencc_converter("t2s")
    halves = random.Random(SCRIPT_SEED)
    debtors = [
        (f"HK{number}", str(to_simplified.convert(chinese)) if halves.random() < 0.5 else chinese)
        for number, _, chinese in chosen
        if chinese
    ]
    truth = {(f"HK{number}", REGISTER, number) for number, _, _ in chosen}
    return Trial(debtors, [(number, english) for number, english, _ in rows], truth)


def write_debtors(trial: Trial, path: Path, more: Iterable[Sequence[str]] = ()) -> None:
    """The trial's debtors as a debtor file, then MORE rows of its columns."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(DEBTOR_COLUMNS)
        out.writerows([debtor_id, name, "company", "", ""] for debtor_id, name in trial.debtors)
        out.writerows(more)


def write_records(trial: Trial, path: Path) -> None:
    """The trial's records as a record file (source_id, name, kind)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["source_id", "name", "kind"])
        out.writerows([number, english, "company"] for number, english in trial.records)
