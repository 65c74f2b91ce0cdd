"""The Spark engine (local mode) against DuckDB on the evaluation set: the same features, the
same candidate pairs and the same probabilities, with one trained model scoring on both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import matching.dense_candidates as dense_module
from matching import spark_dense, spark_key_pairs
from matching.candidates import build_candidates
from matching.engine import Engine, engine_from
from matching.run import run_matching
from matching.spark_session import spark_session
from pipelines.store import Store
from tests.matching.conftest import nearest_records, store_copy

FEATURES = (
    "SELECT side, source, entity_id, content_hash, kind, names, name_keys, block_keys,"
    " block_weights, birth_year, birth_month, nationality, residence, jurisdiction, city,"
    " incorporation_year, identifiers, related_names FROM features ORDER BY side, source, entity_id"
)
MATCHES = (
    "SELECT debtor_id, source, source_id, match_probability, match_weight, name_score,"
    " contributions FROM matches"
)


@pytest.fixture(scope="module")
def both(
    imported_evaluation: Path, matched: Store, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Store, Store]:
    """The set matched on DuckDB, and matched again from its import on Spark with that model."""
    on_spark = store_copy(imported_evaluation, tmp_path_factory)
    model = matched.con.execute("SELECT * FROM models").fetchall()
    on_spark.con.executemany("INSERT INTO models VALUES (?, ?, ?, ?)", model)
    summary = run_matching(on_spark, engine=Engine("spark", "local[2]"))
    assert summary.engine == "spark" and not summary.trained  # the DuckDB run's model
    return matched, on_spark


@pytest.mark.slow
def test_spark_computes_the_same_features(both: tuple[Store, Store]) -> None:
    on_duckdb, on_spark = both
    rows = on_duckdb.con.execute(FEATURES).fetchall()
    assert len(rows) == 11_011  # 470 debtors and every record
    assert on_spark.con.execute(FEATURES).fetchall() == rows


@pytest.mark.slow
def test_spark_scores_the_same_pairs_alike(both: tuple[Store, Store]) -> None:
    on_duckdb, on_spark = both
    expected = {tuple(r[:3]): r[3:] for r in on_duckdb.con.execute(MATCHES).fetchall()}
    found = {tuple(r[:3]): r[3:] for r in on_spark.con.execute(MATCHES).fetchall()}
    assert len(expected) > 5_000 and found.keys() == expected.keys()
    for pair, (probability, weight, name_score, steps) in expected.items():
        spark_probability, spark_weight, spark_name_score, spark_steps = found[pair]
        assert spark_probability == pytest.approx(probability, abs=1e-6), pair
        assert spark_weight == pytest.approx(weight, abs=1e-6), pair
        assert spark_name_score == pytest.approx(name_score, abs=1e-6), pair
        assert json.loads(spark_steps).keys() == json.loads(steps).keys()
    links = "SELECT count(*) FROM matches WHERE match_probability >= 0.9"
    assert on_spark.con.execute(links).fetchall() == on_duckdb.con.execute(links).fetchall()


@pytest.mark.slow
def test_hot_keys_salted_on_spark_give_the_same_candidates(
    both: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With buckets of at most 50 pairs, nearly every key is spread over several: the pairs
    and their key scores stay those of the DuckDB join."""
    on_duckdb, _ = both
    con = on_duckdb.con
    pairs = "SELECT debtor_id, source, source_id, ranked_score FROM candidate_pairs ORDER BY ALL"
    build_candidates(con)
    expected = con.execute(pairs).fetchall()
    monkeypatch.setattr(spark_key_pairs, "SKEW_PAIRS", 50)
    build_candidates(con, engine=Engine("spark", "local[2]"))
    salted = spark_session("local[2]").sql("SELECT max(salts) FROM oad_salts").collect()
    assert salted[0][0] == spark_key_pairs.MAX_SALTS
    found = con.execute(pairs).fetchall()
    assert [row[:3] for row in found] == [row[:3] for row in expected]
    for (*_, ranked), (*_, wanted) in zip(found, expected, strict=True):
        assert (ranked is None) == (wanted is None)
        assert wanted is None or ranked == pytest.approx(wanted, abs=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("clustered", [False, True])
def test_the_encoders_search_on_spark_finds_the_same_records(
    both: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch, clustered: bool
) -> None:
    """Names encoded and queries searched on the executors, the index built by the driver
    from what they send: the same records at the same scores as in the store's process,
    whether the index is exact or clustered."""
    on_duckdb, _ = both
    if clustered:
        monkeypatch.setattr(dense_module, "EXACT_UP_TO", 100)
        monkeypatch.setattr(dense_module, "MIN_LISTS", 16)
        monkeypatch.setattr(dense_module, "TRAINING_SAMPLE", 2_000)
    # several chunks, and several jobs of them, as at scale
    monkeypatch.setattr(dense_module, "CHUNK", 3_000)
    monkeypatch.setattr(spark_dense, "NAMES_A_JOB", 4_000)
    expected = nearest_records(on_duckdb, 20, Engine("duckdb", "local[2]"))
    assert len(expected) > 5_000
    found = nearest_records(on_duckdb, 20, Engine("spark", "local[2]"))
    assert found.keys() == expected.keys()
    for pair, similarity in expected.items():
        assert found[pair] == pytest.approx(similarity, abs=1e-6), pair


def test_the_engine_is_chosen_by_name_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAD_ENGINE", raising=False)
    monkeypatch.delenv("OAD_SPARK_MASTER", raising=False)
    assert engine_from() == Engine("duckdb", "local[2]")
    monkeypatch.setenv("OAD_ENGINE", "spark")
    monkeypatch.setenv("OAD_SPARK_MASTER", "spark://10.0.0.5:7077")
    assert engine_from() == Engine("spark", "spark://10.0.0.5:7077")
    assert engine_from("duckdb").name == "duckdb"
    with pytest.raises(ValueError, match="unknown matching engine 'flink'"):
        engine_from("flink")
