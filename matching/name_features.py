"""The bridge between the names module and matching: block keys, keys to explain, scores.

PROVISIONAL: a plain-token version used while the names module is being built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

_LEGAL = re.compile(r"\b(limited|ltd|co|company|inc|llc|holdings|group)\b|有限公司|公司")


@dataclass(frozen=True)
class NameFeatures:
    block_keys: list[str]
    keys: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Score:
    score: float
    agreed: list[str]


def _latin(name: str) -> str:
    text = " ".join(lazy_pinyin(_LEGAL.sub(" ", name.casefold())))
    return re.sub(r"[^a-z ]+", " ", text).strip()


def entity_name_features(kind: str, names: list[str]) -> NameFeatures:
    keys = sorted({token for name in names for token in _latin(name).split() if len(token) > 1})
    return NameFeatures(block_keys=keys, keys={"tokens": keys})


def names_score(kind: str, left: list[str], right: list[str]) -> Score:
    best = max(
        (fuzz.token_set_ratio(_latin(a), _latin(b)) / 100 for a in left for b in right),
        default=0.0,
    )
    return Score(best, [])


def related_score(left: list[str], right: list[str]) -> float:
    return names_score("person", left, right).score
