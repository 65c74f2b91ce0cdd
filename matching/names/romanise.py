"""Romanisation candidates for Han characters, and splitting run-together Latin syllables.

Every function returns every plausible spelling, lower case, without tones or apostrophes:
a spelling alone never proves a character, so callers compare sets.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from matching.names.resources import cantonese_table, read_rows, split_list
from matching.names.script import ascii_fold, hong_kong_form, simplified
from matching.names.spellings import (
    U_UMLAUT_SPELLINGS,
    hokkien,
    hokkien_characters,
    macau_syllable,
    spelling_key,
    table_spellings,
    table_syllables,
    tongyong,
    tongyong_syllable,
)

# Hong Kong spellings write unaspirated initials either way (寶 Bo / Po, 國 Gwok / Kwok).
_CANTONESE_INITIAL_VARIANTS = {"b": ("p",), "d": ("t",), "g": ("k",), "j": ("ch", "ts")}
_MAX_SPLITS = 16


def _strip_tone(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFKD", syllable)
    return "".join(c for c in decomposed if c.isascii() and c.isalpha()).lower()


@lru_cache(maxsize=100_000)
def mandarin(char: str) -> tuple[str, ...]:
    """Every Mandarin reading of one character (pypinyin heteronyms), ü written as u."""
    from pypinyin import Style, pinyin

    readings = pinyin(simplified(char), style=Style.NORMAL, heteronym=True, v_to_u=True)
    found = [_strip_tone(r) for r in readings[0]] if readings else []
    return _unique(r for r in found if r.isalpha())


@lru_cache(maxsize=100_000)
def mandarin_phrase(text: str) -> tuple[str, ...]:
    """The phrase-aware Mandarin reading of a run of characters, one syllable per character."""
    from pypinyin import Style, lazy_pinyin

    return tuple(
        _strip_tone(s) for s in lazy_pinyin(simplified(text), style=Style.NORMAL, v_to_u=True)
    )


@lru_cache(maxsize=100_000)
def cantonese(char: str) -> tuple[str, ...]:
    """Hong Kong Government Cantonese spellings; the table needs traditional characters."""
    table = cantonese_table()
    found: list[str] = []
    for form in _unique((char, hong_kong_form(char), hong_kong_form(simplified(char)))):
        for readings in table.getRoman(form):
            found.extend(r for r in readings if r.isalpha())
    # The Government's own spellings (Tai, Kwok, Po, Ka) are the variants; they lead.
    variants = [v + r[len(k) :] for r in found for k, vs in _initials(r) for v in vs]
    return _unique([*variants, *found])


def _initials(reading: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(k, v) for k, v in _CANTONESE_INITIAL_VARIANTS.items() if reading.startswith(k)][:1]


@lru_cache(maxsize=100_000)
def wade_giles(char: str) -> tuple[str, ...]:
    """Wade-Giles spellings without apostrophes (pypinyin writes ü as v: hsveh → hsueh)."""
    return _unique(_wade_giles_syllable(m) for m in mandarin(char))


def _wade_giles_syllable(pinyin_syllable: str) -> str:
    from pypinyin import Style
    from pypinyin.style import convert

    converted = str(convert(pinyin_syllable, Style.WADEGILES, True))
    return ascii_fold(converted.replace("v", "u").replace("'", ""))


@lru_cache(maxsize=100_000)
def char_readings(char: str) -> frozenset[str]:
    """Every spelling of one character in every system oad knows."""
    return frozenset((*mandarin(char), *cantonese(char), *wade_giles(char)))


def readings_by_system(char: str, part: str = "given") -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(system, spellings) of one character in a person's name (`part`: "given" or
    "surname"), in every system oad knows; the table's irregular spellings name their source."""
    systems: list[tuple[str, tuple[str, ...]]] = [
        ("pinyin", mandarin(char)),
        ("hong kong cantonese", cantonese(char)),
        ("macau cantonese", _unique(macau_syllable(s) for s in cantonese(char))),
        ("wade-giles", wade_giles(char)),
        ("tongyong pinyin", tongyong(char)),
        ("hokkien", hokkien(char)),
    ]
    listed: dict[str, list[str]] = {}
    for spelling, system, source in table_spellings(char, part):
        listed.setdefault(f"{system} ({source})", []).append(spelling)
    systems.extend((system, tuple(spellings)) for system, spellings in listed.items())
    return tuple((system, spellings) for system, spellings in systems if spellings)


