"""ICIJ Offshore Leaks as published: the download page names the CSV zip, which holds the node
files (nodes-others.csv among them), relationships.csv and an empty GENERATED_ON_YYYYMMDD.txt;
address nodes reach the records a `registered_address` edge starts from."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from scrapy.http import HtmlResponse, Response

from cli.main import cli
from spiders.icij_offshore_leaks import IcijOffshoreLeaks
from spiders.localserver import LocalServer
from tests.spiders.helpers import FIXTURES, Crawl, crawl, dump

FOLDER = FIXTURES / "icij_offshore_leaks"
ZIP_PATH = "/offshoreleaks/csv/full-oldb.LATEST.zip"
PAGE = "https://offshoreleaks.icij.org/pages/database"


@dataclass
class Crawled:
    result: Crawl
    rows: dict[str, list[dict[str, Any]]]
    db: Path
    origin: str  # the server's, which has stopped
    fetched: list[str]  # the paths it was asked for


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """One crawl over the fixtures, by the download page, for the tests that only read it."""
    db = tmp_path_factory.mktemp("icij") / "store.duckdb"
    with LocalServer(FIXTURES) as server:
        result = crawl(db, "icij_offshore_leaks", server.url("/icij_offshore_leaks"))
        fetched = [seen.path for seen in server.seen("/icij_offshore_leaks")]
    assert result.exit_code == 0, result.log[-2000:]
    yield Crawled(result, dump(db), db, server.url(), fetched)


def page(body: str) -> HtmlResponse:
    return HtmlResponse(PAGE, body=body.encode(), encoding="utf-8")


def listed(body: str) -> list[tuple[str, str, int | None]]:
    spider = IcijOffshoreLeaks()
    return [(f.name, f.url, f.size) for f in spider.listed_files(page(body))]


# discovery ------------------------------------------------------------------------------------


def test_the_download_page_names_the_csv_zip_and_nothing_else() -> None:
    body = (FOLDER / "database.html").read_text("utf-8").replace("{{server}}", "http://data.test")
    assert listed(body) == [
        (
            "full-oldb.LATEST.zip",
            "http://data.test/icij_offshore_leaks/offshoreleaks/csv/full-oldb.LATEST.zip",
            None,
        )
    ]  # not the Neo4j dump, the licences or the navigation


def test_latest_is_preferred_then_the_newest_dated_zip() -> None:
    data = "https://offshoreleaks-data.icij.org/offshoreleaks/csv"
    dated = (
        f'<a href="{data}/full-oldb-20211202.zip">2021</a>'
        f'<a href="{data}/full-oldb.20220503.zip#_ga=1">2022</a>'
    )
    assert listed(dated) == [("full-oldb.20220503.zip", f"{data}/full-oldb.20220503.zip", None)]
    both = f'{dated}<a href="{data}/full-oldb.LATEST.zip">CSV (70 MB)</a>'
    assert listed(both) == [("full-oldb.LATEST.zip", f"{data}/full-oldb.LATEST.zip", 70 << 20)]
    relative = '<a href="/offshoreleaks/csv/full-oldb.LATEST.zip">CSV</a>'
    assert (
        listed(relative)[0][1]
        == "https://offshoreleaks.icij.org/offshoreleaks/csv/full-oldb.LATEST.zip"
    )


def test_a_page_without_the_zip_lists_nothing_and_a_non_page_is_refused() -> None:
    assert listed('<a href="/offshoreleaks/neo4j/icij-offshoreleaks-5.13.0.dump">Neo4j</a>') == []
    with pytest.raises(ValueError, match="not an HTML page"):
        IcijOffshoreLeaks().listed_files(Response(PAGE, body=b"PK\x03\x04"))


def test_a_crawl_reads_the_zip_the_page_links_and_records_it(crawled: Crawled) -> None:
    here = crawled.origin + "/icij_offshore_leaks"
    assert crawled.fetched == [
        "/icij_offshore_leaks/pages/database",
        "/icij_offshore_leaks" + ZIP_PATH,
    ]
    assert crawled.result.row["notes"]["discovered"] == [
        {
            "index_url": here + "/pages/database",
            "name": "full-oldb.LATEST.zip",
            "url": here + ZIP_PATH,
            "size": None,
            "published": None,
        }
    ]
    assert crawled.result.row["location"] == here + "/pages/database"
    notes = crawled.result.row["notes"]["notes"]
    assert "full-oldb.LATEST.zip: generated on 2025-03-31 (GENERATED_ON_20250331.txt)" in notes


def test_files_argument_skips_the_page(server: LocalServer, db_path: Path) -> None:
    result = crawl(
        db_path,
        "icij_offshore_leaks",
        server.url("/icij_offshore_leaks"),
        "-a",
        f"files={ZIP_PATH}",
    )
    assert result.exit_code == 0, result.log[-2000:]
    fetched = [seen.path for seen in server.seen("/icij_offshore_leaks")]
    assert fetched == ["/icij_offshore_leaks" + ZIP_PATH]
    assert result.row["notes"]["discovered"] == []
    assert result.counts[:2] == (15, 15)


def test_sources_check_reports_the_zip_then_that_the_last_crawl_fetched_it(
    crawled: Crawled, db_path: Path
) -> None:
    size = (FOLDER / ZIP_PATH.lstrip("/")).stat().st_size
    runner = CliRunner()
    check = ["sources", "check", "icij_offshore_leaks", "--serve", str(FIXTURES)]
    before = runner.invoke(cli, ["--db", str(db_path), *check], catch_exceptions=False)
    assert before.exit_code == 0, before.output
    assert "lists 1 file(s) to fetch (no crawl yet)" in before.output
    line = next(x for x in before.output.splitlines() if "full-oldb.LATEST.zip" in x)
    assert f"{size / 1024:.1f} KB" in line and "[first crawl]" in line  # the size from HEAD
    assert line.rstrip().endswith("/icij_offshore_leaks" + ZIP_PATH)

    # the store the module's crawl wrote
    after = runner.invoke(cli, ["--db", str(crawled.db), *check], catch_exceptions=False)
    assert after.exit_code == 0, after.output
    assert "(crawl 1)" in after.output
    line = next(x for x in after.output.splitlines() if "full-oldb.LATEST.zip" in x)
    assert "[fetched by the last crawl]" in line


# the zip ---------------------------------------------------------------------------------------


def test_the_fixture_zip_has_the_published_members_and_headers() -> None:
    with zipfile.ZipFile(FOLDER / ZIP_PATH.lstrip("/")) as archive:
        names = archive.namelist()
        others = archive.read("nodes-others.csv").decode().splitlines()[0]
    assert sorted(names) == [
        "GENERATED_ON_20250331.txt", "nodes-addresses.csv", "nodes-entities.csv",
        "nodes-intermediaries.csv", "nodes-officers.csv", "nodes-others.csv", "relationships.csv",
    ]  # fmt: skip
    assert others == (
        "node_id,name,type,incorporation_date,struck_off_date,closed_date,jurisdiction,"
        "jurisdiction_description,countries,country_codes,sourceID,valid_until,note"
    )


def test_other_nodes_are_records_and_their_edges_resolve(crawled: Crawled) -> None:
    result, rows = crawled.result, crawled.rows
    records = {r["source_id"]: r for r in rows["records"]}
    # a limited liability company is a company; with no type, or one not listed, the name
    # decides: a company word (FOUNDATION, TRUST) makes a company, none leaves it unknown
    assert {k: records[k]["kind"] for k in ("85000001", "85000002", "85000003", "85000004")} == {
        "85000001": "company", "85000002": "company", "85000003": "company", "85000004": "unknown",
    }  # fmt: skip
    notes = result.row["notes"]["notes"]
    assert "nodes-others.csv: types not in other_types, kind from the name: TRUST" in notes
    other = records["85000002"]
    assert other["jurisdiction"] == "CHN"  # no jurisdiction: the country code
    raw = json.loads(other["raw"])
    assert raw["closed_date"] == "24-SEP-2009" and "type" not in raw  # an empty cell is left out
    assert records["85000001"]["address"] == "UNIT 8, 3/F, 1 HARBOUR ROAD, WAN CHAI, HONG KONG"
    edges = {r["relationship_id"]: r for r in rows["relationships"]}
    assert {(e["subject_id"], e["object_id"]) for e in edges.values()} >= {
        ("12000001", "85000001"), ("85000002", "10000002"), ("11000001", "85000003"),
    }  # fmt: skip
    # an edge without a link keeps its own key and its rel_type as the role
    assert edges["11000001|intermediary_of|85000003|"]["role"] == "intermediary_of"
    assert rows["rejected_rows"] == []


def test_edges_between_address_nodes_are_no_relationships(crawled: Crawled) -> None:
    edges = crawled.rows["relationships"]
    ends = {e["subject_id"] for e in edges} | {e["object_id"] for e in edges}
    assert ends and not any(end.startswith("14") for end in ends)  # address node ids
    notes = crawled.result.row["notes"]["notes"]
    assert (
        "relationships.csv: edges to or from address nodes, not relationships: 1 same_address_as"
        in notes
    )


# addresses -------------------------------------------------------------------------------------


def test_registered_addresses_are_attached_to_records(crawled: Crawled) -> None:
    result, rows = crawled.result, crawled.rows
    records = {r["source_id"]: r for r in rows["records"]}
    # address nodes are not records, and their edges are not relationships
    assert set(records) == {
        "10000001", "10000002", "11000001", "12000001", "12000002",
        "85000001", "85000002", "85000003", "85000004",
    }  # fmt: skip
    assert all(r["role"] != "registered address" for r in rows["relationships"])
    # an officer with no address of its own gets both of its registered addresses
    assert records["12000001"]["address"] == (
        "NO. 18 JINQIAO ROAD, SUZHOU INDUSTRIAL PARK, JIANGSU; "
        "ROOM 1201, 88 CENTURY AVENUE, PUDONG, SHANGHAI"
    )
    assert records["10000002"]["address"].startswith("PORTCULLIS TRUSTNET CHAMBERS")
    # an entity's own address stays; the linked one is kept in the raw payload
    own = records["10000001"]
    assert own["address"] == "FLAT A, 12/F, 8 HENNESSY ROAD, WAN CHAI, HONG KONG"
    raw = json.loads(own["raw"])
    assert raw["registered_address"] == "8/F, 38 GLOUCESTER ROAD, WAN CHAI, HONG KONG"
    assert "registered_address" not in json.loads(records["11000001"]["raw"])  # none linked
    notes = " ".join(result.row["notes"]["notes"])
    assert "6 address nodes; 6 nodes registered at them" in notes


def test_a_zip_without_its_generated_on_member_says_so(tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "icij_offshore_leaks"
    target = folder / ZIP_PATH.lstrip("/")
    target.parent.mkdir(parents=True)
    with (
        zipfile.ZipFile(FOLDER / ZIP_PATH.lstrip("/")) as source,
        zipfile.ZipFile(target, "w") as out,
    ):
        for name in source.namelist():
            if not name.startswith("GENERATED_ON"):
                out.writestr(name, source.read(name))
    with LocalServer(tmp_path) as server:
        result = crawl(
            db_path,
            "icij_offshore_leaks",
            server.url("/icij_offshore_leaks"),
            "-a",
            f"files={ZIP_PATH}",
        )
    assert result.exit_code == 0, result.log[-2000:]
    assert (
        "full-oldb.LATEST.zip: no GENERATED_ON_YYYYMMDD.txt member; the build date is not known"
        in result.row["notes"]["notes"]
    )
