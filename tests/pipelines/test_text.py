from __future__ import annotations

import pytest

from pipelines.text import clean, han_to_spaces, has_han, is_chinese_text, is_han


@pytest.mark.parametrize(
    ("char", "han"),
    [
        ("许", True),
        ("㐀", True),
        ("豈", True),
        ("𠀀", True),
        ("A", False),
        ("，", False),
        ("ア", False),
    ],
)
def test_han_ranges(char: str, han: bool) -> None:
    assert is_han(char) is han
    assert has_han(f"ab{char}cd") is han


def test_han_to_spaces_keeps_everything_else() -> None:
    assert han_to_spaces("ABC 陳大文 Ltd（𠀀）") == "ABC     Ltd（ ）"


def test_chinese_text_takes_punctuation_and_full_width_forms() -> None:
    assert all(is_chinese_text(c) for c in "许，。（Ａ")
    assert not is_chinese_text("é")


def test_clean_folds_full_width() -> None:
    assert clean("  ＡＢＣ有限公司（香港） ") == "ABC有限公司(香港)"
