"""The bundled sample, end to end: `make demo`'s imports and crawls (data/sample/crawl/ served on
127.0.0.1), `oad match` and `oad leads build` find the chains the sample was made to hold, hop by
hop; bad input in a recrawled PSC snapshot is kept with its reason and the build still completes."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import REPO
from tests.demo_crawl import DemoCrawl

pytestmark = pytest.mark.slow  # the demo crawl (eleven processes, shared), then two more

PSC = "/company/{}/persons-with-significant-control/{}"
CH, PSC_SOURCE, LR, CCOD = (
    "gb_companies_house", "gb_companies_house_psc", "gb_land_registry", "gb_land_registry_ccod",
)  # fmt: skip
# one hop as the test names it: how it was reached, its role, where it goes, its certainty
# (None for the match, whose certainty is the match's probability)
Hop = tuple[str, str, str, str, float | None]


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cli", "--db", str(db), *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, demo_crawl: DemoCrawl) -> Path:
    """The demo's store: its imports and crawls as the Makefile lists them, then the match and
    the leads build."""
    for step, done in demo_crawl.steps:
        assert done.returncode == 0, f"{' '.join(step)}\n{done.stdout}{done.stderr[-3000:]}"
    db = tmp_path_factory.mktemp("sample") / "demo.duckdb"
    shutil.copy(demo_crawl.db, db)
    run(db, "match")
    run(db, "leads", "build")
    return db


def leads_of(db: Path) -> list[dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(
            "SELECT debtor_id, target_id, path::VARCHAR AS path, confidence, weakest, value"
            " FROM leads WHERE gone_at IS NULL"
        )
        names = [d[0] for d in cursor.description or []]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["path"] = json.loads(row["path"])
    return rows


def chain(leads: list[dict[str, Any]], debtor: str, hops: list[Hop]) -> dict[str, Any]:
    """The debtor's lead whose hops are HOPS, in order; fails naming the debtor's chains."""
    wanted = [hop[:4] for hop in hops]
    mine = [lead for lead in leads if lead["debtor_id"] == debtor]
    for lead in mine:
        found = [(h["via"], h["role"], h["to_source"], h["to_id"]) for h in lead["path"]]
        if found == wanted:
            for hop, (*_, certainty) in zip(lead["path"], hops, strict=True):
                if certainty is not None:
                    assert hop["certainty"] == pytest.approx(certainty), hop
            product = math.prod(hop["certainty"] for hop in lead["path"])
            assert lead["confidence"] == pytest.approx(product)
            assert lead["weakest"] == pytest.approx(min(h["certainty"] for h in lead["path"]))
            return lead
    shown = [[h["to_id"] for h in lead["path"]] for lead in mine]
    raise AssertionError(f"{debtor} has no chain {wanted}; it has {shown}")


def match_of(db: Path, debtor: str) -> tuple[str, str, float]:
    """The debtor's best match: source, source id, probability."""
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT source, source_id, match_probability FROM matches WHERE debtor_id = ?"
            " ORDER BY match_probability DESC LIMIT 1",
            [debtor],
        ).fetchone()
    assert row is not None, debtor
    return row[0], row[1], row[2]


def chain_a(leads: list[dict[str, Any]]) -> dict[str, Any]:
    """(a) D018 陈大文 → his PSC entry (born 1965-03) → the UK company → its CCOD title."""
    person = PSC.format("12345673", "individual/pscChenDw001")
    return chain(leads, "D018", [
        ("match", "matched", PSC_SOURCE, person, None),
        ("edge", "psc", CH, "12345673", 0.9),
        ("same_entity", "registration_number", CCOD, "GB|12345673", 0.99),
        ("edge", "proprietor", CCOD, "NGL990101", 1.0),
    ])  # fmt: skip


def chain_b(leads: list[dict[str, Any]]) -> dict[str, Any]:
    """(b) D016 → its GLEIF record → the child it consolidates (level 2, fully corroborated)
    → the same BVI company as an OCOD proprietor → its title."""
    return chain(leads, "D016", [
        ("match", "matched", "gleif", "836800FXO82WAQQSJI94", 1.0),
        ("edge", "direct_parent", "gleif", "5299000HAIDIANSYNTH2", 0.95),
        ("same_entity", "registration_number", LR, "BRITISH VIRGIN ISLANDS|2045678", 0.99),
        ("edge", "proprietor", LR, "NGL990002", 1.0),
    ])  # fmt: skip


def chain_c(leads: list[dict[str, Any]]) -> dict[str, Any]:
    """(c) D020 许家豪 → an ICIJ officer → the offshore company he is shareholder of (ICIJ's
    certainties capped at 0.7: leaked files, not a register)."""
    return chain(leads, "D020", [
        ("match", "matched", "icij_offshore_leaks", "12000003", None),
        ("edge", "shareholder", "icij_offshore_leaks", "10000003", 0.7),
    ])  # fmt: skip


