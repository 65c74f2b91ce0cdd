"""How well match probabilities agree with what is true: per probability band, the pairs in it,
their mean probability and the share of them that are true (observed precision). A model whose
probabilities mean what they say has the two close in every band."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

Pair = tuple[str, str, str]  # debtor_id, source, source_id

# the bands' edges: each band holds low <= p < high, the last one 1.0 as well
DECILE_EDGES = tuple(round(tenth / 10, 1) for tenth in range(11))


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    last: bool  # the last band is closed: it holds p == high
    pairs: int
    mean_probability: float | None  # None when the band holds no pair
    observed_precision: float | None

    @property
    def label(self) -> str:
        return f"[{self.low}, {self.high}{']' if self.last else ')'}"


def calibration_table(
    scored: Iterable[tuple[Pair, float]], truth: set[Pair], edges: Sequence[float] = DECILE_EDGES
) -> list[Band]:
    """One band per pair of neighbouring EDGES, every band listed (an empty one with 0 pairs and
    no mean); a probability at an inner edge counts in the band above it, the top edge in the
    last band."""
    probabilities: list[list[float]] = [[] for _ in edges[1:]]
    hits = [0] * len(probabilities)
    for pair, probability in scored:
        index = band_index(probability, edges)
        probabilities[index].append(probability)
        hits[index] += pair in truth
    last = len(hits) - 1
    return [
        Band(low, high, index == last, len(held), _mean(sum(held), len(held)),
             _mean(hits[index], len(held)))
        for index, (low, high) in enumerate(pairwise(edges))
        for held in [probabilities[index]]
    ]  # fmt: skip


def band_index(probability: float, edges: Sequence[float]) -> int:
    """The band PROBABILITY falls in: at an inner edge the band above, at or past the ends the
    first or last band."""
    return min(max(bisect_right(edges, probability) - 1, 0), len(edges) - 2)


def _mean(total: float, count: int) -> float | None:
    return total / count if count else None


def band_cells(band: Band) -> tuple[str, str, str, str]:
    """A band as printed and drawn: its label, pairs, mean probability and observed precision
    (a dash for an empty band's)."""
    return (band.label, str(band.pairs), _figure(band.mean_probability),
            _figure(band.observed_precision))  # fmt: skip


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
