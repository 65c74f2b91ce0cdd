"""The translation model's score of Han names against many Latin names at once.

`matching.names.translation.translation_score` compares one pair; scoring a debtor's few hundred
candidates, or every English name of a register, that way costs tens of microseconds a pair in
Python. `LatinNames` computes the same two-way score with numpy: each English unit gets an integer
id once, the names are indexed by unit (the names that have each unit), and a Han name's
weights and each of its characters' sources are gathered through the postings of the units that
carry them. `translation_scores` (the matching engine, debtor by debtor) and the names benchmark
(every English name of a register) both rank through it. A `LatinTable` keeps each Latin name's
unit ids and encoder vector once: a matching run keeps its own for its record names.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache

import numpy as np

from matching.names import company_similarity
from matching.names.encoder import LatinCodes, grown_rows, hub_adjusted
from matching.names.lexicon import (
    Fragments,
    in_name_order,
    unit_words_once,
    with_fragments,
    word_fragments,
)
from matching.names.script import has_han
from matching.names.translation import (
    BACKWARD_WEIGHT,
    EPSILON,
    accounted_units,
    char_sources,
    forward_term,
    mixed,
    null_chinese,
    unit_weight,
    unseen_allowance,
    weight_sources,
)

_FLOOR = math.log(EPSILON)


class UnitIds:
    """English units numbered as they are met; per unit, its weight in the forward mean, its
    allowance when the lexicon never had it, and its forward term when the Chinese name does
    not produce it (all three depend on the unit alone)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.units: list[str] = []
        # grown by doubling: numbering a few new units per call must not copy every unit's terms
        self._columns = np.zeros((3, 1024))

    def id_of(self, unit: str) -> int:
        found = self.ids.get(unit)
        if found is None:
            found = self.ids[unit] = len(self.units)
            self.units.append(unit)
            if found == self._columns.shape[1]:
                self._columns = np.concatenate([self._columns, np.zeros((3, found))], axis=1)
            weight = unit_weight(unit)
            self._columns[:, found] = (weight, unseen_allowance(unit),
                                       weight * forward_term(unit, 0.0))  # fmt: skip
        return found

    def ids_of(self, units: Collection[str]) -> np.ndarray:
        known = self.ids  # most units are numbered already: a lookup, not a call, for those
        found = [known.get(u, -1) for u in units]
        if -1 in found:
            found = [self.id_of(u) for u in units]
        return np.array(found, dtype=np.int64)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(weight, unseen allowance, unexplained term) of every unit numbered so far, by id."""
        weights, unseen, base = self._columns[:, : len(self.units)]
        return weights, unseen, base


_IDS = UnitIds()


class NameUnitIds:
    """A Latin name's units (`english_units`) as ids, put together from its words' units kept
    as ids: a register's millions of names are made of far fewer words, and putting a name's
    units together from its words' ids takes about two thirds of the time of working them out
    and numbering them."""

    def __init__(self, limit: int = 1 << 18) -> None:
        self._words: dict[str, Fragments[int]] = {}
        self._limit = limit  # words kept; past it the store starts again

    def of_name(self, name: str) -> np.ndarray:
        words = unit_words_once(name)
        known = [self._words.get(word) for word in words]
        if None in known:
            # a word not met yet: the name's units are numbered in the name's own order, as
            # they always were, which numbers every unit of its words
            ids = _IDS.ids_of(with_fragments(words))
            self._keep(words)
            return ids
        kept = [fragments for fragments in known if fragments is not None]
        return np.array(in_name_order(kept), dtype=np.int64)

    def _keep(self, words: tuple[str, ...]) -> None:
        if len(self._words) + len(words) > self._limit:
            self._words.clear()
        number = _IDS.ids.__getitem__
        for word in words:
            unit, parts, letters = word_fragments(word)
            self._words[word] = (
                number(unit),
                tuple(map(number, parts)),
                tuple(None if letter is None else number(letter) for letter in letters),
            )


_NAME_UNITS = NameUnitIds()


class LatinTable(LatinCodes):
    """Latin names, each numbered once, with what scoring them takes: their encoder vectors and
    hub values (as `LatinCodes` keeps them) and their English units as ids, in one flat array.

    A run's re-ranking meets the same record names debtor after debtor. Kept as one array per
    name in caches, a million record names took gigabytes, and caches bounded below that
    churned; here a name costs its units' ids and one vector row. A name's units are worked out
    when it is first scored: the encoder's search gives the table every record name's vector,
    and some names are never scored.
    """

    def __init__(self, limit: int | None = None) -> None:
        super().__init__(limit)
        self._starts = np.zeros(0, dtype=np.int64)
        self._counts = np.zeros(0, dtype=np.int64)  # -1 until the name's units are worked out
        self._units = np.zeros(0, dtype=np.int32)
        self._used = 0  # of _units

    def rows_of(self, names: Sequence[str]) -> np.ndarray:
        """The names' rows, numbering those not yet here and working out their units."""
        rows = super().rows_of(names)
        unknown = rows[self._counts[rows] < 0]
        if len(unknown):
            # in the order met, as units were always numbered: sums over a name's units then
            # run in the same order, and float ties fall as they did
            first = np.unique(unknown, return_index=True)[1]
            self._number_units(unknown[np.sort(first)])
        return rows

    def units(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows' unit ids one name after another, and how many each name has."""
        starts, counts = self._starts[rows], self._counts[rows]
        total = int(counts.sum())
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        return self._units[offsets].astype(np.int64), counts

    def _number_units(self, rows: np.ndarray) -> None:
        found = [_NAME_UNITS.of_name(self._names[row]) for row in rows]
        counts = np.fromiter((len(ids) for ids in found), dtype=np.int64, count=len(found))
        needed = self._used + int(counts.sum())
        self._units = grown_rows(self._units, needed, self._used)
        if found:
            self._units[self._used : needed] = np.concatenate(found)
        self._starts[rows] = self._used + np.cumsum(counts) - counts
        self._counts[rows] = counts
        self._used = needed

    def _numbered(self, first: int, needed: int) -> None:
        self._counts[first:needed] = -1

    def _grow_rows(self, needed: int, size: int) -> int:
        capacity = super()._grow_rows(needed, size)
        kept = len(self._names)
        self._starts = grown_rows(self._starts, capacity, kept)
        self._counts = grown_rows(self._counts, capacity, kept)
        return capacity

    def _clear(self) -> None:
        super()._clear()
        self._used = 0


# the names benchmark's and pair scoring's table (a run's re-ranking keeps its own)
_SHARED = LatinTable(limit=1 << 20)


_TABLE_VECTORS: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}


