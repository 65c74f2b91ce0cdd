"""The re-ranking of company debtors' key pairs as a Spark job: the pairs, with both sides'
names, are grouped by debtor, and each group is ranked on an executor by the same function the
DuckDB engine runs debtor by debtor (`matching.candidates.debtor_best`). Each executor keeps its
own table of the record names it met (their units and encoder vectors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

BEST_SCHEMA = "did int, rid int, value double"


def spark_company_best(
    con: duckdb.DuckDBPyConnection, session: SparkSession, per_debtor: int, ranked: str
) -> pa.Table:
    """(did, rid, value) of the `per_debtor` best of the key pairs (k) RANKED picks, ranked
    debtor by debtor on the session's executors."""
    pairs = con.sql(
        "SELECT k.did, k.rid, k.score, k.rank_floor, coalesce(k.lost, 0) AS lost,"
        " d.names AS debtor_names, r.names AS record_names FROM key_pairs k"
        " JOIN cand_debtors c ON c.did = k.did"
        " JOIN features d ON d.side = 'debtor' AND d.entity_id = c.debtor_id"
        " JOIN cand_records e ON e.rid = k.rid"
        " JOIN features r ON r.side = 'record' AND r.source = e.source"
        f" AND r.entity_id = e.source_id WHERE {ranked}"
    ).to_arrow_table()
    if pairs.num_rows == 0:
        return pa.table({"did": pa.array([], pa.int32()), "rid": pa.array([], pa.int32()),
                         "value": pa.array([], pa.float64())})  # fmt: skip

    def rank(group: pa.Table) -> pa.Table:
        return _ranked_group(group, per_debtor)

    grouped: Any = session.createDataFrame(pairs).groupBy("did")
    found: pa.Table = grouped.applyInArrow(rank, BEST_SCHEMA).toArrow()
    return found


def _ranked_group(group: pa.Table, per_debtor: int) -> pa.Table:
    """One debtor's pairs (as spark_company_best selects them), ranked."""
    from matching.candidates import debtor_best

    rows = group.to_pydict()
    record_numbers = np.array(rows["rid"], dtype=np.int32)
    best, values = debtor_best(
        list(rows["debtor_names"][0]),
        [list(names) for names in rows["record_names"]],
        record_numbers,
        np.array(rows["score"], dtype=np.float64),
        (rows["rank_floor"][0], int(rows["lost"][0])),
        per_debtor,
        None,
    )
    return pa.table({
        "did": pa.array(np.full(len(best), rows["did"][0]), pa.int32()),
        "rid": pa.array(best, pa.int32()),
        "value": pa.array(values, pa.float64()),
    })  # fmt: skip
