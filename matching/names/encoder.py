"""A learned name encoder: Han and Latin company names as vectors whose cosine says how likely
they name the same company.

Each side is a bag of units, and a name's vector is the sum of its units' vectors over the
square root of their number, made unit length. The Latin side's units are its words and their
letter 2- to 5-grams ("<ban", "anff", "ff>"), so a brand the register never had (BANFF) still
shares pieces with the romanisations and brands it did have; the Han side's units are its
characters, adjacent character pairs and each character's romanised readings (Mandarin,
Cantonese, Wade-Giles), so a rare character borrows from the common ones that sound alike.
A bag has no order, so two units say where a sound stands: the readings of the trade name's
first and last characters are units of their own, as are the letters of the Latin name's first
word; a brand made from the sound of the Chinese name starts where it does (恒金 ANCAM).
The vectors are trained on bilingual register pairs to put each name nearest its own
translation among the others of a batch (`matching.names.learn_encoder`), which is a ranking
objective, unlike the translation model's likelihood; the two scores disagree usefully.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, pairwise

import numpy as np

from matching.faiss_loader import load_faiss
from matching.names.companies import parse_chinese_company, strip_dissolution
from matching.names.legal_forms import english_words, strip_chinese_form, strip_english_form
from matching.names.lexicon import literal_words
from matching.names.resources import data_path
from matching.names.romanise import char_readings
from matching.names.script import han_key, is_han

ENCODER_FILE = "name_encoder.npz"
GRAM_SIZES = (2, 3, 4, 5)
FIRST_GRAM_SIZES = (2, 3, 4)
REFERENCE_NAMES = 2_000  # training Han names kept to measure how generic a Latin name is
HUB_NEIGHBOURS = 10
HUB_WEIGHT = 0.5  # on a 1/5 hold-out of SP_2: recall@10 +1.0 point over no correction
HUB_SLICE = 4_096  # Latin names whose hub values are worked out together
# the grids a Latin name's vector and the reference vectors are rounded to for hub values: every
# product of the two is then a multiple of 2**-23, and every partial sum of a row's products is
# below 2 (both vectors are about unit length), so float32 holds each sum exactly
NAME_GRID = 2.0**11
REFERENCE_GRID = 2.0**12


def latin_units(name: str) -> tuple[str, ...]:
    """Words (`w:`) and their letter n-grams with word boundaries (`g:`), and the first word's
    2- to 4-grams once more as its own (`f:`), legal form left out."""
    return tuple(unit for word, first in _word_parts(name) for unit in _units_of(word, first))


def _latin_words(name: str) -> tuple[str, ...]:
    return strip_english_form(english_words(strip_dissolution(name)[0]))[0]


def _word_parts(name: str) -> list[tuple[str, bool]]:
    """(word, whether for its `f:` units) of each part of a Latin name's bag: every word, and
    the first word once more."""
    words = _latin_words(name)
    return [(word, False) for word in words] + [(word, True) for word in words[:1]]


def _units_of(word: str, first: bool) -> tuple[str, ...]:
    return _first_word_units(word) if first else _word_units(word)


def _word_units(word: str) -> tuple[str, ...]:
    return ("w:" + word, *_grams(word, "g:", GRAM_SIZES))


def _first_word_units(word: str) -> tuple[str, ...]:
    # A transliterated brand opens the name and starts with its first character's sound
    # (恒金 ANCAM: hang → an-); these units meet the Han side's `s:` readings there alone.
    return _grams(word, "f:", FIRST_GRAM_SIZES)


def _grams(word: str, tag: str, sizes: tuple[int, ...]) -> tuple[str, ...]:
    """The word's letter n-grams of each size, word boundaries marked, each after TAG."""
    padded = f"<{word}>"
    return tuple(tag + padded[i : i + size] for size in sizes
                 for i in range(len(padded) - size + 1))  # fmt: skip


