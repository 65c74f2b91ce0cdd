"""The linkage model's scores of the candidate pairs, computed by Splink's Spark backend: the
same model JSON and the same SQL as on DuckDB, with the names module's scores as Spark SQL
functions (matching/spark_session.py). Returns the rows the DuckDB engine's prediction does.
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
    """Score exactly PAIRS (debtor_id, record_uid) between DEBTORS and RECORDS (unique_id and
    the model's feature columns); one row per pair: debtor_id, record_uid, match_probability,
    match_weight, name_score, contributions (JSON)."""
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
    result = session.sql(
        "SELECT unique_id_l AS debtor_id, unique_id_r AS record_uid, match_probability,"
        " match_weight, oad_name_score(kind_l, names_l, names_r) AS name_score,"
        f" to_json(named_struct({steps})) AS contributions FROM {scored.physical_name}"
    ).toArrow()
    scored.drop_table_from_database_and_remove_from_cache()
    progress.update(pairs.num_rows)
    return result
