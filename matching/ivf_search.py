"""Placing names in, and searching, a faiss inverted-file index (`IndexIVFFlat`, inner product)
with numpy's matrix products.

faiss-cpu's wheel carries its own OpenBLAS, which does not know recent processors and falls back
to its oldest kernels (placing four million names among 2,048 clusters took 46 s); numpy's
OpenBLAS runs the current ones. And faiss searches a query at a time, reading every probed cluster's
vectors once per query: for 40,000 queries each reading 114,000 vectors, 106 s, bound by memory.
Here the clusters are taken one at a time instead, with every query of a batch that probes them:
one product per cluster, whose vectors stay in the cache, then each query's best among its
probed clusters (31 s for the same search). Which clusters a query probes, and the scores, are
faiss's own; only records of equal score may come in another order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matching.faiss_loader import load_faiss

PLACE_SLICE = 8_192  # names placed per product: their scores against every cluster, 67 MB
QUERY_BATCH = 4_096  # queries searched together: their candidates take 210 MB at 100 each


def place(index: Any, vectors: np.ndarray) -> None:
    """Add VECTORS to INDEX, each in the cluster whose centre has the largest inner product
    with it, as faiss's own `add` places them."""
    faiss = load_faiss()

    centres = index.quantizer.reconstruct_n(0, index.nlist)
    for start in range(0, len(vectors), PLACE_SLICE):
        part = np.ascontiguousarray(vectors[start : start + PLACE_SLICE], dtype=np.float32)
        nearest = np.argmax(part @ centres.T, axis=1).astype(np.int64)
        index.add_core(len(part), faiss.swig_ptr(part), None, faiss.swig_ptr(nearest))


def search(index: Any, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each query's K best inner products among the vectors of its `index.nprobe` nearest
    clusters, best first, and their ids (-1, with the lowest float, where fewer were there)."""
    clusters = _clusters(index)
    scores = np.empty((len(queries), k), dtype=np.float32)
    ids = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), QUERY_BATCH):
        batch = np.ascontiguousarray(queries[start : start + QUERY_BATCH], dtype=np.float32)
        found = _batch(index, clusters, batch, k)
        scores[start : start + len(batch)], ids[start : start + len(batch)] = found
    return scores, ids


def _clusters(index: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each cluster's vectors and ids, as views of the index's own lists."""
    faiss = load_faiss()

    lists, width = index.invlists, index.d
    out = []
    for cluster in range(index.nlist):
        size = lists.list_size(cluster)
        codes = faiss.rev_swig_ptr(lists.get_codes(cluster), size * width * 4)
        numbers = faiss.rev_swig_ptr(lists.get_ids(cluster), size)
        out.append((np.asarray(codes).view(np.float32).reshape(size, width),
                    np.asarray(numbers).view(np.int64)))  # fmt: skip
    return out


def _batch(
    index: Any, clusters: list[tuple[np.ndarray, np.ndarray]], batch: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    faiss = load_faiss()

    probes = index.nprobe
    _, probed = index.quantizer.search(batch, probes)
    # every (query, probe) by cluster: the queries each cluster's product is made with
    flat = probed.ravel()
    order = np.argsort(flat, kind="stable")
    bounds = np.searchsorted(flat[order], np.arange(index.nlist + 1))
    # each query's best k of each probed cluster, side by side in the probe's place
    best = np.full((len(batch), probes * k), -np.inf, dtype=np.float32)
    best_ids = np.full((len(batch), probes * k), -1, dtype=np.int32)  # a record's number
    for cluster, (vectors, numbers) in enumerate(clusters):
        asked = order[bounds[cluster] : bounds[cluster + 1]]
        if not len(asked) or not len(numbers):
            continue
        rows, places = asked // probes, asked % probes
        products = batch[rows] @ vectors.T
        kept = min(k, len(numbers))
        top = np.argpartition(products, len(numbers) - kept, axis=1)[:, -kept:]
        columns = places[:, None] * k + np.arange(kept)
        best[rows[:, None], columns] = np.take_along_axis(products, top, axis=1)
        best_ids[rows[:, None], columns] = numbers[top]
    scores, where = faiss.kmax(best, k)
    # a place left empty comes back as -1 (with the lowest float), as faiss's search gives it
    chosen = np.take_along_axis(best_ids, where, axis=1).astype(np.int64)
    return scores, np.where(where >= 0, chosen, -1)
