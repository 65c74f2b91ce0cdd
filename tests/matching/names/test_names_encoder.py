from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from matching.names import encoder
from matching.names.encoder import (
    ENCODER_FILE,
    HUB_NEIGHBOURS,
    NAME_GRID,
    LatinCodes,
    PartSums,
    encode_beforehand,
    encoder_of,
    encoder_score,
    han_units,
    han_vector,
    hub_adjusted,
    latin_units,
    load_encoder,
    on_grid,
    paired_encoder_scores,
    unit_length,
)
from matching.names.learn_encoder import Settings, main, train
from matching.names.learn_lexicon import read_hk_register
from matching.names.resources import data_path
from matching.names.translation import ENCODER_SHARE, blend, model_share
from tests.conftest import REPO

HK = REPO / "data" / "hk_companies_registry"


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        (
            "BANFF TRADING LIMITED",
            {"w:banff", "g:<ba", "g:nff>", "w:trading", "f:<ba", "f:ff>"},
            {"w:limited", "f:<tr", "f:ng>", "f:<banf"},  # the first word's, 2-4 letters
        ),
        ("Chung Wah Auto Services Co., Ltd. (d1977-10-12)", {"w:chung", "g:<wa"}, {"w:ltd"}),
        ("LIMITED", {"w:limited"}, set()),  # a name is never emptied of its words
    ],
)
def test_latin_units(name: str, present: set[str], absent: set[str]) -> None:
    units = set(latin_units(name))
    assert present <= units and not absent & units


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        (
            "班富貿易有限公司",
            {"c:班", "c:贸", "b:班富", "r:baan", "r:ban", "s:baan", "s:ban", "e:fu"},
            {"c:公", "c:司", "s:fu", "e:ban", "e:mau"},  # the trade name's ends, not 貿易
        ),
        ("中华汽车服务有限公司", {"c:中", "b:汽车", "r:chung", "r:zhong"}, {"b:公司"}),
    ],
)
def test_han_units(name: str, present: set[str], absent: set[str]) -> None:
    units = set(han_units(name))
    assert present <= units and not absent & units


def test_traditional_and_simplified_names_get_one_vector() -> None:
    assert np.allclose(han_vector("中華汽車服務有限公司"), han_vector("中华汽车服务有限公司"))


def test_the_shipped_encoder_ranks_held_out_names() -> None:
    """SP_5 was never trained on: for 300 of its pairs, each Chinese name's own English name
    is among the encoder's best 10 of the 300 far more often than chance (10 in 300)."""
    pairs = random.Random(3).sample(list(read_hk_register(HK / "SP_5.csv")), 300)
    codes, hubs = LatinCodes().lookup([en for _, en in pairs])
    found = 0
    for row, (zh, _) in enumerate(pairs):
        scores = hub_adjusted(zh, codes, hubs)
        found += row in np.argsort(-scores)[:10]
    assert found / len(pairs) > 0.5


def test_hub_values_are_the_mean_of_the_nearest_references() -> None:
    references = np.eye(12, 4, dtype=np.float32)  # rows 0-3 are the axes, the rest zero
    shipped = load_encoder()
    small = encoder_of(
        {
            "han_units": np.array(["c:a"]),
            "han_vectors": np.ones((1, 4), dtype=np.float16),
            "latin_units": np.array(["w:a"]),
            "latin_vectors": np.ones((1, 4), dtype=np.float16),
            "reference_vectors": references.astype(np.float16),
        }
    )
    latin = np.array([[1.0, 0.0, 0.0, 0.0], [0.6, 0.8, 0.0, 0.0]], dtype=np.float32)
    # 10 nearest of 12: the axes' cosines and six zeros (the two lowest zeros left out)
    # (the names' vectors are rounded to NAME_GRID first: 0.6 and 0.8 are not on it)
    assert np.allclose(small.hub_values(latin), [1.0 / 10, 1.4 / 10], atol=1e-4)
    assert shipped.references.shape[1] == shipped.size


