from pathlib import Path

import pytest

from matching.names.learn_lexicon import main, read_gleif, read_hk_register, word_pieces
from matching.names.lexicon import singular, split_compound, with_fragments

FIXTURES = Path(__file__).parent / "fixtures"


def test_read_hk_register_pairs_only_bilingual_rows() -> None:
    pairs = list(read_hk_register(FIXTURES / "hk_register_sample.csv"))
    assert pairs[0] == ("晴田電子有限公司", "SUNNYFIELD ELECTRONICS LIMITED")
    assert len(pairs) == 3


def test_read_gleif_pairs_han_with_latin_names() -> None:
    pairs = list(read_gleif(FIXTURES / "gleif_golden_copy_sample.csv"))
    assert ("龙腾电子有限公司", "DRAGONRISE ELECTRONICS LIMITED") in pairs
    assert ("龙腾电子有限公司", "LONGTENG DIANZI YOUXIAN GONGSI") in pairs
    assert all(zh != "Harbour Lights Limited" for zh, _ in pairs)


def _learned(path: Path) -> dict[tuple[str, str], float]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return {(r[0], r[1]): float(r[4]) for r in rows if len(r) == 5 and r[0] != "chinese"}


def test_learns_associations_with_provenance(tmp_path: Path) -> None:
    out = tmp_path / "lexicon.tsv"
    main(
        ["--out", str(out), "--hk", str(FIXTURES / "hk_register_sample.csv"),
         "--gleif", str(FIXTURES / "gleif_golden_copy_sample.csv")]
    )  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "hk_register_sample.csv" in text and "Date:" in text
    learned = _learned(out)
    assert learned[("晴", "sunnyfield")] > learned.get(("晴", "electronics"), 0.0)
    assert learned[("电子", "electronics")] > 0.15
    assert learned[("龙", "drag~")] > 0.3  # first letters: how transliterated brands are learned
    assert not any(word == "youxian" for _, word in learned)  # a pinyin legal form
    assert (tmp_path / "english_word_frequencies.tsv").exists()
    pieces = (tmp_path / "english_word_pieces.tsv").read_text(encoding="utf-8")
    assert "\nlung\t3\n" in pieces and pieces.startswith("# ")  # 龙 in Cantonese


PIECES = {"charm": 40, "luck": 12, "lee": 30, "wall": 5, "le": 3, "ewall": 3, "asia": 90, "rare": 2}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("charmluck", ("charm", "luck")),
        ("leewall", ("lee", "wall")),  # fewest pieces, then the commonest: not le + ewall
        ("charm", ()),  # a common word stays whole
        ("asiarare", ()),  # a piece seen too rarely is no piece
        ("xyzzy", ()),
        ("luckcharmlee", ("luck", "charm", "lee")),
        ("charmluckleewall", ()),  # more than three pieces is not a compound name
        ("b2b", ()),
    ],
)
def test_split_compound(word: str, expected: tuple[str, ...]) -> None:
    assert split_compound(word, PIECES) == expected


PLURAL_PIECES = {"society": 5, "house": 3, "box": 4, "dog": 2, "kings": 7, "king": 9}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("societies", ("society",)),
        ("houses", ("house",)),  # -es: the shorter form is no piece, the -s one is
        ("boxes", ("box",)),
        ("dogs", ()),  # a singular seen too rarely is no piece
        ("kings", ()),  # a common plural stays whole
        ("bus", ()),
        ("charm", ()),
    ],
)
def test_singular(word: str, expected: tuple[str, ...]) -> None:
    assert singular(word, PLURAL_PIECES) == expected


def test_english_units_have_pieces_and_both_ends() -> None:
    units = with_fragments(("charmluck", "ltd"), PIECES)
    # words, pieces, first letters by length, last letters by length; both ends only of words
    # longer than the fragment ("~td" is not there)
    assert units == ("charmluck", "ltd", "charm", "luck", "ch~", "lt~", "cha~", "char~",
                     "~ck", "~uck", "~luck")  # fmt: skip
    assert with_fragments(("gold", "gold", "golds"), PIECES)[:2] == ("gold", "golds")


def test_word_pieces_are_corpus_words_and_syllables() -> None:
    pairs = [("宝生有限公司", "BELSON LIMITED"), ("金利有限公司", "GOLD LEE CO LIMITED")] * 3
    pieces = word_pieces(pairs)
    assert pieces["gold"] == 3 and pieces["limited"] == 6
    assert {"sang", "saang", "bo", "po", "bao"} <= set(pieces)  # readings of 宝生
    assert "belson" in pieces and "co" in pieces
