"""Candidate generation against a plain-Python reading of the same rules, on the evaluation set
(real Hong Kong register names and public figures): keys rare enough to block on, each debtor's
strongest keys within the budget, records scored by the keys they share, the best kept."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pytest

from matching import candidates as candidates_module
from matching.candidate_floors import limits_key, save_floors
from matching.candidates import NORM_POWER, build_candidates
from matching.features import refresh_features
from matching.limits import Limits
from pipelines.store import Store

Pair = tuple[str, str, str]


@pytest.fixture(scope="module")
def featured(evaluation_store: Store) -> Store:
    refresh_features(evaluation_store)
    return evaluation_store


def candidates(
    store: Store, limits: Limits, since: str | None = None, floors: bool = False
) -> set[Pair]:
    """The candidate pairs of a build; with FLOORS, its floors saved as a run saves them."""
    build_candidates(store.con, since=since, limits=limits)
    if floors:
        save_floors(store.con, limits_key(limits, NORM_POWER), whole=since is None)
    found = store.con.execute("SELECT debtor_id, source, source_id FROM candidate_pairs")
    pairs = {(d, s, r) for d, s, r in found.fetchall()}
    store.con.execute("DROP TABLE candidate_pairs")
    return pairs


def reference(store: Store, limits: Limits, among: str | None = None) -> set[Pair]:
    """The best `wide` records per debtor by key score, worked out pair by pair in Python;
    with AMONG, the best of that source's records only."""
    records = store.con.execute(
        "SELECT source, entity_id, kind, block_keys FROM features WHERE side = 'record'"
    ).fetchall()
    frequency = Counter(key for *_, keys in records for key in keys)
    idf = {key: math.log((len(records) + 1) / (n + 1)) + 0.1 for key, n in frequency.items()}
    postings: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    shrink = {}
    for source, entity_id, kind, keys in records:
        shrink[source, entity_id] = sum(idf[k] for k in keys) ** -NORM_POWER
        for key in keys:
            if frequency[key] <= limits.max_block and among in (None, source):
                postings[key].append((source, entity_id, kind))
    chosen: set[Pair] = set()
    debtors = store.con.execute(
        "SELECT entity_id, kind, block_keys, block_weights FROM features WHERE side = 'debtor'"
    ).fetchall()
    for debtor_id, kind, keys, weights in debtors:
        scores: dict[tuple[str, str], float] = defaultdict(float)
        for key, strength in _within_budget(keys, weights, idf, frequency, limits):
            for source, entity_id, record_kind in postings[key]:
                if record_kind in (kind, "unknown"):
                    scores[source, entity_id] += strength
        ranked = sorted(scores, key=lambda r: (-scores[r] * shrink[r], r))[: limits.wide]
        chosen |= {(debtor_id, source, entity_id) for source, entity_id in ranked}
    return chosen


def _within_budget(
    keys: list[str], weights: list[float], idf: dict[str, float], frequency: Counter[str],
    limits: Limits,
) -> list[tuple[str, float]]:  # fmt: skip
    usable = [(k, w * idf[k]) for k, w in zip(keys, weights, strict=True)
              if k in idf and frequency[k] <= limits.max_block]  # fmt: skip
    kept, reached = [], 0
    for key, strength in sorted(usable, key=lambda item: -item[1]):
        if reached >= limits.budget:
            break
        kept.append((key, strength))
        reached += frequency[key]
    return kept


@pytest.mark.parametrize(
    "limits",
    [
        Limits(wide=8, per_debtor=8, dense=0),
        Limits(wide=8, per_debtor=8, budget=40, max_block=30, dense=0),
        Limits(wide=3, per_debtor=3, slice_rows=500, dense=0),
    ],
    ids=["defaults", "budget and block", "slices"],
)
def test_key_stage_keeps_each_debtors_best_records(featured: Store, limits: Limits) -> None:
    expected = reference(featured, limits)
    assert len(expected) > 1000
    assert candidates(featured, limits) == expected


