"""The quality benchmark's arithmetic (benchmarks/quality.py), on candidates made by hand."""

from __future__ import annotations

from benchmarks.quality import figures

TRUTH = {("D1", "reg", "1"), ("D2", "reg", "2")}
RANKED = {
    "D1": [(("D1", "reg", "1"), 0.95), (("D1", "reg", "7"), 0.4)],  # right first, sure
    "D2": [(("D2", "reg", "8"), 0.6), (("D2", "reg", "2"), 0.2)],  # right second
    "D3": [(("D3", "reg", "9"), 0.05)],  # a decoy debtor with no true record
}


def test_ranking_threshold_and_calibration_figures() -> None:
    found = figures(["D1", "D2", "D3"], RANKED, TRUTH)
    assert (found["debtors"], found["with_a_true_record"], found["candidate_pairs"]) == (3, 2, 5)
    assert (found["recall_at_1"], found["recall_at_10"], found["pairs_completeness"]) == (
        0.5, 1.0, 1.0,
    )  # fmt: skip
    assert found["at_0.5"] == {"links": 2, "precision": 0.5, "recall": 0.5}
    assert found["at_0.9"] == {"links": 1, "precision": 1.0, "recall": 0.5}
    bands = {band["band"]: band for band in found["calibration"]}  # type: ignore[attr-defined]
    assert bands["[0.0, 0.1)"]["pairs"] == 1 and bands["[0.0, 0.1)"]["observed"] == 0.0
    assert bands["[0.1, 0.3)"] == {"band": "[0.1, 0.3)", "pairs": 1, "mean_p": 0.2,
                                   "observed": 1.0}  # fmt: skip
    assert bands["[0.9, 0.99)"]["observed"] == 1.0
    assert sum(band["pairs"] for band in bands.values()) == 5
