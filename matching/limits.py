"""How far candidate generation reaches: the limits of `matching.candidates`, kept apart so
that the command line can show their defaults without loading the numeric libraries."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_BLOCK = 5_000  # a key shared by more records than this is not blocked on
DEFAULT_BUDGET = 20_000  # records a debtor's keys may reach before weaker keys are left out
DEFAULT_PER_DEBTOR = 20  # candidates per debtor that the model scores
DEFAULT_WIDE = 200  # the first, key-based cut, before the translation model re-ranks
DEFAULT_DENSE = 100  # a company debtor's nearest records by the name encoder, re-ranked too
SLICE_ROWS = 20_000_000  # key-join rows per slice of debtors: bounds the product's memory


@dataclass(frozen=True)
class Limits:
    max_block: int = DEFAULT_MAX_BLOCK
    budget: int = DEFAULT_BUDGET
    per_debtor: int = DEFAULT_PER_DEBTOR
    wide: int = DEFAULT_WIDE
    dense: int = DEFAULT_DENSE
    slice_rows: int = SLICE_ROWS