def _part_rows(word: str, first: bool) -> list[int]:
    """The encoder's rows of a Latin word's known units, and of its `f:` units when it opens
    the name."""
    units = (*_word_units(word), *(_first_word_units(word) if first else ()))
    return load_encoder().rows(units, han=False)


def han_units(name: str) -> tuple[str, ...]:
    """Characters (`c:`), adjacent pairs (`b:`) and readings (`r:`), legal form left out,
    and the readings of the trade name's first (`s:`) and last (`e:`) characters."""
    text, _ = strip_chinese_form(han_key(name))
    chars = [c for c in text if is_han(c)]
    units = ["c:" + c for c in chars]
    units.extend("b:" + a + b for a, b in pairwise(chars))
    tagged = [("r:", char) for char in chars]
    trade = [c for c in parse_chinese_company(name).trade if is_han(c)]
    if trade:
        tagged.extend((("s:", trade[0]), ("e:", trade[-1])))
    units.extend(tag + reading for tag, char in tagged for reading in sorted(char_readings(char)))
    return tuple(units)


def literal_units(name: str) -> tuple[str, ...]:
    """The Latin units (a word and its letter n-grams) of each Latin word a Han name carries,
    and a first word's units (`f:`) for one that opens its trade name (TCL科技: tcl), as the
    Latin name's opening word has them."""
    words = literal_words(name)
    units = [unit for word in words for unit in _word_units(word)]
    if words and parse_chinese_company(name).trade.lower().startswith(words[0]):
        units.extend(_first_word_units(words[0]))
    return tuple(units)


def summed_rows(picked: Sequence[Sequence[int]], table: np.ndarray) -> np.ndarray:
    """For each list of TABLE's rows, their sum (float32), by one sparse product: a million
    names take seconds where one at a time took minutes. A row's sum is the same whatever
    lists stand beside it."""
    from scipy.sparse import csr_matrix

    counts = np.fromiter((len(rows) for rows in picked), dtype=np.int64, count=len(picked))
    columns = np.fromiter(chain.from_iterable(picked), dtype=np.int64, count=int(counts.sum()))
    chosen = csr_matrix(
        (np.ones(len(columns), dtype=np.float32), columns, np.concatenate([[0], counts.cumsum()])),
        shape=(len(picked), len(table)),
    )
    return np.asarray(chosen @ table, dtype=np.float32)