def test_a_names_hub_value_is_the_same_alone_and_among_many() -> None:
    # the re-ranking and one pair's explanation must give a name the same score to the bit
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((40_000, load_encoder().size)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    together = load_encoder().hub_values(vectors)
    for row in (0, 17, 16_384, 39_999):
        assert load_encoder().hub_values(vectors[row : row + 1])[0] == together[row]
    assert together.shape == (40_000,) and np.all(np.abs(together) <= 1)


def test_hub_values_on_the_grids_are_exact_and_near_the_unrounded_ones() -> None:
    encoder = load_encoder()
    rng = np.random.default_rng(11)
    vectors = rng.standard_normal((3_000, encoder.size)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    on_names = on_grid(vectors, NAME_GRID)
    # float32 sums on the grids equal the float64 ones: nothing was rounded away
    exact = on_names.astype(np.float64) @ encoder.references.T.astype(np.float64)
    assert np.array_equal((on_names @ encoder.references.T).astype(np.float64), exact)
    with np.load(data_path(ENCODER_FILE)) as stored:
        unrounded = stored["reference_vectors"].astype(np.float64)
    cosines = np.sort(vectors.astype(np.float64) @ unrounded.T, axis=1)[:, -HUB_NEIGHBOURS:]
    assert np.allclose(encoder.hub_values(vectors), cosines.mean(axis=1), atol=1e-3)


def test_latin_codes_equal_encoding_one_name_at_a_time_and_stay_bounded() -> None:
    names = ["CHUNG WAH AUTO SERVICES LIMITED", "BANFF TRADING LIMITED", "GOOD HARVEST LTD"]
    codes = LatinCodes(limit=2)
    vectors, hubs = codes.lookup(names[:2])
    assert len(codes.rows) == 2
    codes.lookup(names[2:])  # one more than the limit: the cache starts again
    assert list(codes.rows) == names[2:]
    again, _ = codes.lookup(names)  # a call's own names are always all there
    assert again.shape == (3, load_encoder().size)
    direct = load_encoder().encode(latin_units(names[1]), han=False)
    assert np.allclose(vectors[1], direct, atol=1e-3)  # kept as float16
    assert np.allclose(hubs, load_encoder().hub_values(vectors), atol=1e-3)


def test_names_summed_by_their_words_equal_their_units_summed() -> None:
    # a name's vector is built from its words' sums, kept once a word: it must be the vector of
    # the name's own units, the same to the bit alone or among others, and after a restart
    names = [
        "BANFF TRADING LIMITED",
        "TRADING BANFF LIMITED",
        "Good Harvest Enterprises Ltd",
        "GOOD HARVEST (HOLDINGS) LIMITED",
        "Chung Wah Auto Services Co., Ltd. (d1977-10-12)",
    ]
    direct = load_encoder().encode_many([latin_units(n) for n in names], han=False)
    together = unit_length(PartSums(limit=6).name_sums(names))  # a call's own parts all kept
    assert np.allclose(together, direct, atol=1e-6)
    assert not np.allclose(together[0], together[1], atol=1e-3)  # the opening word counts
    sums = PartSums(limit=6)
    sums.name_sums(names[:2])
    assert len(sums.rows) == 4
    sums.name_sums(names[2:])  # past its limit: the store starts again with these names' parts
    assert ("banff", True) not in sums.rows and ("good", True) in sums.rows
    for at, name in enumerate(names):
        assert np.array_equal(unit_length(PartSums(limit=6).name_sums([name]))[0], together[at])
        assert np.array_equal(unit_length(sums.name_sums([name]))[0], together[at])


def test_pairs_scored_in_bulk_score_as_each_pair_alone() -> None:
    # the calibration splits each pair's name score with these: they must be the same figures
    han = ["好收成企業有限公司", "长江实业有限公司", "好收成企業有限公司", "長江實業有限公司"]
    latin = ["GOOD HARVEST ENTERPRISES LIMITED", "CHEUNG KONG HOLDINGS LIMITED",
             "CHEUNG KONG HOLDINGS LIMITED", "GOOD HARVEST ENTERPRISES LIMITED"]  # fmt: skip
    bulk = paired_encoder_scores(han, latin)
    assert bulk.tolist() == [encoder_score(h, n) for h, n in zip(han, latin, strict=True)]
    assert bulk[0] > bulk[2] and bulk[1] > bulk[3]  # each name is scored against its own pair


def test_names_encoded_beforehand_score_as_each_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # training scores random pairs one by one, their Latin names encoded together first
    han = "好收成企業有限公司"
    latin = ["GOOD HARVEST ENTERPRISES LIMITED", "CHEUNG KONG HOLDINGS LIMITED",
             "BANFF TRADING LIMITED", "GOOD HARVEST (HOLDINGS) LIMITED"]  # fmt: skip
    monkeypatch.setattr(encoder, "LATIN_CODES", LatinCodes(limit=100))
    alone = [encoder_score(han, name) for name in latin[::-1]][::-1]
    monkeypatch.setattr(encoder, "LATIN_CODES", LatinCodes(limit=100))
    encode_beforehand(latin + latin[:2])
    assert list(encoder.LATIN_CODES.rows) == latin  # each once, all at once
    assert [encoder_score(han, name) for name in latin] == alone


def test_model_share_undoes_the_blend() -> None:
    model, encoder = np.array([0.0, 0.3, 0.9]), np.array([0.2, 0.5, 0.1])
    blended = np.array([blend(m, e) for m, e in zip(model, encoder, strict=True)])
    assert np.allclose(model_share(blended, encoder), model)


def test_blend_weighs_both_models_and_stays_in_range() -> None:
    assert blend(0.5, 0.5) == pytest.approx(0.5)
    assert blend(1.0, 0.0) == pytest.approx(1 - ENCODER_SHARE)
    assert blend(0.0, -1.0) == 0.0 and blend(1.0, 1.5) == 1.0


def test_encoder_prefers_the_translation() -> None:
    name = "好收成企業有限公司"
    assert encoder_score(name, "GOOD HARVEST ENTERPRISES LIMITED") > encoder_score(
        name, "GOLDEN DRAGON SHIPPING LIMITED"
    )


def test_learning_lowers_the_loss_and_repeats_itself(tmp_path: Path) -> None:
    pairs = list(read_hk_register(HK / "SP_2.csv"))[:1200]
    settings = Settings(dimensions=16, epochs=3, batch=128)
    first = train(pairs, settings)
    assert all(np.array_equal(first[k], v) for k, v in train(pairs, settings).items())
    trained = encoder_of(first)
    han = np.stack([trained.encode(han_units(zh), han=True) for zh, _ in pairs[:200]])
    latin = np.stack([trained.encode(latin_units(en), han=False) for _, en in pairs[:200]])
    own = (han * latin).sum(axis=1)
    others = (han @ latin.T).mean(axis=1)
    assert (own > others).mean() > 0.9  # its own translation beats the average other name


def test_learn_encoder_writes_a_loadable_file_with_provenance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = REPO / "tests" / "matching" / "names" / "fixtures" / "hk_register_sample.csv"
    out = tmp_path / encoder.ENCODER_FILE
    main(["--out", str(out), "--hk", str(sample), "--epochs", "1"])
    monkeypatch.setattr(encoder, "data_path", lambda name: tmp_path / name)
    provenance = encoder.encoder_provenance()
    assert provenance["pairs"] == len(list(read_hk_register(sample)))
    assert "hk_register_sample.csv" in str(provenance["learned_from"])
    with np.load(out) as stored:
        loaded = encoder_of({k: stored[k] for k in stored.files})
    assert loaded.references.shape[1] == Settings.dimensions


def test_a_han_names_latin_letters_and_digits_meet_the_same_latin_words() -> None:
    han = "TCL科技有限公司"
    assert encoder.literal_units(han)[0] == "w:tcl"
    assert "f:<tc" in encoder.literal_units(han)  # it opens the name, as an English name's would
    assert not [u for u in encoder.literal_units("世紀21物業有限公司") if u.startswith("f:")]
    right = encoder_score(han, "TCL TECHNOLOGY LIMITED")
    assert right > encoder_score(han, "TCM TECHNOLOGY LIMITED") + 0.1
    # one name alone and among others, as the dense search encodes its queries
    together = load_encoder().encode_han([han, "依利达针织厂有限公司"])
    assert np.allclose(together[0], han_vector(han), atol=1e-6)


def test_a_han_name_without_latin_letters_or_digits_is_encoded_from_its_own_units() -> None:
    name = "依利达针织厂有限公司"
    assert encoder.literal_units(name) == ()
    own = load_encoder().encode(han_units(name), han=True)
    assert np.array_equal(han_vector(name), own)
    assert np.array_equal(
        load_encoder().encode_han([name]), load_encoder().encode_many([han_units(name)], han=True)
    )
