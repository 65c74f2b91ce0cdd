from pathlib import Path

from matching.names.learn_lexicon import main, read_gleif, read_hk_register

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