@lru_cache(maxsize=100_000)
def person_readings(char: str) -> frozenset[str]:
    """Spelling keys of one character of a given name in every system (see readings_by_system):
    what a romanised given-name syllable is compared with."""
    return frozenset(
        spelling_key(s) for _, spellings in readings_by_system(char) for s in spellings
    )


@lru_cache(maxsize=1)
def surname_table() -> dict[str, tuple[str, ...]]:
    """Simplified surname → spellings, the Mandarin surname reading first."""
    table: dict[str, tuple[str, ...]] = {}
    for surname, mandarin_reading, others in read_rows("surnames.tsv"):
        key = simplified(surname)
        table[key] = _unique((mandarin_reading, *table.get(key, ()), *split_list(others)))
    return table


@lru_cache(maxsize=20_000)
def surname_spellings(surname: str) -> tuple[str, ...]:
    """Spellings of a surname written in characters, spaces removed ("au yeung" → "auyeung")."""
    key = simplified(surname)
    listed = surname_table().get(key, ())
    # A listed surname keeps only its surname readings: 单 is Shan or Sin, never dan.
    found = [s.replace(" ", "").replace("-", "") for s in listed]
    if not listed:
        # the Mandarin reading first, as a listed surname's: the Mandarin full-name key is
        # spelled with the first spelling (沈 Shen, not Hokkien Sim; 庄 Zhuang, not Chong)
        found.append("".join(mandarin_phrase(key)))
    if len(key) == 1:
        found.extend(s for s, _, _ in table_spellings(key, "surname"))
    if listed:
        found.append(_wade_giles_syllable(listed[0]))
    elif len(key) == 1:
        found.extend(sorted(char_readings(key)))
    else:
        found.extend(_joined_readings(key))
    return _unique(found)


def _joined_readings(text: str) -> list[str]:
    combos = [""]
    for char in text:
        combos = [c + r for c in combos for r in sorted(char_readings(char))][:64]
    return combos


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every Latin syllable a romanised Chinese name may be built from."""
    from pypinyin.pinyin_dict import pinyin_dict

    found: set[str] = set()
    for value in pinyin_dict.values():
        found.update(_strip_tone(r) for r in value.split(","))
    found.discard("")
    found.update(_wade_giles_syllable(s) for s in list(found))
    table = cantonese_table()
    found.update(r for readings in table.charToRoman.values() for r in readings if r.isalpha())
    for spellings in surname_table().values():
        found.update(part for s in spellings for part in s.split())
    # ü written lv or lyu (lü, lüe; nü, nüe), so that a run-together given name is cut there
    # too ("Lvxin"); the spelling key reads them as u
    found.update(written + end for written, _ in U_UMLAUT_SPELLINGS for end in ("", "e"))
    # Lone consonants (Cantonese 唔 m) would cut every word into noise.
    return frozenset(s for s in found if s.isalpha() and (len(s) > 1 or s in "aeiou"))


@lru_cache(maxsize=1)
def person_syllables() -> frozenset[str]:
    """Every syllable a romanised person name may be built from: those of `syllables`, and
    the Hokkien, Macau, Tongyong and irregular spellings, with their spelling keys."""
    found = set(syllables()) | table_syllables()
    found.update(tongyong_syllable(s) for s in syllables())
    found.update(macau_syllable(s) for s in syllables())
    found.update(s for char in hokkien_characters() for s in hokkien(char))
    found.update(spelling_key(s) for s in list(found))
    return frozenset(s for s in found if s.isalpha() and (len(s) > 1 or s in "aeiou"))


@lru_cache(maxsize=200_000)
def split_syllables(token: str) -> tuple[tuple[str, ...], ...]:
    """Every way to cut a run-together token into known syllables, fewest pieces first."""
    token = ascii_fold(token)
    inventory = syllables()
    # tails[i] holds the splits of token[i:]; built from the end so each tail is cut once.
    tails: list[list[tuple[str, ...]]] = [[] for _ in token] + [[()]]
    for start in range(len(token) - 1, -1, -1):
        for end in range(start + 1, min(len(token), start + 7) + 1):
            if token[start:end] in inventory:
                tails[start].extend((token[start:end], *rest) for rest in tails[end])
        tails[start] = sorted(tails[start], key=len)[: 4 * _MAX_SPLITS]
    return tuple(tails[0][:_MAX_SPLITS])


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return tuple(seen)
