"""Does a company calibration learned on one register slice hold on another?

The shipped calibration is learned on SP_10, which the names lexicon and encoder never saw. To
check it on a second slice that they never saw either, this copies the project to a scratch
folder, relearns the lexicon and the encoder there from the learning slices less SP_7, and runs
SP_7's trial in that copy; SP_10's trial runs with the shipped data. A calibration is then learned
on each trial (`matching.learn_calibration.fit`, as shipped) and applied to the other's pairs.

Prints, for each direction: per probability band the pairs, mean probability and observed
precision; the largest gap of a band with 50 or more pairs; and links at p >= 0.9 with their
precision and recall (true pairs found over debtors). The last line is one JSON object.

Run: .venv/bin/python benchmarks/calibration_transfer.py [--companies N] [--keep DIR]
(about 30 minutes on two cores: two lexicon and encoder learnings' worth, two trials of N debtors)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.quality import BAND_EDGES  # noqa: E402
from matching.calibration_table import calibration_table  # noqa: E402
from matching.learn_calibration import COMPANIES, fit  # noqa: E402

HK = Path("data") / "hk_companies_registry"
HELD_OUT = "SP_7.csv"  # the learning slice left out of the copy's lexicon and encoder
LEARNING = ("SP_2.csv", "SP_3.csv", "SP_4.csv", "SP_6.csv")
MIN_BAND = 50
# run inside a project folder: the trial's figures of one slice, saved as arrays
TRIAL = """
import sys, tempfile
from pathlib import Path
import numpy as np
from matching.learn_calibration import trial_figures
from matching.register_trial import register_trial
trial = register_trial(Path(sys.argv[1]), int(sys.argv[2]))
with tempfile.TemporaryDirectory() as scratch:
    figures, truth = trial_figures(trial, Path(scratch))
np.savez(sys.argv[3], figures=figures, truth=truth, debtors=len(trial.debtors))
"""


def run(folder: Path, *args: str) -> None:
    environment = {**os.environ, "PYTHONPATH": str(folder)}
    subprocess.run([sys.executable, *args], cwd=folder, check=True, env=environment)


def project_copy(target: Path) -> Path:
    """The project's code and data, without its virtual environment and history."""
    ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", "out", "*.duckdb")
    shutil.copytree(REPO, target, ignore=ignore)
    return target


def learn_names(folder: Path, slices: Sequence[str]) -> None:
    """The lexicon and the name encoder of the project copy in FOLDER, learned from SLICES
    (file names of data/hk_companies_registry)."""
    given = [argument for name in slices for argument in ("--hk", str(HK / name))]
    names = folder / "data" / "names"
    run(folder, "-m", "matching.names.learn_lexicon", "--out", str(names / "lexicon.tsv"), *given)
    run(folder, "-m", "matching.names.learn_encoder", "--out", str(names / "name_encoder.npz"),
        *given)  # fmt: skip


def trial(folder: Path, slice_name: str, companies: int, out: Path) -> dict[str, np.ndarray]:
    started = time.perf_counter()
    run(folder, "-c", TRIAL, str(HK / slice_name), str(companies), str(out))
    print(f"{slice_name} trial: {time.perf_counter() - started:.0f} s", flush=True)
    with np.load(out) as stored:
        return {name: stored[name] for name in stored.files}


def transfer(learned_on: dict[str, np.ndarray], checked_on: dict[str, np.ndarray]) -> dict:
    calibration = fit(learned_on["figures"], learned_on["truth"], {})
    said = calibration.probabilities(checked_on["figures"])
    pairs = [(str(index), "", "") for index in range(len(said))]
    truth = {pair for pair, true in zip(pairs, checked_on["truth"], strict=True) if true}
    table = calibration_table(zip(pairs, said.tolist(), strict=True), truth, BAND_EDGES)
    bands = [{"band": band.label, "pairs": band.pairs, "mean": _rounded(band.mean_probability),
              "observed": _rounded(band.observed_precision)} for band in table]  # fmt: skip
    gaps = [abs(b.mean_probability - b.observed_precision) for b in table
            if b.pairs >= MIN_BAND and b.mean_probability is not None
            and b.observed_precision is not None]  # fmt: skip
    sure = said >= 0.9
    found = int(checked_on["truth"][sure].sum())
    return {"bands": bands, "worst_gap": _rounded(max(gaps, default=0.0)),
            "links_at_0_9": int(sure.sum()),
            "precision_at_0_9": _rounded(found / sure.sum() if sure.any() else None),
            "recall_at_0_9": _rounded(found / int(checked_on["debtors"]))}  # fmt: skip


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def show(label: str, found: dict) -> None:
    print(label)
    for band in found["bands"]:
        print(f"  {band['band']}: {band['pairs']} pairs, mean {band['mean']}, "
              f"observed {band['observed']}")  # fmt: skip
    print(f"  largest gap (bands of {MIN_BAND}+ pairs): {found['worst_gap']}; at p >= 0.9: "
          f"{found['links_at_0_9']} links, precision {found['precision_at_0_9']}, "
          f"recall {found['recall_at_0_9']}", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=COMPANIES)
    parser.add_argument("--keep", type=Path, help="keep the copy and the trials' figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        copy = project_copy(work / "project")
        learn_names(copy, LEARNING)
        print(f"lexicon and encoder without {HELD_OUT}: {time.perf_counter() - started:.0f} s")
        held_out = trial(copy, HELD_OUT, args.companies, work / "held_out.npz")
        shipped = trial(REPO, "SP_10.csv", args.companies, work / "sp_10.npz")
    figures = {"companies": args.companies,
               "sp_10_on_held_out": transfer(shipped, held_out),
               "held_out_on_sp_10": transfer(held_out, shipped)}  # fmt: skip
    show(f"learned on SP_10, checked on {HELD_OUT}", figures["sp_10_on_held_out"])
    show(f"learned on {HELD_OUT}, checked on SP_10", figures["held_out_on_sp_10"])
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
