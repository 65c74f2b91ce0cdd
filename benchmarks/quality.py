"""Match quality at register scale, through the commands a user runs.

Companies: Chinese names of Hong Kong register slice SP_5 (the slice the names lexicon is not
learned from; every other one made simplified, as a mainland bank holds them) as the bank's
debtors, against every English name of the same slice (some 28,000) as one register's records.
Persons: the project's person set (tests/data/matching: public figures as foreign registers
spell them, with namesakes born 20 years apart and near-miss names). All through
`oad debtors import`, `oad records import` and `oad match` on a fresh store.

Prints, by kind: recall@1 and recall@10 (the right record among a debtor's first one or ten
candidates), pairs completeness (among its candidates at all), precision and recall at p ≥ 0.5
and p ≥ 0.9, and a calibration table (per probability band: pairs, mean probability, observed
precision); for companies also names-only ranking on the same names (benchmarks/names.py's
shortlist and re-ranking, no model), which the pipeline should not fall far below, and recall of
200 hand-labelled debtors apart by whether their English name carries any of the Chinese trade
name (benchmarks/data/README.md): the second group is what no name model can be expected to find.

Run: .venv/bin/python benchmarks/quality.py [--companies N] [--no-names-only]
(--companies 20000 takes every Chinese name of the slice, 19,631, in about 10 minutes: a
surer figure than the default 1,000's, whose names are harder than the slice's.)
The last line is one JSON object with all the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from matching.calibration_table import calibration_table  # noqa: E402
from matching.names.learn_lexicon import hk_register_rows  # noqa: E402
from matching.ranking import RANKED  # noqa: E402
from matching.register_trial import (  # noqa: E402
    DEBTOR_COLUMNS,
    REGISTER,
    register_trial,
    write_debtors,
    write_records,
)

SP_5 = REPO / "data" / "hk_companies_registry" / "SP_5.csv"
PERSONS = REPO / "tests" / "data" / "matching"
EVIDENCE = REPO / "benchmarks" / "data" / "sp5_trade_name_evidence.csv"  # see its README
BAND_EDGES = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0)
Pair = tuple[str, str, str]  # debtor_id, source, source_id


def write_inputs(folder: Path, companies: int) -> set[Pair]:
    """The debtor and record files of both sets in FOLDER; the true pairs."""
    trial = register_trial(SP_5, companies)
    with (PERSONS / "debtors.csv").open(encoding="utf-8", newline="") as persons:
        people = [[person[c] for c in DEBTOR_COLUMNS] for person in csv.DictReader(persons)
                  if person["kind"] == "person"]  # fmt: skip
    write_debtors(trial, folder / "debtors.csv", people)
    write_records(trial, folder / "register.csv")
    truth = set(trial.truth)
    with (PERSONS / "labels.csv").open(encoding="utf-8", newline="") as handle:
        truth |= {(row["debtor_id"], row["source"], row["source_id"])
                  for row in csv.DictReader(handle)
                  if row["is_match"] == "1" and row["source"] == "officers"}  # fmt: skip
    return truth


def oad(db: Path, *args: str) -> float:
    """Run one oad command as a user would; its seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cli", "--db", str(db), "--quiet", *args],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return round(time.perf_counter() - started, 1)


