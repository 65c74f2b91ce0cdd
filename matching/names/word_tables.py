"""The hand-made word tables: places, industry words and brands, Chinese ↔ English."""

from __future__ import annotations

from functools import lru_cache

from matching.names.legal_forms import english_words, phrase_sizes
from matching.names.resources import REGION_SUFFIXES, read_rows, split_list
from matching.names.script import simplified

Table = dict[str, tuple[tuple[str, ...], ...]]


def _table(name: str) -> Table:
    """Simplified Chinese word → its English renderings, each as a tuple of words."""
    table: Table = {}
    for row in read_rows(name):
        key = simplified(row[0])
        table[key] = (*table.get(key, ()), *(english_words(p) for p in split_list(row[1])))
    return table


@lru_cache(maxsize=1)
def regions() -> Table:
    return _table("regions.tsv")


@lru_cache(maxsize=1)
def industry_words() -> Table:
    return _table("industry_words.tsv")


@lru_cache(maxsize=1)
def brands() -> Table:
    return _table("brands.tsv")


def region_of(word: str) -> str:
    """The place a Chinese word names, suffix dropped (深圳市 → 深圳), or ""."""
    word = simplified(word)
    if word in regions():
        return word
    for suffix in REGION_SUFFIXES:
        if word.endswith(suffix) and word[: -len(suffix)] in regions():
            return word[: -len(suffix)]
    return ""


@lru_cache(maxsize=1)
def english_places() -> dict[tuple[str, ...], str]:
    """English spelling (as words) → the Chinese place it names; "hong kong" → 香港."""
    places: dict[tuple[str, ...], str] = {}
    for place, spellings in regions().items():
        for spelling in spellings:
            places.setdefault(spelling, place)
    return places


@lru_cache(maxsize=1)
def _place_sizes() -> dict[str, tuple[int, ...]]:
    return phrase_sizes(english_places(), 0)


def places_in_english(words: tuple[str, ...]) -> tuple[str, ...]:
    """The places named in English words, longest spelling first ("hong kong" before "kong")."""
    places = english_places()
    sizes = _place_sizes()
    found: list[str] = []
    index = 0
    while index < len(words):
        for size in sizes.get(words[index], ()):
            place = places.get(words[index : index + size])
            if place:
                found.append(place)
                index += size
                break
        else:
            index += 1
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=1)
def place_kinds() -> dict[str, str]:
    return {simplified(row[0]): row[2] for row in read_rows("regions.tsv")}
