from __future__ import annotations

import numpy as np
import pytest

from matching.names import company_similarity, translation_vectorised
from matching.names.encoder import latin_codes
from matching.names.lexicon import english_units, unit_words_once, with_fragments
from matching.names.script import has_han, is_han
from matching.names.translation import translation_score
from matching.names.translation_vectorised import LatinNames, LatinTable, translation_scores

CANDIDATES = [
    ["E. LEI KNITTING FACTORY LIMITED"],
    ["TAT CHEONG KNITTING FACTORY LIMITED", "達昌針織廠有限公司"],
    ["AUSLINK DEVELOPMENT LIMITED"],
    ["CHUNG WAH AUTO SERVICES LIMITED", "CHUNG WAH MOTORS"],
    [],
    ["LIMITED"],
]


@pytest.mark.parametrize(
    "debtor",
    ["依利达针织厂有限公司", "中华汽车服务有限公司", "澳興發展有限公司", "E.LEI針織廠有限公司"],
)
def test_batch_scores_equal_the_pairwise_translation_score(debtor: str) -> None:
    batch = translation_scores(["ignored LATIN ALIAS", debtor], CANDIDATES)
    for names, got in zip(CANDIDATES, batch, strict=True):
        expected = max(
            (
                company_similarity(debtor, n).score if has_han(n) else translation_score(debtor, n)
                for n in names
            ),
            default=0.0,
        )
        assert got == pytest.approx(expected, abs=1e-9), names


def test_true_english_name_ranks_first_for_its_chinese_name() -> None:
    latin = [[n for n in names if not has_han(n)] for names in CANDIDATES]
    batch = translation_scores(["依利达针织厂有限公司"], latin)
    assert max(range(len(batch)), key=batch.__getitem__) == 0
    assert translation_scores(["CHUNG WAH AUTO"], CANDIDATES) == [0.0] * len(CANDIDATES)


def test_han_detection_agrees_with_the_names_module() -> None:
    samples = "a中國（香港）ﾃ㐀龥豈𠀀ABC-,.한あア"
    for char in samples:
        assert has_han(char) == is_han(char), char
    assert not has_han("PETER CHAN") and has_han("PETER 陳")


REGISTER = [
    "E. LEI KNITTING FACTORY LIMITED",
    "GOOD HARVEST ENTERPRISES LIMITED",
    "",
    "LIMITED",
    "ELEGANT STAR TRADING LIMITED",
    "GOLDEN DRAGON SHIPPING LIMITED",
]


@pytest.mark.parametrize(
    "han",
    [
        "依利达针织厂有限公司",
        "好收成企業有限公司",
        "雅星贸易有限公司",
        "ABC",
        "ELEGANT 21贸易有限公司",
    ],
)
def test_latin_names_score_every_name_as_the_pairwise_score_does(han: str) -> None:
    scores = LatinNames(REGISTER).scores(han)
    for name, got in zip(REGISTER, scores, strict=True):
        assert got == pytest.approx(translation_score(han, name), abs=1e-9), name


@pytest.mark.parametrize(
    ("han", "first"),
    [("依利达针织厂有限公司", 0), ("好收成企业有限公司", 1), ("雅星贸易有限公司", 4)],
)
def test_latin_names_best_puts_the_translation_first(han: str, first: int) -> None:
    best = LatinNames(REGISTER).best(han, 3)
    assert len(best) == 3 and best[0] == first
    assert 2 not in LatinNames(REGISTER).best(han, 5)  # a name without words comes last
    assert len(LatinNames([]).best(han, 3)) == 0


def test_a_table_given_the_vectors_scores_as_one_that_works_them_out() -> None:
    given = LatinTable()
    vectors, hubs = latin_codes(REGISTER)
    given.add([*REGISTER, REGISTER[0]], np.vstack([vectors, vectors[:1]]), np.append(hubs, 0.0))
    assert len(given.rows) == len(REGISTER)  # a name met twice is numbered once
    han = "依利达针织厂有限公司"
    expected = LatinNames(REGISTER, LatinTable()).scores(han)
    assert np.array_equal(LatinNames(REGISTER, given).scores(han), expected)
    again = LatinNames(REGISTER[::-1], given).scores(han)
    assert np.array_equal(again, expected[::-1])


def test_a_table_keeps_each_names_units_and_starts_again_past_its_limit() -> None:
    table = LatinTable(limit=3)
    rows = table.rows_of(REGISTER[:3])
    units, counts = table.units(rows)
    assert counts.tolist() == [len(english_units(name)) for name in REGISTER[:3]]
    assert len(units) == counts.sum()
    table.rows_of(REGISTER[3:5])  # two more than the limit: the table starts again
    assert list(table.rows) == REGISTER[3:5]
    rows = table.rows_of(REGISTER)  # a call's own names are always all there
    assert len(table.rows) == len(REGISTER) and table.units(rows)[1][2] == 0


def test_names_units_from_their_words_ids_are_those_numbered_name_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name's unit ids put together from its words' kept ids equal the ids of its own units
    listed in order, and units are numbered in the same order, whether its words were met
    before or not, and after the word store starts again."""
    names = [*REGISTER, "CHARMLUCK GOLDEN DRAGON TRADING LIMITED", "GOLDEN DRAGON LIMITED",
             "DRAGON GOLDEN CHARMLUCK CO", "LUCKY CHARM (HK) LIMITED",
             "GOLDEN DRAGON LIMITED"]  # fmt: skip
    by_name = translation_vectorised.UnitIds()
    expected = [by_name.ids_of(with_fragments(unit_words_once(name))) for name in names]
    for limit in (1 << 18, 4):
        monkeypatch.setattr(translation_vectorised, "_IDS", translation_vectorised.UnitIds())
        by_words = translation_vectorised.NameUnitIds(limit)
        found = [by_words.of_name(name) for name in names * 2]
        assert translation_vectorised._IDS.units == by_name.units
        for ids, wanted in zip(found, expected * 2, strict=True):
            assert ids.dtype == wanted.dtype and ids.tolist() == wanted.tolist()
