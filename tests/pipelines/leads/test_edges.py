"""build_edges over a store written by hand: each kind of problem, fallbacks, qualifiers."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from pipelines.leads.control import Control, parse_natures
from pipelines.leads.edges import build_edges
from pipelines.store import Store
from tests.conftest import rows_by

NOW = "2025-01-02 03:04:05"


def crawl(store: Store, source: str) -> int:
    crawl_id = int(store.scalar("SELECT nextval('crawl_id_seq')"))
    store.con.execute(
        "INSERT INTO crawls (crawl_id, source, kind, location, started_at, finished_at, status)"
        " VALUES (?, ?, 'crawl', 'here', ?, ?, 'finished')",
        [crawl_id, source, NOW, NOW],
    )
    return crawl_id


def record(
    store: Store, source: str, source_id: str, raw: Any = None, removed: bool = False
) -> None:
    store.con.execute(
        "INSERT INTO records (source, source_id, name, kind, content_hash, first_seen, last_seen,"
        " removed_at, crawl_id, raw) VALUES (?, ?, ?, 'company', 0, ?, ?, ?, 0, ?)",
        [source, source_id, f"NAME {source_id}", NOW, NOW, NOW if removed else None,
         None if raw is None else json.dumps(raw)],
    )  # fmt: skip


def asset(store: Store, source: str, asset_id: str) -> None:
    store.con.execute(
        "INSERT INTO assets (source, asset_id, kind, content_hash, first_seen, last_seen,"
        " crawl_id) VALUES (?, ?, 'property', 0, ?, ?, 0)",
        [source, asset_id, NOW, NOW],
    )


def edge(
    store: Store, source: str, subject: str, obj: str, role: str, *, crawl_id: int = 0,
    object_type: str = "record", end: str | None = None, raw: Any = None, removed: bool = False,
) -> str:  # fmt: skip
    key = f"{subject}|{role}|{obj}"
    store.con.execute(
        "INSERT INTO relationships (source, relationship_id, subject_source, subject_id,"
        " object_source, object_id, object_type, role, end_date, content_hash, first_seen,"
        " last_seen, removed_at, crawl_id, raw)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
        [source, key, source, subject, source, obj, object_type, role, end, NOW, NOW,
         NOW if removed else None, crawl_id, None if raw is None else json.dumps(raw)],
    )  # fmt: skip
    return key


def edges(store: Store) -> dict[Any, dict[str, Any]]:
    return rows_by(store, "SELECT * FROM lead_edges", "relationship_id")


def problems(store: Store) -> dict[tuple[str, str], tuple[str, bool]]:
    rows = store.con.execute(
        "SELECT relationship_id, problem, reason, kept FROM lead_edge_problems"
    ).fetchall()
    return {(key, problem): (reason, kept) for key, problem, reason, kept in rows}


def test_a_psc_edge_reads_its_natures_from_the_person_record(store: Store) -> None:
    crawled = crawl(store, "gb_companies_house_psc")
    natures = ["ownership-of-shares-75-to-100-percent", "right-to-appoint-and-remove-directors"]
    record(store, "gb_companies_house_psc", "p1", {"natures_of_control": natures})
    record(store, "gb_companies_house_psc", "c1")
    key = edge(store, "gb_companies_house_psc", "p1", "c1", "psc", crawl_id=crawled)
    counts = build_edges(store.con)
    assert (counts.relationships, counts.edges, counts.problems) == (1, 1, {})
    row = edges(store)[key]
    assert (row["controller_id"], row["controlled_id"], row["role"]) == ("p1", "c1", "psc")
    assert (row["share_min"], row["share_max"], row["appoints_directors"]) == (75, 100, True)
    assert row["votes_min"] is None and row["natures"] == natures
    assert row["unknown_natures"] == [] and not row["ceased"]
    assert str(row["fetched_at"]) == NOW


def test_an_unknown_nature_is_named_and_its_edge_kept(store: Store) -> None:
    natures = ["voting-rights-25-to-50-percent", "ownership-of-everything"]
    record(store, "gb_companies_house_psc", "p1", {"natures_of_control": natures})
    record(store, "gb_companies_house_psc", "c1")
    key = edge(store, "gb_companies_house_psc", "p1", "c1", "psc")
    build_edges(store.con)
    row = edges(store)[key]
    assert (row["votes_min"], row["votes_max"]) == (25, 50)
    assert row["unknown_natures"] == ["ownership-of-everything"]
    reason, kept = problems(store)[(key, "unknown_nature")]
    assert "ownership-of-everything" in reason and kept


def test_natures_that_are_not_a_list_are_a_problem(store: Store) -> None:
    record(store, "gb_companies_house_psc", "p1", {"natures_of_control": "voting-rights"})
    record(store, "gb_companies_house_psc", "c1")
    key = edge(store, "gb_companies_house_psc", "p1", "c1", "psc")
    build_edges(store.con)
    assert edges(store)[key]["share_min"] is None
    reason, kept = problems(store)[(key, "bad_natures")]
    assert "not a list" in reason and kept


def test_an_unknown_role_is_left_out_with_its_word(store: Store) -> None:
    record(store, "gb_land_registry", "owner")
    asset(store, "gb_land_registry", "T1")
    key = edge(store, "gb_land_registry", "owner", "T1", "tenant", object_type="asset")
    counts = build_edges(store.con)
    assert counts.edges == 0 and counts.problems == {"unknown_role": 1}
    reason, kept = problems(store)[(key, "unknown_role")]
    assert '"tenant"' in reason and not kept


def test_missing_and_removed_ends_are_problems(store: Store) -> None:
    record(store, "gleif", "CHILD")
    record(store, "gleif", "GONE", removed=True)
    missing = edge(store, "gleif", "CHILD", "NOWHERE", "is_directly_consolidated_by")
    removed = edge(store, "gleif", "GONE", "CHILD", "is_ultimately_consolidated_by")
    no_title = edge(store, "gb_land_registry", "CHILD", "T9", "proprietor", object_type="asset")
    build_edges(store.con)
    assert edges(store) == {}
    found = problems(store)
    assert "is not in the store" in found[(missing, "missing_object")][0]
    assert "was removed" in found[(removed, "missing_subject")][0]
    assert 'asset gb_land_registry "T9"' in found[(no_title, "missing_object")][0]


def test_a_gleif_child_is_controlled_by_its_parent_as_sure_as_validated(store: Store) -> None:
    record(store, "gleif", "CHILD")
    record(store, "gleif", "PARENT")
    checked = edge(store, "gleif", "CHILD", "PARENT", "is_directly_consolidated_by",
                   raw={"Registration.ValidationSources": "FULLY_CORROBORATED"})  # fmt: skip
    level = {"corroborationLevel": "ENTITY_SUPPLIED_ONLY"}
    supplied = edge(store, "gleif", "CHILD", "PARENT", "is_ultimately_consolidated_by",
                    raw={"registration": level})  # fmt: skip
    unsaid = edge(store, "gleif", "CHILD", "PARENT", "is_international_branch_of")
    build_edges(store.con)
    rows = edges(store)
    for key in (checked, supplied, unsaid):
        assert (rows[key]["controller_id"], rows[key]["controlled_id"]) == ("PARENT", "CHILD")
    assert rows[checked]["base_certainty"] == 0.95
    assert rows[supplied]["base_certainty"] == 0.6
    assert "entity only" in rows[supplied]["certainty_reason"]
    assert rows[unsaid]["base_certainty"] == 0.9  # the role's own


def test_an_icij_link_text_not_known_is_read_by_its_rel_type(store: Store) -> None:
    record(store, "icij_offshore_leaks", "o1")
    record(store, "icij_offshore_leaks", "e1")
    key = edge(store, "icij_offshore_leaks", "o1", "e1", "Director / Asst. Sec",
               raw={"rel_type": "officer_of", "link": "Director / Asst. Sec"})  # fmt: skip
    unknown = edge(store, "icij_offshore_leaks", "o1", "e1", "pen pal of",
                   raw={"rel_type": "pen_pal_of"})  # fmt: skip
    build_edges(store.con)
    row = edges(store)[key]
    assert (row["role"], row["published_role"], row["base_certainty"]) == (
        "officer", "Director / Asst. Sec", 0.7)  # fmt: skip
    assert "$.rel_type = officer_of" in row["certainty_reason"]
    reason, _ = problems(store)[(unknown, "unknown_role")]
    assert '"pen pal of"' in reason and '"pen_pal_of"' in reason


def test_removed_relationships_are_not_read_and_ended_ones_are_ceased(store: Store) -> None:
    record(store, "gb_land_registry", "owner")
    asset(store, "gb_land_registry", "T1")
    edge(store, "gb_land_registry", "owner", "T1", "proprietor", object_type="asset", removed=True)
    record(store, "gb_companies_house_api", "d1")
    record(store, "gb_companies_house_api", "c1")
    ended = edge(store, "gb_companies_house_api", "d1", "c1", "director", end="2021-12-31")
    counts = build_edges(store.con)
    assert counts.relationships == 1
    row = edges(store)[ended]
    assert row["ceased"] and row["end_date"] == "2021-12-31"
    assert row["appoints_directors"] is None  # no natures read for an officer


def test_a_failed_build_leaves_the_last_one(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    record(store, "gleif", "CHILD")
    record(store, "gleif", "PARENT")
    edge(store, "gleif", "CHILD", "PARENT", "is_directly_consolidated_by")
    build_edges(store.con)

    def broken() -> list[tuple[Any, ...]]:
        raise RuntimeError("natures table unreadable")

    monkeypatch.setattr("pipelines.leads.edges.nature_rows", broken)
    with pytest.raises(RuntimeError):
        build_edges(store.con)
    assert len(edges(store)) == 1
    assert store.scalar("SELECT count(*) FROM duckdb_tables() WHERE temporary") == 0


def test_the_sql_reads_natures_as_parse_natures_does(store: Store) -> None:
    """edges.py reads natures in SQL from the same table: the two must agree."""
    cases = [
        ["ownership-of-shares-25-to-50-percent-as-firm", "voting-rights-50-to-75-percent"],
        ["ownership-of-shares-25-to-50-percent", "ownership-of-shares-50-to-75-percent-as-trust"],
        ["right-to-share-surplus-assets-75-to-100-percent-limited-liability-partnership"],
        ["registered-owner-as-nominee-person-scotland-registered-overseas-entity"],
        ["significant-influence-or-control-as-control-over-trust-registered-overseas-entity"],
        ["right-to-appoint-and-remove-person", "mystery-power", "another-mystery"],
        [],
    ]
    record(store, "gb_companies_house_psc", "company")
    keys = []
    for number, natures in enumerate(cases):
        record(store, "gb_companies_house_psc", f"p{number}", {"natures_of_control": natures})
        keys.append(edge(store, "gb_companies_house_psc", f"p{number}", "company", "psc"))
    build_edges(store.con)
    rows = edges(store)
    for key, natures in zip(keys, cases, strict=True):
        expected = parse_natures(natures)
        row = rows[key]
        if not natures:  # no natures: nothing read, nothing claimed
            assert row["share_min"] is None and row["appoints_directors"] is None
            continue
        got = Control(
            share_min=row["share_min"], share_max=row["share_max"],
            votes_min=row["votes_min"], votes_max=row["votes_max"],
            appoints_directors=row["appoints_directors"],
            significant_influence=row["significant_influence"],
            as_trust=row["as_trust"], as_firm=row["as_firm"], nominee_for=row["nominee_for"],
            entity_type=row["entity_type"], unknown=sorted(row["unknown_natures"]),
        )  # fmt: skip
        assert got == replace(expected, unknown=sorted(expected.unknown)), natures
