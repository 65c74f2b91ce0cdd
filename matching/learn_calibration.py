r"""Learn the company calibration (`matching/calibration.py`) from a register slice's trial.

A register slice's Chinese names are matched against all its English names
(`matching/register_trial.py`) by a real run on a scratch store, without calibration; a logistic
model then learns, from every company candidate pair and whether it is the true one, how the
pair's figures (`matching.calibration.FEATURES`: the linkage model's weight, the name score
and its two parts, their leads over the next candidate, ...) give the chance that the pair is
right. The shipped file is learned from SP_10, the slice the name levels are learned from and
no measurement uses; relearn after the lexicon, the encoder or the levels change:

    python -m matching.learn_calibration --hk data/hk_companies_registry/SP_10.csv \
        --out data/matching/company_calibration.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matching.calibration import FEATURES, Calibration, feature_matrix, pair_figures
from matching.register_trial import REGISTER, Trial, register_trial, write_debtors, write_records
from matching.run import run_matching
from pipelines.debtors import import_debtors
from pipelines.records import import_records
from pipelines.store import connect

COMPANIES = 8_000  # pairs enough that the curve is smooth: with 2,000 it moved 0.1 between eras
REGULARISATION = 1.0  # sklearn's C: the figures are few and on small scales
FOLDS, SEED = 5, 10
FLOOR = 0.0005  # no pair is ever quite impossible or quite certain by its name alone


def trial_figures(trial: Trial, scratch: Path) -> tuple[np.ndarray, np.ndarray]:
    """(figures per company candidate pair, whether it is true) from an uncalibrated run."""
    write_debtors(trial, scratch / "debtors.csv")
    write_records(trial, scratch / "records.csv")
    with connect(scratch / "trial.duckdb") as store:
        import_debtors(store, scratch / "debtors.csv")
        import_records(store, scratch / "records.csv", REGISTER)
        run_matching(store, calibrate=False)
        pairs = pair_figures(store.con, "true")
    keys = zip(*(pairs[c].to_pylist() for c in ("debtor_id", "source", "source_id")), strict=True)
    truth = np.array([key in trial.truth for key in keys], dtype=bool)
    return feature_matrix(pairs), truth


def fit(figures: np.ndarray, truth: np.ndarray, provenance: dict[str, object]) -> Calibration:
    """The logistic model on every pair; the curve from its log odds to the share of true pairs
    learned on log odds each pair got from a model that did not see it (five folds), so that
    the curve is not as sure as the model is of its own training pairs."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    logistic = LogisticRegression(C=REGULARISATION, max_iter=1_000)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    held_out = cross_val_predict(logistic, figures, truth, cv=folds, method="decision_function")
    curve = IsotonicRegression(y_min=FLOOR, y_max=1 - FLOOR, out_of_bounds="clip")
    curve.fit(held_out, truth)
    logistic.fit(figures, truth)
    coefficients = {name: float(c) for name, c in zip(FEATURES, logistic.coef_[0], strict=True)}
    return Calibration(
        float(logistic.intercept_[0]),
        coefficients,
        tuple(round(float(x), 6) for x in curve.X_thresholds_),
        tuple(round(float(p), 6) for p in curve.y_thresholds_),
        provenance,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hk", type=Path, required=True, help="Hong Kong register CSV")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--companies", type=int, default=COMPANIES)
    args = parser.parse_args(argv)
    trial = register_trial(args.hk, args.companies)
    with tempfile.TemporaryDirectory() as scratch:
        figures, truth = trial_figures(trial, Path(scratch))
    command = "python -m matching.learn_calibration " + shlex.join(argv or sys.argv[1:])
    provenance = {"learned_from": args.hk.name, "debtors": len(trial.debtors),
                  "records": len(trial.records), "pairs": len(truth),
                  "true_pairs": int(truth.sum()), "command": command,
                  "date": dt.date.today().isoformat()}  # fmt: skip
    calibration = fit(figures, truth, provenance)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(calibration.to_json(), encoding="utf-8")
    print(f"{len(truth)} pairs ({int(truth.sum())} true) -> {args.out}")


if __name__ == "__main__":
    main()
