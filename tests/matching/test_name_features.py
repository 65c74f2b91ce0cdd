from __future__ import annotations

import pytest

from matching.name_features import agreed_parts, consonants, entity_name_features, names_score


@pytest.mark.parametrize(
    ("word", "skeleton"),
    [
        ("yunfat", "ynft"),
        ("yunfaat", "ynft"),
        ("kwokkeung", "kwkng"),
        ("kwongching", "kwngchng"),
        ("ai", "a"),
        ("", ""),
    ],
)
def test_consonant_skeleton(word: str, skeleton: str) -> None:
    assert consonants(word) == skeleton


def test_a_hong_kong_spelling_shares_a_blocking_key_with_the_chinese_name() -> None:
    han = entity_name_features("person", ["周润发"]).block_keys
    latin = entity_name_features("person", ["CHOW Yun Fat"]).block_keys
    assert "q:chow ynft" in set(han) & set(latin)
    assert names_score("person", ["周润发"], ["CHOW Yun Fat"]).score >= 0.9


def test_skeleton_keys_are_capped_for_married_double_surnames() -> None:
    keys = entity_name_features("person", ["林郑月娥"]).block_keys
    assert 0 < len([k for k in keys if k.startswith("q:")]) <= 60


def test_company_names_across_scripts_use_the_translation_model() -> None:
    found = names_score("company", ["依利达针织厂有限公司"], ["E. LEI KNITTING FACTORY LIMITED"])
    other = names_score("company", ["依利达针织厂有限公司"], ["AUSLINK DEVELOPMENT LIMITED"])
    assert found.agreed == ["translation model"] and found.score > other.score + 0.2
    same = names_score("company", ["依利达针织厂有限公司"], ["依利達針織廠有限公司"])
    assert same.score >= 0.97


def test_explanations_name_the_parts_that_agreed() -> None:
    parts = agreed_parts("person", ["陈大文"], ["CHAN Tai Man"])
    assert "surname 陈=chan" in parts and "given 文=man" in parts
    company = agreed_parts("company", ["依利达针织厂有限公司"], ["E. LEI KNITTING FACTORY LIMITED"])
    assert "针织=knitting" in company
    assert agreed_parts("person", ["陈大文"], ["WONG Siu Ming"]) == []


def test_the_digits_of_a_han_name_are_a_blocking_key_its_english_name_shares() -> None:
    han = entity_name_features("company", ["1001制作有限公司"]).block_keys
    latin = entity_name_features("company", ["1001 Production House Limited"]).block_keys
    assert han["c:1001"] == 1.0 and "c:1001" in latin
    assert (
        agreed_parts("company", ["1001制作有限公司"], ["1001 PRODUCTION LIMITED"])[0] == "1001=1001"
    )
