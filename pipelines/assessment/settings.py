"""The assessment's settings (data/assessment/assessment.yml): when evidence is stale, which
jurisdictions count as offshore layers, and the currency each source publishes values in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipelines.resources import read_yaml


@dataclass(frozen=True)
class Settings:
    stale_after_days: int
    offshore: dict[str, str]  # ISO code -> name
    value_currency: dict[str, str]  # asset source -> currency of its values


@cache
def load_settings() -> Settings:
    raw = read_yaml("assessment", "assessment.yml")
    return Settings(
        int(raw["stale_after_days"]), dict(raw["offshore"]), dict(raw["value_currency"])
    )
