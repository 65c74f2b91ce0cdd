"""Candidate records found by the name encoder: for each company debtor with a Han name, the
records whose names' vectors lie nearest its own.

The key-based first cut reaches a record only through words the debtor's name implies; a brand
romanised freely, or a translation the lexicon half knows, shares no such word with the debtor,
or shares only common ones, and the true record then ranks below hundreds of others. The name
encoder puts a Chinese name near its own English name without any shared word. So each company
debtor also takes its `dense` nearest records by the encoder's score (the cosine less the
record name's hub value, as the re-ranking scores them), found by faiss: exactly below
`EXACT_UP_TO` record names, else in the nearest `PROBED_SHARE` of about √n clusters of them
(at least `MIN_LISTS`).

Incrementally, changed records are searched for every debtor, and a debtor paired whole
before admits one only at or above where its nearest records ended then (its dense floor,
`candidate_floors.py`); new and changed debtors are searched against every record.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from threadpoolctl import threadpool_limits

from matching import ivf_search
from matching.engine import DUCKDB, Engine
from matching.faiss_loader import load_faiss
from matching.names.encoder import HUB_WEIGHT, latin_codes, load_encoder
from matching.names.script import has_han
from matching.names.translation_vectorised import LatinTable
from matching.repeated_names import HeldCodes, plan_chunks
from pipelines.processes import in_processes, worker_count
from pipelines.store import insert_arrow, memory_released

DENSE = "dense_pairs"  # temp: did, rid, similarity
EXACT_UP_TO = 200_000  # record names searched exhaustively; above, by clusters
# Clusters grow as the square root of the record names (faiss's rule of thumb at its low end):
# placing names costs names × clusters, searching costs debtors × names / clusters, and at five
# million names the two balance near 2,000. A search reads the nearest thirty-second of them:
# with fewer, at five million, a true record fell out of its debtor's nearest more often.
MIN_LISTS, PROBED_SHARE = 1_024, 1 / 32
TRAINING_SAMPLE = 100_000  # record names the clusters are learned from (at least 50 a cluster)
CHUNK = 200_000  # record names encoded and added at a time (memory stays flat)
# nearer than this or not at all: on SP_10 no true record among a debtor's 100 nearest scored
# less, and a small register would otherwise give every debtor every record
MIN_SIMILARITY = 0.1


@dataclass(frozen=True)
class Names:
    numbers: np.ndarray  # did or rid of each name (an entity may have several names)
    names: list[str]


def dense_pairs(
    con: duckdb.DuckDBPyConnection,
    since: str | None,
    dense: int,
    table: LatinTable | None = None,
    engine: Engine = DUCKDB,
) -> None:
    """Create DENSE with each company debtor's `dense` nearest records (incrementally, those
    that can enter its candidates). Needs cand_debtors, cand_records and stored_floor. The
    record names' vectors go into TABLE, when given, for the re-ranking to score with. On
    Spark, a full run encodes and searches on the executors (`matching.spark_dense`); an
    incremental run's few changed names stay here."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {DENSE} (did INTEGER, rid INTEGER, similarity DOUBLE)"
    )
    if dense <= 0:
        return
    if since is None:
        _search(con, _names(con, "debtor", "true"), "true", dense, table, engine)
        return
    _search(con, _names(con, "debtor", "c.fresh"), "true", dense, table)
    _search(con, _names(con, "debtor", "NOT c.fresh"), "c.fresh", dense, table)
    # a debtor paired whole before keeps only what reaches its dense floor there
    con.execute(
        f"DELETE FROM {DENSE} p USING stored_floor s, cand_debtors c"
        " WHERE p.did = s.did AND c.did = p.did AND NOT c.fresh"
        " AND s.dense_floor IS NOT NULL AND p.similarity < s.dense_floor"
    )


# per side: its number, its numbered table, how features join it, which kinds are searched
_SIDES = {
    "debtor": ("did", "cand_debtors", "f.entity_id = c.debtor_id", "c.kind = 'company'"),
    "record": ("rid", "cand_records", "f.source = c.source AND f.entity_id = c.source_id",
               "c.kind IN ('company', 'unknown')"),
}  # fmt: skip


def _names(con: duckdb.DuckDBPyConnection, side: str, which: str) -> Names:
    """The Han names of company debtors, or the Latin names of company and unknown records,
    of those numbered entities WHICH (a condition on `c`) picks."""
    number, table, joined, kinds = _SIDES[side]
    rows = con.execute(
        f"SELECT c.{number}, unnest(f.names) FROM {table} c JOIN features f"
        f" ON f.side = '{side}' AND {joined} WHERE {kinds} AND {which} ORDER BY c.{number}"
    ).fetchall()
    wanted = [(n, name) for n, name in rows if name and has_han(name) == (side == "debtor")]
    return Names(np.array([n for n, _ in wanted], dtype=np.int32), [name for _, name in wanted])


