"""The linkage model, declared in one place: Splink comparisons and their levels. Which pairs
are compared is candidate generation's business (matching/candidates.py), not Splink's.

Name and related-person similarity come from the names module, registered in DuckDB as the
functions `oad_pair_name_score` and `oad_related_score` (see matching/sql_functions.py), so that
Splink compares debtors and records in any script.

Person and company names are two comparisons, since their scores spread differently: a person's
romanised name usually scores near 1, a company's English name rarely above 0.6. A company pair
shares nothing else a model could learn from, so EM cannot estimate the company levels' m
probabilities; they are learned from real bilingual pairs (data/matching/name_levels.tsv, see
matching/learn_name_levels.py) and held fixed, unless reviewed pairs are there to learn from.
"""

from __future__ import annotations

from functools import cache

import splink.comparison_level_library as cll
from splink import SettingsCreator
from splink.comparison_library import CustomComparison
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from pipelines.resources import data_file

PERSON_NAME_LEVELS = (0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4)
COMPANY_NAME_LEVELS = (0.97, 0.9, 0.75, 0.6, 0.5, 0.4, 0.3, 0.2)
# Registers that carry Chinese names too (Hong Kong's, GLEIF's other names) give a true pair the
# same name outright; the learned shares only see English names, so this share is added on top.
SAME_NAME_SHARE = 0.4
COMPANY_M_FILE = "matching/name_levels.tsv"  # under data/
NAME_SCORE = "oad_pair_name_score(kind_l, names_key_l, names_key_r, names_l, names_r)"
# the same score as models saved before the names keys ask for it; read as NAME_SCORE
NAME_SCORE_BEFORE_KEYS = "oad_name_score(kind_l, names_l, names_r)"
RELATED_LEVELS = (0.9, 0.75)

# Assumed m probabilities (top level first, then "all other") where EM has nothing to learn
# from: a bank's debtors are all Chinese and the records all foreign, so jurisdiction, country,
# city and related persons barely vary among candidate pairs. A debtor's holdings abroad are
# mostly registered in another jurisdiction and city than the debtor, so disagreeing there
# must cost little; agreeing still counts, through the u probabilities learned from the data.
JURISDICTION_M = (0.3, 0.7)
COUNTRY_M = (0.7, 0.3)
CITY_M = (0.3, 0.7)
RELATED_M = (0.5, 0.2, 0.3)
UNIQUE_ID = "unique_id"


def _assume(
    levels: list[ComparisonLevelCreator], m_values: tuple[float, ...], fixed: bool
) -> list[ComparisonLevelCreator]:
    """Give levels their m probabilities; `fixed` keeps training from moving them."""
    for level, m in zip(levels, m_values, strict=True):
        level.configure(m_probability=m, fix_m_probability=fixed)
    return levels


def _score_levels(
    expression: str, thresholds: tuple[float, ...], label: str
) -> list[ComparisonLevelCreator]:
    levels: list[ComparisonLevelCreator] = [
        cll.CustomLevel(f"{expression} >= {t}", f"{label} similarity >= {t}") for t in thresholds
    ]
    levels.append(cll.ElseLevel())
    return levels


def _name_comparison(
    kind: str, levels: list[ComparisonLevelCreator], description: str
) -> CustomComparison:
    """Name levels that count only for a debtor of this kind (for others, they weigh nothing)."""
    return CustomComparison(
        output_column_name=f"{kind}_name",
        comparison_levels=[
            cll.CustomLevel(f"kind_l <> '{kind}' OR names_l IS NULL OR names_r IS NULL").configure(
                is_null_level=True
            ),
            *levels,
        ],
        comparison_description=description,
    )


def person_name_comparison() -> CustomComparison:
    levels = _score_levels(NAME_SCORE, PERSON_NAME_LEVELS, "name")
    return _name_comparison("person", levels, "a person's name across scripts and romanisations")


def company_name_comparison(fixed: bool = True) -> CustomComparison:
    levels = _score_levels(NAME_SCORE, COMPANY_NAME_LEVELS, "name")
    _assume(levels, company_m_probabilities(), fixed)
    return _name_comparison(
        "company", levels, "a company's name across scripts, translations and romanisations"
    )


@cache
def company_m_probabilities() -> tuple[float, ...]:
    """The m probability of each company-name level, top first, then "all other": the learned
    cross-script shares, with SAME_NAME_SHARE more at the top level."""
    rows = [
        line.split("\t")
        for line in data_file(COMPANY_M_FILE).read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    expected = [str(t) for t in COMPANY_NAME_LEVELS] + ["else"]
    if [row[0] for row in rows] != expected:
        raise ValueError(f"data/{COMPANY_M_FILE}: levels {expected} expected, in that order")
    learned = [float(row[1]) * (1 - SAME_NAME_SHARE) for row in rows]
    learned[0] += SAME_NAME_SHARE
    return tuple(learned)


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


def country_comparison(fixed: bool = True) -> CustomComparison:
    return CustomComparison(
        output_column_name="country",
        comparison_levels=[
            cll.CustomLevel(
                "coalesce(nationality_l, residence_l) IS NULL"
                " OR coalesce(nationality_r, residence_r) IS NULL"
            ).configure(is_null_level=True),
            *_assume(
                [
                    cll.CustomLevel(
                        "nationality_l IN (nationality_r, residence_r)"
                        " OR residence_l IN (nationality_r, residence_r)",
                        "same nationality or country of residence",
                    ),
                    cll.ElseLevel(),
                ],
                COUNTRY_M,
                fixed,
            ),
        ],
        comparison_description="nationality and country of residence",
    )


def exact_comparison(
    column: str, description: str, m_values: tuple[float, float], fixed: bool = True
) -> CustomComparison:
    return CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.CustomLevel(f"{column}_l IS NULL OR {column}_r IS NULL").configure(
                is_null_level=True
            ),
            *_assume(
                [cll.CustomLevel(f"{column}_l = {column}_r", f"same {column}"), cll.ElseLevel()],
                m_values,
                fixed,
            ),
        ],
        comparison_description=description,
    )


def related_comparison(fixed: bool = True) -> CustomComparison:
    return CustomComparison(
        output_column_name="related",
        comparison_levels=[
            cll.CustomLevel(
                "array_length(related_names_l) = 0 OR array_length(related_names_r) = 0"
            ).configure(is_null_level=True),
            *_assume(
                _score_levels(
                    "oad_related_score(related_names_l, related_names_r)",
                    RELATED_LEVELS,
                    "related",
                ),
                RELATED_M,
                fixed,
            ),
        ],
        comparison_description="a legal representative or shareholder among officers and owners",
    )


def settings(
    probability_two_random_records_match: float, assumed_m_fixed: bool = True
) -> SettingsCreator:
    """`assumed_m_fixed`: hold the learned and assumed m probabilities (company names,
    jurisdiction, country, city, related persons) out of EM training."""
    fixed = assumed_m_fixed
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name=UNIQUE_ID,
        probability_two_random_records_match=probability_two_random_records_match,
        # no blocking rules: the model scores exactly the pairs matching/candidates.py forms
        # (handed to Splink as blocked pairs), and EM trains on pairs of its own choosing
        comparisons=[
            person_name_comparison(),
            company_name_comparison(fixed),
            birth_comparison(),
            country_comparison(fixed),
            exact_comparison("jurisdiction", "jurisdiction of a company", JURISDICTION_M, fixed),
            exact_comparison("city", "city in the address", CITY_M, fixed),
            related_comparison(fixed),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
