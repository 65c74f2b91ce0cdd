"""The learned bilingual lexicon: Chinese characters and words ↔ English name words."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import TypeVar, cast

from matching.names.companies import (
    english_content_words,
    parse_chinese_company,
    parse_english_company,
    segment,
)
from matching.names.resources import data_path
from matching.names.script import is_han
from pipelines.disk_cache import cached, module_source

LEXICON_FILE = "lexicon.tsv"
NULL_UNIT = "<null>"
PREFIX_LENGTHS = (2, 3, 4)
FREQUENCY_FILE = "english_word_frequencies.tsv"
PIECES_FILE = "english_word_pieces.tsv"
MIN_PIECE_COUNT = 3
_MAX_PIECES = 3
T = TypeVar("T", str, int)
_LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")  # full-width forms fold to these


@dataclass(frozen=True)
class Lexicon:
    """Association in [0, 1] of Chinese units and English words, and English word rarity."""

    pairs: dict[tuple[str, str], float]
    by_unit: dict[str, tuple[tuple[str, float], ...]]
    document_frequency: dict[str, int]
    documents: int
    forward: dict[str, dict[str, float]]
    backward: dict[str, dict[str, float]]

    def p_english(self, unit: str, word: str) -> float:
        """P(English unit | Chinese unit); unit NULL_UNIT for the empty unit."""
        return self.forward.get(unit, {}).get(word, 0.0)

    def p_chinese(self, word: str, unit: str) -> float:
        """P(Chinese unit | English unit); word NULL_UNIT for the empty unit."""
        return self.backward.get(word, {}).get(unit, 0.0)

    def association(self, unit: str, word: str) -> float:
        return self.pairs.get((unit, word), 0.0)

    def translations(self, unit: str) -> tuple[tuple[str, float], ...]:
        """English words for a Chinese unit, strongest first."""
        return self.by_unit.get(unit, ())

    def knows(self, word: str) -> bool:
        """Whether the learning corpus had this English unit at all."""
        return word in self.backward

    def idf(self, word: str) -> float:
        """Rarity of an English word in the learning corpus; unseen words count as rare."""
        return math.log((self.documents + 1) / (self.document_frequency.get(word, 0) + 1))


def chinese_units(name: str) -> tuple[str, ...]:
    """What the lexicon maps from: each character, then each word of two or more characters."""
    parts = parse_chinese_company(name)
    text = "".join(parts.words)
    chars = [c for c in text if is_han(c)]
    words = [w for w in segment(text) if len(w) > 1 and all(is_han(c) for c in w)]
    return tuple(dict.fromkeys([*chars, *words]))


@lru_cache(maxsize=200_000)
def literal_words(han_name: str) -> tuple[str, ...]:
    """The Latin letters and digits written inside a Han name (TCL科技 → tcl, 世紀21物業 → 21),
    as an English name's content words: an English name of the same company carries them as
    they are, and no lexicon is needed to read them."""
    if not _LATIN_OR_DIGIT.search(han_name):
        return ()
    return tuple(dict.fromkeys(english_content_words(han_name)))


@lru_cache(maxsize=200_000)
def english_units(name: str) -> tuple[str, ...]:
    """What the lexicon maps to: each content word, the known pieces of a run-together word
    ("charmluck" → "charm", "luck") or the known singular of a rare plural, and each word's
    first and last letters ("bal~", "~lly")."""
    return with_fragments(parse_english_company(name).words)


def unit_words_once(name: str) -> tuple[str, ...]:
    """The words english_units splits into units, for a caller that keeps each name's units
    itself: nothing is cached by name (a million record names would fill a cache several
    times over); the words' pieces are, as they are few."""
    return english_content_words(name)


def with_fragments(
    words: tuple[str, ...], pieces: Mapping[str, int] | None = None
) -> tuple[str, ...]:
    """The units of a name's words, split into PIECES (by default the shipped ones)."""
    return tuple(in_name_order([word_fragments(w, pieces) for w in words]))


# (word, its pieces, its first letters at each of PREFIX_LENGTHS then its last letters at each,
# None where the word is too short): one word's units, kept apart by kind; T a unit or its id
Fragments = tuple[T, tuple[T, ...], tuple[T | None, ...]]


def word_fragments(word: str, pieces: Mapping[str, int] | None = None) -> Fragments[str]:
    """One word's units, before a name's units put them in order."""
    parts = _shipped_parts(word) if pieces is None else _word_parts(word, pieces)
    firsts = [word[:k] + "~" if len(word) > k else None for k in PREFIX_LENGTHS]
    lasts = ["~" + word[-k:] if len(word) > k + 1 else None for k in PREFIX_LENGTHS]
    return word, parts, (*firsts, *lasts)