def _search(
    con: duckdb.DuckDBPyConnection,
    debtors: Names,
    records_which: str,
    dense: int,
    table: LatinTable | None,
    engine: Engine = DUCKDB,
) -> None:
    """Each debtor name's `dense` nearest names among the records RECORDS_WHICH picks (see
    `_names`) into DENSE, one row per (did, rid)."""
    if not debtors.names:
        return  # before reading the records' names: a daily run has millions and no new debtor
    records = _names(con, "record", records_which)
    if not records.names:
        return
    k = min(dense, len(records.names))
    with memory_released(con):  # the index and the record names' vectors are held here
        if engine.on_spark:
            similarity, found = _spark_search(records, debtors.names, k, engine)
        else:
            index = record_index(records, table)
            similarity, found = nearest(index, query_vectors(debtors.names), k)
            del index
    hit = (found >= 0) & (similarity >= MIN_SIMILARITY)
    pairs = pa.table({
        "did": np.repeat(debtors.numbers, hit.sum(axis=1)),
        "rid": records.numbers[found[hit]],
        "similarity": similarity[hit].astype(np.float64),
    })  # fmt: skip
    insert_arrow(
        con,
        "dense_found",
        pairs,
        f"INSERT INTO {DENSE} SELECT did, rid, max(similarity) FROM dense_found GROUP BY ALL",
    )


def query_vectors(han_names: list[str]) -> np.ndarray:
    """The Han names' vectors as `record_index` is searched with: the record side's last number
    is minus its hub weight, so each query's is one, and one inner product is the score."""
    queries = load_encoder().encode_han(han_names)
    return np.hstack([queries, np.ones((len(queries), 1), dtype=np.float32)])


def _spark_search(
    records: Names, han_names: list[str], k: int, engine: Engine
) -> tuple[np.ndarray, np.ndarray]:
    """`nearest` of the Han names' queries in the records' index, the names encoded and the
    queries searched on Spark's executors; the index is built here, as `record_index` builds
    it, from the vectors they send back."""
    from matching.spark_dense import broadcast_index, spark_codes, spark_nearest
    from matching.spark_session import spark_session

    session = spark_session(engine.spark_master)
    index = record_index(records, None, lambda chunks: spark_codes(session, chunks))
    shared = broadcast_index(session, index)
    del index  # the executors search their copies
    return spark_nearest(session, shared, query_vectors(han_names), k)


# what encodes the record names, a chunk at a time: (vectors, hub values) of each, in order
Encode = Callable[[list[list[str]]], Iterator[tuple[np.ndarray, np.ndarray]]]


def record_index(records: Names, table: LatinTable | None, encode: Encode | None = None) -> Any:
    """A faiss index of the record names' vectors: exact below `EXACT_UP_TO`, else clustered
    (`cluster_lists`), learned from a sample of them. ENCODE works out the names' vectors (by
    default here, in worker processes)."""
    faiss = load_faiss()

    size = len(records.names)
    dimensions = load_encoder().size + 1
    encode = encode or _encoded
    if size <= EXACT_UP_TO:
        exact = faiss.IndexFlatIP(dimensions)
        _add(records.names, exact.add, table, encode)
        return exact
    lists = cluster_lists(size)
    # full floats: half floats took half the memory but searched four times slower
    index = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(dimensions), dimensions, lists, faiss.METRIC_INNER_PRODUCT
    )
    step = max(size // max(TRAINING_SAMPLE, 50 * lists), 1)
    sample = records.names[::step]
    index.train(_vectors(sample, next(iter(encode([sample])))))
    index.nprobe = max(round(lists * PROBED_SHARE), 1)

    def place(vectors: np.ndarray) -> None:
        ivf_search.place(index, vectors)

    _add(records.names, place, table, encode)
    return index


def _add(
    names: list[str], add: Callable[[np.ndarray], None], table: LatinTable | None, encode: Encode
) -> None:
    """The names' vectors, a chunk at a time, given to ADD; each name is encoded once."""
    chunks = list(_chunks(names))
    plans = plan_chunks(chunks)
    held = HeldCodes()
    # the workers encoding the next chunks have the cores: more threads here contend with them
    with threadpool_limits(1 if len(chunks) > 1 else None, user_api="blas"):
        encoded = encode([plan.new for plan in plans])
        for chunk, plan, codes in zip(chunks, plans, encoded, strict=True):
            add(_vectors(chunk, held.chunk_codes(chunk, plan, codes), table))


def nearest(index: Any, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each query's K best records in INDEX, by cluster when it is clustered."""
    faiss = load_faiss()

    if isinstance(index, faiss.IndexIVFFlat):
        return ivf_search.search(index, queries, k)
    found: tuple[np.ndarray, np.ndarray] = index.search(queries, k)
    return found


def _encoded(chunks: list[list[str]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Each chunk's vectors and hub values (`latin_codes`), in order; several chunks are
    encoded in worker processes at once (the names' units are pure Python)."""
    workers = min(worker_count(), len(chunks))
    if workers <= 1:
        return map(latin_codes, chunks)
    return in_processes(latin_codes, ((chunk,) for chunk in chunks), workers)


def cluster_lists(size: int) -> int:
    """How many clusters SIZE record names are searched in: a power of two near √SIZE."""
    return max(MIN_LISTS, 1 << round(math.log2(math.sqrt(max(size, 1)))))


def _vectors(
    names: list[str], codes: tuple[np.ndarray, np.ndarray], table: LatinTable | None = None
) -> np.ndarray:
    """The names' vectors with minus their hub weight as one more number (CODES: their
    vectors and hub values); the codes go into TABLE too (the re-ranking scores nearly every
    record name, and working them out again there took longer than here)."""
    vectors, hubs = codes
    if table is not None:
        table.add(names, vectors, hubs)
    return np.ascontiguousarray(np.hstack([vectors, -HUB_WEIGHT * hubs[:, None]]), np.float32)


def _chunks(names: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(names), CHUNK):
        yield names[start : start + CHUNK]
