"""The Spark session matching runs on, with what its SQL needs: Splink's similarity jar and the
names module's scores as the same SQL functions the DuckDB engine registers.

Executors run the project's own code (the name functions, the feature batches): on a cluster,
install the project on every node, as `make setup` does here. The session's time zone is UTC and
JSON keeps null fields, so that what comes back reads as the store's own rows do.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SHUFFLE_PARTITIONS = 8  # a cluster sets spark.sql.shuffle.partitions itself
# a local session's memory (driver and executors are one JVM); a cluster's comes from its own
# spark-defaults.conf
DRIVER_MEMORY_ENV = "OAD_SPARK_DRIVER_MEMORY"
LOCAL_MEMORY = "4g"


@cache
def spark_session(master: str) -> SparkSession:
    """One session per process and master (Spark allows one context per process)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    local = master.startswith("local")
    if local:
        # a local session binds to the loopback and runs its workers on this interpreter
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName("oad-matching")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.jsonGenerator.ignoreNullFields", "false")
        .config("spark.python.worker.reuse", "true")  # the lexicon loads once a worker
    )
    if local:
        builder = builder.config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        memory = os.environ.get(DRIVER_MEMORY_ENV) or LOCAL_MEMORY
        builder = builder.config("spark.driver.memory", memory)
        builder = builder.config("spark.driver.host", "127.0.0.1")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    register_name_functions(session)
    return session


def register_name_functions(session: SparkSession) -> None:
    """oad_pair_name_score and oad_related_score, as vectorised (Arrow) UDFs."""
    from pyspark.sql.pandas.functions import arrow_udf

    # the functions' Arrow type hints make them scalar Arrow UDFs (read at run time, hence Any:
    # the stubs know only the explicit-type form)
    scalar: Any = arrow_udf
    session.udf.register("oad_pair_name_score", scalar(_name_scores, "double"))
    session.udf.register("oad_related_score", scalar(_related_scores, "double"))


def _name_scores(
    kinds: pa.Array, left_keys: pa.Array, right_keys: pa.Array, lefts: pa.Array, rights: pa.Array
) -> pa.Array:
    """The keys go unused: Spark's batches are scored debtor by debtor from the names."""
    from matching.pair_scores import pair_name_scores

    pairs = [
        (kind or "unknown", tuple(left or ()), tuple(right or ()))
        for kind, left, right in zip(
            kinds.to_pylist(), lefts.to_pylist(), rights.to_pylist(), strict=True
        )
    ]
    return pa.array(pair_name_scores(pairs), type=pa.float64())


def _related_scores(lefts: pa.Array, rights: pa.Array) -> pa.Array:
    from matching.sql_functions import oad_related_score

    return oad_related_score(lefts, rights)
