"""Name scores worked out debtor by debtor before the model runs are the model's own scores."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from matching import pair_scores
from matching.candidates import CANDIDATES, build_candidates
from matching.features import refresh_features
from matching.models_store import latest_model, save_model
from matching.name_features import names_score
from matching.pair_scores import _scores, candidate_name_scores, group_name_scores
from matching.settings import NAME_SCORE, NAME_SCORE_BEFORE_KEYS
from matching.splink_model import TrainedModel
from matching.sql_functions import (
    KeyedScores,
    names_key_sql,
    oad_pair_name_score,
    primed_name_scores,
)
from pipelines.store import Store


@pytest.fixture(scope="module")
def with_candidates(evaluation_store: Store) -> Store:
    refresh_features(evaluation_store)
    build_candidates(evaluation_store.con)
    return evaluation_store


def _candidate_pairs(store: Store) -> list[tuple[str, list[str], list[str], int, int]]:
    """kind, debtor names, record names and both names keys of every candidate pair."""
    return store.con.execute(
        f"SELECT d.kind, d.names, r.names, {names_key_sql('d')}, {names_key_sql('r')}"
        f" FROM {CANDIDATES} c JOIN features d ON d.side = 'debtor' AND d.entity_id = c.debtor_id"
        " JOIN features r ON r.side = 'record' AND r.source = c.source"
        " AND r.entity_id = c.source_id ORDER BY ALL"
    ).fetchall()


def test_debtor_by_debtor_scores_equal_the_pairwise_ones(with_candidates: Store) -> None:
    scores = _scores(with_candidates.con, CANDIDATES)
    pairs = _candidate_pairs(with_candidates)
    assert len(scores.scores) == len(pairs) > 5_000
    assert {kind for kind, *_ in pairs} == {"company", "person"}
    kept, found = scores.find(np.array([p[3] for p in pairs]), np.array([p[4] for p in pairs]))
    assert found.all()
    for (kind, left, right, _, _), score in list(zip(pairs, kept, strict=True))[::7]:
        assert score == pytest.approx(names_score(kind, left, right).score, abs=1e-9)


def test_worker_processes_give_the_same_scores(
    with_candidates: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _scores(with_candidates.con, CANDIDATES)
    monkeypatch.setenv("OAD_WORKERS", "2")
    monkeypatch.setattr(pair_scores, "BATCH", 50)  # the set's debtors in dozens of batches
    monkeypatch.setattr(pair_scores, "PARALLEL_FROM", 1)
    spread = _scores(with_candidates.con, CANDIDATES)
    persons = [p for p in _candidate_pairs(with_candidates) if p[0] == "person"]
    assert len(persons) >= 50
    for field in ("mixed", "left_keys", "right_keys", "scores"):
        assert np.array_equal(getattr(spread, field), getattr(alone, field))


def _arguments(kind: str, left: list[str], right: list[str], keys: list[int]) -> list[pa.Array]:
    """The keyed function's arguments for one pair."""
    left_key, right_key = pa.array(keys[:1], pa.int64()), pa.array(keys[1:], pa.int64())
    return [pa.array([kind]), left_key, right_key, pa.array([left]), pa.array([right])]


def test_model_function_answers_from_the_prepared_scores_while_open(
    with_candidates: Store,
) -> None:
    with candidate_name_scores(with_candidates.con, CANDIDATES) as count:
        assert count > 5_000
    debtor, record = ["中华汽车服务有限公司"], ["CHUNG WAH AUTO SERVICES LIMITED"]
    arguments = _arguments("company", debtor, record, [11, 22])
    worked_out = oad_pair_name_score(*arguments).to_pylist()[0]
    primed = KeyedScores.of(np.array([11, 5]), np.array([22, 22]), np.array([0.123, 0.5]))
    with primed_name_scores(primed):
        assert oad_pair_name_score(*arguments).to_pylist() == [0.123]
        # another pair's keys, or a side without names, are not answered from the primed scores
        other = oad_pair_name_score(*_arguments("company", debtor, record, [11, 23]))
        assert other.to_pylist() == [worked_out]
        assert oad_pair_name_score(*_arguments("company", [], record, [11, 22])).to_pylist() == [0]
    assert oad_pair_name_score(*arguments).to_pylist() == [worked_out] and worked_out > 0.5


def test_keyed_scores_find_every_pair_they_hold_and_none_they_do_not() -> None:
    generator = np.random.default_rng(7)
    lefts = generator.integers(-(2**62), 2**62, 5_000)
    rights = np.concatenate([generator.integers(-(2**62), 2**62, 4_990), lefts[:10]])
    held = KeyedScores.of(lefts, rights, np.arange(5_000) / 5_000)
    scores, found = held.find(lefts[::-1], rights[::-1])
    assert found.all() and np.array_equal(scores, (np.arange(5_000) / 5_000)[::-1])
    _, found = held.find(rights, lefts)  # each pair the other way round
    assert not found.any()


def test_a_model_saved_before_the_names_keys_scores_names_by_the_keyed_function(
    with_candidates: Store,
) -> None:
    saved = {"comparisons": [{"sql_condition": f"{NAME_SCORE_BEFORE_KEYS} >= 0.9"}]}
    save_model(with_candidates.con, TrainedModel("old-1", saved, {}))
    model = latest_model(with_candidates.con, "old-1")
    assert model is not None
    assert model.model["comparisons"][0]["sql_condition"] == f"{NAME_SCORE} >= 0.9"
    with_candidates.con.execute("DELETE FROM models WHERE version = 'old-1'")


def test_re_ranked_company_pairs_bring_their_score_along(with_candidates: Store) -> None:
    """The re-ranking's value of a company pair is its name score; the test above checks the
    scores taken from it against the pairwise ones."""
    counts = with_candidates.con.execute(
        f"SELECT d.kind, count(c.ranked_score) FROM {CANDIDATES} c"
        " JOIN debtors d USING (debtor_id) GROUP BY d.kind"
    ).fetchall()
    carried = dict(counts)
    assert carried["company"] > 5_000 and carried.get("person", 0) == 0


def test_a_debtors_group_keeps_the_re_ranking_scores_and_works_out_the_rest() -> None:
    """The Spark engine's grouped scores: a company whose candidates were all re-ranked keeps
    the re-ranking's figures; one with any left out is scored by the model itself; persons by
    names_score; a side without names scores 0."""
    company = ["中华汽车服务有限公司"]
    rights = [["CHUNG WAH AUTO SERVICES LIMITED"], None, ["GOLDEN DRAGON LIMITED"]]
    kept = group_name_scores("company", company, rights, [0.5, None, 0.25])
    assert kept[1] == 0.0
    worked_out = group_name_scores("company", company, rights, [0.5, None, None])
    assert kept == [0.5, 0.0, 0.25] != worked_out
    assert worked_out[0] == pytest.approx(names_score("company", company, rights[0]).score)
    person = group_name_scores("person", ["王伟"], [["WANG Wei"], []], [None, None])
    assert person == [names_score("person", ["王伟"], ["WANG Wei"]).score, 0.0] and person[0] > 0.5
    assert group_name_scores("company", None, rights, [0.5, None, 0.25]) == [0.0] * 3