def chain_d(leads: list[dict[str, Any]]) -> dict[str, Any]:
    """(d) D001 → its Hong Kong record → the same company (Hong Kong, its number) as an OCOD
    proprietor → its title."""
    return chain(leads, "D001", [
        ("match", "matched", "hk_companies_registry", "389793", None),
        ("same_entity", "registration_number", LR, "HONG KONG|389793", 0.99),
        ("edge", "proprietor", LR, "NGL990001", 1.0),
    ])  # fmt: skip


def test_the_sample_holds_the_four_chains_hop_by_hop(sample_store: Path) -> None:
    leads = leads_of(sample_store)
    assert chain_a(leads)["value"] == 2150000
    assert chain_b(leads)["value"] == 3450000
    offshore = chain_c(leads)
    assert offshore["value"] is None and offshore["confidence"] >= 0.5 * 0.7
    assert chain_d(leads)["value"] == 1250000


def test_person_debtors_match_their_psc_and_icij_records_on_name_and_birth(
    sample_store: Path,
) -> None:
    # the PSC entries publish the birth month and year the debtors' ID numbers give; ICIJ
    # publishes none, its country agrees
    expected = {
        "D018": (PSC_SOURCE, PSC.format("12345673", "individual/pscChenDw001")),
        "D021": (PSC_SOURCE, PSC.format("12345670", "individual/pscLiXl0001")),
        "D020": ("icij_offshore_leaks", "12000003"),
    }
    for debtor, record in expected.items():
        source, source_id, probability = match_of(sample_store, debtor)
        assert (source, source_id) == record and probability >= 0.5, debtor


def test_a_corporate_psc_is_the_hop_to_its_foreign_parent(sample_store: Path) -> None:
    # D001's Hong Kong company, named by its register and number in a PSC entry, controls a UK
    # company that holds a title
    corporate = PSC.format("12345671", "corporate-entity/pscAnvenHK1")
    lead = chain(leads_of(sample_store), "D001", [
        ("match", "matched", "hk_companies_registry", "389793", None),
        ("same_entity", "registration_number", PSC_SOURCE, corporate, 0.99),
        ("edge", "psc", CH, "12345671", 0.9),
        ("same_entity", "registration_number", CCOD, "GB|12345671", 0.99),
        ("edge", "proprietor", CCOD, "NGL990103", 1.0),
    ])  # fmt: skip
    assert lead["value"] == 5600000
    with duckdb.connect(str(sample_store), read_only=True) as con:
        link = con.execute(
            "SELECT jurisdiction, explanation::VARCHAR FROM entity_links"
            " WHERE id_a = ? AND id_b = '389793'",
            [corporate],
        ).fetchone()
    assert link is not None and link[0] == "HK" and '"389793"' in link[1]


def test_each_lead_names_its_jurisdiction_by_iso_code(sample_store: Path) -> None:
    # the offshore register publishes "BVI": a case team filters and routes by ISO codes
    with duckdb.connect(str(sample_store), read_only=True) as con:
        rows = con.execute("SELECT DISTINCT jurisdiction FROM leads").fetchall()
    codes = {row[0] for row in rows}
    assert "VG" in codes and "GB" in codes
    assert all(code is None or (len(code) == 2 and code.isupper()) for code in codes), codes


def test_a_ceased_psc_halves_its_hop(sample_store: Path) -> None:
    # D021 held WONG BROTHERS TRADING LIMITED until 2019: the chain stands, at half the PSC's
    # certainty
    leads = leads_of(sample_store)
    lead = chain(leads, "D021", [
        ("match", "matched", PSC_SOURCE, PSC.format("12345670", "individual/pscLiXl0001"), None),
        ("edge", "psc", CH, "12345670", 0.45),
        ("same_entity", "registration_number", CCOD, "GB|12345670", 0.99),
        ("edge", "proprietor", CCOD, "NGL990102", 1.0),
    ])  # fmt: skip
    assert lead["path"][1]["reason"].endswith("; ceased")
    assert lead["confidence"] < chain_a(leads)["confidence"] / 1.5


def test_the_leads_list_names_each_debtor_and_the_companies_on_the_way(
    sample_store: Path,
) -> None:
    listed = run(sample_store, "leads", "list", "--debtor", "D001").stdout.splitlines()
    title = next(line for line in listed if "NGL990103" in line)
    assert "安丰投资有限公司" in title and "£5,600,000" in title
    assert "via ANVEN INVESTMENT LIMITED → ZHONGHUA INVESTMENT (UK) LTD" in title