def in_name_order(words: Sequence[Fragments[T]]) -> list[T]:
    """A name's units, each once, in their order: every word, then every word's pieces, then
    the words' first letters by length, then their last letters by length."""
    found: list[T | None] = [word for word, _, _ in words]
    for _, parts, _ in words:
        found += parts
    # a column a length: each word's letters of that length, in the words' order
    found += chain.from_iterable(zip(*(letters for _, _, letters in words), strict=True))
    units = dict.fromkeys(found)
    units.pop(None, None)
    return cast("list[T]", list(units))


def _word_parts(word: str, pieces: Mapping[str, int]) -> tuple[str, ...]:
    return (*singular(word, pieces), *split_compound(word, pieces))


# a register of millions of names is made of far fewer words
@lru_cache(maxsize=200_000)
def _shipped_parts(word: str) -> tuple[str, ...]:
    return _word_parts(word, load_pieces())


def is_fragment(unit: str) -> bool:
    """A first- or last-letters unit ("bal~", "~lly"), not a word."""
    return unit.startswith("~") or unit.endswith("~")


def singular(word: str, pieces: Mapping[str, int]) -> tuple[str, ...]:
    """A rare plural as its common singular ("advisors" → advisor, "societies" → society)."""
    if len(word) < 4 or not word.endswith("s") or pieces.get(word, 0) >= MIN_PIECE_COUNT:
        return ()
    options = (
        (word[:-3] + "y", word[:-2], word[:-1])
        if word.endswith("ies")
        else ((word[:-2], word[:-1]) if word.endswith("es") else (word[:-1],))
    )
    return next(((o,) for o in options if pieces.get(o, 0) >= MIN_PIECE_COUNT), ())


def split_compound(word: str, pieces: Mapping[str, int]) -> tuple[str, ...]:
    """A rare word as two or three common pieces ("leewall" → lee, wall), else ().

    Pieces are English name words and romanised syllables with their corpus counts; the split
    with the fewest pieces wins, then the one whose pieces are commonest.
    """
    if len(word) < 4 or not word.isalpha() or pieces.get(word, 0) >= MIN_PIECE_COUNT:
        return ()
    # best[j]: (pieces used, minus summed log counts, the pieces) for word[:j]
    best: list[tuple[int, float, tuple[str, ...]] | None] = [None] * (len(word) + 1)
    best[0] = (0, 0.0, ())
    for end in range(2, len(word) + 1):
        for start in range(end - 1):
            before, count = best[start], pieces.get(word[start:end], 0)
            if before is None or count < MIN_PIECE_COUNT or before[0] == _MAX_PIECES:
                continue
            option = (before[0] + 1, before[1] - math.log(count), (*before[2], word[start:end]))
            current = best[end]
            if current is None or option[:2] < current[:2]:
                best[end] = option
    found = best[-1]
    return found[2] if found and found[0] > 1 else ()


@lru_cache(maxsize=1)
def load_pieces() -> dict[str, int]:
    return {piece: int(count) for piece, count in _rows(PIECES_FILE, 2)}


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon as its files give it; built once for all processes (pipelines/disk_cache)."""
    sources = (data_path(LEXICON_FILE), data_path(FREQUENCY_FILE), module_source(__name__))
    return cached("lexicon", sources, _read_lexicon)


def _read_lexicon() -> Lexicon:
    pairs: dict[tuple[str, str], float] = {}
    by_unit: dict[str, list[tuple[str, float]]] = {}
    forward: dict[str, dict[str, float]] = {}
    backward: dict[str, dict[str, float]] = {}
    for unit, word, p_english, p_chinese, value in _rows(LEXICON_FILE, 5):
        if word.startswith(NULL_UNIT):
            backward.setdefault(NULL_UNIT, {})[word[len(NULL_UNIT) :]] = float(p_chinese)
            continue
        forward.setdefault(unit, {})[word] = float(p_english)
        backward.setdefault(word, {})[unit] = float(p_chinese)
        if float(value) > 0 and not is_fragment(word):
            pairs[(unit, word)] = float(value)
            by_unit.setdefault(unit, []).append((word, float(value)))
    ordered = {u: tuple(sorted(ws, key=lambda w: -w[1])) for u, ws in by_unit.items()}
    frequency = {word: int(count) for word, count in _rows(FREQUENCY_FILE, 2)}
    return Lexicon(pairs, ordered, frequency, _documents(), forward, backward)


def _documents() -> int:
    """The corpus size, kept in the frequency file's header line "# documents: N"."""
    path = data_path(FREQUENCY_FILE)
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("# documents:"):
                    return int(line.split(":")[1])
    return 1


def _rows(name: str, width: int) -> list[tuple[str, ...]]:
    path = data_path(name)
    if not path.is_file():
        return []
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= width and fields[0] not in ("chinese", "english", "piece"):
                rows.append(tuple(fields[:width]))
    return rows
