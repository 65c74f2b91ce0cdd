"""Words the FollowTheMoney export and the dossier share: who publishes a source, what a match's
comparisons contributed, and the match a chain starts from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from matching.explain import stored_level
from pipelines.exports.case import Case, Hop, MatchExplained

MISSING_LEVEL = -1  # the linkage model's level for a comparison with a value missing on one side


@dataclass(frozen=True)
class Contribution:
    comparison: str
    level: int | str  # a model comparison's level number; a later step's own wording
    bits: float  # positive: evidence for the link; negative: against


@cache
def publishers() -> dict[str, str]:
    """Store source -> its publisher, from the spiders' metadata (a source written by several
    datasets, e.g. gb_land_registry_ccod, has its spider's publisher)."""
    from spiders.metadata import load_meta, source_names

    found: dict[str, str] = {}
    for name in source_names():
        meta = load_meta(name)
        for dataset in meta.datasets.values():
            if not dataset.source_argument:
                found.setdefault(dataset.store_source or name, meta.publisher)
    return found


def publisher(source: str) -> str | None:
    return publishers().get(source)


def contributions(match: MatchExplained | None) -> list[Contribution]:
    """The comparisons that had values on both sides, strongest first."""
    stored: Any = match.contributions if match else None
    if not isinstance(stored, dict):
        return []
    found = [
        Contribution(
            str(name), stored_level(value.get("level", MISSING_LEVEL)), float(value["bits"])
        )
        for name, value in stored.items()
        if isinstance(value, dict) and "bits" in value
    ]
    known = [c for c in found if c.level != MISSING_LEVEL]
    return sorted(known, key=lambda c: (-abs(c.bits), c.comparison))


def contributions_text(match: MatchExplained | None) -> str:
    """One line: each comparison's contribution in bits, e.g. "company_name +16.3 bits"."""
    parts = [
        f"{c.comparison} {c.bits:+.1f} bits ("
        + (c.level if isinstance(c.level, str) else f"level {c.level}")
        + ")"
        for c in contributions(match)
    ]
    return "; ".join(parts)


MatchKey = tuple[str, str, str]  # debtor id, source, source id


def match_index(case: Case) -> dict[MatchKey, MatchExplained]:
    return {(m.debtor_id, m.source, m.source_id): m for m in case.matches}


def match_of(
    index: dict[MatchKey, MatchExplained], debtor_id: str, hop: Hop
) -> MatchExplained | None:
    """The match behind HOP when it is the first hop, from DEBTOR_ID's own match."""
    if hop.via != "match":
        return None
    return index.get((debtor_id, hop.end.source, hop.end.node_id))