def test_slicing_the_debtors_over_forked_workers_changes_nothing(
    featured: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAD_WORKERS", "1")
    whole = candidates(featured, Limits())
    monkeypatch.setenv("OAD_WORKERS", "2")
    assert candidates(featured, Limits(slice_rows=200)) == whole


def test_re_ranking_in_forked_workers_keeps_the_same_pairs_and_scores(
    featured: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ranked() -> dict[Pair, float | None]:
        build_candidates(featured.con, limits=Limits())
        rows = featured.con.execute(
            "SELECT debtor_id, source, source_id, ranked_score FROM candidate_pairs"
        ).fetchall()
        featured.con.execute("DROP TABLE candidate_pairs")
        return {(d, s, r): score for d, s, r, score in rows}

    alone = ranked()
    monkeypatch.setenv("OAD_WORKERS", "2")
    monkeypatch.setattr(candidates_module, "RANKED_PART", 40)  # the set's debtors in parts
    monkeypatch.setattr(candidates_module, "PARALLEL_FROM", 1)
    spread = ranked()
    assert spread.keys() == alone.keys() and sum(s is not None for s in alone.values()) > 5_000
    for pair, score in alone.items():
        assert spread[pair] == pytest.approx(score, abs=1e-9)


def test_tighter_budget_reaches_fewer_records(featured: Store) -> None:
    loose = candidates(featured, Limits(wide=50, per_debtor=50, dense=0))
    tight = candidates(featured, Limits(wide=50, per_debtor=50, budget=5, dense=0))
    assert len(tight) < len(loose) * 0.8


def test_incremental_pairs_only_fresh_records_as_a_full_run_would(featured: Store) -> None:
    """Records whose features changed since the last run are paired with every debtor; each
    debtor keeps those of them a full run would keep, and no more than its best among them."""
    limits = Limits(wide=8, per_debtor=8)
    since = "2100-01-01 00:00:00"
    con = featured.con
    con.execute(
        "UPDATE features SET computed_at = CAST(? AS TIMESTAMP) + INTERVAL 1 DAY"
        " WHERE source = 'officers'",
        [since],
    )
    try:
        fresh = candidates(featured, limits, since=since)
    finally:
        con.execute("UPDATE features SET computed_at = current_timestamp"
                    " WHERE source = 'officers'")  # fmt: skip
    assert fresh and {source for _, source, _ in fresh} == {"officers"}
    full_run = {pair for pair in reference(featured, limits) if pair[1] == "officers"}
    assert full_run <= fresh <= reference(featured, limits, among="officers")


def test_incremental_pairs_fresh_debtors_with_every_record(featured: Store) -> None:
    """A debtor whose features changed since the last run is paired as a full run would pair
    it, with every record; the others only with the records that changed."""
    limits = Limits(wide=8, per_debtor=8, dense=0)
    since = "2100-01-01 00:00:00"
    con = featured.con
    fresh_debtors = {debtor_id for (debtor_id,) in con.execute(
        "SELECT entity_id FROM features WHERE side = 'debtor' ORDER BY entity_id LIMIT 40"
    ).fetchall()}  # fmt: skip
    con.execute(
        "UPDATE features SET computed_at = CAST(? AS TIMESTAMP) + INTERVAL 1 DAY"
        " WHERE source = 'officers' OR (side = 'debtor' AND entity_id IN ?)",
        [since, list(fresh_debtors)],
    )
    try:
        found = candidates(featured, limits, since=since)
    finally:
        con.execute("UPDATE features SET computed_at = current_timestamp")
    whole = reference(featured, limits)
    assert {pair for pair in found if pair[0] in fresh_debtors} == {
        pair for pair in whole if pair[0] in fresh_debtors
    }
    others = {pair for pair in found if pair[0] not in fresh_debtors}
    assert others and {source for _, source, _ in others} == {"officers"}
    assert any(source != "officers" for debtor, source, _ in whole if debtor in fresh_debtors)


def test_incremental_with_saved_floors_keeps_what_a_full_run_keeps(featured: Store) -> None:
    """After a whole build has saved where each debtor's cuts ended, the records whose features
    changed are admitted for a debtor only where a whole build would admit them: in its first,
    key-based cut and in its re-ranked best (companies by the translation model, persons by
    birth dates), not merely among the best of the changed records."""
    limits = Limits(wide=8, per_debtor=3)
    con = featured.con
    whole = candidates(featured, limits, floors=True)
    since = "2100-01-01 00:00:00"
    changed = "source = 'officers' OR (source <> 'officers' AND hash(entity_id) % 7 = 0)"
    con.execute(
        "UPDATE features SET computed_at = CAST(? AS TIMESTAMP) + INTERVAL 1 DAY"
        f" WHERE side = 'record' AND ({changed})",
        [since],
    )
    try:
        fresh = candidates(featured, limits, since=since)
        without_floors = _without_floors(featured, limits, since)
    finally:
        con.execute("UPDATE features SET computed_at = current_timestamp WHERE side = 'record'")
    changed_ids = {
        tuple(row)
        for row in con.execute(
            f"SELECT source, entity_id FROM features WHERE side = 'record' AND ({changed})"
        ).fetchall()
    }
    expected = {pair for pair in whole if pair[1:] in changed_ids}
    assert {source for _, source, _ in expected} == {"officers", "hk_companies_registry"}
    # a whole build's pairs, but for a rare one crowded out of a debtor's best by a changed
    # record let in by the key cut's margin; a few more where a record ties or nears a floor
    assert len(expected - fresh) <= len(expected) // 50
    assert len(fresh - expected) <= len(expected) // 10
    # the best few among the changed records alone are many more
    assert len(without_floors) > 2 * len(expected)


def _without_floors(store: Store, limits: Limits, since: str) -> set[Pair]:
    saved = store.con.execute("SELECT * FROM candidate_floors").fetchall()
    store.con.execute("DELETE FROM candidate_floors")
    try:
        return candidates(store, limits, since=since)
    finally:
        store.con.executemany("INSERT INTO candidate_floors VALUES (?, ?, ?, ?, ?)", saved)
