"""The linkage model, declared in one place: Splink comparisons, levels and blocking.

Name and related-person similarity come from the names module, registered in DuckDB as the
functions `oad_name_score` and `oad_related_score` (see matching/sql_functions.py), so that
Splink compares debtors and records in any script.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
from splink import SettingsCreator, block_on
from splink.comparison_library import CustomComparison
from splink.internals.comparison_level_creator import ComparisonLevelCreator

NAME_LEVELS = (0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4)
RELATED_LEVELS = (0.9, 0.75)
UNIQUE_ID = "unique_id"


def _score_levels(
    expression: str, thresholds: tuple[float, ...], label: str
) -> list[ComparisonLevelCreator]:
    levels: list[ComparisonLevelCreator] = [
        cll.CustomLevel(f"{expression} >= {t}", f"{label} similarity >= {t}") for t in thresholds
    ]
    levels.append(cll.ElseLevel())
    return levels


def name_comparison() -> CustomComparison:
    return CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.CustomLevel("names_l IS NULL OR names_r IS NULL").configure(is_null_level=True),
            *_score_levels("oad_name_score(kind_l, names_l, names_r)", NAME_LEVELS, "name"),
        ],
        comparison_description="name across scripts and romanisations",
    )


def birth_comparison() -> CustomComparison:
    return CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.CustomLevel("birth_year_l IS NULL OR birth_year_r IS NULL").configure(
                is_null_level=True
            ),
            cll.CustomLevel(
                "birth_year_l = birth_year_r AND birth_month_l = birth_month_r",
                "same birth year and month",
            ),
            cll.CustomLevel("birth_year_l = birth_year_r", "same birth year"),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 2", "birth years within 2"),
            cll.ElseLevel(),
        ],
        comparison_description="birth date, as precise as both sides give it",
    )


def country_comparison() -> CustomComparison:
    return CustomComparison(
        output_column_name="country",
        comparison_levels=[
            cll.CustomLevel(
                "coalesce(nationality_l, residence_l) IS NULL"
                " OR coalesce(nationality_r, residence_r) IS NULL"
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "nationality_l IN (nationality_r, residence_r)"
                " OR residence_l IN (nationality_r, residence_r)",
                "same nationality or country of residence",
            ),
            cll.ElseLevel(),
        ],
        comparison_description="nationality and country of residence",
    )


def exact_comparison(column: str, description: str) -> CustomComparison:
    return CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.CustomLevel(f"{column}_l IS NULL OR {column}_r IS NULL").configure(
                is_null_level=True
            ),
            cll.CustomLevel(f"{column}_l = {column}_r", f"same {column}"),
            cll.ElseLevel(),
        ],
        comparison_description=description,
    )


def related_comparison() -> CustomComparison:
    return CustomComparison(
        output_column_name="related",
        comparison_levels=[
            cll.CustomLevel("len(related_names_l) = 0 OR len(related_names_r) = 0").configure(
                is_null_level=True
            ),
            *_score_levels(
                "oad_related_score(related_names_l, related_names_r)", RELATED_LEVELS, "related"
            ),
        ],
        comparison_description="a legal representative or shareholder among officers and owners",
    )


def settings(probability_two_random_records_match: float) -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name=UNIQUE_ID,
        probability_two_random_records_match=probability_two_random_records_match,
        blocking_rules_to_generate_predictions=[
            block_on("block_keys", arrays_to_explode=["block_keys"])
        ],
        comparisons=[
            name_comparison(),
            birth_comparison(),
            country_comparison(),
            exact_comparison("jurisdiction", "jurisdiction of a company"),
            exact_comparison("city", "city in the address"),
            related_comparison(),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
