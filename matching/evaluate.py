"""`oad evaluate`: how good the current matches are against labelled pairs.

Labels name debtors and, for each, its true records (is_match 1) and optionally known false
ones (0). Every other candidate of a labelled debtor counts as false.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from matching.ranking import RANKED
from pipelines.errors import InputFileError
from pipelines.table_files import read_file

LABEL_COLUMNS = ("debtor_id", "source", "source_id", "is_match")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}

Pair = tuple[str, str, str]


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
    best_f1, best_threshold = _best_f1(probability, truth, threshold)
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
    )


def _at(
    probability: dict[Pair, float], truth: set[Pair], threshold: float
) -> tuple[float, float, float, int]:
    predicted = {pair for pair, p in probability.items() if p >= threshold}
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(predicted)


def _best_f1(
    probability: dict[Pair, float], truth: set[Pair], fallback: float
) -> tuple[float, float]:
    """The best F1 over every threshold, in one pass down the pairs sorted by probability."""
    best, best_threshold, hits = 0.0, fallback, 0
    ordered = sorted(probability.items(), key=lambda item: -item[1])
    for index, (pair, p) in enumerate(ordered, start=1):
        hits += pair in truth
        last_of_tie = index == len(ordered) or ordered[index][1] != p
        if last_of_tie and truth:
            precision, recall = hits / index, hits / len(truth)
            f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
            if f1 > best:
                best, best_threshold = f1, p
    return best, best_threshold
