"""The name encoder's nearest records against a brute-force reading of the same rule, on the
evaluation set: each company debtor's Han names against every Latin name of a company or
unknown record, scored as the re-ranking scores them, the best few at or above the minimum."""

from __future__ import annotations

from collections import defaultdict

import pytest

import matching.dense_candidates as dense_module
from matching.dense_candidates import MIN_SIMILARITY, cluster_lists
from matching.faiss_loader import load_faiss
from matching.features import refresh_features
from matching.names.encoder import encoder_scores
from matching.names.script import has_han
from pipelines.store import Store
from tests.matching.conftest import nearest_records

Pair = tuple[str, str, str]
NEAREST = 5


@pytest.fixture(scope="module")
def featured(evaluation_store: Store) -> Store:
    refresh_features(evaluation_store)
    return evaluation_store


def found(store: Store, nearest: int) -> set[Pair]:
    return set(nearest_records(store, nearest))


def reference(store: Store, nearest: int) -> set[Pair]:
    records = store.con.execute(
        "SELECT source, entity_id, unnest(names) FROM features"
        " WHERE side = 'record' AND kind IN ('company', 'unknown')"
    ).fetchall()
    latin = [(source, entity_id, name) for source, entity_id, name in records
             if name and not has_han(name)]  # fmt: skip
    debtors = store.con.execute(
        "SELECT entity_id, unnest(names) FROM features WHERE side = 'debtor' AND kind = 'company'"
    ).fetchall()
    chosen: set[Pair] = set()
    for debtor_id, name in debtors:
        if not name or not has_han(name):
            continue
        scores = encoder_scores(name, [n for *_, n in latin])
        best: dict[tuple[str, str], float] = defaultdict(lambda: -1.0)
        order = sorted(range(len(latin)), key=lambda i: -scores[i])[:nearest]
        for i in order:
            if scores[i] >= MIN_SIMILARITY:
                best[latin[i][0], latin[i][1]] = max(best[latin[i][0], latin[i][1]], scores[i])
        chosen |= {(debtor_id, source, entity_id) for source, entity_id in best}
    return chosen


def test_each_company_debtor_takes_its_nearest_records(featured: Store) -> None:
    expected = reference(featured, NEAREST)
    assert len(expected) > 1_000
    got = found(featured, NEAREST)
    # float sums in another order can swap two records tied at the edge of a debtor's few
    assert len(got ^ expected) <= len(expected) // 200
    assert {d for d, _, _ in got} == {d for d, _, _ in expected}


def test_clusters_probed_whole_find_what_the_exact_search_finds(
    featured: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = found(featured, NEAREST)
    monkeypatch.setattr(dense_module, "EXACT_UP_TO", 100)
    monkeypatch.setattr(dense_module, "MIN_LISTS", 8)
    monkeypatch.setattr(dense_module, "PROBED_SHARE", 1.0)
    monkeypatch.setattr(dense_module, "TRAINING_SAMPLE", 1_000)
    clustered = found(featured, NEAREST)
    assert len(clustered ^ exact) <= len(exact) // 200


def test_names_encoded_in_chunks_by_worker_processes_find_the_same(
    featured: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    faiss = load_faiss()
    whole = found(featured, NEAREST)
    threads = faiss.omp_get_max_threads()
    monkeypatch.setattr(dense_module, "CHUNK", 700)
    monkeypatch.setenv("OAD_WORKERS", "2")
    assert found(featured, NEAREST) == whole
    # faiss places chunks on one thread while the workers encode, then has its threads back
    assert faiss.omp_get_max_threads() == threads


@pytest.mark.parametrize(
    ("names", "lists"),
    [(1, 1_024), (250_000, 1_024), (1_000_000, 1_024), (4_000_000, 2_048), (20_000_000, 4_096)],
)
def test_clusters_grow_as_the_square_root_of_the_record_names(names: int, lists: int) -> None:
    assert cluster_lists(names) == lists


def test_no_nearest_records_asked_for_none_found(featured: Store) -> None:
    assert found(featured, 0) == set()
