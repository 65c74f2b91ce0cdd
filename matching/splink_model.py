"""Training, saving, loading and applying the Splink model, on an in-memory DuckDB of its own.

Splink leaves many working tables behind; keeping it on its own connection keeps them out of the
store. Features and candidate pairs go in as Arrow tables; scored pairs come back the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker
from splink.internals.database_api import DatabaseAPI
from splink.internals.splink_dataframe import SplinkDataFrame

from matching.model_levels import scored_levels
from matching.settings import NAME_SCORE, UNIQUE_ID, settings
from matching.sql_functions import names_key_sql, register_functions
from pipelines.progress import QUIET, Progress
from pipelines.shape import record_uid_sql
from pipelines.store import insert_arrow

FEATURE_COLUMNS = (
    f"kind, names, {names_key_sql()} AS names_key, block_keys, birth_year, birth_month,"
    " nationality, residence, jurisdiction, city, related_names,"
    " CASE WHEN kind = 'person' THEN block_keys[1] END AS training_key"
)
# Roughly one debtor in three is expected to hold something abroad; the prior of a random pair.
EXPECTED_MATCHED_SHARE = 0.3
PREDICT_CHUNK = 200_000  # pairs scored at a time
# Fewer reviewed pairs than this say less about company names than the learned levels do.
MIN_LABELS_FOR_COMPANY_NAMES = 30
SCORE_COMPARISONS = ("person_name", "company_name")  # levels of one similarity score


@dataclass(frozen=True)
class TrainedModel:
    version: str
    model: dict[str, Any]  # Splink's model JSON
    training: dict[str, Any]


def splink_connection(debtors: pa.Table, records: pa.Table) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    register_functions(con)
    insert_arrow(con, "debtors_in", debtors, "CREATE TABLE debtor_side AS FROM debtors_in")
    insert_arrow(con, "records_in", records, "CREATE TABLE record_side AS FROM records_in")
    return con


def feature_tables(store_con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table]:
    debtors = store_con.sql(
        f"SELECT entity_id AS {UNIQUE_ID}, {FEATURE_COLUMNS} FROM features WHERE side = 'debtor'"
    ).to_arrow_table()
    records = store_con.sql(
        f"SELECT {record_uid_sql('source', 'entity_id')} AS {UNIQUE_ID}, {FEATURE_COLUMNS}"
        " FROM features WHERE side = 'record'"
    ).to_arrow_table()
    return debtors, records


def _linker(con: duckdb.DuckDBPyConnection, model: Any) -> Linker:
    return linker_on(DuckDBAPI(connection=con), model)


def linker_on(api: DatabaseAPI[Any], model: Any) -> Linker:
    """A linker over the tables debtor_side and record_side that API's database holds."""
    left = api.register("debtor_side", dataset_display_name="debtors")
    right = api.register("record_side", dataset_display_name="records")
    # ERROR: "level not observed, unable to train m" is expected for levels no pair reaches
    return Linker([left, right], model, log_level=logging.ERROR)


