"""Name scores of a run's candidate pairs, worked out debtor by debtor before the model runs.

The linkage model asks for each pair's name score through a DuckDB function, in whatever order
its joins produce the pairs. A Chinese company name's translation weights are costly to work out
(thousands of English words), and in that order each would be worked out again for nearly every
pair. Here one debtor's candidates are scored together, company names against Latin ones by the
vectorised translation model, and the model's function then finds every score ready.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import duckdb
import numpy as np

from matching.name_features import names_score
from matching.names.script import has_han
from matching.names.translation_vectorised import translation_scores
from matching.sql_functions import KeyedScores, NameScoreKey, names_key_sql, primed_name_scores
from pipelines.processes import in_processes, worker_count

BATCH = 2_000  # debtors a batch
PARALLEL_FROM = 4  # batches of debtors before worker processes are worth starting
# a debtor's kind and names, and each of its candidates' names
DebtorPairs = tuple[str, tuple[str, ...], list[tuple[str, ...]]]


@contextmanager
def candidate_name_scores(con: duckdb.DuckDBPyConnection, candidates: str) -> Iterator[int]:
    """While open, the model's name-score function finds the scores of every pair in the
    CANDIDATES table (debtor_id, source, source_id) ready; yields how many there are."""
    scores = _scores(con, candidates)
    with primed_name_scores(scores):
        yield len(scores.scores)


def _scores(con: duckdb.DuckDBPyConnection, candidates: str) -> KeyedScores:
    debtors = con.execute(f"SELECT count(DISTINCT debtor_id) FROM {candidates}").fetchall()[0][0]
    workers = worker_count() if debtors >= PARALLEL_FROM * BATCH else 1
    reader = con.sql(
        "SELECT any_value(d.kind) AS kind, any_value(d.names) AS debtor_names,"
        f" any_value({names_key_sql('d')}) AS debtor_key, list(r.names) AS record_names,"
        f" list({names_key_sql('r')}) AS record_keys, list(c.ranked_score) AS ranked"
        f" FROM {candidates} c"
        " JOIN features d ON d.side = 'debtor' AND d.entity_id = c.debtor_id"
        " JOIN features r ON r.side = 'record' AND r.source = c.source"
        " AND r.entity_id = c.source_id GROUP BY c.debtor_id"
    ).to_arrow_reader(BATCH)
    left_keys: list[int] = []
    right_keys: list[int] = []
    scores: list[float] = []
    sent: deque[list[tuple[int, list[int]]]] = deque()  # each batch's keys handed to workers

    def batches() -> Iterator[tuple[list[DebtorPairs]]]:
        for batch in reader:
            elsewhere: list[DebtorPairs] = []
            keys: list[tuple[int, list[int]]] = []
            for row in batch.to_pylist():
                kind, left = row["kind"] or "unknown", tuple(row["debtor_names"])
                rights = [tuple(names) for names in row["record_names"]]
                if not (kind == "company" and _all_han(left)):
                    elsewhere.append((kind, left, rights))
                    keys.append((row["debtor_key"], row["record_keys"]))
                    continue
                left_keys.extend([row["debtor_key"]] * len(rights))
                right_keys.extend(row["record_keys"])
                scores.extend(debtor_name_scores(kind, left, rights, row["ranked"]))
            sent.append(keys)
            yield (elsewhere,)

    if workers > 1:
        found = in_processes(names_scores, batches(), workers)
    else:
        found = (names_scores(*call) for call in batches())
    for batch_scores in found:
        for (debtor_key, record_keys), row_scores in zip(sent.popleft(), batch_scores, strict=True):
            left_keys.extend([debtor_key] * len(record_keys))
            right_keys.extend(record_keys)
            scores.extend(row_scores)
    return KeyedScores.of(np.array(left_keys), np.array(right_keys), np.array(scores))


def names_scores(pairs: list[DebtorPairs]) -> list[list[float]]:
    """names_score of each debtor (kind, names) against each of its candidates' names: pure
    Python, so a run's many person pairs are spread over worker processes. A debtor's
    namesakes abroad (many records under one name) are scored once."""
    found: list[list[float]] = []
    for kind, left, rights in pairs:
        debtor = list(left)
        scores = {right: names_score(kind, debtor, list(right)).score
                  for right in dict.fromkeys(rights)}  # fmt: skip
        found.append([scores[right] for right in rights])
    return found


def pair_name_scores(pairs: list[NameScoreKey]) -> list[float]:
    """The name score of each (debtor kind, debtor names, record names), worked out debtor by
    debtor as a run's candidates are (the Spark engine's SQL function: its batches hold pairs
    in any order); a side without names scores 0."""
    by_debtor: dict[tuple[str, tuple[str, ...]], list[tuple[str, ...]]] = {}
    for kind, left, right in pairs:
        if left and right:
            by_debtor.setdefault((kind, left), []).append(right)
    found: dict[NameScoreKey, float] = {}
    for (kind, left), rights in by_debtor.items():
        unique = list(dict.fromkeys(rights))
        for right, score in zip(unique, debtor_name_scores(kind, left, unique), strict=True):
            found[kind, left, right] = score
    return [found.get(pair, 0.0) for pair in pairs]


def debtor_name_scores(
    kind: str,
    left: tuple[str, ...],
    rights: list[tuple[str, ...]],
    ranked: Sequence[float | None] | None = None,
) -> list[float]:
    """names_score of one debtor against each of its candidates; for a company whose names are
    all Han, the same figures by the vectorised translation model, or, where the re-ranking
    scored every one of them (RANKED, the candidates' `ranked_score`), its figures (the same
    model's)."""
    if kind == "company" and _all_han(left):
        if ranked is not None and None not in ranked:
            return [float(score) for score in ranked if score is not None]
        return translation_scores(left, rights)  # not re-ranked: the debtor had few candidates
    return names_scores([(kind, left, rights)])[0]


def group_name_scores(
    kind: str | None,
    left: Sequence[str] | None,
    rights: Sequence[Sequence[str] | None],
    ranked: Sequence[float | None],
) -> list[float]:
    """`debtor_name_scores` of one debtor's candidates as the Spark engine groups them (any
    side may come without names: such a pair scores 0, as `pair_name_scores` has it)."""
    debtor = tuple(left or ())
    named = [i for i, right in enumerate(rights) if debtor and right]
    found = debtor_name_scores(
        kind or "unknown",
        debtor,
        [tuple(rights[i] or ()) for i in named],
        [ranked[i] for i in named],
    )
    scores = [0.0] * len(rights)
    for i, score in zip(named, found, strict=True):
        scores[i] = score
    return scores


def _all_han(names: tuple[str, ...]) -> bool:
    """Whether a debtor's names are all Chinese: its candidates are then scored by the
    vectorised translation model (and, where they were re-ranked, already were)."""
    return bool(names) and all(has_han(name) for name in names)
