"""The decisions journal: taken while a run holds the store, applied once by the next holder."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from matching.run import run_matching
from pipelines.debtors import import_debtors
from pipelines.decision_journal import apply_if_free, apply_pending, pending, record_decision
from pipelines.errors import OadError, StoreInUseError
from pipelines.records import import_records
from pipelines.store import Store, connect
from pipelines.workbench_backlog import apply_backlog
from pipelines.workbench_db import connect_workbench, workbench_path
from pipelines.workbench_events import record_event
from tests.conftest import REPO
from tests.store_holder import held_by_another_process

SAMPLE = REPO / "data" / "sample"
MICROSOFT_CN = ("D016", "gleif", "836800FXO82WAQQSJI94")  # found by its USCC: a certain match


@pytest.fixture(scope="module")
def matched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample debtors and records, matched once; each test works on a copy."""
    path = tmp_path_factory.mktemp("matched") / "matched.duckdb"
    with connect(path) as store:
        import_debtors(store, SAMPLE / "debtors.csv")
        import_records(store, SAMPLE / "records" / "hk_companies_registry.csv",
                       "hk_companies_registry")  # fmt: skip
        import_records(store, SAMPLE / "records" / "gleif.jsonl", "gleif")
        run_matching(store)
    return path


@pytest.fixture
def store_path(matched: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copy(matched, copy)
    return copy


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    with connect(store_path) as opened:
        yield opened


def match_probability(store: Store, pair: tuple[str, str, str]) -> float | None:
    return store.scalar(
        "SELECT match_probability FROM matches WHERE debtor_id = ? AND source = ?"
        " AND source_id = ?",
        list(pair),
    )


def other_match(store: Store) -> tuple[str, str, str]:
    """A matched pair that is not MICROSOFT_CN."""
    row = store.con.execute(
        "SELECT debtor_id, source, source_id FROM matches WHERE debtor_id <> 'D016'"
        " ORDER BY match_probability DESC, debtor_id, source, source_id LIMIT 1"
    ).fetchall()[0]
    return (row[0], row[1], row[2])


def counts(store: Store) -> tuple[int, int, int]:
    return (
        store.scalar("SELECT count(*) FROM reviews"),
        store.scalar("SELECT count(*) FROM audit_log WHERE action = 'decision'"),
        store.scalar("SELECT count(*) FROM matches"),
    )


def test_a_decision_taken_while_a_run_holds_the_store_is_applied_by_the_next_run(
    store_path: Path,
):
    with connect(store_path) as store:
        rejected = other_match(store)
    with held_by_another_process(store_path):
        with pytest.raises(StoreInUseError):
            connect(store_path, wait=0)
        record_decision(store_path, "alice", *rejected, "reject", "different person")
        record_decision(store_path, "bob", *MICROSOFT_CN, "confirm", "USCC agrees")
        record_decision(store_path, "alice", *MICROSOFT_CN, "unsure")
        assert apply_if_free(store_path) is None  # held: left for the run
        assert [d.decision for d in pending(store_path)] == ["reject", "confirm", "unsure"]

    with connect(store_path) as store:
        run_matching(store)
        assert match_probability(store, rejected) is None
        assert match_probability(store, MICROSOFT_CN) == 1.0
        audits = store.con.execute(
            "SELECT actor, details FROM audit_log WHERE action = 'decision' ORDER BY audit_id"
        ).fetchall()
        reviews = store.con.execute("SELECT decision, reviewer FROM reviews ORDER BY review_id")
        assert reviews.fetchall() == [("reject", "alice"), ("confirm", "bob")]
    assert pending(store_path) == []
    assert [actor for actor, _ in audits] == ["alice", "bob", "alice"]
    first, second, unsure = (json.loads(details) for _, details in audits)
    assert first["before"]["match_probability"] is not None
    assert first["after"] == {"review": "reject", "reviewer": "alice", "match_probability": None}
    assert second["after"]["review"] == "confirm" and second["note"] == "USCC agrees"
    assert unsure["decision"] == "unsure" and unsure["review_id"] is None
    assert unsure["journal_before"]["decision"] == "confirm"  # bob's, journalled before hers


def test_applying_twice_changes_nothing(store: Store, store_path: Path):
    record_decision(store_path, "alice", *other_match(store), "reject")
    assert apply_pending(store, store_path) == 1
    after_first = counts(store)
    assert apply_pending(store, store_path) == 0
    assert counts(store) == after_first


def test_a_crash_before_the_journal_is_marked_does_not_apply_twice(store: Store, store_path: Path):
    record_decision(store_path, "alice", *MICROSOFT_CN, "confirm")
    assert apply_pending(store, store_path) == 1
    after_first = counts(store)
    # as if the process had died after the store's commit, before marking the journal row
    with sqlite3.connect(workbench_path(store_path)) as journal:
        journal.execute("UPDATE pending_decisions SET applied_at = NULL, review_id = NULL")
    assert len(pending(store_path)) == 1
    assert apply_pending(store, store_path) == 0
    assert counts(store) == after_first
    assert pending(store_path) == []
    with sqlite3.connect(workbench_path(store_path)) as journal:
        review_id = journal.execute("SELECT review_id FROM pending_decisions").fetchone()[0]
    assert review_id == store.scalar("SELECT max(review_id) FROM reviews")


def test_a_journal_made_again_is_not_mistaken_for_the_old_one(store: Store, store_path: Path):
    record_decision(store_path, "alice", *MICROSOFT_CN, "confirm")
    apply_pending(store, store_path)
    workbench_path(store_path).unlink()
    assert record_decision(store_path, "bob", *MICROSOFT_CN, "reject") == 1  # id 1 again
    assert apply_pending(store, store_path) == 1
    assert match_probability(store, MICROSOFT_CN) is None


def test_unsure_changes_no_match(store: Store, store_path: Path):
    pair = other_match(store)
    before = match_probability(store, pair)
    record_decision(store_path, "alice", *pair, "unsure", "check the birth date")
    assert apply_pending(store, store_path) == 1
    assert match_probability(store, pair) == before
    assert store.scalar("SELECT count(*) FROM reviews") == 0


def test_a_decision_the_store_cannot_take_stays_pending_with_its_reason(
    store: Store, store_path: Path
):
    record_decision(store_path, "alice", "D016", "gleif", "NO-SUCH-LEI", "confirm")
    record_decision(store_path, "alice", *MICROSOFT_CN, "confirm")
    assert apply_pending(store, store_path) == 1
    (left,) = pending(store_path)
    assert left.source_id == "NO-SUCH-LEI" and "no record 'NO-SUCH-LEI'" in (left.error or "")


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("decision", ("alice", "D016", "gleif", "x", "maybe")),
        ("user", (" ", "D016", "gleif", "x", "confirm")),
        ("source_id", ("alice", "D016", "gleif", "", "confirm")),
    ],
)
def test_a_bad_decision_is_refused_naming_its_field(store_path: Path, field: str, args: tuple):
    with pytest.raises(OadError, match=field):
        record_decision(store_path, *args)


def test_the_next_run_takes_the_user_changes_the_store_could_not_take(
    store: Store, store_path: Path
) -> None:
    # an admin disabled a user while a run held the store: the next matching run writes it to
    # the audit log, once, with the admin as actor and the change's own time
    with closing(connect_workbench(store_path)) as con:
        record_event(con, "admin1", "user disabled", {"user": "bob"},
                     dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))  # fmt: skip
    assert apply_backlog(store) == 1
    assert apply_backlog(store) == 0
    rows = store.con.execute(
        "SELECT actor, occurred_at, details->>'$.user' FROM audit_log"
        " WHERE action = 'user disabled'"
    ).fetchall()
    assert rows == [("admin1", dt.datetime(2026, 1, 2, 3, 4, 5), "bob")]


def test_a_store_no_workbench_served_gets_no_workbench_file(tmp_path: Path) -> None:
    with connect(tmp_path / "plain.duckdb") as plain:
        assert apply_backlog(plain) == 0
    assert not workbench_path(tmp_path / "plain.duckdb").exists()
