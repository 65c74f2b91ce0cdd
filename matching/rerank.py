"""The translation model's score of one debtor's Han name against many candidate records at once.

`matching.names.translation.translation_score` compares one pair; re-ranking a debtor's few
hundred key pairs that way costs tens of microseconds a pair in Python. Here the same two-way
score is computed with numpy over every candidate of a debtor: each English unit gets an integer
id once, a candidate name is an array of ids, and each Chinese character's sources are a sparse
vector over those ids, gathered for all candidates in one step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from matching.names import company_similarity
from matching.names.lexicon import english_units
from matching.names.script import has_han
from matching.names.translation import (
    BACKWARD_WEIGHT,
    EPSILON,
    char_sources,
    english_weights,
    forward_term,
    han_chars,
    null_chinese,
)

_FLOOR = math.log(EPSILON)


class UnitIds:
    """English units numbered as they are met; per unit, its forward term when the Chinese name
    does not produce it (which depends only on whether the lexicon knows the unit)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.units: list[str] = []
        self._base: list[float] = []
        self.base = np.zeros(0)

    def id_of(self, unit: str) -> int:
        found = self.ids.get(unit)
        if found is None:
            found = self.ids[unit] = len(self.units)
            self.units.append(unit)
            self._base.append(forward_term(unit, 0.0))
        return found

    def ids_of(self, units: Sequence[str]) -> np.ndarray:
        return np.array([self.id_of(u) for u in units], dtype=np.int64)

    def base_terms(self) -> np.ndarray:
        if len(self.base) != len(self._base):
            self.base = np.array(self._base)
        return self.base


_IDS = UnitIds()


@lru_cache(maxsize=1 << 18)
def _name_ids(name: str) -> np.ndarray:
    return _IDS.ids_of(english_units(name))


@lru_cache(maxsize=50_000)
def _char_vector(char: str) -> tuple[np.ndarray, np.ndarray]:
    sources = char_sources(char)
    return _IDS.ids_of(list(sources)), np.array(list(sources.values()), dtype=float)


def translation_scores(
    debtor_names: Sequence[str], candidates: Sequence[Sequence[str]]
) -> list[float]:
    """For each candidate (its list of names): the best score of a Han name of the debtor's
    against its Latin names (translation model) and its Han names (company similarity)."""
    best = np.zeros(len(candidates))
    for han_name in (name for name in debtor_names if has_han(name)):
        rows: list[np.ndarray] = []
        owners: list[int] = []
        for index, names in enumerate(candidates):
            for name in names:
                if has_han(name):
                    best[index] = max(best[index], company_similarity(han_name, name).score)
                else:
                    rows.append(_name_ids(name))
                    owners.append(index)
        if rows:
            np.maximum.at(best, np.array(owners), _against_latin(han_name, rows))
    return [float(x) for x in best]


def _against_latin(han_name: str, rows: list[np.ndarray]) -> np.ndarray:
    """translation_score(han_name, name) for each name, given as an array of unit ids."""
    chars = han_chars(han_name)
    lengths = np.array([len(r) for r in rows], dtype=float)
    if not chars or not lengths.any():
        return np.zeros(len(rows))
    char_vectors = [_char_vector(c) for c in chars]  # may number new units: before base_terms
    flat = np.concatenate(rows)
    row_of = np.repeat(np.arange(len(rows)), lengths.astype(np.int64))
    present, position = np.unique(flat, return_inverse=True)
    terms = _IDS.base_terms()[present]
    weights = english_weights(han_name)
    for i, unit_id in enumerate(present.tolist()):
        weight = weights.get(_IDS.units[unit_id])
        if weight:
            terms[i] = forward_term(_IDS.units[unit_id], weight)
    forward = np.bincount(row_of, terms[position], len(rows))
    backward = np.zeros(len(rows))
    scratch = np.zeros(len(_IDS.units))
    for char, (ids, values) in zip(chars, char_vectors, strict=True):
        scratch[ids] = values
        explained = np.bincount(row_of, scratch[flat], len(rows)) + null_chinese(char)
        scratch[ids] = 0.0
        backward += np.log(explained / (lengths + 1) + EPSILON)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = (forward / lengths + BACKWARD_WEIGHT * backward / len(chars)) / (1 + BACKWARD_WEIGHT)
        scores = np.maximum(0.0, 1.0 - raw / _FLOOR)
    return np.where(lengths > 0, scores, 0.0)
