"""build_edges over a store filled by crawling the spider fixtures: Companies House (companies
and the PSC snapshot), HM Land Registry OCOD and GLEIF (LEI records and relationships)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipelines.leads.edges import build_edges
from pipelines.store import Store, connect
from spiders.localserver import LocalServer
from tests.conftest import rows_by
from tests.spiders.helpers import FIXTURES, crawl

CRAWLS = [
    ("gb_companies_house", "basic"),
    ("gb_companies_house", "psc"),
    ("gb_land_registry", "ocod_full"),
    ("gleif", "golden_copy"),
    ("gleif", "relationships"),
]
PSC = "/company/{}/persons-with-significant-control/{}"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("leads") / "store.duckdb"
    with LocalServer(FIXTURES) as server:
        for source, dataset in CRAWLS:
            done = crawl(db, source, server.url(f"/{source}"), "--dataset", dataset)
            assert done.exit_code == 0, done.log
    return db


@pytest.fixture
def store(crawled: Path, tmp_path: Path) -> Iterator[Store]:
    copy = tmp_path / "store.duckdb"
    copy.write_bytes(crawled.read_bytes())
    with connect(copy) as opened:
        yield opened


def lead_edges(store: Store) -> dict[Any, dict[str, Any]]:
    return rows_by(store, "SELECT * FROM lead_edges", "relationship_id")


def test_a_psc_holding_75_to_100_percent(store: Store) -> None:
    build_edges(store.con)
    psc = PSC.format("12345670", "individual/pscWangJg01")
    row = lead_edges(store)[f"12345670|{psc}"]
    assert (row["controller_source"], row["controller_id"]) == ("gb_companies_house_psc", psc)
    assert (row["controlled_source"], row["controlled_id"]) == ("gb_companies_house", "12345670")
    assert (row["role"], row["kind"], row["published_role"]) == ("psc", "control", "psc")
    assert (row["share_min"], row["share_max"]) == (75, 100)
    assert row["natures"] == ["ownership-of-shares-75-to-100-percent"]
    assert (row["start_date"], row["ceased"]) == ("2019-06-01", False)
    assert row["base_certainty"] == 0.9 and "PSC" in row["certainty_reason"]
    assert row["fetched_at"] is not None and row["source_url"].endswith(".txt")


def test_shares_and_votes_of_one_psc(store: Store) -> None:
    build_edges(store.con)
    row = lead_edges(store)[f"12345672|{PSC.format('12345672', 'corporate-entity/pscHuaxinHK')}"]
    assert (row["share_min"], row["share_max"], row["votes_min"], row["votes_max"]) == (
        75, 100, 75, 100)  # fmt: skip


def test_a_ceased_psc_is_flagged_ceased(store: Store) -> None:
    build_edges(store.con)
    row = lead_edges(store)[f"12345673|{PSC.format('12345673', 'legal-person/pscLegalP01')}"]
    assert row["ceased"] and row["end_date"] == "2023-03-31"
    assert row["significant_influence"] and row["share_min"] is None


def test_a_proprietor_holds_its_title(store: Store) -> None:
    build_edges(store.con)
    row = lead_edges(store)["NGL900000|HONG KONG|1234567"]
    assert (row["controller_source"], row["controller_id"]) == (
        "gb_land_registry",
        "HONG KONG|1234567",
    )
    assert (row["controlled_id"], row["controlled_type"]) == ("NGL900000", "asset")
    assert (row["role"], row["kind"], row["base_certainty"]) == ("proprietor", "property", 1.0)


def test_a_gleif_parent_controls_its_child(store: Store) -> None:
    build_edges(store.con)
    row = lead_edges(store)["213800JCN6PSGDRLT915|IS_DIRECTLY_CONSOLIDATED_BY|INR2EJN1ERAN0W5ZP974"]
    assert (row["controller_id"], row["controlled_id"]) == (
        "INR2EJN1ERAN0W5ZP974",
        "213800JCN6PSGDRLT915",
    )
    assert (row["role"], row["kind"], row["base_certainty"]) == ("direct_parent", "group", 0.95)
    assert "fully corroborated" in row["certainty_reason"]


def test_edges_to_records_the_store_lacks_are_problems(store: Store) -> None:
    counts = build_edges(store.con)
    found = {
        (key, problem): reason
        for key, problem, reason in store.con.execute(
            "SELECT relationship_id, problem, reason FROM lead_edge_problems"
        ).fetchall()
    }
    branch = "5299000ZHONGHUAHKBR1|IS_INTERNATIONAL_BRANCH_OF|5299000ZHONGHUASYNTH"
    assert "5299000ZHONGHUAHKBR1" in found[(branch, "missing_subject")]
    ceased = f"09145694|{PSC.format('09145694', 'individual/bIhuKnMFctSnjrDjUG8n3NgOrlU')}"
    assert '"09145694" is not in the store' in found[(ceased, "missing_object")]
    assert branch not in lead_edges(store) and ceased not in lead_edges(store)
    assert counts.problems == {"missing_object": 4, "missing_subject": 1}
    # every live relationship is an edge or a problem
    assert counts.relationships == counts.edges + 5


def test_building_again_gives_the_same_rows(store: Store) -> None:
    first = build_edges(store.con)
    sql = "SELECT * EXCLUDE (built_at) FROM {} ORDER BY ALL"
    edges = store.con.execute(sql.format("lead_edges")).fetchall()
    problems = store.con.execute(sql.format("lead_edge_problems")).fetchall()
    assert build_edges(store.con) == first
    assert store.con.execute(sql.format("lead_edges")).fetchall() == edges
    assert store.con.execute(sql.format("lead_edge_problems")).fetchall() == problems
    assert len(edges) == first.edges == 47  # 8 PSC, 32 proprietors, 14 GLEIF, less the 5 problems