def _table_vector(
    name: tuple[str, str], table: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """A lexicon or dictionary table as (unit ids, values), made once per table: there is one
    per Chinese unit, and a few thousand of those cover most names."""
    found = _TABLE_VECTORS.get(name)
    if found is None:
        found = _vector(table)
        if name[0] != "sure":  # a name's own table is not worth keeping
            _TABLE_VECTORS[name] = found
    return found


@lru_cache(maxsize=50_000)
def _char_vector(char: str) -> tuple[np.ndarray, np.ndarray]:
    return _vector(char_sources(char))


def _vector(weights: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """English units and their weights as (unit ids, values)."""
    return _IDS.ids_of(weights), np.fromiter(weights.values(), float, len(weights))


class LatinNames:
    """Latin names indexed by English unit, for scoring Han names against all of them at once.

    `raw_scores` is `translation_score`'s raw value (mean log probability of both directions)
    for every name; `scores` maps it onto [0, 1] as `translation_score` does.
    """

    def __init__(self, names: Sequence[str], table: LatinTable | None = None) -> None:
        table = _SHARED if table is None else table
        rows = table.rows_of(names)
        self.size = len(rows)
        flat, counts = table.units(rows)
        row_of = np.repeat(np.arange(self.size), counts)
        order = np.argsort(flat, kind="stable")
        self._rows = row_of[order]
        self._units, self._starts, self._counts = np.unique(
            flat[order], return_index=True, return_counts=True
        )
        # each unit id's position among the units here (-1: none of these names has it):
        # looking every id of a lexicon table up by binary search was most of a debtor's time
        self._position = np.full(len(_IDS.units), -1, dtype=np.int32)
        self._position[self._units] = np.arange(len(self._units))
        self.empty = counts == 0
        self.lengths = np.maximum(counts.astype(float), 1.0)
        weights, _, base = _IDS.arrays()
        self._weights = np.maximum(np.bincount(row_of, weights[flat], self.size), 1e-9)
        # every unit's weighted forward term when the Han name does not produce it
        self._unexplained = np.bincount(row_of, base[flat], self.size)
        self._codes, self._hubs = table.codes(rows)

    def _locate(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each unit id: its position among these names' units, and whether they have it
        (the position is only meaningful where they do). Needs at least one unit."""
        known = len(self._position)  # a unit numbered since these names were indexed is not theirs
        at = self._position[np.minimum(ids, known - 1)]
        return at, (at >= 0) & (ids < known)

    def _gather(self, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Per name: the sum of `values` over the units (given by id) that the name has."""
        if not len(self._units):
            return np.zeros(self.size)
        at, found = self._locate(ids)
        starts, counts = self._starts[at[found]], self._counts[at[found]]
        if not counts.sum():
            return np.zeros(self.size)
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        postings = self._rows[offsets + np.arange(counts.sum())]
        return np.bincount(postings, np.repeat(values[found], counts), self.size)

    def _forward_gains(self, han_name: str) -> tuple[np.ndarray, np.ndarray]:
        """The units of these names that the Han name produces, and how much each one's
        weighted forward term rises over its value when unexplained."""
        present = self._units
        weight = np.zeros(len(present))
        for name, table, factor in weight_sources(han_name):
            ids, values = _table_vector(name, table)
            if len(ids) and len(present):
                at, found = self._locate(ids)
                weight[at[found]] += values[found] * factor
        produced = weight > 0
        ids, weight = present[produced], weight[produced]
        unit_weights, unseen, _ = _IDS.arrays()
        gains = unit_weights[ids] * (
            np.log(weight + unseen[ids] + EPSILON) - np.log(unseen[ids] + EPSILON)
        )
        return ids, gains

    def raw_scores(self, han_name: str) -> np.ndarray:
        """translation_score's raw value for every name; -inf for a name without units."""
        chars = accounted_units(han_name)
        if not chars:
            return np.full(self.size, -np.inf)
        char_vectors = [_char_vector(c) for c in chars]
        forward = self._gather(*self._forward_gains(han_name)) + self._unexplained
        backward = np.zeros(self.size)
        for char, (ids, values) in zip(chars, char_vectors, strict=True):
            explained = self._gather(ids, values) + null_chinese(char)
            backward += np.log(explained / (self.lengths + 1) + EPSILON)
        raw = (forward / self._weights + BACKWARD_WEIGHT * backward / len(chars)) / (
            1 + BACKWARD_WEIGHT
        )
        return np.where(self.empty, -np.inf, raw)

    def encoder_scores(self, han_name: str) -> np.ndarray:
        """encoder_score(han_name, name) for every name."""
        return hub_adjusted(han_name, self._codes, self._hubs)

    def _blended(self, han_name: str) -> tuple[np.ndarray, np.ndarray]:
        """Both models' scores blended as translation_score does, before and after the model's
        floor and the clipping to [0, 1]; a name without units (-inf) stays out."""
        raw = self.raw_scores(han_name)
        encoder = self.encoder_scores(han_name)
        with np.errstate(invalid="ignore"):
            model = 1.0 - raw / _FLOOR
        known = np.isfinite(raw)
        plain = np.where(known, mixed(model, encoder), -np.inf)
        floored = np.where(known, mixed(np.maximum(0.0, model), encoder), 0.0)
        return plain, np.clip(floored, 0.0, 1.0)

    def scores(self, han_name: str) -> np.ndarray:
        """translation_score(han_name, name) for every name."""
        return self._blended(han_name)[1]

    def ranking_scores(self, han_name: str) -> np.ndarray:
        """The blended score `best` orders names by, for every name: the model's below its
        floor too, where it still orders names; -inf for a name without units."""
        return self._blended(han_name)[0]

    def best(self, han_name: str, size: int) -> np.ndarray:
        """The indices of the `size` best names by `ranking_scores`, best first."""
        scores = self.ranking_scores(han_name)
        size = min(size, self.size)
        top = np.argpartition(-scores, size - 1)[:size] if size else np.zeros(0, dtype=np.int64)
        return top[np.argsort(-scores[top], kind="stable")]


def translation_scores(
    debtor_names: Sequence[str],
    candidates: Sequence[Sequence[str]],
    table: LatinTable | None = None,
) -> list[float]:
    """For each candidate (its list of names): the best score of a Han name of the debtor's
    against its Latin names (translation model) and its Han names (company similarity).
    TABLE, when given, keeps the Latin names' units and vectors (else a shared one does)."""
    best = np.zeros(len(candidates))
    latin: list[str] = []
    owners: list[int] = []
    han: list[tuple[int, str]] = []
    for index, names in enumerate(candidates):
        for name in names:
            if has_han(name):
                han.append((index, name))
            else:
                latin.append(name)
                owners.append(index)
    indexed = LatinNames(latin, table) if latin else None
    for han_name in (name for name in debtor_names if has_han(name)):
        for index, name in han:
            best[index] = max(best[index], company_similarity(han_name, name).score)
        if indexed is not None:
            np.maximum.at(best, np.array(owners), indexed.scores(han_name))
    return [float(x) for x in best]
