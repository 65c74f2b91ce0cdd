"""The linkage model's scores of the candidate pairs, computed by Splink's Spark backend: the
same model JSON and the same SQL as on DuckDB, with the names module's scores as Spark SQL
functions (matching/spark_session.py). Returns the rows the DuckDB engine's prediction does.

The name score stored with each pair comes from a job beside the model, grouped by debtor: a
company debtor's candidates that the re-ranking scored keep its scores, as on DuckDB, and the
rest are scored a debtor at a time (`matching.pair_scores`). Asking the SQL function again for
every pair took about a third of the scoring time on the evaluation set.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from matching.splink_model import comparison_names, predict_blocked
from pipelines.progress import QUIET, Progress

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# what Splink's working tables are kept as between steps: in executors' memory (a cluster
# with a checkpoint directory may prefer "parquet")
BREAK_LINEAGE = "persist"
NAME_SCORE_SCHEMA = "debtor_id string, record_uid string, name_score double"


def _portable(model: dict[str, Any]) -> dict[str, Any]:
    """MODEL with DuckDB's `len(` of a list written as `array_length(`, which Splink's SQL
    translation carries to Spark (models saved before the settings said it so)."""
    text = json.dumps(model).replace('"len(related_names', '"array_length(related_names')
    text = text.replace(" len(related_names", " array_length(related_names")
    found: dict[str, Any] = json.loads(text)
    return found


def predict_on_spark(
    session: SparkSession,
    model: dict[str, Any],
    pairs: pa.Table,
    debtors: pa.Table,
    records: pa.Table,
    progress: Progress = QUIET,
) -> pa.Table:
    """Score exactly PAIRS (debtor_id, record_uid, ranked_score) between DEBTORS and RECORDS
    (unique_id and the model's feature columns); one row per pair: debtor_id, record_uid,
    match_probability, match_weight, name_score, contributions (JSON)."""
    from splink.backends.spark import SparkAPI

    progress.stage("score pairs on Spark", pairs.num_rows, "pairs")
    session.createDataFrame(debtors).createOrReplaceTempView("debtor_side")
    session.createDataFrame(records).createOrReplaceTempView("record_side")
    session.createDataFrame(pairs).createOrReplaceTempView("oad_pairs_in")
    session.sql(
        "SELECT '0' AS match_key, concat('debtors-__-', debtor_id) AS join_key_l,"
        " concat('records-__-', record_uid) AS join_key_r FROM oad_pairs_in"
    ).createOrReplaceTempView("oad_blocked_pairs")
    api = SparkAPI(spark_session=session, break_lineage_method=BREAK_LINEAGE)  # type: ignore[no-untyped-call]
    scored = predict_blocked(api, _portable(model))
    steps = ", ".join(
        f"'{c}', named_struct('bits', mw_{c}, 'level', gamma_{c})" for c in comparison_names(model)
    )
    _pair_name_scores(session).createOrReplaceTempView("oad_pair_name_scores")
    result = session.sql(
        "SELECT unique_id_l AS debtor_id, unique_id_r AS record_uid, match_probability,"
        f" match_weight, n.name_score, to_json(named_struct({steps})) AS contributions"
        f" FROM {scored.physical_name} s JOIN oad_pair_name_scores n"
        " ON n.debtor_id = s.unique_id_l AND n.record_uid = s.unique_id_r"
    ).toArrow()
    scored.drop_table_from_database_and_remove_from_cache()
    progress.update(pairs.num_rows)
    return result


def _pair_name_scores(session: SparkSession) -> Any:
    """(debtor_id, record_uid, name_score) of every pair in oad_pairs_in, a debtor's pairs
    scored together on an executor."""
    pairs: Any = session.sql(
        "SELECT p.debtor_id, p.record_uid, p.ranked_score, d.kind, d.names AS debtor_names,"
        " r.names AS record_names FROM oad_pairs_in p"
        " JOIN debtor_side d ON d.unique_id = p.debtor_id"
        " JOIN record_side r ON r.unique_id = p.record_uid"
    )
    return pairs.groupBy("debtor_id").applyInArrow(_debtor_group, NAME_SCORE_SCHEMA)


def _debtor_group(group: pa.Table) -> pa.Table:
    from matching.pair_scores import group_name_scores

    rows = group.to_pydict()
    scores = group_name_scores(
        rows["kind"][0], rows["debtor_names"][0], rows["record_names"], rows["ranked_score"]
    )
    return pa.table({
        "debtor_id": rows["debtor_id"],
        "record_uid": rows["record_uid"],
        "name_score": pa.array(scores, pa.float64()),
    })  # fmt: skip
