"""The names module's similarity, as DuckDB functions the linkage model's SQL can call.

They are Arrow (vectorised) functions: DuckDB hands over a batch of pairs at a time. Splink
evaluates the name-score function once per comparison level, so a run's pairs have their scores
worked out beforehand (matching/pair_scores.py) and found here by each side's names key: two
integers a pair, where converting both name lists at every level was most of the function's
time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.sqltypes import BIGINT, DOUBLE, VARCHAR

from matching.name_features import names_score, related_score
from matching.names.encoder import encode_beforehand
from matching.names.script import has_han

# (debtor kind, debtor names, record names): what a name score is worked out from
NameScoreKey = tuple[str, tuple[str, ...], tuple[str, ...]]
_MIX = np.uint64(0x9E3779B97F4A7C15)  # an odd multiplier spreading one key over 64 bits


def names_key_sql(table: str = "") -> str:
    """SQL for a side's names key, from TABLE's (alias's) kind and names: a 63-bit hash, signed
    so that Spark, which has no unsigned integers, takes it too."""
    prefix = f"{table}." if table else ""
    return f"(hash({prefix}kind, {prefix}names) >> 1)::BIGINT"


def _mixed(left_keys: np.ndarray, right_keys: np.ndarray) -> np.ndarray:
    lefts = np.asarray(left_keys, np.int64).view(np.uint64)
    return (lefts * _MIX) ^ np.asarray(right_keys, np.int64).view(np.uint64)


@dataclass(frozen=True)
class KeyedScores:
    """Name scores by their pair's two names keys, kept sorted by a mix of both for a
    vectorised look-up; a look-up checks both keys, so mixes that collide only miss."""

    mixed: np.ndarray
    left_keys: np.ndarray
    right_keys: np.ndarray
    scores: np.ndarray

    @classmethod
    def of(cls, left_keys: np.ndarray, right_keys: np.ndarray, scores: np.ndarray) -> KeyedScores:
        lefts, rights = np.asarray(left_keys, np.int64), np.asarray(right_keys, np.int64)
        mixed = _mixed(lefts, rights)
        order = np.argsort(mixed, kind="stable")
        return cls(mixed[order], lefts[order], rights[order], np.asarray(scores, float)[order])

    def find(self, left_keys: np.ndarray, right_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(scores, found) of these pairs: a pair not held has found False (and score 0)."""
        if not len(self.mixed):
            return np.zeros(len(left_keys)), np.zeros(len(left_keys), dtype=bool)
        at = np.searchsorted(self.mixed, _mixed(left_keys, right_keys))
        at = np.minimum(at, len(self.mixed) - 1)
        found = (self.left_keys[at] == left_keys) & (self.right_keys[at] == right_keys)
        return np.where(found, self.scores[at], 0.0), found


NO_SCORES = KeyedScores.of(np.array([]), np.array([]), np.array([]))
_PRIMED = [NO_SCORES]  # the scores open now: one list entry, swapped


@contextmanager
def primed_name_scores(scores: KeyedScores) -> Iterator[None]:
    """While open, oad_pair_name_score returns these scores without working them out."""
    _PRIMED[0] = scores
    try:
        yield
    finally:
        _PRIMED[0] = NO_SCORES


@lru_cache(maxsize=1 << 20)
def _name_score(kind: str, left: tuple[str, ...], right: tuple[str, ...]) -> float:
    return names_score(kind, list(left), list(right)).score


@lru_cache(maxsize=1 << 18)
def _related_score(left: tuple[str, ...], right: tuple[str, ...]) -> float:
    return related_score(list(left), list(right))


def oad_pair_name_score(
    kinds: pa.Array, left_keys: pa.Array, right_keys: pa.Array, lefts: pa.Array, rights: pa.Array
) -> pa.Array:
    """The name score of each (debtor kind, debtor's names key, record's names key, debtor
    names, record names): the primed score where there is one, else worked out from the names;
    a side without names scores 0."""
    found_scores, found = _PRIMED[0].find(_numbers(left_keys), _numbers(right_keys))
    named = (_lengths(lefts) > 0) & (_lengths(rights) > 0)
    scores = np.where(named, found_scores, 0.0)
    missing = np.flatnonzero(named & ~found)
    if missing.size:
        rows = pa.array(missing)
        pairs = [
            (kind or "unknown", tuple(left), tuple(right))
            for kind, left, right in zip(
                kinds.take(rows).to_pylist(),
                lefts.take(rows).to_pylist(),
                rights.take(rows).to_pylist(),
                strict=True,
            )
        ]
        encode_beforehand([name for kind, left, right in pairs
                           if kind == "company" and any(map(has_han, left))
                           for name in right if not has_han(name)])  # fmt: skip
        scores[missing] = [_name_score(*pair) for pair in pairs]
    return pa.array(scores, type=pa.float64())


def _numbers(keys: pa.Array) -> np.ndarray:
    return np.asarray(keys.fill_null(0).to_numpy(zero_copy_only=False), np.int64)


def _lengths(names: pa.Array) -> np.ndarray:
    return np.asarray(pc.list_value_length(names).fill_null(0).to_numpy(zero_copy_only=False))


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
    keyed_names = [VARCHAR, BIGINT, BIGINT, names, names]
    con.create_function(  # type: ignore[call-overload]
        "oad_pair_name_score", oad_pair_name_score, keyed_names, DOUBLE,
        type="arrow", null_handling="special",
    )  # fmt: skip
    con.create_function(  # type: ignore[call-overload]
        "oad_related_score", oad_related_score, [names, names], DOUBLE,
        type="arrow", null_handling="special",
    )  # fmt: skip
