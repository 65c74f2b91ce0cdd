"""Person names: split Han names into surname and given name; parse romanised names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from matching.names.resources import read_words
from matching.names.romanise import (
    person_syllables,
    split_syllables,
    surname_spellings,
    surname_table,
)
from matching.names.script import ascii_fold, fold, han_key
from matching.names.spellings import spelling_key

_MAX_PARSES = 32
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


@dataclass(frozen=True)
class HanName:
    """One reading of a Han name: surname characters (one or two surnames) and given name."""

    surnames: tuple[str, ...]
    given: str

    @property
    def surname(self) -> str:
        return "".join(self.surnames)


@dataclass(frozen=True)
class LatinName:
    """One reading of a romanised name: surname syllables, given syllables (as spelling keys:
    Dutch-era "Sioe" is siu), English names."""

    surname: tuple[str, ...]
    given: tuple[str, ...]
    english: tuple[str, ...] = ()

    @property
    def surname_key(self) -> str:
        return "".join(self.surname)


@lru_cache(maxsize=1)
def _compound_surnames() -> frozenset[str]:
    return frozenset(s for s in surname_table() if len(s) > 1)


@lru_cache(maxsize=100_000)
def split_han_name(name: str) -> tuple[HanName, ...]:
    """Readings of a Han person name, the likeliest first.

    欧阳娜娜 → 欧阳 | 娜娜; 林郑月娥 → 林 + 郑 | 月娥 (a married woman's double surname) and, as a
    fallback, 林 | 郑月娥.
    """
    han = han_key(name)
    if len(han) < 2:
        return (HanName((han,), ""),) if han else ()
    if han[:2] in _compound_surnames():
        return (HanName((han[:2],), han[2:]),)
    readings = [HanName((han[0],), han[1:])]
    singles = surname_table()
    if len(han) == 4 and han[0] in singles and han[1] in singles:
        readings.insert(0, HanName((han[0], han[1]), han[2:]))
    return tuple(readings)


def parse_latin_name(name: str, surname: str | None = None) -> tuple[LatinName, ...]:
    """Readings of a romanised person name, the likeliest first.

    Which part is the surname: `surname` when given; else the part before a comma ("Zhang, San");
    else the ALL-CAPS part when the rest is not ("Peter CHAN Tai-man", "San ZHANG"); else both
    ends are tried ("Xiaoming Wang", "Wang Xiaoming"), compound surnames ("Au Yeung Chun") too.
    """
    words = _words(name)
    if not words:
        return ()
    splits = _surname_positions(name, words, surname)
    readings: list[LatinName] = []
    for start, end in splits:
        surname_words = words[start:end]
        rest = words[:start] + words[end:]
        readings.extend(
            _readings(surname_words, rest, english_first=start > 0 and end < len(words))
        )
    return tuple(dict.fromkeys(readings))[:_MAX_PARSES]


def _words(name: str) -> list[str]:
    titles = read_words("person_titles.txt")
    text = fold(name).replace(".", " ")
    return [w for w in _WORD.findall(text) if w.lower().strip("-'") not in titles]


def _surname_positions(name: str, words: list[str], surname: str | None) -> list[tuple[int, int]]:
    folded = [ascii_fold(w) for w in words]
    if surname:
        hint = ascii_fold(surname).replace("-", " ").split()
        for start in range(len(words)):
            if folded[start : start + len(hint)] == hint:
                return [(start, start + len(hint))]
    if "," in fold(name):
        before = len(_WORD.findall(fold(name).split(",")[0]))
        return [(0, before)] if 0 < before < len(words) else [(0, 1)]
    caps = [i for i, w in enumerate(words) if w.isupper() and len(w) > 1]
    if caps and len(caps) < len(words) and caps == list(range(caps[0], caps[-1] + 1)):
        return [(caps[0], caps[-1] + 1)]
    return _edge_positions(folded)


def _edge_positions(folded: list[str]) -> list[tuple[int, int]]:
    """Both ends of a name whose surname is not marked, compound surnames first."""
    count = len(folded)
    compounds = _compound_spellings()
    positions: list[tuple[int, int]] = []
    if count >= 3 and "".join(folded[:2]) in compounds:
        positions.append((0, 2))
    if count >= 3 and "".join(folded[-2:]) in compounds:
        positions.append((count - 2, count))
    inventory = person_syllables()
    if folded[0] in inventory or count == 1:
        positions.append((0, 1))
    if count > 1 and folded[-1] in inventory:
        positions.append((count - 1, count))
    return positions or [(0, 1)]


@lru_cache(maxsize=1)
def _compound_spellings() -> frozenset[str]:
    return frozenset(s for c in _compound_surnames() for s in surname_spellings(c))


def _readings(surname_words: list[str], rest: list[str], english_first: bool) -> list[LatinName]:
    english_names = read_words("english_given_names.txt")
    english = [w for w in rest if ascii_fold(w) in english_names]
    # An English name counts as one only when a Chinese given name remains beside it.
    if not english or len(english) == len(rest):
        english = []
    given_words = [w for w in rest if w not in english]
    surname = tuple(
        spelling_key(s) for w in surname_words for s in ascii_fold(w).replace("-", " ").split()
    )
    names = tuple(ascii_fold(w) for w in english)
    splits = _given_splits(given_words)
    return [LatinName(surname, tuple(map(spelling_key, given)), names) for given in splits]


def _given_splits(words: list[str]) -> list[tuple[str, ...]]:
    """Given-name syllables: hyphens and spaces cut; run-together words cut every valid way."""
    options: list[list[tuple[str, ...]]] = []
    for word in words:
        for part in ascii_fold(word).replace("'", "").split("-"):
            if part:
                # A part that is already one syllable stays whole: "Tai-man" is tai man.
                whole: list[tuple[str, ...]] = [(part,)] if part in person_syllables() else []
                options.append(whole or list(split_syllables(part)) or [(part,)])
    combos = [tuple(s for piece in combo for s in piece) for combo in product(*options)]
    return combos[:_MAX_PARSES] or [()]
