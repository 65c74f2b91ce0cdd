import pytest

from matching.names.dictionary import gloss, parse_line, sense_words


@pytest.mark.parametrize(
    ("sense", "expected"),
    [
        ("elegant", ("elegant",)),
        ("(bound form) prosperous", ("prosperous",)),
        ("to flourish", ("flourish",)),
        ("science and technology", ("science", "technology")),
        ("generic term for lustrous and ductile metals", ()),  # an explanation, not a word
        ("surname Jin", ()),
        ("variant of 恆|恒[heng2]", ()),
        ("see 葡萄[pu2 tao5]", ()),
        ("CL:條|条[tiao2]", ()),
        ("ox", ()),  # two letters say too little
    ],
)
def test_sense_words(sense: str, expected: tuple[str, ...]) -> None:
    assert sense_words(sense) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("雅 雅 [ya3] /elegant/", ("雅", {"elegant": 1.0})),
        (
            "昌 昌 [chang1] /(bound form) prosperous; flourishing/",
            ("昌", {"prosperous": 0.5, "flourishing": 0.5}),
        ),
        (
            "龍 龙 [long2] /dragon/CL:條|条[tiao2]/imperial/",
            ("龙", {"dragon": 0.5, "imperial": 0.5}),
        ),
        ("金 金 [Jin1] /surname Jin/Jurchen Jin dynasty/", None),  # a proper name
        ("# CC-CEDICT", None),
        ("一見鍾情啊 一见钟情啊 [yi1 jian4 zhong1 qing2 a5] /love/", None),  # too long a headword
    ],
)
def test_parse_line(line: str, expected: tuple[str, dict[str, float]] | None) -> None:
    assert parse_line(line) == expected


def test_glosses_come_from_the_shipped_dictionary() -> None:
    assert gloss("雅") == {"elegant": 1.0}
    assert "dragon" in gloss("龙")
    assert gloss("龍") == {}  # headwords are simplified
