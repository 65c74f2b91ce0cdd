import pytest

from matching.names import person_keys
from matching.names.persons import HanName, LatinName, parse_latin_name, split_han_name


@pytest.mark.parametrize(
    ("name", "surnames", "given"),
    [
        ("陈大文", ("陈",), "大文"),
        ("張學友", ("张",), "学友"),
        ("欧阳娜娜", ("欧阳",), "娜娜"),
        ("司马相如", ("司马",), "相如"),
        ("林郑月娥", ("林", "郑"), "月娥"),
        ("王伟", ("王",), "伟"),
    ],
)
def test_split_han_name(name: str, surnames: tuple[str, ...], given: str) -> None:
    assert split_han_name(name)[0] == HanName(surnames, given)


def test_married_double_surname_keeps_single_surname_reading() -> None:
    assert HanName(("林",), "郑月娥") in split_han_name("林郑月娥")


@pytest.mark.parametrize(
    ("name", "surname", "given", "english"),
    [
        ("ZHANG San", ("zhang",), ("san",), ()),
        ("San ZHANG", ("zhang",), ("san",), ()),
        ("Zhang, San", ("zhang",), ("san",), ()),
        ("Xiao-Ming WANG", ("wang",), ("xiao", "ming"), ()),
        ("WANG Xiaoming", ("wang",), ("xiao", "ming"), ()),
        ("Peter CHAN Tai-man", ("chan",), ("tai", "man"), ("peter",)),
        ("AU YEUNG Chun", ("au", "yeung"), ("chun",), ()),
        ("Au Yeung Chun", ("au", "yeung"), ("chun",), ()),
        ("Mr. CHAN Tai Man", ("chan",), ("tai", "man"), ()),
        ("ＣＨＡＮ Ｔａｉ Ｍａｎ", ("chan",), ("tai", "man"), ()),
    ],
)
def test_parse_latin_name_first_reading(
    name: str, surname: tuple[str, ...], given: tuple[str, ...], english: tuple[str, ...]
) -> None:
    assert parse_latin_name(name)[0] == LatinName(surname, given, english)


def test_unmarked_order_tries_both_ends() -> None:
    surnames = {r.surname for r in parse_latin_name("Xiaoming Wang")}
    assert ("wang",) in surnames
    assert ("xiaoming",) not in surnames  # not a syllable, so not a surname


def test_surname_hint_decides() -> None:
    readings = parse_latin_name("Yang Liu", surname="YANG")
    assert {r.surname for r in readings} == {("yang",)}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("欧阳春", {"auyeung chun", "ouyang chun"}),
        ("歐陽春", {"auyeung chun", "ouyang chun"}),
        ("司徒华", {"szeto wa", "ssutu hua"}),
        ("诸葛亮", {"chukot leung", "chuko liang"}),
        ("陈大文", {"chan taiman", "chen dawen"}),
    ],
)
def test_full_keys_spell_compound_surnames_in_each_system(name: str, expected: set[str]) -> None:
    assert expected <= person_keys(name).full_keys


@pytest.mark.parametrize(
    ("name", "published"), [("沈娟", "SHEN Juan"), ("吕飞玉", "LYU Feiyu"), ("吕飞玉", "LV Feiyu")]
)
def test_a_mandarin_spelling_shares_a_full_key(name: str, published: str) -> None:
    assert person_keys(name).full_keys & person_keys(published).full_keys
