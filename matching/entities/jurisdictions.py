"""Where a company is incorporated, as sources publish it, folded to ISO 3166-1 alpha-2."""

from __future__ import annotations

import re
from functools import cache

from matching.places import country_code
from pipelines.resources import read_yaml

JURISDICTIONS_FILE = "entities/jurisdictions.yml"  # under data/
_NON_WORD = re.compile(r"[^\w]+")


def fold_spelling(text: str) -> str:
    """Case and punctuation folded away: 'Virgin Islands, British' -> 'virgin islands british'."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


@cache
def _spellings() -> dict[str, str | None]:
    """Every listed spelling, folded, with its code (None: names no single jurisdiction).

    A spelling listed under two sources with two codes is an error in the file."""
    found: dict[str, str | None] = {}
    for source, spellings in read_yaml(JURISDICTIONS_FILE).items():
        for spelling, code in spellings.items():
            key = fold_spelling(str(spelling))
            if key in found and found[key] != code:
                raise ValueError(
                    f"{JURISDICTIONS_FILE}: {spelling!r} ({source}) is {code}, elsewhere"
                    f" {found[key]}"
                )
            found[key] = code
    return found


@cache
def jurisdiction_code(text: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code of a published jurisdiction, or None when it names none.

    'BRITISH VIRGIN ISLANDS', 'Virgin Islands, British', 'BVI' -> 'VG'; 'HKG' -> 'HK';
    'US-DE', 'DELAWARE' -> 'US'; 'ENGLAND AND WALES' -> 'GB'; 'CHANNEL ISLANDS' -> None."""
    if not text or not text.strip():
        return None
    key = fold_spelling(text)
    spellings = _spellings()
    if key in spellings:
        return spellings[key]
    return country_code(text)
