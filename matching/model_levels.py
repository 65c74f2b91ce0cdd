"""The levels of a trained Splink model's comparisons, as its JSON holds them: the company and
person linkage model's and the entity model's alike."""

from __future__ import annotations

from typing import Any


def scored_levels(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    """A comparison's levels that weigh evidence, closest first (its null level left out)."""
    return [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """For each comparison, what each of its levels (gamma values) means."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = scored_levels(comparison)
        named = {-1: "missing on one side"}
        for gamma, level in zip(range(len(levels) - 1, -1, -1), levels, strict=True):
            named[gamma] = str(level.get("label_for_charts") or level["sql_condition"])
        labels[str(comparison["output_column_name"])] = named
    return labels
