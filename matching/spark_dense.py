"""The name encoder's nearest-record search on Spark's executors, in two jobs that run there
the functions the store's own engine runs in its processes.

First the record names are encoded (`matching.names.encoder.latin_codes`); the driver builds
the faiss index from the vectors they send back (exact or clustered, as
`matching.dense_candidates.record_index` decides: placing a vector in its cluster is one
matrix product). Then the index goes to each executor once, as a broadcast, and the debtors'
queries are searched there (`matching.dense_candidates.nearest`); each Python worker keeps the
index it last read. The costly parts, the names' units, the encoder and the search, run where
the cores are.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
from threadpoolctl import threadpool_limits

from matching.faiss_loader import load_faiss
from matching.names.encoder import latin_codes

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

NAMES_A_TASK = 20_000  # record names a task encodes
NAMES_A_JOB = 1_000_000  # record names whose vectors come back to the driver together
QUERIES_A_TASK = 4_096  # queries a task searches
_CODES_SCHEMA = pa.schema(
    [("position", pa.int64()), ("vector", pa.binary()), ("hub", pa.float32())]
)
_FOUND_SCHEMA = pa.schema([("position", pa.int64()), ("ids", pa.binary()), ("scores", pa.binary())])
_worker_index: dict[str, Any] = {}  # a search's key → its index, in an executor's worker


def spark_codes(
    session: SparkSession, chunks: list[list[str]]
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Each chunk's vectors and hub values (as `latin_codes` gives them), in order, the names
    encoded on the session's executors, about `NAMES_A_JOB` names a job: the driver holds
    that many names' vectors at a time, beside the index it adds them to."""
    group: list[list[str]] = []
    for chunk in chunks:
        group.append(chunk)
        if sum(map(len, group)) >= NAMES_A_JOB or chunk is chunks[-1]:
            names = [name for part in group for name in part]
            # a group of names all encoded in earlier chunks (`matching.repeated_names`) has none
            vectors, hubs = _encoded_on_executors(session, names) if names else latin_codes(names)
            start = 0
            for part in group:
                yield vectors[start : start + len(part)], hubs[start : start + len(part)]
                start += len(part)
            group = []


def _encoded_on_executors(session: SparkSession, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    from pyspark.sql.pandas.types import from_arrow_schema

    def encode(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from matching.names.encoder import latin_codes

        for batch in batches:
            vectors, hubs = latin_codes(batch.column("name").to_pylist())
            yield pa.record_batch(
                [batch.column("position"), _rows(vectors), pa.array(hubs, pa.float32())],
                schema=_CODES_SCHEMA,
            )

    table = pa.table({"position": np.arange(len(names), dtype=np.int64), "name": names})
    parts = max(session.sparkContext.defaultParallelism, len(names) // NAMES_A_TASK)
    frame = session.createDataFrame(table).repartition(parts)
    found = frame.mapInArrow(encode, from_arrow_schema(_CODES_SCHEMA)).toArrow()
    found = found.sort_by("position")
    return _matrix(found.column("vector"), np.float32), found.column("hub").to_numpy()


def _rows(matrix: np.ndarray) -> pa.Array:
    """A matrix's rows as binary values (Spark carries them as they are)."""
    return pa.array([row.tobytes() for row in np.ascontiguousarray(matrix)], pa.binary())


def _matrix(rows: pa.Array | pa.ChunkedArray, dtype: type) -> np.ndarray:
    """The rows `_rows` made, as one matrix again."""
    values = rows.to_pylist()
    width = len(values[0]) // np.dtype(dtype).itemsize if values else 0
    return np.frombuffer(b"".join(values), dtype).reshape(len(values), width)


def broadcast_index(session: SparkSession, index: Any) -> Any:
    """INDEX sent to the session's executors, each reading it once; the driver need not keep
    it (the broadcast is written out as it is made)."""
    faiss = load_faiss()

    return session.sparkContext.broadcast(faiss.serialize_index(index))


def spark_nearest(
    session: SparkSession, shared: Any, queries: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each query's K best scores in the broadcast index SHARED and their ids, as
    `dense_candidates.nearest` gives them, searched on the session's executors."""
    from pyspark.sql.pandas.types import from_arrow_schema

    key = uuid.uuid4().hex  # which search a worker's index belongs to

    def search(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from matching.dense_candidates import nearest

        held = _held_index(key, shared)
        for batch in batches:
            queries = _matrix(batch.column("vector"), np.float32)
            with threadpool_limits(1, user_api="blas"):  # a task has one core
                scores, ids = nearest(held, queries, k)
            yield pa.record_batch(
                [batch.column("position"), _rows(ids), _rows(scores)], schema=_FOUND_SCHEMA
            )

    table = pa.table({
        "position": np.arange(len(queries), dtype=np.int64),
        "vector": _rows(queries.astype(np.float32)),
    })  # fmt: skip
    parts = max(session.sparkContext.defaultParallelism, len(queries) // QUERIES_A_TASK)
    frame = session.createDataFrame(table).repartition(parts)
    try:
        found = frame.mapInArrow(search, from_arrow_schema(_FOUND_SCHEMA)).toArrow()
    finally:
        shared.destroy()
    found = found.sort_by("position")
    return _matrix(found.column("scores"), np.float32), _matrix(found.column("ids"), np.int64)


def _held_index(key: str, shared: Any) -> Any:
    """The broadcast index, read once by this worker (and the one it held before let go)."""
    faiss = load_faiss()

    if key not in _worker_index:
        _worker_index.clear()
        # a worker is one task at a time: faiss's threads would contend with the other workers
        faiss.omp_set_num_threads(1)
        _worker_index[key] = faiss.deserialize_index(shared.value)
    return _worker_index[key]
