"""GLEIF as it is published: the golden copy API lists the current files (discovered, recorded in
the crawl's notes, `-a files=` as the fallback), the relationship file gives the API's edges,
each golden copy snapshot covers its own table only, and the API's paging limit is reported."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import Result
from scrapy.http import TextResponse

from spiders.gleif import Gleif, current_publish
from spiders.localserver import LocalServer, Reply
from spiders.metadata import Dataset
from tests.spiders.helpers import FIXTURES, Crawl, crawl

GLEIF = FIXTURES / "gleif"
STORAGE = "/gleif/storage/golden-copy-files/2025/05/15"
LEI2_ZIP = "20250515-0000-gleif-goldencopy-lei2-golden-copy.csv.zip"
RR_ZIP = "20250515-0000-gleif-goldencopy-rr-golden-copy.csv.zip"
LEI2_PATH, RR_PATH = f"{STORAGE}/1080700/{LEI2_ZIP}", f"{STORAGE}/1080745/{RR_ZIP}"
MICROSOFT = "INR2EJN1ERAN0W5ZP974"
SYNTHETIC = "5299000ZHONGHUASYNTH"


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _crawl(server: LocalServer, db: Path, dataset: str, *options: str) -> Crawl:
    return crawl(db, "gleif", server.url("/gleif"), "--dataset", dataset, *options)


def _fetched(server: LocalServer) -> list[str]:
    return [seen.path for seen in server.requests if seen.path != "/robots.txt"]


def _live(db: Path, table: str) -> int:
    return int(_rows(db, f"SELECT count(*) FROM {table} WHERE removed_at IS NULL")[0][0])


def _without_first_row(path: Path) -> bytes:
    """The zipped CSV at PATH with its first data row left out (a publish that lost one)."""
    with zipfile.ZipFile(path) as archive:
        (member,) = archive.namelist()
        rows = list(csv.reader(io.StringIO(archive.read(member).decode("utf-8"))))
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([rows[0], *rows[2:]])
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as archive:
        archive.writestr(member, out.getvalue())
    return body.getvalue()


# discovery ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dataset", "kind", "zip_name", "path"),
    [("golden_copy", "lei2", LEI2_ZIP, LEI2_PATH), ("relationships", "rr", RR_ZIP, RR_PATH)],
)
def test_the_listing_names_the_file_fetched_and_the_crawl_records_it(
    server: LocalServer, db_path: Path, dataset: str, kind: str, zip_name: str, path: str
) -> None:
    result = crawl(db_path, "gleif", server.url("/gleif"), "--dataset", dataset)
    assert result.exit_code == 0, result.log[-2000:]
    assert result.counts == (14, 14, 0, 0, 0, 0)
    size = (GLEIF / ("golden_copy" if kind == "lei2" else "relationships") / zip_name).stat()
    assert result.row["notes"]["discovered"] == [
        {
            "index_url": server.url(f"/gleif/api/v2/golden-copies/publishes/{kind}/latest"),
            "name": zip_name,
            "url": server.url(path),
            "size": size.st_size,
            "published": "2025-05-15 00:00:00",
        }
    ]
    # the listing, then the file it names; not the fixed path, no delta or other format
    assert _fetched(server) == [
        f"/gleif/api/v2/golden-copies/publishes/{kind}/latest",
        path,
    ]
    assert result.row["notes"]["unused_columns_by_file"] == {}


def test_files_argument_skips_the_listing(server: LocalServer, db_path: Path) -> None:
    fixed = "/api/v2/golden-copies/publishes/rr/latest.csv"
    result = crawl(
        db_path, "gleif", server.url("/gleif"), "--dataset", "relationships", f"--arg=files={fixed}"
    )
    assert result.exit_code == 0, result.log[-2000:]
    assert result.counts == (14, 14, 0, 0, 0, 0)
    assert result.row["notes"]["discovered"] == []
    assert _fetched(server) == [f"/gleif{fixed}"]


def _listing(body: object) -> TextResponse:
    url = "https://goldencopy.gleif.org/api/v2/golden-copies/publishes/rr/latest"
    return TextResponse(url, body=json.dumps(body).encode(), encoding="utf-8")


def test_listed_files_reads_each_shape_of_the_golden_copy_api() -> None:
    spider = Gleif(dataset="relationships")
    text = (GLEIF / "relationships" / "rr-latest.json").read_text("utf-8")
    per_type = json.loads(text.replace("{{server}}/gleif", "https://goldencopy.gleif.org"))
    publish = per_type["data"]
    every_type = {"publish_date": publish["publish_date"], "lei2": {}, "rr": publish}
    for answer in (per_type, {"data": every_type}, {"data": [every_type, {}]}):
        (found,) = spider.listed_files(_listing(answer))
        assert found.name == RR_ZIP
        assert found.url == "https://goldencopy.gleif.org" + RR_PATH.removeprefix("/gleif")
        assert found.size == publish["full_file"]["csv"]["size"]
        assert found.published == "2025-05-15 00:00:00"
    # a relative link is made absolute against the API
    publish["full_file"]["csv"]["url"] = "/storage/x/" + RR_ZIP
    (found,) = spider.listed_files(_listing(per_type))
    assert found.url == "https://goldencopy.gleif.org/storage/x/" + RR_ZIP


@pytest.mark.parametrize(
    "answer",
    [{"data": []}, {"data": {"lei2": {"full_file": {}}}}, {"data": {"full_file": {"json": {}}}}],
    ids=["no publish", "no rr", "no csv"],
)
def test_a_listing_without_the_file_is_refused(answer: object) -> None:
    with pytest.raises(ValueError, match="rr"):
        Gleif(dataset="relationships").listed_files(_listing(answer))
    with pytest.raises(ValueError):
        current_publish("not a listing", "rr")


def test_sources_check_lists_the_files_and_what_the_last_crawl_fetched(
    server: LocalServer, db_path: Path, oad: Callable[..., Result]
) -> None:
    before = oad("sources", "check", "gleif", "--serve", str(FIXTURES)).output
    assert "gleif api: no index to ask" in before
    lei2_size = f"{(GLEIF / 'golden_copy' / LEI2_ZIP).stat().st_size / 1024:.1f} KB"
    rr_size = f"{(GLEIF / 'relationships' / RR_ZIP).stat().st_size / 1024:.1f} KB"
    assert f"  {LEI2_ZIP}  {lei2_size}, published 2025-05-15 00:00:00  [first crawl]" in before
    assert f"  {RR_ZIP}  {rr_size}, published 2025-05-15 00:00:00  [first crawl]" in before

    assert _crawl(server, db_path, "relationships").exit_code == 0
    after = oad("sources", "check", "gleif", "--serve", str(FIXTURES)).output
    assert f"  {RR_ZIP}  {rr_size}, published 2025-05-15 00:00:00  [fetched by the last" in after
    assert f"  {LEI2_ZIP}  {lei2_size}, published 2025-05-15 00:00:00  [first crawl]" in after


# relationships --------------------------------------------------------------------------------


def test_relationship_rows_become_edges_from_child_to_parent(
    server: LocalServer, db_path: Path
) -> None:
    assert _crawl(server, db_path, "relationships").exit_code == 0
    edges = {
        row[0]: row[1:]
        for row in _rows(
            db_path,
            "SELECT relationship_id, subject_source, subject_id, object_source, object_id, role,"
            " start_date, end_date, raw->>'$.\"Relationship.RelationshipStatus\"'"
            " FROM relationships",
        )
    }
    assert len(edges) == 14
    # the relationship period sits in slot 2, after an accounting period: its dates are taken
    chinese = edges[f"836800FXO82WAQQSJI94|IS_DIRECTLY_CONSOLIDATED_BY|{MICROSOFT}"]
    assert chinese == (
        "gleif", "836800FXO82WAQQSJI94", "gleif", MICROSOFT, "is_directly_consolidated_by",
        "1995-10-31", None, "ACTIVE",
    )  # fmt: skip
    # an ended relationship is kept, with its end date and its status
    ended = edges[f"{SYNTHETIC}|IS_DIRECTLY_CONSOLIDATED_BY|836800FXO82WAQQSJI94"]
    assert ended[5:] == ("2016-03-01", "2023-12-31", "INACTIVE")
    branch = edges[f"5299000ZHONGHUAHKBR1|IS_INTERNATIONAL_BRANCH_OF|{SYNTHETIC}"]
    assert branch[4:] == ("is_international_branch_of", "2019-07-01", None, "ACTIVE")


def test_a_node_that_is_no_lei_is_rejected(server: LocalServer, db_path: Path) -> None:
    header = "Relationship.StartNode.NodeID,Relationship.StartNode.NodeIDType,"
    header += "Relationship.EndNode.NodeID,Relationship.EndNode.NodeIDType,"
    header += "Relationship.RelationshipType,Relationship.RelationshipStatus\n"
    rows = f"A1,LEI,{MICROSOFT},LEI,IS_DIRECTLY_CONSOLIDATED_BY,ACTIVE\n"
    rows += f"A2,LEI,{MICROSOFT},OTHER,IS_DIRECTLY_CONSOLIDATED_BY,ACTIVE\n"
    rows += f"A3,,{MICROSOFT},LEI,IS_DIRECTLY_CONSOLIDATED_BY,ACTIVE\n"
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as archive:
        archive.writestr("rr.csv", header + rows)
    server.route("/gleif/test/rr.csv.zip", Reply(body=body.getvalue()))
    result = crawl(
        db_path, "gleif", server.url("/gleif"), "--dataset", "relationships",
        "--arg=files=/test/rr.csv.zip",
    )  # fmt: skip
    assert result.exit_code == 0, result.log[-2000:]
    assert _rows(db_path, "SELECT subject_id FROM relationships") == [("A1",)]
    assert _rows(db_path, "SELECT line, field, reason FROM rejected_rows ORDER BY line") == [
        (3, "Relationship.EndNode.NodeIDType", "the node is not an LEI"),
        (4, "Relationship.StartNode.NodeIDType", "the node is not an LEI"),
    ]


def test_the_api_and_the_relationship_file_give_the_same_edges(
    server: LocalServer, db_path: Path
) -> None:
    base = server.url("/gleif")
    assert crawl(db_path, "gleif", base).counts == (26, 26, 0, 0, 0, 0)
    # the API's 12 edges again (same key, same fields), and the file's 2 others
    result = crawl(db_path, "gleif", base, "--dataset", "relationships")
    assert result.row["notes"]["tables"]["relationships"] == {
        "new": 2, "changed": 0, "unchanged": 12, "removed": 0, "refreshed": 12,
    }  # fmt: skip
    # the API is no snapshot: a crawl of it removes neither the file's edges nor records
    again = crawl(db_path, "gleif", base)
    assert again.row["status"] == "finished" and again.row["removed"] == 0
    assert (_live(db_path, "records"), _live(db_path, "relationships")) == (14, 14)


# snapshots: each golden copy file covers its own table ------------------------------------


def test_each_golden_copy_snapshot_removes_only_from_its_own_table(
    server: LocalServer, db_path: Path
) -> None:
    base = server.url("/gleif")
    assert crawl(db_path, "gleif", base, "--dataset", "golden_copy").counts[1] == 14
    # the relationship file holds no record: the records stay (else: 14 removed, held)
    edges = crawl(db_path, "gleif", base, "--dataset", "relationships")
    assert (edges.row["status"], edges.row["removed"]) == ("finished", 0)
    records = crawl(db_path, "gleif", base, "--dataset", "golden_copy")
    assert (records.row["status"], records.row["removed"]) == ("finished", 0)
    assert (_live(db_path, "records"), _live(db_path, "relationships")) == (14, 14)

    # a publish that lost a relationship removes that one edge, and no record
    server.route(RR_PATH, Reply(body=_without_first_row(GLEIF / "relationships" / RR_ZIP)))
    fewer = crawl(db_path, "gleif", base, "--dataset", "relationships")
    assert fewer.row["notes"]["tables"]["relationships"]["removed"] == 1
    assert "records" not in fewer.row["notes"]["tables"]
    assert (_live(db_path, "records"), _live(db_path, "relationships")) == (14, 13)
    # and one that lost a record removes that record, and no edge
    server.route(LEI2_PATH, Reply(body=_without_first_row(GLEIF / "golden_copy" / LEI2_ZIP)))
    lost = crawl(db_path, "gleif", base, "--dataset", "golden_copy")
    assert lost.row["notes"]["tables"]["records"]["removed"] == 1
    assert "relationships" not in lost.row["notes"]["tables"]
    assert (_live(db_path, "records"), _live(db_path, "relationships")) == (13, 13)


# the API's paging ---------------------------------------------------------------------------


def test_paging_stops_where_the_api_stops_and_says_so(server: LocalServer, db_path: Path) -> None:
    result = crawl(db_path, "gleif", server.url("/gleif"), "--arg=max_results=1")
    assert result.exit_code == 0, result.log[-2000:]
    pages = [seen.path for seen in server.requests if "legalAddress.country]=CN" in seen.path]
    assert len(pages) == 1 and "page[number]=1" in pages[0]
    assert any(
        "the API lists 2 records here but pages only through the first 1;" in note
        for note in result.row["notes"]["notes"]
    )
    assert _rows(db_path, f"SELECT count(*) FROM records WHERE source_id = '{SYNTHETIC}'") == [(0,)]


def test_a_dataset_names_the_tables_its_snapshot_covers() -> None:
    datasets = Gleif(dataset="api").meta.datasets
    assert datasets["golden_copy"].snapshot_of == ("records",)
    assert datasets["relationships"].snapshot_of == ("relationships",)
    assert datasets["api"].snapshot_of == ()  # targeted look-ups remove nothing
    shape = datasets["relationships"].model_dump()
    with pytest.raises(ValueError, match="snapshot_tables"):
        Dataset.model_validate({**shape, "snapshot": False})
    with pytest.raises(ValueError, match="snapshot_tables"):
        Dataset.model_validate({**shape, "snapshot_tables": []})
    assert Dataset.model_validate({**shape, "snapshot_tables": None}).snapshot_of == (
        "records", "relationships", "assets",
    )  # fmt: skip