def train(
    con: duckdb.DuckDBPyConnection,
    labels: pa.Table | None,
    threshold: float,
    seed: int = 1,
) -> TrainedModel:
    """u from random pairs, m by EM over name blocks, then from confirmed pairs if any; the
    trained model is then checked against every reviewed pair (confirmed and rejected) at
    THRESHOLD. LABELS: Splink's pairwise labels, clerical_match_score 1 or 0."""
    n_debtors = con.execute("SELECT count(*) FROM debtor_side").fetchall()[0][0]
    n_records = con.execute("SELECT count(*) FROM record_side").fetchall()[0][0]
    prior = _prior(int(n_debtors), int(n_records))
    linker = _linker(con, settings(prior))
    linker.training.estimate_u_using_random_sampling(max_pairs=1e5, seed=seed, num_chunks=1)
    agreement = person_name_agreement(con)
    if agreement:
        model = with_top_person_u(linker.misc.save_model_to_json(), agreement)
        linker = _linker(con, model)
    # EM learns the person-name and birth levels (the others are held), over person pairs that
    # share their strongest name key: few enough to fit, and rich in true pairs. Companies would
    # add pairs by the billion on common words and teach EM nothing.
    em_pairs = con.execute(
        "SELECT count(*) FROM debtor_side l JOIN record_side r USING (training_key)"
    ).fetchall()[0][0]
    if em_pairs:
        linker.training.estimate_parameters_using_expectation_maximisation(
            "l.training_key = r.training_key",
            fix_u_probabilities=True,
            fix_probability_two_random_records_match=True,
        )
    confirmed = _confirmed(labels)
    if confirmed is not None:
        linker = _learn_from_labels(con, linker, confirmed)
    model = monotone_score_levels(linker.misc.save_model_to_json())
    training = {
        "debtors": int(n_debtors),
        "records": int(n_records),
        "prior": prior,
        "em_pairs": int(em_pairs),
        "person_name_agreement": agreement,  # the top person-name level's u, as counted
        "labelled_pairs": confirmed.num_rows if confirmed is not None else 0,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if labels is not None and labels.num_rows:
        training["review_check"] = check_on_reviews(con, model, labels, threshold)
    return TrainedModel(_version(model), model, training)


def person_name_agreement(con: duckdb.DuckDBPyConnection) -> float | None:
    """How often a random pair of a person debtor and a record (a person's name is compared
    with every record's) agree on a full name: the records whose strongest full-name key is
    one of the debtor's, summed over the debtors, over all such pairs. Counted over the whole
    data, as 100,000 random pairs hold too few agreements to measure it (one in hundreds of
    thousands and rarer); None where no pair agrees."""
    shared, debtors, records = con.execute(
        """
        WITH record_names AS (
            SELECT training_key AS name_key, count(*) AS records FROM record_side
            WHERE training_key LIKE 'p:%' GROUP BY ALL),
        debtor_names AS (
            SELECT DISTINCT unique_id, name_key FROM (
                SELECT unique_id, unnest(block_keys) AS name_key FROM debtor_side
                WHERE kind = 'person' AND names IS NOT NULL)
            WHERE name_key LIKE 'p:%')
        SELECT (SELECT sum(records) FROM debtor_names JOIN record_names USING (name_key)),
               (SELECT count(*) FROM debtor_side WHERE kind = 'person' AND names IS NOT NULL),
               (SELECT count(*) FROM record_side WHERE names IS NOT NULL)
        """
    ).fetchall()[0]
    if not shared or not debtors or not records:
        return None
    return float(shared) / (int(debtors) * int(records))


def with_top_person_u(model: dict[str, Any], u: float) -> dict[str, Any]:
    """MODEL with U as the u probability of its closest person-name level."""
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] == "person_name":
            scored_levels(comparison)[0]["u_probability"] = u
    return model


def _confirmed(labels: pa.Table | None) -> pa.Table | None:
    """The labels of confirmed pairs only: Splink's m estimation takes every row it is given
    for a match (it does not read clerical_match_score), so a rejected pair must not reach it."""
    if labels is None:
        return None
    confirmed = labels.filter(pc.equal(labels["clerical_match_score"], 1.0))
    return confirmed if confirmed.num_rows else None


def check_on_reviews(
    con: duckdb.DuckDBPyConnection, model: dict[str, Any], labels: pa.Table, threshold: float
) -> dict[str, Any]:
    """How MODEL decides the reviewed pairs at THRESHOLD, by Splink's prediction errors against
    the labels: rejected pairs it would link (false positives), confirmed ones it would miss
    (false negatives). A rejected pair stays out of the matches whatever the model says
    (matching/reviews.py); the check says whether the retrained model agrees."""
    insert_arrow(
        con, "checked_in", labels, "CREATE OR REPLACE TABLE oad_checked AS FROM checked_in"
    )
    checked = DuckDBAPI(connection=con).register("oad_checked")
    errors = _linker(con, model).evaluation.prediction_errors_from_labels_table(
        checked, threshold_match_probability=threshold
    )
    found = con.sql(
        f"SELECT truth_status, list(unique_id_l || ' ' || unique_id_r ORDER BY unique_id_l,"
        f" unique_id_r) FROM {errors.physical_name} GROUP BY truth_status"
    ).fetchall()
    errors.drop_table_from_database_and_remove_from_cache()
    wrong = {str(status): list(pairs) for status, pairs in found}
    scores = labels["clerical_match_score"].to_pylist()
    return {
        "threshold": threshold,
        "confirmed": sum(1 for score in scores if score == 1.0),
        "rejected": sum(1 for score in scores if score == 0.0),
        "rejected_linked": wrong.get("FP", []),
        "confirmed_missed": wrong.get("FN", []),
    }


