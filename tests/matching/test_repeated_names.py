"""Record names encoded once each across the chunks the encoder's index is filled in."""

from __future__ import annotations

import numpy as np
import pytest

from matching.names.encoder import latin_codes
from matching.repeated_names import HeldCodes, plan_chunks

CHUNKS = [
    ["ACME LIMITED", "BETA TRADING LIMITED", "ACME LIMITED", "GAMMA LIMITED"],
    ["DELTA LIMITED", "ACME LIMITED", "GAMMA LIMITED", "EPSILON LIMITED"],
    ["ACME LIMITED", "GAMMA LIMITED", "DELTA LIMITED", "ZETA HOLDINGS LIMITED"],
    ["BETA TRADING LIMITED", "ETA LIMITED", "ETA LIMITED"],  # ETA: twice, and no chunk after
]


@pytest.mark.parametrize(
    ("limit", "new", "held"),
    [
        (
            10,
            [["ACME LIMITED", "BETA TRADING LIMITED", "GAMMA LIMITED"],
             ["DELTA LIMITED", "EPSILON LIMITED"], ["ZETA HOLDINGS LIMITED"], ["ETA LIMITED"]],
            [["ACME LIMITED", "BETA TRADING LIMITED", "GAMMA LIMITED"], ["DELTA LIMITED"], [],
             []],
        ),
        (
            1,  # one name held: the other repeated names are encoded again in each chunk
            [["ACME LIMITED", "BETA TRADING LIMITED", "GAMMA LIMITED"],
             ["DELTA LIMITED", "GAMMA LIMITED", "EPSILON LIMITED"],
             ["GAMMA LIMITED", "DELTA LIMITED", "ZETA HOLDINGS LIMITED"],
             ["BETA TRADING LIMITED", "ETA LIMITED"]],
            [["ACME LIMITED"], [], [], []],
        ),
    ],
)  # fmt: skip
def test_each_chunk_encodes_only_what_no_held_code_covers(
    limit: int, new: list[list[str]], held: list[list[str]]
) -> None:
    plans = plan_chunks(CHUNKS, limit)
    assert [plan.new for plan in plans] == new
    assert [plan.held for plan in plans] == held


@pytest.mark.parametrize("limit", [0, 1, 10])
def test_assembled_codes_are_the_chunks_own_to_the_last_bit(limit: int) -> None:
    held = HeldCodes()
    for chunk, plan in zip(CHUNKS, plan_chunks(CHUNKS, limit), strict=True):
        vectors, hubs = held.chunk_codes(chunk, plan, latin_codes(plan.new))
        expected_vectors, expected_hubs = latin_codes(chunk)
        assert vectors.dtype == expected_vectors.dtype and hubs.dtype == expected_hubs.dtype
        assert np.array_equal(vectors, expected_vectors)
        assert np.array_equal(hubs, expected_hubs)
