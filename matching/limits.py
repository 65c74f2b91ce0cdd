"""How far candidate generation reaches: the limits of `matching.candidates`, kept apart so
that the command line can show their defaults without loading the numeric libraries."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_BLOCK = 5_000  # a key shared by more records than this is not blocked on
# records a debtor's keys may reach before weaker keys are left out: at five million records a
# company's keys reached 14,700 on average with 20,000, for 140 s of the key join, and the true
# records that only its weaker keys reached were among the encoder's nearest all but 600 times
DEFAULT_BUDGET = 5_000
DEFAULT_PER_DEBTOR = 20  # candidates per debtor that the model scores
DEFAULT_WIDE = 200  # the first, key-based cut, before the translation model re-ranks
# a company debtor's nearest records by the name encoder, re-ranked too (at five million records,
# 150 hold 29,100 of 39,491 true ones with the key cut, where 100 and a budget of 20,000 held 28,500)
DEFAULT_DENSE = 150
SLICE_ROWS = 20_000_000  # key-join rows per slice of debtors: bounds the aggregation's memory


@dataclass(frozen=True)
class Limits:
    max_block: int = DEFAULT_MAX_BLOCK
    budget: int = DEFAULT_BUDGET
    per_debtor: int = DEFAULT_PER_DEBTOR
    wide: int = DEFAULT_WIDE
    dense: int = DEFAULT_DENSE
    slice_rows: int = SLICE_ROWS