def monotone_score_levels(model: dict[str, Any]) -> dict[str, Any]:
    """Make each name comparison's levels weigh no less than the levels below them.

    Random pairs seldom reach a high name-similarity level: u from 100,000 of them is often
    missing there, and Splink then weighs the level below pairs that merely resemble. A level's
    u is taken as no larger than the smallest u below it, and lowered further where its Bayes
    factor would fall under the one below (a closer name is never weaker evidence); equal
    factors leave the order to the name score."""
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] not in SCORE_COMPARISONS:
            continue
        smallest_u, floor = math.inf, 0.0
        for level in reversed(comparison["comparison_levels"]):
            m, u = level.get("m_probability"), level.get("u_probability")
            if level.get("is_null_level") or not isinstance(m, int | float) or not m:
                continue
            u = min(u, smallest_u) if isinstance(u, int | float) and u > 0 else smallest_u
            if math.isinf(u):
                continue
            u = min(u, m / floor) if floor else u
            level["u_probability"], smallest_u, floor = u, u, m / u
    return model


def _learn_from_labels(con: duckdb.DuckDBPyConnection, linker: Linker, labels: pa.Table) -> Linker:
    """m probabilities from reviewed pairs; with enough of them, the company-name levels' too."""
    model = linker.misc.save_model_to_json()
    if labels.num_rows >= MIN_LABELS_FOR_COMPANY_NAMES:
        for comparison in model["comparisons"]:
            for level in comparison["comparison_levels"]:
                level["fix_m_probability"] = False
        linker = _linker(con, model)
    insert_arrow(con, "labels_in", labels, "CREATE OR REPLACE TABLE oad_labels AS FROM labels_in")
    api_labels = DuckDBAPI(connection=con).register("oad_labels")
    linker.training.estimate_m_from_pairwise_labels(api_labels)  # type: ignore[no-untyped-call]
    return linker


def _prior(n_debtors: int, n_records: int) -> float:
    pairs = max(n_debtors * n_records, 1)
    return min(max(EXPECTED_MATCHED_SHARE * max(n_debtors, 1) / pairs, 1e-9), 0.5)


def _version(model: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()[:8]
    return f"{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{digest}"


def predict(
    con: duckdb.DuckDBPyConnection,
    model: dict[str, Any],
    pairs: pa.Table,
    progress: Progress = QUIET,
) -> pa.Table:
    """Score exactly the given pairs (debtor_id, record_uid); returns one row per pair.

    In chunks: Splink's working tables hold every compared column of both sides for each pair,
    which for millions of pairs would not fit in memory at once."""
    progress.stage("score pairs", pairs.num_rows, "pairs")
    chunks = []
    for start in range(0, pairs.num_rows, PREDICT_CHUNK):
        chunks.append(_predict_chunk(con, model, pairs.slice(start, PREDICT_CHUNK)))
        progress.update(min(start + PREDICT_CHUNK, pairs.num_rows))
    return pa.concat_tables(chunks) if chunks else _predict_chunk(con, model, pairs)


def _predict_chunk(
    con: duckdb.DuckDBPyConnection, model: dict[str, Any], pairs: pa.Table
) -> pa.Table:
    insert_arrow(
        con,
        "pairs_in",
        pairs,
        "CREATE OR REPLACE TABLE oad_blocked_pairs AS SELECT '0' AS match_key,"
        " 'debtors-__-' || debtor_id AS join_key_l, 'records-__-' || record_uid AS join_key_r"
        " FROM pairs_in",
    )
    api = DuckDBAPI(connection=con)
    scored = predict_blocked(api, model)
    contributions = ", ".join(
        f"'{c}', {{'bits': mw_{c}, 'level': gamma_{c}}}" for c in comparison_names(model)
    )
    result = con.sql(
        f"SELECT unique_id_l AS debtor_id, unique_id_r AS record_uid, match_probability,"
        f" match_weight, {NAME_SCORE} AS name_score,"
        f" json_object({contributions}) AS contributions"
        f" FROM {scored.physical_name}"
    ).to_arrow_table()
    scored.drop_table_from_database_and_remove_from_cache()
    return result


def predict_blocked(api: DatabaseAPI[Any], model: dict[str, Any]) -> SplinkDataFrame:
    """Splink's prediction of the pairs in API's table oad_blocked_pairs (match_key, join_key_l,
    join_key_r), and nothing else."""
    linker = linker_on(api, model)
    linker.table_management.register_blocked_pairs_for_predict(api.register("oad_blocked_pairs"))
    return linker.inference.predict(warning_mode="never")


def comparison_names(model: dict[str, Any]) -> list[str]:
    return [str(c["output_column_name"]) for c in model["comparisons"]]


def prior_bits(model: dict[str, Any]) -> float:
    prior = float(model["probability_two_random_records_match"])
    return math.log2(prior / (1 - prior))
