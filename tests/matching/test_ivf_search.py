"""Placing and searching a clustered index cluster by cluster gives faiss's own placement and
results: the same clusters, the same records, the same scores up to float rounding."""

from __future__ import annotations

import numpy as np
import pytest

from matching import ivf_search
from matching.faiss_loader import load_faiss

faiss = load_faiss()


def _index(vectors: np.ndarray, lists: int, probes: int) -> faiss.IndexIVFFlat:
    width = vectors.shape[1]
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(width), width, lists, faiss.METRIC_INNER_PRODUCT)
    index.train(vectors)
    index.nprobe = probes
    return index


def _cluster_members(index: faiss.IndexIVFFlat) -> list[set[int]]:
    lists = index.invlists
    return [
        set(faiss.rev_swig_ptr(lists.get_ids(c), lists.list_size(c)).view(np.int64).tolist())
        for c in range(index.nlist)
    ]


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return (rng.standard_normal((20_000, 16)).astype(np.float32),
            rng.standard_normal((700, 16)).astype(np.float32))  # fmt: skip


def test_names_go_to_the_clusters_faiss_puts_them_in(data: tuple[np.ndarray, np.ndarray]) -> None:
    records, _ = data
    ours, theirs = _index(records, 64, 8), _index(records, 64, 8)
    theirs.add(records)
    ivf_search.place(ours, records)
    assert ours.ntotal == len(records)
    assert _cluster_members(ours) == _cluster_members(theirs)


@pytest.mark.parametrize("k", [1, 30])
def test_search_finds_what_faiss_finds(data: tuple[np.ndarray, np.ndarray], k: int) -> None:
    records, queries = data
    index = _index(records, 64, 8)
    index.add(records)
    expected_scores, expected_ids = index.search(queries, k)
    scores, ids = ivf_search.search(index, queries, k)
    assert np.array_equal(ids, expected_ids)  # random scores: no ties to order otherwise
    assert np.allclose(scores, expected_scores, atol=1e-5)
    assert np.all(np.diff(scores, axis=1) <= 0)  # best first


def test_fewer_records_than_asked_are_marked_missing(data: tuple[np.ndarray, np.ndarray]) -> None:
    records, queries = data
    index = _index(records[:2_000], 64, 2)  # two probed clusters hold ~60 records, not 200
    index.add(records[:2_000])
    expected_scores, expected_ids = index.search(queries[:50], 200)
    scores, ids = ivf_search.search(index, queries[:50], 200)
    assert (ids == -1).any()
    assert np.array_equal(ids, expected_ids)
    assert np.allclose(scores, expected_scores, atol=1e-5)
