"""Each debtor's best records from its row of key scores: the cut at `wide`, the floor, and
ties settled by the lower record number, as the store's ordering settled them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from matching.key_join import row_best


def rows_of(scores: list[dict[int, float]]) -> sparse.csr_matrix:
    """A row of scores per debtor, by record number (given out of order, as a product
    leaves them)."""
    data, rows, columns = [], [], []
    for row, found in enumerate(scores):
        for column, score in reversed(list(found.items())):
            rows.append(row)
            columns.append(column)
            data.append(score)
    return sparse.csr_matrix((data, (rows, columns)), shape=(len(scores), 100))


@pytest.mark.parametrize(
    ("scores", "floor", "wide", "expected"),
    [
        ({5: 0.2, 7: 0.9, 9: 0.5}, 0.0, 2, [(7, 0.9), (9, 0.5)]),
        ({5: 0.2, 7: 0.9, 9: 0.5}, 0.0, 5, [(7, 0.9), (9, 0.5), (5, 0.2)]),
        ({5: 0.2, 7: 0.9, 9: 0.5}, 0.3, 5, [(7, 0.9), (9, 0.5)]),
        ({5: 0.2, 7: 0.9, 9: 0.5}, 0.5, 5, [(7, 0.9), (9, 0.5)]),  # at the floor counts
        ({5: 0.2, 7: 0.9, 9: 0.5}, 1.0, 5, []),
        ({8: 0.5, 3: 0.5, 6: 0.5, 1: 0.1}, 0.0, 2, [(3, 0.5), (6, 0.5)]),  # ties: lower first
        ({8: 0.5, 3: 0.7, 6: 0.5, 2: 0.5}, 0.0, 3, [(3, 0.7), (2, 0.5), (6, 0.5)]),
        ({}, 0.0, 3, []),
    ],
    ids=[
        "cut",
        "fewer than wide",
        "floor",
        "at the floor",
        "none reach the floor",
        "ties at the cut",
        "ties below the best",
        "no records",
    ],
)
def test_a_debtors_best_records(
    scores: dict[int, float], floor: float, wide: int, expected: list[tuple[int, float]]
) -> None:
    at, records, values = row_best(rows_of([scores]), np.array([floor]), wide)
    assert list(zip(records.tolist(), values.tolist(), strict=True)) == expected
    assert set(at.tolist()) <= {0}


def test_each_row_keeps_its_own_best_under_its_own_floor() -> None:
    scores = [{1: 0.4, 2: 0.6, 3: 0.8}, {}, {2: 0.3, 4: 0.9}, {1: 0.5, 3: 0.5, 4: 0.1}]
    at, records, values = row_best(rows_of(scores), np.array([0.5, 0.0, 0.0, 0.2]), 2)
    assert list(zip(at.tolist(), records.tolist(), values.tolist(), strict=True)) == [
        (0, 3, 0.8), (0, 2, 0.6), (2, 4, 0.9), (2, 2, 0.3), (3, 1, 0.5), (3, 3, 0.5),
    ]  # fmt: skip
