"""An incremental leads build gives the rows a whole one gives: the store is built whole, copied,
changed alike in both copies, then built incrementally in one and whole (--full) in the other,
and every row of lead_edges, entity_links, leads and lead_reach is compared."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.leads.build import build_leads
from pipelines.leads.run import LeadsBuilt, run_leads
from pipelines.leads.walk import WalkLimits
from pipelines.store import Store, connect

PSC, CH, CCOD = "gb_companies_house_psc", "gb_companies_house", "gb_land_registry_ccod"
NATURES = json.dumps({"natures_of_control": ["ownership-of-shares-75-to-100-percent"]})

# Rows compared; what a build writes as its own time is left out (an incremental build keeps
# an untouched edge's built_at, and every build stamps the leads it writes).
COMPARED = {
    "lead_edges": "SELECT * EXCLUDE (built_at) FROM {db}lead_edges",
    "lead_edge_problems": "SELECT * EXCLUDE (built_at) FROM {db}lead_edge_problems",
    "entity_links": "SELECT * EXCLUDE (resolved_at) FROM {db}entity_links",
    "leads": "SELECT * EXCLUDE (first_built, last_built, gone_at) FROM {db}leads",
    "lead_reach": "SELECT * FROM {db}lead_reach",
}


def record(store: Store, source: str, source_id: str, kind: str = "company",
           number: str | None = None) -> None:  # fmt: skip
    person = kind == "person"
    store.con.execute(
        "INSERT INTO records (source, source_id, name, kind, jurisdiction, registration_number,"
        " content_hash, first_seen, last_seen, crawl_id, raw)"
        " VALUES (?, ?, ?, ?, ?, ?, hash(?), now(), now(), 1, ?)",
        [source, source_id, f"{source_id} {'PERSON' if person else 'HOLDINGS LIMITED'}", kind,
         None if person else "GB", number, source_id, NATURES if person else None],
    )  # fmt: skip


def relationship(store: Store, source: str, subject: str, object_id: str,
                 object_source: str = CH) -> None:  # fmt: skip
    asset = object_source == CCOD
    store.con.execute(
        "INSERT INTO relationships (source, relationship_id, subject_source, subject_id,"
        " object_source, object_id, object_type, role, content_hash, first_seen, last_seen,"
        " crawl_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, hash(?), now(), now(), 1)",
        [source, f"{subject}>{object_id}", source, subject, object_source, object_id,
         "asset" if asset else "record", "proprietor" if asset else "psc", subject + object_id],
    )  # fmt: skip


def title(store: Store, asset_id: str, price: int) -> None:
    store.con.execute(
        "INSERT INTO assets (source, asset_id, kind, price_paid, content_hash, first_seen,"
        " last_seen, crawl_id) VALUES (?, ?, 'property', ?, hash(?), now(), now(), 1)",
        [CCOD, asset_id, price, asset_id],
    )


def match(store: Store, debtor_id: str, person: str, probability: float = 0.9) -> None:
    store.con.execute(
        "INSERT INTO matches (debtor_id, source, source_id, match_probability, reason, run_id,"
        " created_at) VALUES (?, ?, ?, ?, 'name agrees', 1, TIMESTAMP '2025-01-01')",
        [debtor_id, PSC, person, probability],
    )


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """Three debtors, each matched to a person with significant control of a company.

    D1: P1 → C1 = X1 (same number) → title T1.   D2: P2 → C2 = K2 (a corporate PSC) → C1 = X1,
    where its four hops end (T1 would be a fifth).   D3: P3 → C3 = X3 → title T3.   D5: P5 → C5,
    a company with nothing of the others'."""
    db = tmp_path / "a.duckdb"
    with connect(db) as store:
        for person in ("P1", "P2", "P3", "P5"):
            record(store, PSC, person, "person")
        for number in ("1", "2", "3", "5"):
            record(store, CH, f"C{number}", number=f"0000000{number}")
        record(store, PSC, "K2", number="2")
        record(store, CCOD, "X1", number="1")
        record(store, CCOD, "X3", number="00000003")
        for person, company in (("P1", "C1"), ("P2", "C2"), ("P3", "C3"), ("P5", "C5")):
            relationship(store, PSC, person, company)
        relationship(store, PSC, "K2", "C1")
        title(store, "T1", 500000)
        title(store, "T3", 750000)
        relationship(store, CCOD, "X1", "T1", CCOD)
        relationship(store, CCOD, "X3", "T3", CCOD)
        for number in ("1", "2", "3", "5"):
            match(store, f"D{number}", f"P{number}")
        assert run_leads(store, WalkLimits()).whole
    return db


