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
content words of the record's name, and the name score's two parts (the name encoder's score
and the translation model's) with each one's own lead — learned on a register slice whose truth
is known
(`matching/learn_calibration.py`), orders the pairs, and a
monotone curve learned on the same slice (isotonic regression on held-out folds) says what
share of pairs at each log odds were right: that share is the probability.
The linkage model's own weight stays in `match_weight`; the difference the calibration makes is
one more step of the pair's explanation, in bits.

Persons are left to the linkage model: birth dates and identifiers speak for them.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from matching.names.encoder import paired_encoder_scores
from matching.names.script import has_han
from matching.names.translation import mixed, model_share
from pipelines.resources import data_file
from pipelines.store import insert_arrow

CALIBRATION_FILE = "matching/company_calibration.json"  # under data/
FEATURES = ("weight", "score", "lead", "within_05", "within_02", "trade_chars", "record_words",
            "encoder", "model", "encoder_lead", "model_lead")  # fmt: skip
STEP = "among its candidates"  # the explanation step's name
LEVEL = "name score %.2f (encoder %.2f, translation model %.2f), %+.2f on the next candidate's"

# Each company pair of the debtors in scope with a name score: the linkage model's weight
# (bits), the name score, both sides' names, the characters of the trade name of the debtor's
# longest and the content words of the record's wordiest name (as feature extraction parsed
# them; 0 where none), and whether the model gave its probability (identifier links and
# confirmed pairs carry a reason and stay certain, but stand among the rivals).
PAIRS = """
SELECT m.debtor_id, m.source, m.source_id, m.match_weight AS weight, m.name_score AS score,
       fd.names AS debtor_names, fr.names AS record_names,
       coalesce(list_max([length(json_extract_string(v, '$.trade'))
                          FOR v IN json_extract(fd.name_keys, '$.*')]), 0) AS trade_chars,
       coalesce(list_max([json_array_length(v, '$.words')
                          FOR v IN json_extract(fr.name_keys, '$.*')]), 0) AS record_words,
       m.reason IS NULL AND m.match_weight IS NOT NULL AS modelled
FROM matches m JOIN debtors d USING (debtor_id)
LEFT JOIN features fd ON fd.side = 'debtor' AND fd.entity_id = m.debtor_id
LEFT JOIN features fr ON fr.side = 'record' AND fr.source = m.source AND fr.entity_id = m.source_id
WHERE d.kind = 'company' AND m.name_score IS NOT NULL AND ({scope})
"""
PARTS = "calibration_pairs"  # PAIRS with the name score's two parts, as FIGURES reads them


def _lead(column: str) -> str:
    """SQL: the pair's COLUMN less the best of the debtor's other candidates' (0 if none)."""
    ordered = f"PARTITION BY debtor_id ORDER BY {column} DESC, source, source_id"
    return (
        f"{column} - coalesce(CASE WHEN row_number() OVER ({ordered}) = 1"
        f" THEN nth_value({column}, 2) OVER ({ordered}"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
        f" ELSE max({column}) OVER (PARTITION BY debtor_id) END, 0)"
    )


def _within(margin: float) -> str:
    """SQL: the log of one more than the number of the debtor's other candidates scoring no
    more than MARGIN below the pair, or above it."""
    return (
        "ln(count(*) OVER (PARTITION BY debtor_id ORDER BY score"
        f" RANGE BETWEEN {margin} PRECEDING AND UNBOUNDED FOLLOWING))"
    )


# Each modelled pair's FEATURES: besides PAIRS' figures, the name score's lead over the best
# of the debtor's other candidates, its close rivals (within_05, within_02), the name
# encoder's score and the translation model's (the name score's two parts) and their leads.
FIGURES = f"""
SELECT debtor_id, source, source_id, weight, score, {_lead("score")} AS lead,
       {_within(0.05)} AS within_05, {_within(0.02)} AS within_02, trade_chars, record_words,
       encoder, model, {_lead("encoder")} AS encoder_lead, {_lead("model")} AS model_lead,
       modelled
FROM {PARTS}
"""


def pair_figures(
    con: duckdb.DuckDBPyConnection, scope: str, params: dict[str, Any] | None = None
) -> pa.Table:
    """debtor_id, source, source_id and FEATURES of each modelled company pair of the debtors
    in SCOPE (SQL over matches m, with PARAMS)."""
    pairs = con.sql(PAIRS.format(scope=scope), params=params).to_arrow_table()
    encoder, model = name_parts(pairs)
    parts = pairs.drop_columns(["debtor_names", "record_names"])
    parts = parts.append_column("encoder", pa.array(encoder)).append_column(
        "model", pa.array(model)
    )
    con.register(PARTS, parts)
    try:
        figures = con.sql(FIGURES).filter("modelled").to_arrow_table()
    finally:
        con.unregister(PARTS)
    return figures.drop_columns(["modelled"])


def feature_matrix(pairs: pa.Table) -> np.ndarray:
    """PAIRS' FEATURES as a matrix, a row a pair, in FEATURES order."""
    return np.column_stack([pairs[name].to_numpy() for name in FEATURES]).reshape(-1, len(FEATURES))


def name_parts(pairs: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Of each pair's name score, the name encoder's score and the translation model's: the
    encoder's best over the debtor's Han names and the record's Latin names, the model's what
    the blend leaves. A pair without such names, or whose score the blend of these two does
    not give (it came from the record's Han name, say), has its score for both."""
    score = pairs["score"].to_numpy()
    sides = zip(pairs["debtor_names"].to_pylist(), pairs["record_names"].to_pylist(), strict=True)
    named = [(at, han_name, latin_name) for at, (debtor, record) in enumerate(sides)
             for han_name in filter(has_han, debtor or ())
             for latin_name in itertools.filterfalse(has_han, record or ())]  # fmt: skip
    best = np.full(len(score), -np.inf)
    if named:
        owners, han, latin = zip(*named, strict=True)
        np.maximum.at(best, np.array(owners), paired_encoder_scores(han, latin))
    encoder = np.where(np.isfinite(best), best, score)
    model = model_share(score, encoder)
    blended = np.isfinite(best) & (np.abs(np.clip(mixed(model, encoder), 0, 1) - score) < 1e-9)
    return np.where(blended, encoder, score), np.where(blended, model, score)


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
    pairs = pair_figures(con, scope, {"run": run_id})
    figures = feature_matrix(pairs)
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
                json_object('level', printf($level, c.score, c.encoder, c.model, c.lead),
                            'bits', c.bits)))
        FROM calibrated c
        WHERE m.debtor_id = c.debtor_id AND m.source = c.source AND m.source_id = c.source_id
        """,
        {"step": STEP, "level": LEVEL},
    )
    return int(pairs.num_rows)
