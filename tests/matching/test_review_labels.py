"""Investigators' decisions as labels when the model is retrained: confirmed pairs train m
(Splink takes every label it is given for a match), and confirmed and rejected pairs together
check the retrained model (Splink's prediction errors against labels)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyarrow as pa
import pytest

from matching import splink_model
from matching.reviews import record_review, review_labels
from matching.run import DEFAULT_THRESHOLD, run_matching
from pipelines.debtors import import_debtors
from pipelines.records import import_records
from pipelines.shape import record_uid_sql
from pipelines.store import Store, connect
from tests.conftest import REPO

SAMPLE = REPO / "data" / "sample"
Pair = tuple[str, str, str]


@dataclass(frozen=True)
class Reviewed:
    store: Store
    rejected: list[Pair]  # the most certain scored pair and the least certain ones
    confirmed: list[Pair]  # enough for the labels to train the company-name levels too


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Reviewed:
    """The sample store matched, then its pairs reviewed."""
    store = connect(tmp_path_factory.mktemp("labels") / "labels.duckdb")
    import_debtors(store, SAMPLE / "debtors.csv")
    import_records(store, SAMPLE / "records" / "hk_companies_registry.csv", "hk_companies_registry")
    import_records(store, SAMPLE / "records" / "gleif.jsonl", "gleif")
    run_matching(store)
    scored = store.con.execute(
        "SELECT debtor_id, source, source_id FROM matches WHERE contributions IS NOT NULL"
        " ORDER BY match_probability DESC, debtor_id, source, source_id"
    ).fetchall()
    confirmed = scored[1 : 1 + splink_model.MIN_LABELS_FOR_COMPANY_NAMES]
    rejected = [scored[0], *scored[-9:]]
    with store.transaction() as con:
        for pair in rejected:
            record_review(con, *pair, "reject", "analyst", "a namesake")
        for pair in confirmed:
            record_review(con, *pair, "confirm", "analyst")
    return Reviewed(store, rejected, confirmed)


def uid(store: Store, pair: Pair) -> str:
    found = store.con.execute(f"SELECT {record_uid_sql('?', '?')}", [pair[1], pair[2]]).fetchall()
    return f"{pair[0]} {found[0][0]}"


def test_rejected_pairs_are_labels_with_score_zero(reviewed: Reviewed) -> None:
    labels = review_labels(reviewed.store.con)
    assert labels is not None
    scores = {
        f"{row['unique_id_l']} {row['unique_id_r']}": row["clerical_match_score"]
        for row in labels.to_pylist()
    }
    assert scores == {
        **{uid(reviewed.store, pair): 0.0 for pair in reviewed.rejected},
        **{uid(reviewed.store, pair): 1.0 for pair in reviewed.confirmed},
    }


def test_a_rejected_pair_never_trains_m_as_a_match(reviewed: Reviewed) -> None:
    labels = review_labels(reviewed.store.con)
    assert labels is not None
    confirmed_only = labels.filter([s == 1.0 for s in labels["clerical_match_score"].to_pylist()])
    with_rejected, without = (
        _m_trained_on(reviewed.store, given) for given in (labels, confirmed_only)
    )
    assert with_rejected == without
    # the labels do move m: trained on the rejected pairs as if they matched, it differs
    rejected_as_matches = labels.filter(
        [s == 0.0 for s in labels["clerical_match_score"].to_pylist()]
    )
    rejected_as_matches = rejected_as_matches.set_column(
        4, labels.schema.field(4), pa.array([1.0] * rejected_as_matches.num_rows, pa.float64())
    )
    assert (
        _m_trained_on(reviewed.store, pa.concat_tables([confirmed_only, rejected_as_matches]))
        != without
    )


def test_retraining_checks_the_model_against_rejected_and_confirmed_pairs(
    reviewed: Reviewed,
) -> None:
    store = reviewed.store
    summary = run_matching(store, retrain=True)
    check = summary.review_check
    assert check is not None and check["threshold"] == DEFAULT_THRESHOLD
    assert (check["confirmed"], check["rejected"]) == (len(reviewed.confirmed), 10)
    # the most certain pair, rejected, is one the retrained model would still link: the check
    # names it; the least certain ones it would not
    assert check["rejected_linked"] == [uid(store, reviewed.rejected[0])]
    assert set(check["confirmed_missed"]) <= {uid(store, pair) for pair in reviewed.confirmed}
    stored = store.con.execute(
        "SELECT training FROM models WHERE version = ?", [summary.model_version]
    ).fetchall()
    assert json.loads(stored[0][0])["review_check"] == check
    assert store.con.execute(  # whatever the model says, the rejected pair stays out
        "SELECT count(*) FROM matches WHERE debtor_id = ? AND source = ? AND source_id = ?",
        list(reviewed.rejected[0]),
    ).fetchall() == [(0,)]


def _m_trained_on(store: Store, labels: pa.Table) -> list[tuple[str, float | None]]:
    debtors, records = splink_model.feature_tables(store.con)
    con = splink_model.splink_connection(debtors, records)
    try:
        return _m_probabilities(splink_model.train(con, labels, DEFAULT_THRESHOLD).model)
    finally:
        con.close()


def _m_probabilities(model: dict[str, object]) -> list[tuple[str, float | None]]:
    comparisons = model["comparisons"]
    assert isinstance(comparisons, list)
    return [
        (f"{c['output_column_name']}:{level.get('label_for_charts')}", level.get("m_probability"))
        for c in comparisons
        for level in c["comparison_levels"]
    ]
