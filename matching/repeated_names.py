"""Record names encoded once each, though they are added to the encoder's index a chunk at a
time, once a record.

A register repeats names (the same company in several sources, one-word names under each legal
form), and encoding is most of the index's cost. Each chunk therefore sends out only the names
no earlier chunk encoded, once each; the codes of names that come back in a later chunk are held
here meanwhile, at most `HELD_LIMIT` names of them (past that a name is encoded again where it
recurs, so memory stays bounded whatever the register)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

HELD_LIMIT = 500_000  # names whose codes wait for a later chunk: under 400 MB
Codes = tuple[np.ndarray, np.ndarray]  # vectors (one row a name) and hub values


@dataclass(frozen=True)
class ChunkPlan:
    new: list[str]  # the chunk's names to encode, once each
    held: list[str]  # of those, the ones a later chunk has again: their codes are kept


def plan_chunks(chunks: Sequence[Sequence[str]], limit: int = HELD_LIMIT) -> list[ChunkPlan]:
    """For each chunk, in order: the names it must encode and those whose codes to keep."""
    last_chunk = {name: at for at, chunk in enumerate(chunks) for name in chunk}
    held: set[str] = set()
    plans = []
    for at, chunk in enumerate(chunks):
        new = [name for name in dict.fromkeys(chunk) if name not in held]
        keep = [name for name in new if last_chunk[name] > at][: max(limit - len(held), 0)]
        held.update(keep)
        plans.append(ChunkPlan(new, keep))
    return plans


class HeldCodes:
    """The kept codes, and each chunk's codes assembled from them and its own."""

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}
        self._vectors: list[np.ndarray] = []
        self._hubs: list[float] = []

    def chunk_codes(self, chunk: Sequence[str], plan: ChunkPlan, codes: Codes) -> Codes:
        """The codes of every name of CHUNK, in order, from CODES (those of `plan.new`) and
        the ones kept from earlier chunks; keeps `plan.held`'s."""
        vectors, hubs = codes
        own = {name: at for at, name in enumerate(plan.new)}
        for name in plan.held:
            self._rows[name] = len(self._vectors)
            self._vectors.append(vectors[own[name]].copy())  # not a view of the chunk's array
            self._hubs.append(float(hubs[own[name]]))
        if len(own) == len(chunk):
            return vectors, hubs  # every name new and once: the codes as they came
        # each name's row: its own among CODES, or after them, one of the kept codes
        earlier: dict[str, int] = {}
        picks = np.fromiter(
            (own[name] if name in own else len(own) + earlier.setdefault(name, len(earlier))
             for name in chunk),
            dtype=np.int64, count=len(chunk),
        )  # fmt: skip
        if not earlier:
            return vectors[picks], hubs[picks]
        kept = [self._rows[name] for name in earlier]
        all_vectors = np.vstack([vectors, np.stack([self._vectors[row] for row in kept])])
        all_hubs = np.concatenate([hubs, np.array([self._hubs[row] for row in kept], hubs.dtype)])
        return all_vectors[picks], all_hubs[picks]