def unit_length(totals: np.ndarray) -> np.ndarray:
    """Each row made unit length (a zero row stays zero): the square root of a bag's count
    scales every row alike, so the unit vector ignores it."""
    lengths = np.linalg.norm(totals, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(totals, lengths, out=np.zeros_like(totals), where=lengths > 0)
    return unit


@dataclass(frozen=True)
class NameEncoder:
    """Unit vectors for each side, where each unit's row is, and the reference Han vectors
    (rounded to `REFERENCE_GRID`)."""

    han_rows: dict[str, int]
    han_vectors: np.ndarray
    latin_rows: dict[str, int]
    latin_vectors: np.ndarray
    references: np.ndarray

    @property
    def size(self) -> int:
        return int(self.han_vectors.shape[1])

    def encode(
        self, units: tuple[str, ...], han: bool, latin_units: tuple[str, ...] = ()
    ) -> np.ndarray:
        """The unit-length vector of a bag of units (zero when none is known); a Han bag may
        take LATIN_UNITS from the Latin side's table too (`encode_han`)."""
        table = self.han_vectors if han else self.latin_vectors
        rows, latin = self.rows(units, han), self.rows(latin_units, han=False)
        if not rows and not latin:
            return np.zeros(self.size, dtype=np.float32)
        summed = table[rows].astype(np.float32).sum(axis=0)
        summed += self.latin_vectors[latin].astype(np.float32).sum(axis=0)
        total = summed / np.sqrt(len(rows) + len(latin))
        length = float(np.linalg.norm(total))
        unit: np.ndarray = total / length if length > 0 else total
        return unit

    def encode_many(self, bags: Sequence[tuple[str, ...]], han: bool) -> np.ndarray:
        """`encode` of each bag of units, as one row each, by one sparse product: a million
        names take seconds where one at a time took minutes."""
        return self.encode_rows([self.rows(units, han) for units in bags], han)

    def encode_han(self, names: Sequence[str]) -> np.ndarray:
        """Han names' vectors, one row each: their units' (`han_units`), with the Latin units
        of the Latin letters and digits they carry (`literal_units`) from the Latin side's
        table, so that TCL科技 is near English names with the word TCL as they are near it."""
        han = [self.rows(han_units(n), han=True) for n in names]
        latin = [self.rows(literal_units(n), han=False) for n in names]
        totals = summed_rows(han, self.han_vectors) + summed_rows(latin, self.latin_vectors)
        return unit_length(totals)

    def rows(self, units: Sequence[str], han: bool) -> list[int]:
        """The table rows of the units that side knows (an unknown unit has none)."""
        rows_of = self.han_rows if han else self.latin_rows
        return [rows_of[u] for u in units if u in rows_of]

    def encode_rows(self, known: Sequence[Sequence[int]], han: bool) -> np.ndarray:
        """`encode_many` of bags already given as their known units' rows."""
        return unit_length(summed_rows(known, self.han_vectors if han else self.latin_vectors))

    def hub_values(self, latin_vectors: np.ndarray) -> np.ndarray:
        """How close each Latin name is to Han names in general: the mean cosine of its
        `HUB_NEIGHBOURS` nearest reference names. A name of common pieces is near every
        query (a hub) and is marked down by this much, as in cross-domain similarity local
        scaling; the references are training names, never the names being ranked."""
        neighbours = min(HUB_NEIGHBOURS, len(self.references))
        if not len(latin_vectors) or not neighbours:
            return np.zeros(len(latin_vectors), dtype=np.float32)
        # a slice of names at a time: the cosines of 200,000 names took 1.6 GB at once
        parts = (
            latin_vectors[at : at + HUB_SLICE] for at in range(0, len(latin_vectors), HUB_SLICE)
        )
        return np.concatenate([self._nearest_mean(part, neighbours) for part in parts])

    def _nearest_mean(self, latin_vectors: np.ndarray, neighbours: int) -> np.ndarray:
        faiss = load_faiss()

        # a name's hub value must not depend on how many names it was worked out with, but a
        # float32 product's sums round by how BLAS splits the matrix (one row, two or
        # thousands; the splits differ between processors). On the grids every sum is exact,
        # so it is the same in any order, at float32's speed (float64 took twice as long)
        near = on_grid(latin_vectors, NAME_GRID) @ self.references.T
        # faiss's heaps, best first, where a partition of every row was half the encoding time
        nearest, _ = faiss.kmax(np.ascontiguousarray(near), neighbours)
        mean: np.ndarray = nearest.mean(axis=1)
        return mean


def on_grid(values: np.ndarray, grid: float) -> np.ndarray:
    """VALUES rounded to the nearest multiple of 1 / GRID, as float32."""
    rounded: np.ndarray = (np.round(values.astype(np.float32) * grid) / grid).astype(np.float32)
    return rounded


def encoder_of(arrays: Mapping[str, np.ndarray]) -> NameEncoder:
    """An encoder from the stored arrays (references may be absent while learning)."""
    han = [str(u) for u in arrays["han_units"]]
    latin = [str(u) for u in arrays["latin_units"]]
    references = arrays.get("reference_vectors", np.zeros((0, 0), dtype=np.float16))
    return NameEncoder(
        {u: i for i, u in enumerate(han)},
        arrays["han_vectors"].astype(np.float32),
        {u: i for i, u in enumerate(latin)},
        arrays["latin_vectors"].astype(np.float32),
        on_grid(references, REFERENCE_GRID),
    )


@lru_cache(maxsize=1)
def load_encoder() -> NameEncoder:
    with data_path(ENCODER_FILE).open("rb") as handle, np.load(handle) as stored:
        return encoder_of({name: stored[name] for name in stored.files})


def encoder_provenance() -> dict[str, object]:
    with data_path(ENCODER_FILE).open("rb") as handle, np.load(handle) as stored:
        return dict(json.loads(str(stored["provenance"])))


@lru_cache(maxsize=20_000)
def han_vector(name: str) -> np.ndarray:
    return load_encoder().encode(han_units(name), han=True, latin_units=literal_units(name))


def grown_rows(rows: np.ndarray, needed: int, kept: int, width: int | None = None) -> np.ndarray:
    """ROWS with room for `needed` rows, the first `kept` kept: grown by doubling (to at least
    1,024), so numbering a few names at a time does not copy every row each time. WIDTH, when
    given, is each row's length (an array still empty may not have it yet)."""
    if needed <= len(rows):
        return rows
    shape = (max(needed, 2 * len(rows), 1024), *((width,) if width is not None else rows.shape[1:]))
    grown = np.zeros(shape, dtype=rows.dtype)
    if kept:
        grown[:kept] = rows[:kept]
    return grown


class LatinCodes:
    """Latin names, each numbered once, with their encoder vectors (float16, one row each) and
    hub values, worked out once a name and in batches (a matching run meets the same record
    names debtor after debtor). The rows grow by doubling: a million names take about 260 MB.
    Past `limit` names (when given) the store starts again."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.rows: dict[str, int] = {}  # name → its row
        self._names: list[str] = []
        self._vectors = np.zeros((0, 0), dtype=np.float16)
        self._hubs = np.zeros(0, dtype=np.float32)

    def add(
        self,
        names: Sequence[str],
        vectors: np.ndarray | None = None,
        hubs: np.ndarray | None = None,
    ) -> None:
        """Number the names not yet here, with their encoder vectors and hub values (worked
        out when not given: one row of each per name)."""
        new: dict[str, int] = {}
        for at, name in enumerate(names):
            if name not in self.rows and name not in new:
                new[name] = at
        if not new:
            return
        if vectors is None or hubs is None:
            vectors, hubs = latin_codes(list(new))
            picked = np.arange(len(new))
        else:
            picked = np.fromiter(new.values(), dtype=np.int64, count=len(new))
        first, needed = len(self._names), len(self._names) + len(new)
        self._grow_rows(needed, vectors.shape[1])
        self._vectors[first:needed] = vectors[picked]
        self._hubs[first:needed] = hubs[picked]
        self._numbered(first, needed)
        self.rows.update(zip(new, range(first, needed), strict=True))
        self._names.extend(new)

    def rows_of(self, names: Sequence[str]) -> np.ndarray:
        """The names' rows, numbering those not yet here."""
        if self.limit is not None:
            missing = sum(1 for n in dict.fromkeys(names) if n not in self.rows)
            if len(self.rows) + missing > self.limit:
                self._clear()  # start again, with these names
        self.add(names)
        return np.fromiter((self.rows[n] for n in names), dtype=np.int64, count=len(names))

    def codes(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows' encoder vectors (as float32) and hub values."""
        return self._vectors[rows].astype(np.float32), self._hubs[rows]

    def lookup(self, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The names' vectors (one row each) and hub values."""
        return self.codes(self.rows_of(names))

    def _numbered(self, first: int, needed: int) -> None:
        """Rows first..needed were just numbered (for a store that keeps more per name)."""

    def _grow_rows(self, needed: int, size: int) -> int:
        """Room for `needed` names (`grown_rows`). Returns the rows' capacity."""
        kept = len(self._names)
        self._vectors = grown_rows(self._vectors, needed, kept, size)
        self._hubs = grown_rows(self._hubs, needed, kept)
        return len(self._hubs)

    def _clear(self) -> None:
        self.rows.clear()
        self._names.clear()


LATIN_CODES = LatinCodes(limit=1 << 20)


class PartSums:
    """The summed unit vectors of each part of a Latin name (a word; the opening word with its
    `f:` units), each worked out once: millions of register names are made of far fewer words,
    and a name's sum is then the sum of its few parts' instead of its hundred-odd units'.
    Past `limit` parts the store starts again."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows: dict[tuple[str, bool], int] = {}
        self._sums = np.zeros((0, 0), dtype=np.float32)

    def name_sums(self, names: Sequence[str]) -> np.ndarray:
        """Each name's sum of its units' vectors (float32, one row a name)."""
        parts = [[(word, at == 0) for at, word in enumerate(_latin_words(n))] for n in names]
        new = list(dict.fromkeys(p for found in parts for p in found if p not in self.rows))
        if len(self.rows) + len(new) > self.limit:
            self.rows.clear()  # start again, with these names' parts
            new = list(dict.fromkeys(p for found in parts for p in found))
        self._add(new)
        rows = self.rows
        return summed_rows([[rows[p] for p in found] for found in parts], self._sums)

    def _add(self, parts: list[tuple[str, bool]]) -> None:
        if not parts:
            return
        encoder = load_encoder()
        sums = summed_rows([_part_rows(*part) for part in parts], encoder.latin_vectors)
        first = len(self.rows)
        self._sums = grown_rows(self._sums, first + len(parts), first, encoder.size)
        self._sums[first : first + len(parts)] = sums
        self.rows.update(zip(parts, range(first, first + len(parts)), strict=True))


PART_SUMS = PartSums(limit=1 << 18)


def latin_codes(names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The Latin names' vectors (float32, one row each) and hub values."""
    vectors = unit_length(PART_SUMS.name_sums(names))
    return vectors, load_encoder().hub_values(vectors)


def hub_adjusted(han_name: str, vectors: np.ndarray, hubs: np.ndarray) -> np.ndarray:
    """For each Latin name (its vector and hub value, as LatinCodes gives them): the cosine of
    its vector with the Han name's, less `HUB_WEIGHT` times its hub value."""
    return _adjusted(vectors, han_vector(han_name), hubs)


def _adjusted(vectors: np.ndarray, han_vectors: np.ndarray, hubs: np.ndarray) -> np.ndarray:
    """Each Latin vector's cosine with its Han vector (one for all, or one a row), less
    `HUB_WEIGHT` times its hub value."""
    # row by row, not one matrix product: BLAS rounds a row by where it stands in the
    # matrix, and a name must score the same to the bit in any list of names
    products = vectors * han_vectors
    result: np.ndarray = products.sum(axis=1) - HUB_WEIGHT * hubs
    return result


def encode_beforehand(latin_names: Sequence[str]) -> None:
    """Encode these Latin names together now, for pairs about to be scored one by one: a
    name's vector and hub value are the same alone or among others, and together they cost one
    product with the reference names instead of one a name."""
    LATIN_CODES.rows_of(list(dict.fromkeys(latin_names)))


def encoder_scores(han_name: str, latin_names: Sequence[str]) -> np.ndarray:
    return hub_adjusted(han_name, *LATIN_CODES.lookup(latin_names))


def encoder_score(han_name: str, latin_name: str) -> float:
    return float(encoder_scores(han_name, [latin_name])[0])


def paired_encoder_scores(han_names: Sequence[str], latin_names: Sequence[str]) -> np.ndarray:
    """encoder_score of each (Han name, Latin name) pair, to the bit: the same cosine less hub
    value, for many pairs at once, each distinct name encoded once."""
    han_numbers = {name: at for at, name in enumerate(dict.fromkeys(han_names))}
    han_rows = np.fromiter((han_numbers[n] for n in han_names), np.int64, len(han_names))
    han_table = np.array([han_vector(n) for n in han_numbers]).reshape(len(han_numbers), -1)
    scores = np.zeros(len(latin_names))
    for start in range(0, len(latin_names), HUB_SLICE):
        vectors, hubs = LATIN_CODES.lookup(latin_names[start : start + HUB_SLICE])
        own = han_table[han_rows[start : start + HUB_SLICE]]
        scores[start : start + len(hubs)] = _adjusted(vectors, own, hubs)
    return scores
