"""Company match probabilities calibrated at register scale.

The linkage model weighs each pair alone. For a company, whose Chinese name and English name share
nothing but what the name says, that is never enough against a prior of one true record in
hundreds of thousands: Splink never says more than about 0.3, for right and wrong pairs alike.
What an investigator looks at is also how the pair stands among the debtor's other candidates: a
record whose name explains the debtor's clearly better than the next one's is most often the
one, unless many others stand as close (a common name), and a longer name says more than a
short one. A logistic model over figures of each company pair — the linkage model's weight, the
name score, its lead over the debtor's best other candidate, how many of the debtor's other
candidates score within 0.05 and 0.02 of it, the characters of the debtor's trade name and the
content words of the record's name — learned on a register slice whose truth is known
(`matching/learn_calibration.py`), orders the pairs, and a
monotone curve learned on the same slice (isotonic regression on held-out folds) says what
share of pairs at each log odds were right: that share is the probability.
The linkage model's own weight stays in `match_weight`; the difference the calibration makes is
one more step of the pair's explanation, in bits.

Persons are left to the linkage model: birth dates and identifiers speak for them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from pipelines.resources import data_file
from pipelines.store import insert_arrow

CALIBRATION_FILE = "matching/company_calibration.json"  # under data/
FEATURES = ("weight", "score", "lead", "within_05", "within_02", "trade_chars", "record_words")
STEP = "among its candidates"  # the explanation step's name
LEVEL = "name score %.2f, %+.2f on the next candidate's"

# Each company pair of the debtors in scope whose probability the model gave (identifier links
# and confirmed pairs carry a reason and stay certain), with its figures: the linkage model's
# weight (bits), the name score, its lead over the debtor's best other candidate's score, the
# log of one more than the number of the debtor's other candidates scoring within 0.05 and 0.02
# below it or above, the characters of the trade name of the debtor's longest and the content
# words of the record's wordiest name (as feature extraction parsed them; 0 where none).
PAIR_FIGURES = """
SELECT m.debtor_id, m.source, m.source_id, m.match_weight AS weight, m.name_score AS score,
       m.name_score - coalesce(CASE WHEN row_number() OVER byscore = 1
                                    THEN nth_value(m.name_score, 2) OVER whole
                                    ELSE first_value(m.name_score) OVER whole END, 0) AS lead,
       ln(count(*) OVER (PARTITION BY m.debtor_id ORDER BY m.name_score
                         RANGE BETWEEN 0.05 PRECEDING AND UNBOUNDED FOLLOWING)) AS within_05,
       ln(count(*) OVER (PARTITION BY m.debtor_id ORDER BY m.name_score
                         RANGE BETWEEN 0.02 PRECEDING AND UNBOUNDED FOLLOWING)) AS within_02,
       coalesce(list_max([length(json_extract_string(v, '$.trade'))
                          FOR v IN json_extract(fd.name_keys, '$.*')]), 0) AS trade_chars,
       coalesce(list_max([json_array_length(v, '$.words')
                          FOR v IN json_extract(fr.name_keys, '$.*')]), 0) AS record_words,
       m.reason IS NULL AND m.match_weight IS NOT NULL AS modelled
FROM matches m JOIN debtors d USING (debtor_id)
LEFT JOIN features fd ON fd.side = 'debtor' AND fd.entity_id = m.debtor_id
LEFT JOIN features fr ON fr.side = 'record' AND fr.source = m.source AND fr.entity_id = m.source_id
WHERE d.kind = 'company' AND m.name_score IS NOT NULL AND ({scope})
WINDOW byscore AS (PARTITION BY m.debtor_id ORDER BY m.name_score DESC, m.source, m.source_id),
       whole AS (byscore ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
"""


@dataclass(frozen=True)
class Calibration:
    """A logistic model's log odds over FEATURES, mapped onto observed shares of true pairs by
    a monotone curve (points of log odds and probability, interpolated between, flat beyond)."""

    intercept: float
    coefficients: dict[str, float]
    odds_points: tuple[float, ...]
    probability_points: tuple[float, ...]
    provenance: dict[str, Any]

    def log_odds(self, figures: np.ndarray) -> np.ndarray:
        """Per row of FIGURES (columns in FEATURES order), the logistic model's log odds."""
        weights = np.array([self.coefficients[name] for name in FEATURES])
        return np.asarray(self.intercept + np.asarray(figures, dtype=float) @ weights)

    def probabilities(self, figures: np.ndarray) -> np.ndarray:
        odds = self.log_odds(figures)
        return np.asarray(np.interp(odds, self.odds_points, self.probability_points))

    def to_json(self) -> str:
        body = {"intercept": self.intercept, "coefficients": self.coefficients,
                "odds_points": self.odds_points, "probability_points": self.probability_points,
                "provenance": self.provenance}  # fmt: skip
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def read_calibration(text: str) -> Calibration:
    body = json.loads(text)
    return Calibration(
        float(body["intercept"]),
        {name: float(body["coefficients"][name]) for name in FEATURES},
        tuple(float(x) for x in body["odds_points"]),
        tuple(float(p) for p in body["probability_points"]),
        dict(body.get("provenance", {})),
    )


@cache
def shipped_calibration() -> Calibration | None:
    path = data_file(CALIBRATION_FILE)
    return read_calibration(path.read_text(encoding="utf-8")) if path.is_file() else None


def calibrate_companies(
    con: duckdb.DuckDBPyConnection, run_id: int, calibration: Calibration | None
) -> int:
    """Give the company pairs of every debtor this run matched their calibrated probability and
    explanation step (all the debtor's pairs, as a new candidate changes every lead). Returns
    how many pairs were calibrated."""
    if calibration is None:
        return 0
    scope = "m.debtor_id IN (SELECT debtor_id FROM matches WHERE run_id = $run)"
    pairs = con.sql(
        f"SELECT debtor_id, source, source_id, {', '.join(FEATURES)}"
        f" FROM ({PAIR_FIGURES.format(scope=scope)}) WHERE modelled",
        params={"run": run_id},
    ).to_arrow_table()
    figures = np.column_stack([pairs[name].to_numpy() for name in FEATURES])
    probability = calibration.probabilities(figures) if pairs.num_rows else np.zeros(0)
    bits = np.log2(probability / (1 - probability)) - pairs["weight"].to_numpy()
    calibrated = pairs.append_column("probability", pa.array(probability)).append_column(
        "bits", pa.array(bits)
    )
    insert_arrow(
        con,
        "calibrated",
        calibrated,
        """
        UPDATE matches m SET match_probability = c.probability,
            contributions = json_merge_patch(coalesce(m.contributions, '{}'), json_object($step,
                json_object('level', printf($level, c.score, c.lead), 'bits', c.bits)))
        FROM calibrated c
        WHERE m.debtor_id = c.debtor_id AND m.source = c.source AND m.source_id = c.source_id
        """,
        {"step": STEP, "level": LEVEL},
    )
    return int(pairs.num_rows)
