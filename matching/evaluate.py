"""`oad evaluate`: how good the current matches are against labelled pairs.

Labels name debtors and, for each, its true records (is_match 1) and optionally known false
ones (0). Every other candidate of a labelled debtor counts as false. Beside the figures at one
threshold, the same scored pairs give the calibration table (matching/calibration_table.py) and
the precision-recall curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from matching.calibration_table import Band, Pair, calibration_table
from matching.ranking import RANKED
from pipelines.errors import InputFileError
from pipelines.table_files import read_file

LABEL_COLUMNS = ("debtor_id", "source", "source_id", "is_match")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


@dataclass(frozen=True)
class CurvePoint:
    """Precision and recall when every pair with probability >= threshold is a link."""

    threshold: float
    links: int
    precision: float
    recall: float


@dataclass(frozen=True)
class Evaluation:
    labelled_debtors: int
    true_pairs: int
    threshold: float
    predicted_links: int
    precision: float
    recall: float
    f1: float
    best_f1: float
    best_threshold: float
    recall_at_1: float
    recall_at_10: float
    pairs_completeness: float
    calibration: tuple[Band, ...] = ()  # every scored pair of the labelled debtors, by band
    curve: tuple[CurvePoint, ...] = ()  # one point per distinct probability, highest first


def read_labels(path: Path) -> tuple[set[str], set[Pair]]:
    """The labelled debtors and the true pairs, read by the one table reader (any encoding);
    a bad row, a pair labelled both ways, a row the reader refuses or no label at all fails
    naming the line and field."""
    table = read_file(path)
    missing = [c for c in LABEL_COLUMNS if c not in table.header]
    if missing:
        raise InputFileError(str(path), f"required column(s) missing: {', '.join(missing)}", 1)
    at = {name: table.header.index(name) for name in LABEL_COLUMNS}
    debtors: set[str] = set()
    labels: dict[Pair, tuple[bool, int]] = {}
    for line, cells in (row for batch in table.batches for row in batch.rows()):
        flag = cells[at["is_match"]].strip().lower()
        if flag not in _TRUE | _FALSE:
            raise InputFileError(str(path), "is_match must be 1 or 0", line, "is_match")
        pair = (cells[at["debtor_id"]], cells[at["source"]], cells[at["source_id"]])
        earlier = labels.setdefault(pair, (flag in _TRUE, line))
        if earlier[0] != (flag in _TRUE):
            reason = f"labelled both ways: line {earlier[1]} says the opposite"
            raise InputFileError(str(path), reason, line, "is_match")
        debtors.add(pair[0])
    if table.rejections:
        first = table.rejections[0]
        raise InputFileError(str(path), first.reason, first.line)
    if not labels:
        raise InputFileError(str(path), "no labelled pair in the file")
    return debtors, {pair for pair, (true, _) in labels.items() if true}


def evaluate(con: duckdb.DuckDBPyConnection, labels: Path, threshold: float) -> Evaluation:
    debtors, truth = read_labels(labels)
    con.execute("CREATE OR REPLACE TEMP TABLE eval_debtors (debtor_id VARCHAR)")
    con.executemany("INSERT INTO eval_debtors VALUES (?)", [[d] for d in sorted(debtors)])
    scored = con.execute(
        f"SELECT debtor_id, source, source_id, match_probability, rank FROM ({RANKED})"
        " WHERE debtor_id IN (SELECT debtor_id FROM eval_debtors)"
    ).fetchall()
    con.execute("DROP TABLE eval_debtors")
    probability = {(d, s, i): p for d, s, i, p, _ in scored}
    rank = {(d, s, i): r for d, s, i, _, r in scored}
    precision, recall, f1, links = _at(probability, truth, threshold)
    curve = precision_recall_curve(probability, truth)
    best_f1, best_threshold = _best_f1(curve, threshold)
    total = max(len(truth), 1)
    return Evaluation(
        labelled_debtors=len(debtors),
        true_pairs=len(truth),
        threshold=threshold,
        predicted_links=links,
        precision=precision,
        recall=recall,
        f1=f1,
        best_f1=best_f1,
        best_threshold=best_threshold,
        recall_at_1=sum(1 for p in truth if rank.get(p, 1 << 30) <= 1) / total,
        recall_at_10=sum(1 for p in truth if rank.get(p, 1 << 30) <= 10) / total,
        pairs_completeness=sum(1 for p in truth if p in probability) / total,
        calibration=tuple(calibration_table(probability.items(), truth)),
        curve=tuple(curve),
    )


def _at(
    probability: dict[Pair, float], truth: set[Pair], threshold: float
) -> tuple[float, float, float, int]:
    predicted = {pair for pair, p in probability.items() if p >= threshold}
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 0.0
    return precision, recall, _f1(precision, recall), len(predicted)


def precision_recall_curve(probability: dict[Pair, float], truth: set[Pair]) -> list[CurvePoint]:
    """A point at every distinct probability, highest first, in one pass down the pairs sorted
    by probability: tied pairs become links together."""
    points, hits = [], 0
    ordered = sorted(probability.items(), key=lambda item: -item[1])
    for index, (pair, p) in enumerate(ordered, start=1):
        hits += pair in truth
        if index == len(ordered) or ordered[index][1] != p:
            recall = hits / len(truth) if truth else 0.0
            points.append(CurvePoint(p, index, hits / index, recall))
    return points


def thinned(curve: Sequence[CurvePoint], at_most: int = 200) -> list[CurvePoint]:
    """At most AT_MOST points of CURVE, evenly spread along it, its first and last kept."""
    if len(curve) <= at_most:
        return list(curve)
    step = (len(curve) - 1) / (at_most - 1)
    return [curve[round(n * step)] for n in range(at_most)]


def _best_f1(curve: list[CurvePoint], fallback: float) -> tuple[float, float]:
    """The best F1 over every threshold (the highest threshold of a tie), else FALLBACK."""
    best, best_threshold = 0.0, fallback
    for point in curve:
        f1 = _f1(point.precision, point.recall)
        if f1 > best:
            best, best_threshold = f1, point.threshold
    return best, best_threshold


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
