"""Similarity of two names of the same kind, in any scripts, with the keys that agreed."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from rapidfuzz import fuzz

from matching.names.keys import (
    CompanyKeys,
    Readings,
    candidate_map,
    company_keys,
    person_name_readings,
)
from matching.names.lexicon import load_lexicon
from matching.names.persons import HanName, LatinName
from matching.names.romanise import person_readings, surname_spellings
from matching.names.script import is_han
from matching.names.spellings import spelling_key
from matching.names.translation import translation_score
from matching.names.word_tables import place_kinds

SURNAME_WEIGHT = 0.35
SURNAME_MISMATCH_FACTOR = 0.7
REGION_CONFLICT_FACTOR = 0.3
_SUPPORTED = 0.5
COVERAGE_WEIGHT = 0.0
FULL_COVERAGE_FACTOR = 0.9


@dataclass(frozen=True)
class NameScore:
    """A score in [0, 1] and what agreed, readable ("surname 陈=chan")."""

    score: float
    agreed: list[str] = field(default_factory=list)


NO_MATCH = NameScore(0.0, [])


def person_similarity(
    debtor_name: str, foreign_name: str, foreign_surname: str | None = None
) -> NameScore:
    """How alike two person names are, in any scripts.

    `foreign_surname` says which part of a romanised foreign name is the surname (a registry's
    surname field); "YANG, Liu" and "YANG Liu" (all-caps surname) say it too.
    """
    a = person_name_readings(debtor_name)
    b = person_name_readings(foreign_name, foreign_surname)
    candidates = [_person_pair(a, b), _person_pair(b, a)]
    return max(candidates, key=lambda s: s.score)


def _person_pair(a: Readings, b: Readings) -> NameScore:
    (a_han, a_latin), (b_han, b_latin) = a, b
    scores = [NO_MATCH]
    scores += [_han_han(x, y) for x, y in product(a_han, b_han)]
    scores += [_han_latin(x, y) for x, y in product(a_han, b_latin)]
    scores += [_latin_latin(x, y) for x, y in product(a_latin, b_latin)]
    return max(scores, key=lambda s: s.score)


def _combine(surname_agrees: float, given_share: float) -> float:
    # Squared: one wrong given syllable out of two must cost more than half the given weight;
    # a different surname is a different family however alike the given names.
    score = SURNAME_WEIGHT * surname_agrees + (1 - SURNAME_WEIGHT) * given_share**2
    return score if surname_agrees else score * SURNAME_MISMATCH_FACTOR


def _han_han(a: HanName, b: HanName) -> NameScore:
    surname = a.surname == b.surname
    same = [x for x, y in zip(a.given, b.given, strict=False) if x == y]
    share = len(same) / max(len(a.given), len(b.given), 1)
    agreed = ([f"surname {a.surname}"] if surname else []) + [f"given {c}" for c in same]
    return NameScore(round(_combine(surname, share), 4), agreed)


def _han_latin(han: HanName, latin: LatinName) -> NameScore:
    spellings = _surname_keys(han.surnames)
    surname = latin.surname_key in spellings
    agreed = [f"surname {han.surname}={latin.surname_key}"] if surname else []
    for char, syllable in zip(han.given, latin.given, strict=False):
        if syllable in person_readings(char):
            agreed.append(f"given {char}={syllable}")
    matched = len(agreed) - surname
    share = matched / max(len(han.given), len(latin.given), 1)
    return NameScore(round(_combine(surname, share), 4), agreed)


# a debtor's surname is compared with each of its candidates' in turn
@lru_cache(maxsize=20_000)
def _surname_keys(surnames: tuple[str, ...]) -> frozenset[str]:
    keys = {""}
    for surname in surnames:
        keys = {k + spelling_key(s) for k in keys for s in surname_spellings(surname)}
    return frozenset(keys)


def _latin_latin(a: LatinName, b: LatinName) -> NameScore:
    surname = a.surname_key == b.surname_key
    given = fuzz.ratio("".join(a.given), "".join(b.given)) / 100
    agreed = [f"surname {a.surname_key}"] if surname else []
    if given >= 0.999:
        agreed.append(f"given {' '.join(a.given)}")
    return NameScore(round(_combine(surname, given), 4), agreed)


def company_similarity(debtor_name: str, foreign_name: str) -> NameScore:
    """How alike two company names are, in any scripts; a different named place caps the score."""
    a, b = company_keys(debtor_name), company_keys(foreign_name)
    scores = [NO_MATCH]
    if a.han and b.han:
        scores.append(_company_han_han(a, b))
    # a Han name's Latin words (ABC贸易) are a part of it, compared with the rest above: as a
    # Latin name of their own they made ABC贸易 and ABC科技 alike
    latin_a, latin_b = _latin_content(a), _latin_content(b)
    if a.han and b.words and latin_b:
        scores.append(_company_cross(a, b))
    if b.han and a.words and latin_a:
        scores.append(_company_cross(b, a))
    if a.words and b.words and latin_a and latin_b:
        scores.append(_company_latin_latin(a, b))
    best = max(scores, key=lambda s: s.score)
    if places_conflict(a, b):
        return NameScore(round(best.score * REGION_CONFLICT_FACTOR, 4), best.agreed)
    return best


def _latin_content(keys: CompanyKeys) -> bool:
    """Whether all but the legal form is Latin (ABC Trading 有限公司 is, ABC贸易有限公司 is not)."""
    return not any(is_han(c) for c in keys.trade + "".join(keys.industry))


def places_conflict(a: CompanyKeys, b: CompanyKeys) -> bool:
    """Both names name a city or province, and none in common (深圳 vs Guangzhou)."""
    kinds = place_kinds()
    left = {p for p in a.places if kinds.get(p) in ("city", "province")}
    right = {p for p in b.places if kinds.get(p) in ("city", "province")}
    return bool(left and right and not left & right)


def _company_han_han(a: CompanyKeys, b: CompanyKeys) -> NameScore:
    score = fuzz.ratio(a.trade + "".join(a.industry), b.trade + "".join(b.industry)) / 100
    agreed = [f"trade {a.trade}"] if a.trade and a.trade == b.trade else []
    agreed += [f"industry {w}" for w in a.industry if w in b.industry]
    return NameScore(round(score, 4), agreed)


def _company_latin_latin(a: CompanyKeys, b: CompanyKeys) -> NameScore:
    score = fuzz.token_set_ratio(" ".join(a.words), " ".join(b.words)) / 100
    return NameScore(round(score, 4), [f"word {w}" for w in a.words if w in b.words])


def _company_cross(han: CompanyKeys, latin: CompanyKeys) -> NameScore:
    """Coverage (share of English words the Han name explains, rare words weighing more, and
    share of Han characters some English word explains) blended with the translation model."""
    lexicon = load_lexicon()
    candidates = candidate_map(han.name)
    explained: dict[str, float] = {}
    agreed, english_total, english_hit = [], 0.0, 0.0
    for word in latin.words:
        weight = lexicon.idf(word)
        value, unit = candidates.get(word, (0.0, ""))
        english_total += weight
        english_hit += weight * value
        if value >= _SUPPORTED:
            agreed.append(f"{unit}={word}")
            for char in unit:
                explained[char] = max(explained.get(char, 0.0), value)
    chars = [c for c in "".join((*han.places, han.trade, *han.industry)) if c.strip()]
    han_share = sum(explained.get(c, 0.0) for c in chars) / max(len(chars), 1)
    english_share = english_hit / max(english_total, 1e-9)
    coverage = (english_share * han_share) ** 0.5
    blend = COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * translation_score(
        han.name, latin.name
    )
    # Names the tables explain word for word are a match even where the learned model, which
    # never saw them, is unsure; elsewhere the model ranks better than coverage does.
    score = max(blend, FULL_COVERAGE_FACTOR * coverage) if coverage >= 0.95 else blend
    return NameScore(round(score, 4), agreed)
