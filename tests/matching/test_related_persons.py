"""A debtor's related persons from the debtor file, found among person records by name, and the
leads that start from them, marked as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.features import refresh_features
from matching.related_persons import load_rules, match_related_persons
from pipelines.debtors import import_debtors
from pipelines.leads.build import build_leads
from pipelines.leads.walk import WalkLimits
from pipelines.records import import_records
from pipelines.store import Store

PSC, CH = "gb_companies_house_psc", "gb_companies_house"
DEBTORS = """债务人编号,名称,类型,关联人
D001,安丰投资有限公司,公司,陈大文:法定代表人; 黄国强:股东; 陈大文:股东
D002,广发行财务有限公司,公司,许家豪:顾问
"""
RECORDS = """source_id,name,kind,birth_date
psc-chan,CHAN Tai Man,person,1970-05
psc-chan-gone,CHAN Tai Man,person,1962-01
psc-lee,LEE Siu Lung,person,1980-02
psc-hui,HUI Ka Ho,person,1975-09
psc-wong,WONG Kwok Keung,person,1966-03
"""


@pytest.fixture
def related(store: Store, tmp_path: Path) -> Store:
    (tmp_path / "debtors.csv").write_text(DEBTORS, encoding="utf-8")
    (tmp_path / "psc.csv").write_text(RECORDS, encoding="utf-8")
    import_debtors(store, tmp_path / "debtors.csv")
    import_records(store, tmp_path / "psc.csv", PSC)
    store.con.execute("UPDATE records SET removed_at = now() WHERE source_id = 'psc-chan-gone'")
    refresh_features(store)
    return store


def found(store: Store) -> dict[tuple[str, str, str], tuple[object, ...]]:
    rows = store.con.execute(
        "SELECT debtor_id, person_name, source_id, role_label, name_score, probability, reason"
        " FROM related_matches ORDER BY ALL"
    ).fetchall()
    return {row[:3]: row[3:] for row in rows}


def test_related_persons_are_found_by_name_with_a_name_only_certainty(related: Store) -> None:
    counts = match_related_persons(related.con)
    rows = found(related)
    weight = load_rules().name_only_weight
    # 陈大文 named twice for D001 counts once, with the first role given; the removed record
    # and the other persons' records are not his
    assert set(rows) == {
        ("D001", "陈大文", "psc-chan"),
        ("D001", "黄国强", "psc-wong"),
        ("D002", "许家豪", "psc-hui"),
    }
    role, score, probability, reason = rows[("D001", "陈大文", "psc-chan")]
    assert role == "legal representative"
    assert 0.85 <= float(score) <= 1.0  # type: ignore[arg-type]
    assert probability == pytest.approx(float(score) * weight)  # type: ignore[arg-type]
    assert "named in the debtor file" in str(reason) and "CHAN Tai Man" in str(reason)
    assert rows[("D001", "黄国强", "psc-wong")][0] == "shareholder"
    assert rows[("D002", "许家豪", "psc-hui")][0] == "顾问"  # a role oad does not list: as written
    assert (counts.persons, counts.matched_persons, counts.matches) == (3, 3, 3)


def test_a_rerun_gives_the_same_rows(related: Store) -> None:
    match_related_persons(related.con)
    first = found(related)
    match_related_persons(related.con)
    assert found(related) == first and len(first) == 3


def test_a_lead_through_a_related_person_is_marked_and_weighs_its_hop(related: Store) -> None:
    related.con.execute(
        "INSERT INTO lead_edges (controller_source, controller_id, controlled_source,"
        " controlled_id, controlled_type, role, kind, undirected, published_role, ceased,"
        " base_certainty, certainty_reason, source, relationship_id, built_at) VALUES"
        " (?, 'psc-chan', ?, '01234567', 'record', 'psc', 'control', false, 'psc', false,"
        " 0.9, 'filed by the company', ?, 'r1', now())",
        [PSC, CH, PSC],
    )
    match_related_persons(related.con)
    build_leads(related.con, 1, WalkLimits())
    rows = related.con.execute(
        "SELECT debtor_id, via_related, target_id, confidence, path->>'$[0].via',"
        " path->>'$[0].role' FROM leads"
    ).fetchall()
    probability = found(related)[("D001", "陈大文", "psc-chan")][2]
    assert len(rows) == 1
    debtor, via, target, confidence, first_via, first_role = rows[0]
    assert (debtor, via, target) == ("D001", "陈大文 (legal representative)", "01234567")
    assert (first_via, first_role) == ("related_person", "legal representative")
    assert confidence == pytest.approx(float(probability) * 0.9)  # type: ignore[arg-type]


def test_related_persons_do_not_start_from_a_company_record(store: Store, tmp_path: Path) -> None:
    (tmp_path / "debtors.csv").write_text(DEBTORS, encoding="utf-8")
    (tmp_path / "c.csv").write_text(
        "source_id,name,kind\nc1,CHAN TAI MAN LIMITED,company\n", encoding="utf-8"
    )
    import_debtors(store, tmp_path / "debtors.csv")
    import_records(store, tmp_path / "c.csv", CH)
    refresh_features(store)
    assert match_related_persons(store.con).matches == 0
