import pytest

from matching.names.script import ascii_fold, detect_script, fold, han_key, simplified


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（香港）", "(香港)"),
        ("ＡＢＣ　Ｌｔｄ．", "ABC Ltd."),
        ("【深圳】", "(深圳)"),
        ("  Chan   Tai  Man ", "Chan Tai Man"),
        ("Xiao–Ming", "Xiao-Ming"),
        ("\tABC\n[HK]  {Ltd}\x0b", "ABC (HK) (Ltd)"),  # ASCII: whitespace and brackets too
        ("Chan\u00a0Tai\u3000Man\u2003Ltd", "Chan Tai Man Ltd"),  # wider spaces
        ("ＡＢＣ [ＨＫ]", "ABC (HK)"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Văn", "nguyen van"),
        ("Müller  GmbH", "muller gmbh"),
        ("ＣＨＡＮ　Tai-man", "chan tai-man"),  # full width: folded to ASCII first
        ("  O'Brien [UK] ", "o'brien (uk)"),
        ("WANG Xiaoming", "wang xiaoming"),
        ("Ｏ’Neil", "o'neil"),
    ],
)
def test_ascii_fold(text: str, expected: str) -> None:
    assert ascii_fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("陈大文", "han"),
        ("CHAN Tai Man", "latin"),
        ("Peter CHAN 陳大文", "mixed"),
        ("Nguyễn", "latin"),
        ("123", "other"),
        ("", "empty"),
        ("   ", "empty"),
        ("& - 1", "other"),
        ("李 Ltd", "mixed"),
    ],
)
def test_detect_script(text: str, expected: str) -> None:
    assert detect_script(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("張學友", "张学友"),
        ("于丹", "于丹"),  # never through traditional: 于 would become 於
        ("余光中", "余光中"),
        ("中國資訊科技（香港）有限公司", "中国资讯科技(香港)有限公司"),
    ],
)
def test_simplified(text: str, expected: str) -> None:
    assert simplified(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Peter 陳 大文 (HK)", "陈大文"),
        ("CHAN TAI MAN LIMITED", ""),
        ("㈱ABC", "株"),  # folding makes an ideograph of the enclosed 株
        ("⼤華", "大华"),  # a Kangxi radical folds to its ideograph
    ],
)
def test_han_key_keeps_only_han_in_order(text: str, expected: str) -> None:
    assert han_key(text) == expected
