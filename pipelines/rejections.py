"""A published or supplied row that cannot be loaded: where it is and why."""

from __future__ import annotations

from dataclasses import dataclass

MAX_RAW_CHARS = 2_000  # of a refused row's text kept beside the reason


@dataclass(frozen=True)
class Rejected:
    file: str
    line: int | None
    reason: str
    field: str | None = None
    raw: str | None = None

    def __post_init__(self) -> None:
        if self.raw is not None and len(self.raw) > MAX_RAW_CHARS:
            cut = self.raw[:MAX_RAW_CHARS] + f"... ({len(self.raw):,} characters in all)"
            object.__setattr__(self, "raw", cut)
