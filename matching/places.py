"""Folding country names, demonyms and codes to ISO 3166-1 alpha-2, and finding a city key."""

from __future__ import annotations

import re
from functools import cache

from pipelines.resources import read_yaml

_FOLD = re.compile(r"[^\w]+")


def _fold(text: str) -> str:
    return _FOLD.sub(" ", text.casefold()).strip()


@cache
def _country_index() -> dict[str, str]:
    raw = read_yaml("places", "countries.yml")
    return {_fold(str(alias)): code for code, aliases in raw.items() for alias in aliases}


@cache
def country_code(text: str | None) -> str | None:
    """'British Virgin Islands' -> 'VG'; 'Chinese' -> 'CN'; 'US-DE' -> 'US'; unknown -> None."""
    if not text:
        return None
    folded = _fold(text)
    index = _country_index()
    if folded in index:
        return index[folded]
    head = re.match(r"^([a-z]{2})\s", folded)  # sub-national codes such as 'us de', 'cn 11'
    if head and head.group(1) in index:
        return index[head.group(1)]
    return None


@cache
def _city_index() -> dict[str, str]:
    raw = read_yaml("places", "cities.yml")
    return {alias: key for key, aliases in raw.items() for alias in [key, *aliases]}


def city_key(address: str | None) -> str | None:
    """The first known city named in an address, as one romanised key ('深圳市…' -> 'shenzhen')."""
    if not address:
        return None
    folded = address.casefold()
    found = [(folded.find(alias), key) for alias, key in _city_index().items() if alias in folded]
    return min(found)[1] if found else None
