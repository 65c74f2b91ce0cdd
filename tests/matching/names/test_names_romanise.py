import pytest

from matching.names.romanise import (
    cantonese,
    char_readings,
    mandarin,
    split_syllables,
    surname_spellings,
    surname_table,
    wade_giles,
)


@pytest.mark.parametrize(
    ("surname", "first", "also"),
    [
        ("单", "shan", {"sin"}),
        ("曾", "zeng", {"tsang", "tseng"}),
        ("区", "ou", {"au"}),
        ("陈", "chen", {"chan", "tan"}),
        ("黄", "huang", {"wong", "ng", "ooi"}),
        ("张", "zhang", {"cheung", "chang", "teo"}),
        ("许", "xu", {"hui", "hsu", "koh"}),
        ("叶", "ye", {"yip", "ip", "yeh"}),
        ("欧阳", "ouyang", {"auyeung"}),
        ("司徒", "situ", {"szeto"}),
    ],
)
def test_surname_spellings(surname: str, first: str, also: set[str]) -> None:
    spellings = surname_spellings(surname)
    assert spellings[0] == first
    assert also <= set(spellings)


@pytest.mark.parametrize(
    ("surname", "mandarin_reading", "also"),
    [
        ("沈", "shen", {"sim", "sam"}),
        ("庄", "zhuang", {"chong"}),
        ("辛", "xin", {"hsin", "san"}),
        ("包", "bao", set()),
        ("宁", "ning", set()),
        ("盛", "sheng", {"shing"}),
    ],
)
def test_a_surname_the_table_does_not_list_reads_mandarin_first(
    surname: str, mandarin_reading: str, also: set[str]
) -> None:
    assert surname not in surname_table()  # else the table's first reading decides
    spellings = surname_spellings(surname)
    assert spellings[0] == mandarin_reading
    assert also <= set(spellings)


def test_surname_reading_is_not_the_everyday_one() -> None:
    assert "dan" not in surname_spellings("单")
    assert "qu" not in surname_spellings("区")


@pytest.mark.parametrize(
    ("char", "expected"),
    [("陈", "chan"), ("陳", "chan"), ("张", "cheung"), ("大", "tai"), ("国", "kwok"), ("宝", "po")],
)
def test_cantonese_works_from_simplified_too(char: str, expected: str) -> None:
    assert expected in cantonese(char)


@pytest.mark.parametrize(
    ("char", "expected"), [("学", "hsueh"), ("张", "chang"), ("重", "chung"), ("曾", "tseng")]
)
def test_wade_giles(char: str, expected: str) -> None:
    assert expected in wade_giles(char)


def test_mandarin_heteronyms_and_u_umlaut() -> None:
    assert {"zhong", "chong"} <= set(mandarin("重"))
    assert "lu" in mandarin("绿")


def test_char_readings_unites_systems() -> None:
    assert {"xue", "hok", "hsueh"} <= char_readings("學")


@pytest.mark.parametrize(
    ("token", "expected"),
    [("xiaoming", ("xiao", "ming")), ("liping", ("li", "ping")), ("taiman", ("tai", "man"))],
)
def test_split_syllables_keeps_every_valid_split(token: str, expected: tuple[str, ...]) -> None:
    splits = split_syllables(token)
    assert splits[0] == expected
    assert len(splits) > 1 or token == "taiman"


def test_split_syllables_xian_is_ambiguous() -> None:
    assert {("xian",), ("xi", "an")} <= set(split_syllables("xian"))


def test_split_syllables_rejects_english() -> None:
    assert split_syllables("qwerty") == ()
