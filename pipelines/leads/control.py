"""Companies House natures of control read into bands and flags (data/leads/natures_of_control.yml).

Bands are percentages, exclusive at the bottom and inclusive at the top: "25-to-50" is more
than 25% and at most 50%. Several natures of one person combine: each band is the hull of the
bands given, each flag is set when any nature sets it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pipelines.resources import read_yaml

ENTITY_TYPES = ("company", "llp", "partnership", "roe")
VIAS = ("trust", "firm", "control-over-trust", "control-over-firm")


@dataclass(frozen=True)
class Control:
    share_min: float | None = None
    share_max: float | None = None
    votes_min: float | None = None
    votes_max: float | None = None
    appoints_directors: bool = False
    significant_influence: bool = False
    as_trust: bool = False
    as_firm: bool = False
    nominee_for: str | None = None  # an overseas entity holds land there as this owner's nominee
    entity_type: str | None = None  # company, llp, partnership or roe
    unknown: list[str] = field(default_factory=list)  # natures not in the table, as published


NATURE_COLUMNS = (
    "nature", "share_min", "share_max", "votes_min", "votes_max", "appoints_directors",
    "significant_influence", "as_trust", "as_firm", "nominee_for", "entity_type",
)  # fmt: skip


@cache
def nature_table(name: str = "leads/natures_of_control.yml") -> dict[str, Control]:
    """Each known nature as the Control it alone gives; ValueError for a malformed entry."""
    return {
        str(nature): _nature(str(nature), spec)
        for nature, spec in read_yaml(name)["natures"].items()
    }


def nature_rows() -> list[tuple[Any, ...]]:
    """The table as rows of NATURE_COLUMNS, for a lookup table in the store."""
    return [
        (nature, c.share_min, c.share_max, c.votes_min, c.votes_max, c.appoints_directors,
         c.significant_influence, c.as_trust, c.as_firm, c.nominee_for, c.entity_type)
        for nature, c in nature_table().items()
    ]  # fmt: skip


def parse_natures(natures: Iterable[str]) -> Control:
    """The control NATURES give together; those not known are kept in `unknown`."""
    natures = list(natures)
    table = nature_table()
    known = [table[n] for n in natures if n in table]
    unknown = [n for n in natures if n not in table]
    return Control(
        share_min=_least(c.share_min for c in known),
        share_max=_most(c.share_max for c in known),
        votes_min=_least(c.votes_min for c in known),
        votes_max=_most(c.votes_max for c in known),
        appoints_directors=any(c.appoints_directors for c in known),
        significant_influence=any(c.significant_influence for c in known),
        as_trust=any(c.as_trust for c in known),
        as_firm=any(c.as_firm for c in known),
        nominee_for=_most(c.nominee_for for c in known),
        entity_type=_most(c.entity_type for c in known),
        unknown=unknown,
    )


def _least(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _most(values: Iterable[Any]) -> Any:
    """The greatest value present (a band's top; for texts, any one: they agree)."""
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _nature(nature: str, spec: dict[str, Any]) -> Control:
    entity, via = spec.get("entity"), spec.get("via")
    if entity not in ENTITY_TYPES:
        raise ValueError(f"natures: {nature} has entity {entity!r}, not one of {ENTITY_TYPES}")
    if via is not None and via not in VIAS:
        raise ValueError(f"natures: {nature} has via {via!r}, not one of {VIAS}")
    shares, votes = _band(nature, spec.get("shares")), _band(nature, spec.get("votes"))
    return Control(
        share_min=shares[0], share_max=shares[1], votes_min=votes[0], votes_max=votes[1],
        appoints_directors=bool(spec.get("appoints", False)),
        significant_influence=bool(spec.get("influence", False)),
        as_trust=via in ("trust", "control-over-trust"),
        as_firm=via in ("firm", "control-over-firm"),
        nominee_for=spec.get("nominee"), entity_type=entity,
    )  # fmt: skip


def _band(nature: str, band: Any) -> tuple[float | None, float | None]:
    if band is None:
        return None, None
    if (
        not isinstance(band, list)
        or len(band) != 2
        or not all(isinstance(v, int | float) for v in band)
        or not 0 <= band[0] < band[1] <= 100
    ):
        raise ValueError(f"natures: {nature} has band {band!r}, not [min, max] within 0-100")
    return float(band[0]), float(band[1])
