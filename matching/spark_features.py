"""Feature rows computed as a Spark job: the rows to compute go out as Arrow batches, each batch
is turned into feature rows on an executor by the same function the DuckDB engine's worker
processes run (`matching.features.arrow_feature_batch`), and the rows come back as Arrow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def spark_feature_tables(
    session: SparkSession,
    side: str,
    stale: pa.Table,
    identifiers: Callable[[object], list[str]],
    now: dt.datetime,
) -> Iterator[pa.Table]:
    """The feature rows of STALE's rows, computed on the session's executors."""
    from pyspark.sql.pandas.types import from_arrow_schema

    from matching.features import FEATURE_SCHEMA, arrow_feature_batch

    # the executors send every column but computed_at, the driver's own clock
    sent = FEATURE_SCHEMA.remove(FEATURE_SCHEMA.get_field_index("computed_at"))
    if stale.num_rows == 0:
        return
    parts = max(session.sparkContext.defaultParallelism, stale.num_rows // 20_000)

    def compute(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for found in batches:
            table = arrow_feature_batch(side, found, identifiers, now).drop_columns(["computed_at"])
            yield from table.cast(sent).to_batches()

    frame = session.createDataFrame(stale).repartition(parts)
    computed = frame.mapInArrow(compute, from_arrow_schema(sent)).toArrow()
    stamps = pa.array([now] * computed.num_rows, type=pa.timestamp("us"))
    yield computed.append_column("computed_at", stamps)