def live_leads(store: Store) -> dict[tuple[str, str], str]:
    rows = store.con.execute("SELECT debtor_id, target_id, status FROM leads").fetchall()
    return {(debtor, target): status for debtor, target, status in rows}


def both_ways(built: Path, change: Callable[[Store], None]) -> tuple[LeadsBuilt, Store]:
    """CHANGE applied to the store and to a copy; the store built incrementally, the copy whole;
    every compared row equal. Returns the incremental build and the store, open."""
    whole_db = built.with_name("whole.duckdb")
    shutil.copy(built, whole_db)
    with connect(whole_db) as whole:
        change(whole)
        assert run_leads(whole, WalkLimits(), full=True).whole
    store = connect(built)
    change(store)
    incremental = run_leads(store, WalkLimits())
    assert not incremental.whole
    store.con.execute("ATTACH ? AS whole (READ_ONLY)", [str(whole_db)])
    for table, sql in COMPARED.items():
        mine, theirs = sql.format(db=""), sql.format(db="whole.")
        differ = store.con.execute(
            f"SELECT count(*) FROM (({mine} EXCEPT ALL {theirs})"
            f" UNION ALL ({theirs} EXCEPT ALL {mine}))"
        ).fetchall()[0][0]
        assert differ == 0, f"{table}: {differ} rows differ from a whole build"
    store.con.execute("DETACH whole")
    return incremental, store


def test_the_first_build_is_whole_and_finds_each_chain(built: Path) -> None:
    with connect(built) as store:
        found = live_leads(store)
        reach = store.scalar("SELECT count(DISTINCT debtor_id) FROM lead_reach")
    assert found == {
        ("D1", "C1"): "new", ("D1", "T1"): "new", ("D2", "C2"): "new", ("D2", "C1"): "new",
        ("D3", "C3"): "new", ("D3", "T3"): "new", ("D5", "C5"): "new",
    }  # fmt: skip
    assert reach == 4


def test_nothing_changed_walks_nobody_and_every_lead_reads_unchanged(built: Path) -> None:
    incremental, store = both_ways(built, lambda store: None)
    with store:
        assert incremental.walked == 0 and incremental.leads.unchanged == 7
        assert set(live_leads(store).values()) == {"unchanged"}


def test_a_title_changing_hands(built: Path) -> None:
    def sell(store: Store) -> None:  # X1's title is X3's now
        store.con.execute(
            "UPDATE relationships SET removed_at = now() WHERE relationship_id = 'X1>T1'"
        )
        relationship(store, CCOD, "X3", "T1", CCOD)

    incremental, store = both_ways(built, sell)
    with store:
        found = live_leads(store)
    assert found[("D1", "T1")] == "gone" and found[("D1", "C1")] == "unchanged"
    assert found[("D3", "T1")] == "new" and found[("D3", "T3")] == "unchanged"
    # D2 reaches X1 with no hop to spare, so X1's steps were never its to read; D5 none of them
    assert incremental.walked == 2


def test_a_psc_ceasing_halves_its_chains(built: Path) -> None:
    def cease(store: Store) -> None:
        store.con.execute(
            "UPDATE relationships SET end_date = '2025-06-30', content_hash = content_hash + 1"
            " WHERE relationship_id = 'P3>C3'"
        )

    incremental, store = both_ways(built, cease)
    with store:
        changed = store.con.execute(
            "SELECT target_id, status, round(confidence, 4) FROM leads WHERE debtor_id = 'D3'"
            " ORDER BY target_id"
        ).fetchall()
    assert changed == [("C3", "changed", 0.405), ("T3", "changed", 0.3645)]
    assert incremental.walked == 1


def test_a_new_edge_to_a_new_title_of_a_debtor_with_leads(built: Path) -> None:
    def buy(store: Store) -> None:
        title(store, "T4", 900000)
        relationship(store, CCOD, "X1", "T4", CCOD)

    incremental, store = both_ways(built, buy)
    with store:
        found = live_leads(store)
        value = store.scalar("SELECT value FROM leads WHERE debtor_id = 'D1' AND target_id = 'T4'")
    assert found[("D1", "T4")] == "new" and value == 900000 and ("D2", "T4") not in found
    assert found[("D1", "T1")] == "unchanged" and incremental.walked == 1


def test_an_edge_removed_makes_its_leads_gone(built: Path) -> None:
    def remove(store: Store) -> None:
        store.con.execute(
            "UPDATE relationships SET removed_at = now() WHERE relationship_id = 'P2>C2'"
        )

    incremental, store = both_ways(built, remove)
    with store:
        found = live_leads(store)
    assert {t: s for (d, t), s in found.items() if d == "D2"} == {
        "C2": "gone", "C1": "gone",
    }  # fmt: skip
    assert found[("D1", "T1")] == "unchanged" and incremental.walked == 1


