import pytest

from matching.name_features import entity_name_features
from matching.names import person_similarity
from matching.names.persons import LatinName, parse_latin_name
from matching.names.resources import read_rows
from matching.names.romanise import person_readings, readings_by_system, surname_spellings
from matching.names.spellings import (
    hokkien,
    hokkien_spellings,
    macau_syllable,
    sound_key,
    spelling_key,
    table_spellings,
    tongyong_syllable,
)


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("Tjoa", "choa"),
        ("Sioe", "siu"),
        ("Tjhong", "chong"),
        ("Djie", "jie"),
        ("chhong", "chong"),
        ("Hock", "hok"),
        ("Teck", "tek"),
        ("wang", "wang"),
    ],
)
def test_spelling_key_meets_dutch_era_and_modern_spellings(spelling: str, key: str) -> None:
    assert spelling_key(spelling) == key


@pytest.mark.parametrize(
    ("spelling", "key"),
    [("Lyu", "lu"), ("Lv", "lu"), ("lu", "lu"), ("Nyu", "nu"), ("NV", "nu"), ("lyue", "lue"),
     ("lve", "lue")],
)  # fmt: skip
def test_spelling_key_meets_the_ways_u_umlaut_is_written(spelling: str, key: str) -> None:
    assert spelling_key(spelling) == key


@pytest.mark.parametrize(
    ("tailo", "spelling"),
    [
        ("tsok", "chok"),
        ("bûn", "boon"),
        ("kinn", "kee"),
        ("hóo", "haw"),
        ("ngôo", "goh"),
        ("tshing", "cheng"),
        ("iāu", "yaw"),
        ("suī", "swee"),
        ("tik", "tek"),
        ("tshuà", "chua"),
        ("jī/lī", "li"),
    ],
)
def test_hokkien_spellings_of_a_tailo_syllable(tailo: str, spelling: str) -> None:
    assert spelling in hokkien_spellings(tailo)


@pytest.mark.parametrize(
    ("char", "spelling"),
    [("林", "lim"), ("陈", "tan"), ("陳", "tan"), ("作", "chok"), ("文", "boon"), ("嘉", "kah")],
)
def test_hokkien_reads_simplified_and_traditional(char: str, spelling: str) -> None:
    assert spelling in hokkien(char)


@pytest.mark.parametrize(
    ("hong_kong", "macau"),
    [
        ("wong", "vong"),
        ("yeung", "ieong"),
        ("yat", "iat"),
        ("lau", "lao"),
        ("kwok", "kuok"),
        ("sing", "seng"),
        ("chan", "chan"),
    ],
)
def test_macau_syllable(hong_kong: str, macau: str) -> None:
    assert macau_syllable(hong_kong) == macau


@pytest.mark.parametrize(
    ("pinyin", "tongyong"),
    [
        ("xin", "sin"),
        ("qing", "cing"),
        ("zhi", "jhih"),
        ("zhang", "jhang"),
        ("si", "sih"),
        ("liu", "liou"),
        ("gui", "guei"),
        ("xiong", "syong"),
        ("xu", "syu"),
        ("feng", "fong"),
        ("wen", "wun"),
        ("ming", "ming"),
    ],
)
def test_tongyong_syllable(pinyin: str, tongyong: str) -> None:
    assert tongyong_syllable(pinyin) == tongyong


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (("kwong", "guang", "kong", "kng"), "kg"),
        (("Tjhong", "chong", "zhong", "tsung"), "cg"),
        (("hock", "hok", "HOK"), "hk"),
        (("ying", "ing", "eng"), "g"),
        (("lian", "lien", "lean"), "ln"),
        (("kim", "gam"), "km"),
    ],
)
def test_sound_key_is_one_across_systems(spellings: tuple[str, ...], key: str) -> None:
    assert {sound_key(s) for s in spellings} == {key}


def test_every_listed_spelling_names_its_source() -> None:
    rows = read_rows("syllables.tsv")
    assert rows and all(len(row) == 5 and row[4].startswith("Wikipedia: ") for row in rows)
    assert {row[1] for row in rows} <= {"surname", "given", "both"}


def test_table_spellings_keep_surnames_and_given_names_apart() -> None:
    assert ("sioe", "hokkien", "Wikipedia: Sudono Salim") in table_spellings("紹", "given")
    assert not table_spellings("绍", "surname")
    assert {"tjoa", "choa"} <= set(surname_spellings("蔡"))
    assert "kuok" in surname_spellings("郭")


def test_readings_by_system_names_each_system() -> None:
    systems = dict(readings_by_system("光"))
    assert systems["pinyin"] == ("guang",)
    assert "kwong" in systems["hong kong cantonese"] and "kong" in systems["hokkien"]
    assert systems["irregular (Wikipedia: Lee Kuan Yew)"] == ("kuan",)
    assert {"guang", "kwong", "kuang", "kong", "kuan"} <= person_readings("光")


def test_dutch_era_name_parses_to_spelling_keys() -> None:
    assert parse_latin_name("OEI Ek Tjhong")[0] == LatinName(("ui",), ("ek", "chong"))


# Southeast Asian and Taiwanese spellings, each as the public figure's Wikipedia article gives it
SPELLED_ABROAD = [
    ("林绍良", "Liem Sioe Liong"),
    ("郭鹤年", "KUOK Hock Nien"),
    ("黄奕聪", "Oei Ek Tjhong"),
    ("王永庆", "Wang Yung-ching"),
    ("蔡英文", "Tsai Ing-wen"),
    ("李光耀", "Lee Kuan Yew"),
    ("吴作栋", "Goh Chok Tong"),
    ("马英九", "MA Ying-jeou"),
    ("陈嘉庚", "TAN Kah Kee"),
    ("胡文虎", "AW Boon Haw"),
    ("邱德拔", "KHOO Teck Puat"),
    ("吴庆瑞", "GOH Keng Swee"),
    ("梁振英", "LEUNG Chun Ying"),
    ("李兆基", "LEE Shau Kee"),
    ("贺一诚", "HO Iat Seng"),
    ("黄国强", "VONG Kuok Keong"),
]


@pytest.mark.parametrize(("han", "latin"), SPELLED_ABROAD)
def test_southeast_asian_and_taiwanese_spellings_match(han: str, latin: str) -> None:
    assert person_similarity(han, latin).score >= 0.95


@pytest.mark.parametrize(("han", "latin"), SPELLED_ABROAD)
def test_southeast_asian_spellings_share_a_blocking_key(han: str, latin: str) -> None:
    keys = entity_name_features("person", [han]).block_keys
    assert set(keys) & set(entity_name_features("person", [latin]).block_keys)


@pytest.mark.parametrize(
    ("han", "latin"),
    [("林绍良", "Liem Sioe Hong"), ("吴作栋", "Goh Chok Beng"), ("郭鹤年", "KUOK Hock Seng")],
)
def test_a_different_given_syllable_still_counts(han: str, latin: str) -> None:
    assert person_similarity(han, latin).score < 0.9
