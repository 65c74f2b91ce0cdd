"""Script detection and folding: one canonical form of a name before any comparison."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from matching.names.resources import opencc_converter
from pipelines.text import han_to_spaces, has_han, is_han

Script = Literal["han", "latin", "mixed", "other", "empty"]

_BRACKETS = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")", "【": "(", "】": ")",
                           "〔": "(", "〕": ")", "〈": "(", "〉": ")", "《": "(", "》": ")",
                           "「": "(", "」": ")", "『": "(", "』": ")", "、": ",", "。": ".",
                           "・": " ", "·": " ", "‧": " ", "–": "-", "—": "-", "‐": "-",
                           "’": "'", "‘": "'", "“": '"', "”": '"'})  # fmt: skip
_ASCII_LETTER = re.compile("[A-Za-z]")
__all__ = [
    "ascii_fold",
    "detect_script",
    "fold",
    "han_key",
    "han_to_spaces",
    "has_han",
    "is_han",
    "simplified",
]


def fold(text: str) -> str:
    """Full-width to half-width, one kind of bracket and dash, single spaces.

    NFKC maps （香港） to (香港) and ＡＢＣ to ABC; the table catches what NFKC leaves alone.
    """
    if not text.isascii():  # NFKC leaves ASCII as it is, and most names abroad are ASCII
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.translate(_BRACKETS).split())  # split: the whitespace \s matches


def detect_script(text: str) -> Script:
    if text.isascii():  # most names abroad: every ASCII letter is Latin
        if _ASCII_LETTER.search(text):
            return "latin"
        return "other" if text.strip() else "empty"
    han = latin = False
    for char in text:
        if is_han(char):
            han = True
        elif char.isalpha() and unicodedata.name(char, "").startswith("LATIN"):
            latin = True
    if han and latin:
        return "mixed"
    if han:
        return "han"
    if latin:
        return "latin"
    return "other" if text.strip() else "empty"


@lru_cache(maxsize=200_000)
def simplified(text: str) -> str:
    """Folded text with traditional characters made simplified (OpenCC t2s).

    Never the other way round: s2t is one-to-many and corrupts surnames (于 → 於).
    """
    return str(opencc_converter("t2s").convert(fold(text)))


def han_key(text: str) -> str:
    """The simplified Han characters of a name, in order, with everything else dropped."""
    if text.isascii():  # most names abroad (folding makes ideographs of some other symbols)
        return ""
    return "".join(char for char in simplified(text) if is_han(char))


@lru_cache(maxsize=50_000)
def hong_kong_form(text: str) -> str:
    """Hong Kong traditional characters, only for Cantonese look-ups (the table is traditional)."""
    return str(opencc_converter("s2hk").convert(text))


def ascii_fold(text: str) -> str:
    """Latin text without accents, lower case (ü → u: registries drop the umlaut)."""
    folded = fold(text)
    if folded.isascii():  # NFKD leaves ASCII as it is, and it has no combining marks
        return folded.lower()
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
