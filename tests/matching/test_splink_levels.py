from __future__ import annotations

from typing import Any

import duckdb

from matching.splink_model import (
    monotone_score_levels,
    person_name_agreement,
    with_top_person_u,
)


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


def sides(debtors: list[tuple[str, str, list[str]]], records: list[tuple[str, str | None]]
          ) -> duckdb.DuckDBPyConnection:  # fmt: skip
    """debtor_side (unique_id, kind, block keys) and record_side (unique_id, training key)
    as the model's connection holds them."""
    con = duckdb.connect()
    con.execute("CREATE TABLE debtor_side (unique_id VARCHAR, kind VARCHAR, names VARCHAR[],"
                " block_keys VARCHAR[])")  # fmt: skip
    con.execute("CREATE TABLE record_side (unique_id VARCHAR, names VARCHAR[],"
                " training_key VARCHAR)")  # fmt: skip
    for unique_id, kind, keys in debtors:
        con.execute("INSERT INTO debtor_side VALUES (?, ?, ['n'], ?)", [unique_id, kind, keys])
    for unique_id, key in records:
        con.execute("INSERT INTO record_side VALUES (?, ['n'], ?)", [unique_id, key])
    return con


def test_person_name_agreement_counts_every_record_a_debtors_spellings_meet() -> None:
    con = sides(
        [("d1", "person", ["p:wang wei", "p:wong wai", "s:wang", "p:wang wei"]),
         ("d2", "person", ["p:li ming"]),
         ("c1", "company", ["p:wang wei"])],  # a company debtor's keys do not count
        [("r1", "p:wang wei"), ("r2", "p:wang wei"), ("r3", "p:wong wai"), ("r4", "p:zhao lei"),
         ("r5", None), ("r6", None), ("r7", "s:wang"), ("r8", None)],
    )  # fmt: skip
    # d1 meets r1, r2 (wang wei) and r3 (wong wai); d2 none: 3 of 2 x 8 pairs
    assert person_name_agreement(con) == 3 / 16
    none = sides([("d1", "person", ["p:wang wei"])], [("r1", "p:li ming"), ("r2", None)])
    assert person_name_agreement(none) is None


def test_the_agreement_becomes_the_top_person_levels_u_only() -> None:
    person = [{"label_for_charts": "null", "is_null_level": True}, level(1.0, None),
              level(None, None), level(0.01, 0.99)]  # fmt: skip
    company = [{"label_for_charts": "null", "is_null_level": True}, level(0.4, 1e-4)]
    model = {"comparisons": [{"output_column_name": "person_name", "comparison_levels": person},
                             {"output_column_name": "company_name",
                              "comparison_levels": company}]}  # fmt: skip
    levels = with_top_person_u(model, 2e-6)["comparisons"]
    assert levels[0]["comparison_levels"][1]["u_probability"] == 2e-6
    assert "u_probability" not in levels[0]["comparison_levels"][2]
    assert levels[0]["comparison_levels"][3]["u_probability"] == 0.99
    assert levels[1]["comparison_levels"][1]["u_probability"] == 1e-4
