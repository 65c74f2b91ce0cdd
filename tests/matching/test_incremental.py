"""An incremental run after records changed, against a whole run over the same store: the changed
records get the candidates and matches a whole run gives them, their earlier matches go, and a
changed record that outranks a debtor's candidates is matched to it."""

from __future__ import annotations

import csv
from pathlib import Path

from matching.limits import Limits
from matching.ranking import RANKED
from matching.run import run_matching
from pipelines.records import import_records
from pipelines.store import Store
from tests.matching.conftest import EVAL

# tight enough that both cuts (the key-based one and the re-ranking) leave records out
LIMITS = Limits(wide=8, per_debtor=3)
SOURCE = "hk_companies_registry"
Matches = dict[tuple[str, str, str], tuple[float, int]]
# company pairs here have no evidence beyond their names: few reach high probabilities
THRESHOLD = 0.05


def test_incremental_run_matches_changed_records_as_a_whole_run(
    evaluation_store: Store, tmp_path: Path
) -> None:
    store = evaluation_store
    run_matching(store, limits=LIMITS)
    copied = _change_records(store, tmp_path)
    changed = {(SOURCE, source_id) for source_id in _changed_ids(tmp_path)}
    before = _matches_of(store, changed)

    summary = run_matching(store, incremental=True, limits=LIMITS)
    incremental = _matches_of(store, changed)
    run_matching(store, limits=LIMITS)
    whole = _matches_of(store, changed)

    # nothing of the records' earlier names is left: all their matches are this run's
    assert before and {run_id for _, run_id in incremental.values()} == {summary.run_id}
    # the pairs a whole run forms for them (but where a cut moved as records changed), with
    # the same probabilities, or nearly: a company's calibration counts the debtor's close rival
    # candidates, of which an incremental run's wider set may hold one more; the strong ones all
    common = set(whole) & set(incremental)
    assert len(common) >= 0.9 * len(whole) and len(incremental) <= 2.5 * len(whole)
    moved = [abs(incremental[pair][0] - whole[pair][0]) for pair in common]
    assert sum(shift == 0 for shift in moved) >= 0.8 * len(common) and max(moved) <= 0.05
    above = {pair for pair, (probability, _) in whole.items() if probability >= THRESHOLD}
    above_incremental = {pair for pair, (p, _) in incremental.items() if p >= THRESHOLD}
    assert len(above) >= 5 and above <= above_incremental
    # let in beyond a whole run: a record the debtor matched before it changed, kept in the
    # place its change left (a whole run may give it to an unchanged record just above), and
    # a copy that ties the pair a debtor's floor was set by (a whole run keeps one of the two)
    assert len(above_incremental - above - set(before)) <= len(above) // 5
    # a record renamed after a debtor's best match joins that debtor's candidates
    assert {(debtor_id, SOURCE, source_id) for debtor_id, source_id in copied} <= set(incremental)


def _change_records(store: Store, tmp_path: Path) -> list[tuple[str, str]]:
    """Twenty unlabelled records that some debtor matched take the name of a debtor's
    first-ranked true record; twenty others get a word added. Returns the (debtor_id,
    source_id) each copy should now match."""
    best = store.con.execute(
        f"SELECT m.debtor_id, r.name FROM ({RANKED}) m"
        " JOIN records r ON r.source = m.source AND r.source_id = m.source_id"
        " WHERE m.rank = 1 AND m.source = ? AND (m.debtor_id, m.source_id) IN"
        " (SELECT (debtor_id, source_id) FROM read_csv(?) WHERE is_match = 1)"
        " ORDER BY m.debtor_id LIMIT 20",
        [SOURCE, str(EVAL / "labels.csv")],
    ).fetchall()
    spare = store.con.execute(
        "SELECT source_id, name FROM records WHERE source = ? AND source_id NOT IN"
        " (SELECT source_id FROM read_csv(?, all_varchar = true))"
        " AND source_id IN (SELECT source_id FROM matches WHERE source = ?)"
        " ORDER BY source_id LIMIT 40",
        [SOURCE, str(EVAL / "labels.csv"), SOURCE],
    ).fetchall()
    assert len(best) == 20 and len(spare) == 40
    rows = [(source_id, name) for (source_id, _), (_, name) in zip(spare, best, strict=False)]
    rows += [(source_id, f"{name} GLOBAL") for source_id, name in spare[20:]]
    path = tmp_path / "changes.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["source_id", "name", "kind", "jurisdiction"])
        out.writerows([source_id, name, "company", "HK"] for source_id, name in rows)
    import_records(store, path, SOURCE)
    copies = zip(best, spare[:20], strict=True)
    return [(debtor_id, source_id) for (debtor_id, _), (source_id, _) in copies]


def _changed_ids(tmp_path: Path) -> list[str]:
    with (tmp_path / "changes.csv").open(encoding="utf-8", newline="") as handle:
        return [row["source_id"] for row in csv.DictReader(handle)]


def _matches_of(store: Store, records: set[tuple[str, str]]) -> Matches:
    rows = store.con.execute(
        "SELECT debtor_id, source, source_id, round(match_probability, 9), run_id FROM matches"
    ).fetchall()
    return {(d, s, r): (p, run_id) for d, s, r, p, run_id in rows if (s, r) in records}
