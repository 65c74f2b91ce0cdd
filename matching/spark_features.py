"""Feature rows computed as a Spark job: the rows to compute go out as Arrow batches, each batch
is turned into feature rows on an executor by the same function the DuckDB engine's worker
processes run (`matching.features.feature_batch`), and the rows come back as Arrow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# The feature columns as the executors send them back (computed_at is the driver's own clock).
FEATURE_SCHEMA = pa.schema(
    [
        ("side", pa.string()), ("source", pa.string()), ("entity_id", pa.string()),
        ("content_hash", pa.string()), ("kind", pa.string()), ("names", pa.list_(pa.string())),
        ("name_keys", pa.string()), ("block_keys", pa.list_(pa.string())),
        ("block_weights", pa.list_(pa.float64())), ("birth_year", pa.int64()),
        ("birth_month", pa.int64()), ("nationality", pa.string()), ("residence", pa.string()),
        ("jurisdiction", pa.string()), ("city", pa.string()),
        ("incorporation_year", pa.int64()), ("identifiers", pa.list_(pa.string())),
        ("related_names", pa.list_(pa.string())),
    ]
)  # fmt: skip
Batcher = Callable[[str, list[tuple[object, ...]], Callable[[object], list[str]], dt.datetime],
                   pa.Table]  # fmt: skip


def spark_feature_tables(
    session: SparkSession,
    side: str,
    stale: pa.Table,
    identifiers: Callable[[object], list[str]],
    now: dt.datetime,
    batch: Batcher,
) -> Iterator[pa.Table]:
    """The feature rows of STALE's rows, computed on the session's executors by BATCH."""
    from pyspark.sql.pandas.types import from_arrow_schema

    if stale.num_rows == 0:
        return
    parts = max(session.sparkContext.defaultParallelism, stale.num_rows // 20_000)

    def compute(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for found in batches:
            rows = list(zip(*found.to_pydict().values(), strict=True))
            table = batch(side, rows, identifiers, now).drop_columns(["computed_at"])
            yield from table.cast(FEATURE_SCHEMA).to_batches()

    frame = session.createDataFrame(stale).repartition(parts)
    computed = frame.mapInArrow(compute, from_arrow_schema(FEATURE_SCHEMA)).toArrow()
    stamps = pa.array([now] * computed.num_rows, type=pa.timestamp("us"))
    yield computed.append_column("computed_at", stamps)
