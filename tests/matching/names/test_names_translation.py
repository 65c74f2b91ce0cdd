import pytest

from matching.names.lexicon import literal_words
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


@pytest.mark.parametrize(
    ("han", "words"),
    [
        ("1001制作有限公司", ("1001",)),
        ("TCL科技集团股份有限公司", ("tcl",)),
        ("世紀21物業有限公司", ("21",)),
        ("ＡＢＣ贸易有限公司", ("abc",)),  # full-width letters
        ("U‧C‧L‧有限公司", ("u", "c", "l")),
        ("亞達(B&Q)塑膠製品廠有限公司", ("b", "q")),
        ("腾讯科技有限公司", ()),
    ],
)
def test_literal_words_are_the_latin_letters_and_digits_of_a_han_name(
    han: str, words: tuple[str, ...]
) -> None:
    assert literal_words(han) == words


@pytest.mark.parametrize(
    ("han", "right", "wrong"),
    [
        # a real Hong Kong register pair (SP_5) and made-up ones, each against a name the
        # model preferred before a Han name's Latin letters and digits counted
        ("1001制作有限公司", "1001 Production House Limited", "AD PRODUCTION LIMITED"),
        ("世紀21物業有限公司", "CENTURY 21 PROPERTY LIMITED", "CENTURY PROPERTY LIMITED"),
        ("世紀21物業有限公司", "CENTURY 21 PROPERTY LIMITED", "CENTURY 22 PROPERTY LIMITED"),
        ("ABC贸易有限公司", "ABC TRADING LIMITED", "ACE TRADING LIMITED"),
    ],
)
def test_the_latin_letters_and_digits_of_a_han_name_count_as_written(
    han: str, right: str, wrong: str
) -> None:
    assert translation_score(han, right) > translation_score(han, wrong) + 0.05


def test_a_han_name_of_latin_letters_alone_is_scored() -> None:
    assert translation_score("ABC有限公司", "ABC LIMITED") > 0.3
    assert translation_score("ABC有限公司", "XYZ LIMITED") < 0.1