def candidates(db: Path) -> dict[str, list[tuple[Pair, float]]]:
    """Each debtor's candidates, best first, with their probabilities."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            f"SELECT debtor_id, source, source_id, match_probability FROM ({RANKED}) m"
            " ORDER BY debtor_id, rank"
        ).fetchall()
    ranked: dict[str, list[tuple[Pair, float]]] = defaultdict(list)
    for debtor_id, source, source_id, probability in rows:
        ranked[debtor_id].append(((debtor_id, source, source_id), float(probability)))
    return ranked


def figures(
    debtors: list[str], ranked: dict[str, list[tuple[Pair, float]]], truth: set[Pair]
) -> dict[str, object]:
    """Ranking, threshold and calibration figures of DEBTORS; the ranking figures over those
    with a true record (a person set's decoy debtors have none)."""
    wanted = {pair for pair in truth if pair[0] in set(debtors)}
    found = sorted({pair[0] for pair in wanted})
    listed = {d: [pair for pair, _ in ranked.get(d, [])] for d in debtors}
    scored = [(pair, p) for d in debtors for pair, p in ranked.get(d, [])]
    out: dict[str, object] = {"debtors": len(debtors), "with_a_true_record": len(found),
                              "candidate_pairs": len(scored)}  # fmt: skip
    for k in (1, 10):
        out[f"recall_at_{k}"] = _share(sum(bool(set(listed[d][:k]) & wanted) for d in found),
                                       len(found))  # fmt: skip
    out["pairs_completeness"] = _share(sum(bool(set(listed[d]) & wanted) for d in found),
                                       len(found))  # fmt: skip
    for threshold in (0.5, 0.9):
        links = [pair for pair, p in scored if p >= threshold]
        right = sum(pair in wanted for pair in links)
        out[f"at_{threshold}"] = {"links": len(links), "precision": _share(right, len(links)),
                                  "recall": _share(right, len(wanted))}  # fmt: skip
    out["calibration"] = calibration(scored, wanted)
    return out


def by_evidence(
    companies: list[str], ranked: dict[str, list[tuple[Pair, float]]], truth: set[Pair]
) -> dict[str, object]:
    """recall@1 and @10 of the hand-labelled debtors among COMPANIES, apart by whether their
    English name carries any of the Chinese trade name (EVIDENCE): what no name model can
    find shows as the second group."""
    with EVIDENCE.open(encoding="utf-8", newline="") as handle:
        labels = {f"HK{row['company_number']}": row["trade_name_evidence"]
                  for row in csv.DictReader(handle)}  # fmt: skip
    out: dict[str, object] = {}
    for label in ("yes", "no"):
        found = figures([d for d in companies if labels.get(d) == label], ranked, truth)
        out[label] = {k: found[k] for k in ("debtors", "recall_at_1", "recall_at_10")}
    return out


def calibration(scored: list[tuple[Pair, float]], wanted: set[Pair]) -> list[dict[str, object]]:
    return [
        {"band": band.label, "pairs": band.pairs, "mean_p": _rounded(band.mean_probability),
         "observed": _rounded(band.observed_precision)}
        for band in calibration_table(scored, wanted, BAND_EDGES)
    ]  # fmt: skip


def names_only(debtor_names: dict[str, str], truth: set[Pair]) -> dict[str, object]:
    """recall@1 and @10 of names-only ranking (no blocking, no model) over the same names."""
    from benchmarks.names import rank_oad
    from matching.names.translation_vectorised import LatinNames

    rows = list(hk_register_rows(SP_5))
    english = [name for _, name, _ in rows]
    numbers = [number for number, _, _ in rows]
    index = LatinNames(english)
    right = {d: k for d, _, k in truth}
    hits = {1: 0, 10: 0}
    for debtor_id, name in debtor_names.items():
        ranked = [numbers[i] for i in rank_oad(index, english, name)]
        for k in hits:
            hits[k] += right[debtor_id] in ranked[:k]
    return {f"recall_at_{k}": _share(n, len(debtor_names)) for k, n in hits.items()}


def _share(part: float, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def show(kind: str, found: dict[str, object]) -> None:
    print(f"{kind}: " + ", ".join(f"{k} {v}" for k, v in found.items() if k != "calibration"))
    print(f"{kind} calibration (band: pairs, mean p, observed precision):")
    for band in found["calibration"]:  # type: ignore[attr-defined]
        print(f"  {band['band']}: {band['pairs']}, {band['mean_p']}, {band['observed']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--no-names-only", action="store_true")
    args = parser.parse_args()
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder, db = Path(scratch), Path(scratch) / "quality.duckdb"
        truth = write_inputs(folder, args.companies)
        person_records = str(PERSONS / "person_records.csv")
        seconds = {
            "debtors_import": oad(db, "debtors", "import", str(folder / "debtors.csv")),
            "records_import": oad(
                db, "records", "import", str(folder / "register.csv"), "--source", REGISTER
            ),
            "person_records_import": oad(
                db, "records", "import", person_records, "--source", "officers"
            ),
            "match": oad(db, "match"),
        }
        ranked = candidates(db)
        with duckdb.connect(str(db), read_only=True) as con:
            kinds = dict(con.execute("SELECT debtor_id, kind FROM debtors").fetchall())
            debtor_names = dict(
                con.execute("SELECT debtor_id, name FROM debtors WHERE kind = 'company'").fetchall()
            )
    out["seconds"] = seconds
    print(f"seconds: {seconds}")
    for kind in ("company", "person"):
        found = figures([d for d, k in kinds.items() if k == kind], ranked, truth)
        out[kind] = found
        show(kind, found)
    companies = [d for d, k in kinds.items() if k == "company"]
    out["company_by_evidence"] = by_evidence(companies, ranked, truth)
    print(f"company, the hand-labelled by trade-name evidence: {out['company_by_evidence']}")
    if not args.no_names_only:
        out["company_names_only"] = names_only(debtor_names, truth)
        print(f"company, names only: {out['company_names_only']}")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