def test_a_match_added_and_one_removed(built: Path) -> None:
    def rematch(store: Store) -> None:
        match(store, "D4", "P3", 0.8)
        store.con.execute("DELETE FROM matches WHERE debtor_id = 'D1'")

    incremental, store = both_ways(built, rematch)
    with store:
        found = live_leads(store)
    assert found[("D4", "C3")] == found[("D4", "T3")] == "new"
    assert found[("D1", "C1")] == found[("D1", "T1")] == "gone"
    assert incremental.walked == 2 and incremental.changed is not None
    assert incremental.changed.starts == 2


def test_a_related_person_found_walks_its_debtor_again(built: Path) -> None:
    from matching.features import refresh_features

    def relate(store: Store) -> None:  # D9's file names P3 as its shareholder
        store.con.execute(
            "INSERT INTO debtors (debtor_id, name, kind, related_persons, content_hash,"
            " source_file, source_line, crawl_id, imported_at, updated_at) VALUES ('D9',"
            " '某公司', 'company', ?, 'h', 'debtors.csv', 2, 1, TIMESTAMP '2025-01-01',"
            " TIMESTAMP '2025-01-01')",
            [json.dumps([{"name": "P3 PERSON", "role": "股东"}])],
        )
        refresh_features(store)

    incremental, store = both_ways(built, relate)
    with store:
        found = live_leads(store)
        via = store.scalar("SELECT any_value(via_related) FROM leads WHERE debtor_id = 'D9'")
    assert found[("D9", "C3")] == found[("D9", "T3")] == "new"
    assert via == "P3 PERSON (shareholder)"
    assert incremental.walked == 1 and incremental.related.matches >= 1


def test_a_company_record_changed_resolves_the_links_again(built: Path) -> None:
    def renumber(store: Store) -> None:  # the corporate PSC is no longer C2's number
        store.con.execute(
            "UPDATE records SET registration_number = '7', content_hash = content_hash + 1"
            " WHERE source_id = 'K2'"
        )

    incremental, store = both_ways(built, renumber)
    with store:
        found = live_leads(store)
    assert incremental.entities is not None
    assert found[("D2", "C1")] == "gone"
    assert found[("D2", "C2")] == "unchanged" and incremental.walked == 1


def test_a_title_whose_price_changed_flags_its_leads(built: Path) -> None:
    def reprice(store: Store) -> None:
        store.con.execute(
            "UPDATE assets SET price_paid = 650000, content_hash = content_hash + 1"
            " WHERE asset_id = 'T3'"
        )

    incremental, store = both_ways(built, reprice)
    with store:
        found = live_leads(store)
    assert found[("D3", "T3")] == "changed" and found[("D3", "C3")] == "unchanged"
    assert incremental.walked == 1


def test_other_walk_limits_build_whole(built: Path) -> None:
    with connect(built) as store:
        assert run_leads(store, WalkLimits(depth=2)).whole
        assert not run_leads(store, WalkLimits(depth=2)).whole


def test_batches_give_the_leads_one_batch_gives(built: Path) -> None:
    one = built.with_name("one.duckdb")
    shutil.copy(built, one)
    query = "SELECT * EXCLUDE (first_built, last_built) FROM leads ORDER BY lead_id"
    reach = "SELECT * FROM lead_reach ORDER BY ALL"
    with connect(one) as store:
        store.con.execute("DELETE FROM leads")
        build_leads(store.con, 9, WalkLimits(), batch_debtors=10_000)
        expected = store.con.execute(query).fetchall(), store.con.execute(reach).fetchall()
    with connect(built) as store:
        store.con.execute("DELETE FROM leads")
        build_leads(store.con, 9, WalkLimits(), batch_debtors=1)  # four batches of one
        assert (store.con.execute(query).fetchall(), store.con.execute(reach).fetchall()) == (
            expected
        )
    assert len(expected[0]) == 7 and len(expected[1]) > 7


def test_the_build_command_takes_full(built: Path) -> None:
    from tests.reliability.helpers import oad

    incremental = oad(built, "leads", "build")
    assert incremental.returncode == 0, incremental.stderr
    assert "incremental, 0 debtors walked again" in incremental.stdout
    whole = oad(built, "leads", "build", "--full")
    assert whole.returncode == 0 and "whole" in whole.stdout
    assert "0 new, 0 changed, 7 unchanged, 0 gone" in whole.stdout
