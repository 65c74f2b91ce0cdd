"""Name scores worked out debtor by debtor before the model runs are the model's own scores."""

from __future__ import annotations

import pyarrow as pa
import pytest

from matching import pair_scores
from matching.candidates import CANDIDATES, build_candidates
from matching.features import refresh_features
from matching.name_features import names_score
from matching.pair_scores import _scores, candidate_name_scores, group_name_scores
from matching.sql_functions import oad_name_score, primed_name_scores
from pipelines.store import Store


@pytest.fixture(scope="module")
def with_candidates(evaluation_store: Store) -> Store:
    refresh_features(evaluation_store)
    build_candidates(evaluation_store.con)
    return evaluation_store


def test_debtor_by_debtor_scores_equal_the_pairwise_ones(with_candidates: Store) -> None:
    scores = _scores(with_candidates.con, CANDIDATES)
    kinds = {kind for kind, _, _ in scores}
    assert len(scores) > 5_000 and kinds == {"company", "person"}
    for (kind, left, right), score in list(scores.items())[::7]:
        assert score == pytest.approx(names_score(kind, list(left), list(right)).score, abs=1e-9)


def test_worker_processes_give_the_same_scores(
    with_candidates: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _scores(with_candidates.con, CANDIDATES)
    monkeypatch.setenv("OAD_WORKERS", "2")
    monkeypatch.setattr(pair_scores, "BATCH", 50)  # the set's debtors in dozens of batches
    monkeypatch.setattr(pair_scores, "PARALLEL_FROM", 1)
    spread = _scores(with_candidates.con, CANDIDATES)
    persons = [key for key in spread if key[0] == "person"]
    assert len(persons) >= 50 and spread == alone


def test_model_function_answers_from_the_prepared_scores_while_open(
    with_candidates: Store,
) -> None:
    with candidate_name_scores(with_candidates.con, CANDIDATES) as count:
        assert count > 5_000
    key = ("company", ("中华汽车服务有限公司",), ("CHUNG WAH AUTO SERVICES LIMITED",))
    arguments = (pa.array([key[0]]), pa.array([list(key[1])]), pa.array([list(key[2])]))
    worked_out = oad_name_score(*arguments).to_pylist()[0]
    with primed_name_scores({key: 0.123}):
        assert oad_name_score(*arguments).to_pylist() == [0.123]
    assert oad_name_score(*arguments).to_pylist() == [worked_out] and worked_out > 0.5


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
