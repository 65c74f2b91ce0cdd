from __future__ import annotations

from typing import Any

from matching.splink_model import monotone_score_levels


def level(m: float | None, u: float | None) -> dict[str, Any]:
    found: dict[str, Any] = {"label_for_charts": "level"}
    if m is not None:
        found["m_probability"] = m
    if u is not None:
        found["u_probability"] = u
    return found


def factors(model: dict[str, Any], name: str) -> list[float | None]:
    comparison = next(c for c in model["comparisons"] if c["output_column_name"] == name)
    return [
        lv["m_probability"] / lv["u_probability"] if "u_probability" in lv else None
        for lv in comparison["comparison_levels"]
        if not lv.get("is_null_level")
    ]


def test_unseen_top_levels_weigh_at_least_the_level_below() -> None:
    """Random pairs reached only the lower levels: the upper ones must not weigh less."""
    company = [
        {"label_for_charts": "null", "is_null_level": True},
        level(0.4, None),  # top: no random pair this close
        level(0.0003, None),
        level(0.06, None),
        level(0.12, 2.4e-5),
        level(0.14, 3.1e-4),
        level(0.08, 0.97),  # all other comparisons
    ]
    model = {
        "comparisons": [
            {"output_column_name": "company_name", "comparison_levels": company},
            {"output_column_name": "jurisdiction", "comparison_levels": [level(0.3, None)]},
        ]
    }
    found = factors(monotone_score_levels(model), "company_name")
    assert all(f is not None for f in found)
    assert found == sorted(found, reverse=True)  # type: ignore[type-var]
    assert found[3] == 0.12 / 2.4e-5 and found[4] == 0.14 / 3.1e-4  # observed ones kept
    assert found[1] == found[2] == found[3]  # lifted to the level below: a tie, not a drop
    assert "u_probability" not in model["comparisons"][1]["comparison_levels"][0]


def test_untrained_levels_are_left_alone() -> None:
    person = [level(1.0, 1.7e-5), level(None, None), level(None, 1.4e-4), level(1e-9, 0.99)]
    model = {"comparisons": [{"output_column_name": "person_name", "comparison_levels": person}]}
    out = monotone_score_levels(model)["comparisons"][0]["comparison_levels"]
    assert "m_probability" not in out[1] and out[2]["u_probability"] == 1.4e-4
    assert out[0]["u_probability"] == 1.7e-5