# bad lines added to the sample's PSC snapshot, each a kind of bad input the build must keep
NOT_JSON = b'{"company_number": "12345674", "data": {"kind": "individual-person'
UNKNOWN_NATURE = {
    "company_number": "12345674",
    "data": {
        "kind": "individual-person-with-significant-control", "name": "Ms Hong Zhou",
        "name_elements": {"title": "Ms", "forename": "Hong", "surname": "Zhou"},
        "date_of_birth": {"month": 6, "year": 1972}, "notified_on": "2024-02-01",
        "natures_of_control": ["ownership-of-shares-75-to-100-percent", "ownership-of-moon-rocks"],
        "links": {"self": PSC.format("12345674", "individual/pscZhouH0001")},
    },
}  # fmt: skip
NO_COMPANY = {
    "company_number": "99999999",
    "data": {
        "kind": "corporate-entity-person-with-significant-control", "name": "NOWHERE LIMITED",
        "natures_of_control": ["ownership-of-shares-25-to-50-percent"],
        "links": {"self": PSC.format("99999999", "corporate-entity/pscNowhere01")},
    },
}  # fmt: skip


def bundled_lines() -> list[bytes]:
    """The lines of the PSC snapshot's first part as bundled."""
    part = REPO / "data/sample/crawl/gb_companies_house/psc-snapshot-2025-01-01_1of2.zip"
    with zipfile.ZipFile(part) as archive:
        return archive.read(archive.namelist()[0]).splitlines()


def bad_snapshot(folder: Path) -> None:
    """The sample's crawl files, with the bad lines at the end of the PSC snapshot's first part."""
    shutil.copytree(REPO / "data" / "sample" / "crawl", folder)
    part = folder / "gb_companies_house" / "psc-snapshot-2025-01-01_1of2.zip"
    with zipfile.ZipFile(part) as archive:
        (member,) = archive.namelist()
        text = archive.read(member)
    extra = [NOT_JSON, *(json.dumps(line).encode() for line in (UNKNOWN_NATURE, NO_COMPANY))]
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text + b"\n".join(extra) + b"\n")


def test_bad_input_is_kept_with_its_reason_and_the_build_completes(
    sample_store: Path, tmp_path: Path
) -> None:
    served, db = tmp_path / "crawl", tmp_path / "demo.duckdb"
    bad_snapshot(served)
    shutil.copy(sample_store, db)
    crawled = run(db, "crawl", "gb_companies_house", "--dataset", "psc", "--serve", str(served))
    # two PSCs and their two edges are new; the line that is not JSON is rejected
    assert "4 new, 0 changed" in crawled.stdout and "1 rejected" in crawled.stdout
    built = run(db, "leads", "build")
    assert "leads (run" in built.stdout and " 0 gone" in built.stdout

    with duckdb.connect(str(db), read_only=True) as con:
        rejected = con.execute(
            "SELECT file, line, reason FROM rejected_rows WHERE reason LIKE 'not JSON%'"
        ).fetchall()
        problems = dict(
            con.execute(
                "SELECT problem, reason || ' kept=' || kept FROM lead_edge_problems"
                " WHERE relationship_id IN (?, ?)",
                [f"12345674|{PSC.format('12345674', 'individual/pscZhouH0001')}",
                 f"99999999|{PSC.format('99999999', 'corporate-entity/pscNowhere01')}"],
            ).fetchall()
        )  # fmt: skip
        kept = con.execute(
            "SELECT unknown_natures FROM lead_edges WHERE controlled_id = '12345674'"
            " AND controller_id LIKE '%pscZhouH0001'"
        ).fetchone()
    # the line that is not JSON: its file and line (the part's lines, then the three added)
    assert len(rejected) == 1 and "psc-snapshot-2025-01-01_1of2" in rejected[0][0]
    assert rejected[0][1] == len(bundled_lines()) + 1
    assert problems == {
        "unknown_nature": "natures of control not in data/leads/natures_of_control.yml:"
        " ownership-of-moon-rocks kept=true",
        "missing_object": 'object record gb_companies_house "99999999" is not in the store'
        " kept=false",
    }
    assert kept is not None and kept[0] == ["ownership-of-moon-rocks"]
    leads = leads_of(db)
    for found in (chain_a, chain_b, chain_c, chain_d):
        found(leads)


def test_one_company_seen_in_three_sources_gives_one_lead_to_its_title(
    sample_store: Path,
) -> None:
    titles = [
        lead["target_id"]
        for lead in leads_of(sample_store)
        if lead["debtor_id"] == "D001" and lead["target_id"] == "NGL990001"
    ]
    assert titles == ["NGL990001"]
