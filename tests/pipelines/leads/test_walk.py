"""The walk and the leads it keeps: chains through edges and entity links to titles, cycles that
end, ceased control weighing less, ids kept by a rebuild, changed and gone leads flagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.leads.build import build_leads
from pipelines.leads.walk import WalkLimits
from pipelines.store import Store, connect

CH, LR = "gb_companies_house", "gb_land_registry_ccod"


def edge(store: Store, controller: str, controlled: str, kind: str = "ownership",
         ceased: bool = False, to: tuple[str, str] = (CH, "record")) -> None:  # fmt: skip
    store.con.execute(
        "INSERT INTO lead_edges (controller_source, controller_id, controlled_source,"
        " controlled_id, controlled_type, role, kind, undirected, published_role, ceased,"
        " base_certainty, certainty_reason, source, relationship_id, built_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, false, ?, ?, 1.0, 'a register', ?, ?, now())",
        [CH if to[0] == CH else LR, controller, to[0], controlled, to[1],
         "psc" if kind == "ownership" else "proprietor", kind, "psc", ceased, to[0],
         f"{controller}>{controlled}"],
    )  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = connect(tmp_path / "s.duckdb")
    con = opened.con
    con.execute(
        "INSERT INTO matches (debtor_id, source, source_id, match_probability, reason, run_id,"
        " created_at) VALUES ('D1', ?, 'P1', 0.9, 'name and birth month agree', 1, now())",
        [CH],
    )
    edge(opened, "P1", "C1")  # the person holds C1 ...
    edge(opened, "C1", "C2", ceased=True)  # ... which held C2 (ceased) ...
    edge(opened, "C2", "C1")  # ... which holds C1 back: a cycle
    edge(opened, "GB|123", "T1", kind="property", to=(LR, "asset"))  # a title of C2's
    con.execute(
        "INSERT INTO entity_links (source_a, id_a, source_b, id_b, method, probability,"
        " jurisdiction, explanation, model_version, resolved_at)"
        " VALUES (?, 'C2', ?, 'GB|123', 'registration_number', 0.99, 'GB', '{}', 't', now())",
        [CH, LR],
    )
    con.execute(
        "INSERT INTO assets (source, asset_id, kind, price_paid, content_hash, first_seen,"
        " last_seen, crawl_id) VALUES (?, 'T1', 'property', 500000, 1, now(), now(), 1)",
        [LR],
    )
    return opened


def leads(store: Store) -> dict[str, tuple[object, ...]]:
    rows = store.con.execute(
        "SELECT target_id, lead_id, hops, round(confidence, 4), round(weakest, 2), status,"
        " value, changes::VARCHAR FROM leads ORDER BY target_id"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_chains_reach_the_title_through_a_ceased_hop_and_a_cycle_ends(store: Store) -> None:
    counts = build_leads(store.con, 1, WalkLimits())
    found = leads(store)
    assert set(found) == {"C1", "C2", "T1"} and counts.new == 3
    assert found["C1"][1:4] == (1, 0.9, 0.9)
    # the ceased hop halves the chain: 0.9 × 0.5, then × 0.99 for the same company's title
    assert found["C2"][1:4] == (2, 0.45, 0.5)
    assert found["T1"][1:4] == (4, 0.4455, 0.5) and found["T1"][5] == 500000
    path = json.loads(store.scalar("SELECT path::VARCHAR FROM leads WHERE target_id = 'T1'"))
    assert [hop["via"] for hop in path] == ["match", "edge", "edge", "same_entity", "edge"]
    assert "ceased" in path[2]["reason"]


def test_a_rebuild_keeps_ids_flags_a_changed_title_and_keeps_gone_leads(store: Store) -> None:
    build_leads(store.con, 1, WalkLimits())
    first = leads(store)
    assert build_leads(store.con, 2, WalkLimits()).unchanged == 3
    assert {k: v[0] for k, v in leads(store).items()} == {k: v[0] for k, v in first.items()}
    store.con.execute("UPDATE assets SET content_hash = 2, price_paid = 650000")
    counts = build_leads(store.con, 3, WalkLimits())
    assert (counts.changed, counts.unchanged) == (1, 2)
    changed = leads(store)["T1"]
    assert changed[4] == "changed" and changed[5] == 650000 and "title changed" in changed[6]
    store.con.execute("DELETE FROM lead_edges WHERE relationship_id = 'P1>C1'")
    assert build_leads(store.con, 4, WalkLimits()).gone == 3
    gone = store.scalar("SELECT count(*) FROM leads WHERE status = 'gone' AND gone_at IS NOT NULL")
    assert gone == 3


def test_depth_and_the_match_floor_bound_the_walk(store: Store) -> None:
    build_leads(store.con, 1, WalkLimits(depth=2))
    assert set(leads(store)) == {"C1", "C2"}
    store.con.execute("DELETE FROM leads")
    build_leads(store.con, 2, WalkLimits(min_match=0.95))
    assert leads(store) == {}


def test_the_leads_commands_list_and_show_a_chain(store: Store, tmp_path: Path) -> None:
    from tests.reliability.helpers import oad

    build_leads(store.con, 1, WalkLimits())
    store.close()
    db = tmp_path / "s.duckdb"
    listed = oad(db, "leads", "list", "--min-confidence", "0.4").stdout.splitlines()
    assert len(listed) == 3 and "title T1" in listed[0] and "£500,000" in listed[0]
    shown = oad(db, "leads", "show", listed[0].split()[0])
    assert shown.returncode == 0, shown.stderr
    assert "—matched→ gb_companies_house:P1" in shown.stdout and "ceased" in shown.stdout
    assert oad(db, "leads", "show", "nosuchlead").returncode == 1
    # a build starts from the store's own relationships and records: none here, so every
    # lead found from the hand-made edges above is kept, as gone
    built = oad(db, "leads", "build")
    assert built.returncode == 0 and "0 new, 0 changed, 0 unchanged, 3 gone" in built.stdout


def test_the_graph_is_one_standalone_page_with_names_escaped(store: Store, tmp_path: Path) -> None:
    from tests.reliability.helpers import oad

    store.con.execute(
        "INSERT INTO records (source, source_id, name, kind, content_hash, first_seen, last_seen,"
        " crawl_id) VALUES (?, 'C1', '<script>alert(1)</script> HOLDINGS LTD', 'company', 1,"
        " now(), now(), 1)",
        [CH],
    )
    build_leads(store.con, 1, WalkLimits())
    store.close()
    db, page = tmp_path / "s.duckdb", tmp_path / "d1.html"
    drawn = oad(db, "leads", "graph", "D1", "--out", str(page))
    assert drawn.returncode == 0, drawn.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    assert html.count("<rect") == 6  # the debtor, P1, C1, C2, GB|123, T1
    assert "same_entity" not in html and "same company" in html and ">0.99<" in html
    assert "psc (ceased)" in html and "£500,000" in html  # the ceased hop, the title's value
    none = oad(db, "leads", "graph", "D9", "--out", str(tmp_path / "none.html"))
    assert none.returncode == 1 and not (tmp_path / "none.html").exists()
