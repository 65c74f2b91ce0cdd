import pytest

from matching.names.translation import (
    FRAGMENT_WEIGHT,
    english_weights,
    forward_term,
    translation_score,
    unit_weight,
)


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("elegant", 1.0), ("ele~", FRAGMENT_WEIGHT), ("~ant", FRAGMENT_WEIGHT), ("lee", 1.0)],
)
def test_unit_weight(unit: str, expected: float) -> None:
    assert unit_weight(unit) == expected


def test_dictionary_glosses_weigh_plain_translations() -> None:
    weights = english_weights("雅星有限公司")
    assert weights.get("elegant", 0.0) > 0.0 and weights.get("star", 0.0) > 0.0


def test_a_word_the_corpus_never_had_costs_less_than_an_unexplained_known_word() -> None:
    assert forward_term("qzxwvbrand", 0.0) > forward_term("shipping", 0.0)
    assert forward_term("shipping", 0.5) > forward_term("qzxwvbrand", 0.0)


def test_translation_score_prefers_the_translation() -> None:
    name = "好收成企业有限公司"
    right = translation_score(name, "GOOD HARVEST ENTERPRISES LIMITED")
    assert right > translation_score(name, "GOLDEN DRAGON SHIPPING LIMITED") + 0.1
