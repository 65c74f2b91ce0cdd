"""The names module's similarity, as DuckDB functions the linkage model's SQL can call.

They are Arrow (vectorised) functions: DuckDB hands over a batch of pairs at a time. Scores are
memoised per pair, since Splink evaluates one function once per comparison level.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import duckdb
import pyarrow as pa
from duckdb.sqltypes import DOUBLE, VARCHAR

from matching.name_features import names_score, related_score

# (debtor kind, debtor names, record names): the function's arguments
NameScoreKey = tuple[str, tuple[str, ...], tuple[str, ...]]
_PRIMED: dict[NameScoreKey, float] = {}


@contextmanager
def primed_name_scores(scores: dict[NameScoreKey, float]) -> Iterator[None]:
    """While open, oad_name_score returns these scores without working them out."""
    _PRIMED.update(scores)
    try:
        yield
    finally:
        _PRIMED.clear()


@lru_cache(maxsize=1 << 20)
def _name_score(kind: str, left: tuple[str, ...], right: tuple[str, ...]) -> float:
    return names_score(kind, list(left), list(right)).score


@lru_cache(maxsize=1 << 18)
def _related_score(left: tuple[str, ...], right: tuple[str, ...]) -> float:
    return related_score(list(left), list(right))


def oad_name_score(kinds: pa.Array, lefts: pa.Array, rights: pa.Array) -> pa.Array:
    scores = [
        _known_name_score(kind or "unknown", tuple(left), tuple(right)) if left and right else 0.0
        for kind, left, right in zip(
            kinds.to_pylist(), lefts.to_pylist(), rights.to_pylist(), strict=True
        )
    ]
    return pa.array(scores, type=pa.float64())


def _known_name_score(kind: str, left: tuple[str, ...], right: tuple[str, ...]) -> float:
    found = _PRIMED.get((kind, left, right))
    return _name_score(kind, left, right) if found is None else found


def oad_related_score(lefts: pa.Array, rights: pa.Array) -> pa.Array:
    pairs = [
        (tuple(left or ()), tuple(right or ()))
        for left, right in zip(lefts.to_pylist(), rights.to_pylist(), strict=True)
    ]
    return pa.array(related_scores(pairs), type=pa.float64())


def related_scores(pairs: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> list[float]:
    """The related-person score of each pair of name lists; an empty side scores 0."""
    return [_related_score(left, right) if left and right else 0.0 for left, right in pairs]


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Make the functions callable on this (fresh) connection."""
    names = duckdb.list_type(VARCHAR)
    con.create_function(  # type: ignore[call-overload]
        "oad_name_score", oad_name_score, [VARCHAR, names, names], DOUBLE,
        type="arrow", null_handling="special",
    )  # fmt: skip
    con.create_function(  # type: ignore[call-overload]
        "oad_related_score", oad_related_score, [names, names], DOUBLE,
        type="arrow", null_handling="special",
    )  # fmt: skip
