"""Translation-model score of a Han company name against an English one, both directions.

The learned lexicon is an IBM Model 1 pair of tables. P(English | Chinese) asks whether each
English word is one the Chinese name would produce; P(Chinese | English) asks whether each Chinese
character is accounted for by some English word. Both are needed: a short English name made of
one common word explains itself well and the Chinese name badly. Romanisations and the hand-made
tables add to both directions, so names and words the corpus never saw still count. An English
word the corpus never had is no evidence either way (a new brand), so it costs `UNSEEN`, not the
floor a known but unexplained word gets. CC-CEDICT's glosses (`matching.names.dictionary`) add
to both directions as a prior, so a plain translation the register never paired (雅 ELEGANT)
still counts. A word's first- and last-letter units weigh `FRAGMENT_WEIGHT` of a word in the
forward mean: they back up a word the lexicon half knows, and should not outvote the words.
The score is blended with the name encoder's (`matching.names.encoder`), a model trained to
rank rather than to explain, which finds many of the names the tables miss.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import TypeVar

import numpy as np

from matching.names.dictionary import gloss
from matching.names.encoder import encoder_score
from matching.names.keys import han_candidates_once
from matching.names.lexicon import (
    NULL_UNIT,
    chinese_units,
    english_units,
    is_fragment,
    literal_words,
    load_lexicon,
    with_fragments,
)
from matching.names.romanise import char_readings
from matching.names.script import is_han

EPSILON = 1e-4
UNSEEN = 0.01
TABLE_BONUS = 0.3
BACKWARD_WEIGHT = 3.0
DICTIONARY_FORWARD = 0.5
DICTIONARY_BACKWARD = 0.1
FRAGMENT_WEIGHT = 0.25
# a literal word (1001, TCL) the English name leaves out counts as much against it as any unit
# nothing explains: on SP_10's 239 names with one (before the encoder read them), recall@1 0.715
# against 0.711 and 0.598 when it cost a tenth or a hundredth as much, though an English name
# may spell TMH as T M H
LITERAL_NULL = EPSILON
# the name encoder's share of the score: on a 1/5 hold-out of SP_2 recall@10 rose from 0.60
# to 0.65 (best between 0.35 and 0.45); the two models miss different names
ENCODER_SHARE = 0.4
_SURE = 0.85
T = TypeVar("T", float, np.ndarray)


@lru_cache(maxsize=4_096)  # a few thousand entries a name: callers go debtor by debtor
def english_weights(han_name: str) -> dict[str, float]:
    """q(e) = mean over the name's units (and NULL) of P(e | unit), plus the table matches and
    the dictionary's glosses."""
    weights: dict[str, float] = {}
    for _, table, factor in weight_sources(han_name):
        for word, p in table.items():
            weights[word] = weights.get(word, 0.0) + p * factor
    return weights


# where a name's English word weights come from: (what the table is, the table, its factor)
WeightSource = tuple[tuple[str, str], Mapping[str, float], float]


@lru_cache(maxsize=4_096)
def weight_sources(han_name: str) -> tuple[WeightSource, ...]:
    """Each table a name's English word weights add up from, with its factor: the lexicon's
    P(e | unit) for each of the name's units and NULL, the dictionary's glosses, its literal
    words, and the table matches it is sure of. A table is named by ("lexicon" | "gloss" |
    "literal", unit) and is the same for every name with that unit; ("sure", name) is this
    name's own."""
    lexicon = load_lexicon()
    units, literals = chinese_units(han_name), literal_words(han_name)
    share = 1.0 / (len(units) + len(literals) + 1)
    found = han_candidates_once(han_name)  # this cache keeps only the sure ones
    sure = {w: value for w, (value, _) in found.items() if value >= _SURE}
    return (
        *((("lexicon", unit), lexicon.forward.get(unit, {}), share)
          for unit in (NULL_UNIT, *units)),
        *((("gloss", unit), gloss(unit), DICTIONARY_FORWARD * share) for unit in units),
        *((("literal", word), literal_table(word), share) for word in literals),
        (("sure", han_name), sure, TABLE_BONUS * share),
    )  # fmt: skip


