"""A candidate's explanation as bars a page can draw: one a comparison, green for the match and
red against, as long as its weight in bits (SVG attributes, since the pages allow no inline
style)."""

from __future__ import annotations

from dataclasses import dataclass

from matching.explain import Candidate, Step

BAR_WIDTH = 240  # pixels for the longest bar either side of the axis, both sides together
MIDDLE = BAR_WIDTH // 2


@dataclass(frozen=True)
class Bar:
    comparison: str
    level: str
    bits: float
    x: float  # where the bar starts, in pixels from the left of its drawing
    width: float
    side: str  # 'for', 'against' or 'none' (no weight either way)


def bits_scale(found: list[Candidate]) -> float:
    """The largest weight any comparison of any candidate has: the bars of every candidate on a
    page share one scale, so they can be compared."""
    return max((abs(step.bits) for c in found for step in c.steps), default=1.0) or 1.0


def bars(steps: list[Step], scale: float) -> list[Bar]:
    drawn = []
    for step in steps:
        width = round(abs(step.bits) / scale * MIDDLE, 1)
        side = "none" if width < 0.5 else ("for" if step.bits > 0 else "against")
        x = MIDDLE if step.bits >= 0 else MIDDLE - width
        drawn.append(Bar(step.comparison, step.level, step.bits, x, width, side))
    return drawn
