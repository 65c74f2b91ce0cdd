"""The bridge between the names module and matching: blocking keys, keys to explain, scores.

A debtor's or record's names are its name and every alternative name; a pair's score is the
best over all combinations. A record of unknown kind is compared both as a person and as a
company.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from matching.names import (
    NameScore,
    company_keys,
    company_similarity,
    person_keys,
    person_similarity,
)
from matching.names.keys import consonants as consonants  # re-exported
from matching.names.script import has_han
from matching.names.translation import translation_score

_NO_MATCH = NameScore(0.0, [])
Scorer = Callable[[str, str], NameScore]
MIN_CANDIDATE_WEIGHT = 0.15
MAX_SKELETON_KEYS = 60
MAX_SOUND_KEYS = 120


@dataclass(frozen=True)
class NameFeatures:
    block_keys: dict[str, float]  # key -> weight in (0, 1]
    keys: dict[str, Any] = field(default_factory=dict)


def entity_name_features(kind: str, names: list[str]) -> NameFeatures:
    blocks: dict[str, float] = {}
    explained: dict[str, Any] = {}
    for name in names:
        if kind in ("person", "unknown"):
            _person_blocks(name, blocks, explained)
        if kind in ("company", "unknown"):
            _company_blocks(name, blocks, explained)
    # strongest first (the model trains on pairs sharing the first key), the same order every run
    ordered = sorted(blocks.items(), key=lambda item: (-item[1], item[0]))
    return NameFeatures(dict(ordered), explained)


def _add(blocks: dict[str, float], key: str, weight: float) -> None:
    blocks[key] = max(blocks.get(key, 0.0), weight)


def _person_blocks(name: str, blocks: dict[str, float], explained: dict[str, Any]) -> None:
    keys = person_keys(name)
    # full names in every spelling, given names alone (for surname variants), and the sorted
    # syllables; a surname alone is too common to block on
    for key in keys.full_keys:
        _add(blocks, f"p:{key}", 1.0)
    for key in keys.given_keys:
        if len(key) >= 4:
            _add(blocks, f"g:{key}", 0.6)
    # each surname spelling with the given name's consonants: romanisations of one character
    # differ mostly in vowels (Fat, Faat; Kwong, Kwang), which the similarity forgives
    # (the likeliest first; married double surnames multiply them)
    for key in keys.skeleton_keys[:MAX_SKELETON_KEYS]:
        _add(blocks, f"q:{key}", 0.7)
    # each surname spelling with the sounds of the given syllables, systems mixed: Southeast
    # Asian spellings (KUOK Hock Nien) share no consonants with any one system's spelling
    for key in keys.sound_keys[:MAX_SOUND_KEYS]:
        _add(blocks, f"v:{key}", 0.5)
    for key in keys.blocking_keys:
        if key.startswith("n:"):
            _add(blocks, key, 0.8)
    explained[name] = {"surnames": sorted(keys.surname_keys), "full": sorted(keys.full_keys)}


def _company_blocks(name: str, blocks: dict[str, float], explained: dict[str, Any]) -> None:
    company = company_keys(name)
    for word in company.words:  # a Latin name: its own content words
        _add(blocks, f"c:{word}", 1.0)
    for word, weight, _unit in company.candidates:  # a Han name: the English words it implies
        if weight >= MIN_CANDIDATE_WEIGHT:
            _add(blocks, f"c:{word}", weight)
    explained.setdefault(name, {}).update(
        {"places": list(company.places), "trade": company.trade, "words": list(company.words),
         "trade_readings": list(company.trade_readings)}
    )  # fmt: skip


def company_score(debtor_name: str, record_name: str) -> NameScore:
    """A Han name against a Latin one by the two-way translation model (as good at ranking
    true pairs first as the fuller company similarity, and several times faster, which counts
    over millions of candidate pairs); any other pair by company similarity."""
    if has_han(debtor_name) and not has_han(record_name):
        return NameScore(translation_score(debtor_name, record_name), ["translation model"])
    return company_similarity(debtor_name, record_name)


def names_score(kind: str, left: list[str], right: list[str]) -> NameScore:
    """The best score of any of the debtor's names (left) against any of the record's."""
    return _best(_scorers(kind, company_score), left, right)


def agreed_parts(kind: str, left: list[str], right: list[str]) -> list[str]:
    """For an explanation: which parts of the best-agreeing names agreed (surname, given name,
    trade name, industry words...), by the fuller similarity functions."""
    return list(_best(_scorers(kind, company_similarity), left, right).agreed)


def _best(scorers: tuple[Scorer, ...], left: list[str], right: list[str]) -> NameScore:
    best = _NO_MATCH
    for scorer in scorers:
        for a in left:
            for b in right:
                found = scorer(a, b)
                if found.score > best.score:
                    best = found
    return best


def _scorers(kind: str, company: Scorer) -> tuple[Scorer, ...]:
    if kind == "person":
        return (person_similarity,)
    if kind == "company":
        return (company,)
    return (person_similarity, company)  # a record of unknown kind


def related_score(left: list[str], right: list[str]) -> float:
    """How well the debtor's related persons match the record's officers and owners."""
    return names_score("person", left, right).score