@lru_cache(maxsize=4_096)
def literal_table(word: str) -> dict[str, float]:
    """A literal word of a Han name produces itself, with its first and last letters."""
    return dict.fromkeys(with_fragments((word,)), 1.0)


def forward_term(word: str, weight: float) -> float:
    """log P(English word | Chinese name), with the allowance for words the corpus never had."""
    return math.log(weight + unseen_allowance(word) + EPSILON)


def unseen_allowance(word: str) -> float:
    """What a word the corpus never had gets instead of the floor: it may be a new brand."""
    return 0.0 if load_lexicon().knows(word) else UNSEEN


def unit_weight(unit: str) -> float:
    """A unit's weight in the forward mean: 1 for a word, `FRAGMENT_WEIGHT` for first or last
    letters."""
    return FRAGMENT_WEIGHT if is_fragment(unit) else 1.0


def han_chars(han_name: str) -> tuple[str, ...]:
    return tuple(u for u in chinese_units(han_name) if len(u) == 1 and is_han(u))


def accounted_units(han_name: str) -> tuple[str, ...]:
    """What an English name must account for, in the backward direction: the Han name's
    characters, then its literal words."""
    return han_chars(han_name) + literal_words(han_name)


@lru_cache(maxsize=1)
def _backward_by_char() -> dict[str, dict[str, float]]:
    """P(char | e) turned around once: per character, every English unit and its probability
    (scanning the whole table for each new character cost ~10 ms a character)."""
    by_char: dict[str, dict[str, float]] = {}
    for word, row in load_lexicon().backward.items():
        if word != NULL_UNIT:
            for char, p in row.items():
                by_char.setdefault(char, {})[word] = p
    return by_char


@lru_cache(maxsize=20_000)
def char_sources(char: str) -> dict[str, float]:
    """English units that account for a character: P(char | e), plus its romanisations and
    glosses; a literal word is accounted for by itself alone."""
    if not is_han(char[0]):
        return {char: 1.0}
    sources = dict(_backward_by_char().get(char, {}))
    for reading in char_readings(char):
        sources[reading] = sources.get(reading, 0.0) + TABLE_BONUS
    for word, p in gloss(char).items():
        sources[word] = sources.get(word, 0.0) + DICTIONARY_BACKWARD * p
    return sources


def null_chinese(char: str) -> float:
    """How likely the character (or literal word) is with no English word behind it."""
    if not is_han(char[0]):
        return LITERAL_NULL
    return load_lexicon().p_chinese(NULL_UNIT, char)


def translation_score(han_name: str, english_name: str) -> float:
    """Both directions' mean log probability, mapped linearly onto [0, 1] (1 = certain)."""
    english = english_units(english_name)
    chars = accounted_units(han_name)
    if not english or not chars:
        return 0.0
    weights = english_weights(han_name)
    forward = sum(unit_weight(e) * forward_term(e, weights.get(e, 0.0)) for e in english)
    forward /= sum(unit_weight(e) for e in english)
    backward = 0.0
    for char in chars:
        sources = char_sources(char)
        total = sum(sources.get(e, 0.0) for e in english) + null_chinese(char)
        backward += math.log(total / (len(english) + 1) + EPSILON)
    raw = (forward + BACKWARD_WEIGHT * backward / len(chars)) / (1 + BACKWARD_WEIGHT)
    return blend(max(0.0, 1.0 - raw / math.log(EPSILON)), encoder_score(han_name, english_name))


def mixed(model: T, encoder: T) -> T:
    """The translation model's score and the name encoder's weighed together (numbers or
    arrays of them), before clipping."""
    return (1 - ENCODER_SHARE) * model + ENCODER_SHARE * encoder


def model_share(score: np.ndarray, encoder: np.ndarray) -> np.ndarray:
    """The translation model's score (floored at 0) in blended SCORES, given the encoder's:
    `blend` undone, where the blend was not clipped."""
    return np.clip((score - ENCODER_SHARE * encoder) / (1 - ENCODER_SHARE), 0.0, 1.0)


def blend(model: float, encoder: float) -> float:
    """The translation model's score and the name encoder's, weighed together, in [0, 1]."""
    return min(1.0, max(0.0, mixed(model, encoder)))
