"""HM Land Registry OCOD/CCOD as the Use land and property data API publishes them: the listing
names the current file, its endpoint answers with a signed link fetched without the key, and
the CSV ends with a 'Row Count' trailer row that is checked, not loaded."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import Result
from scrapy.http import Request, Response, TextResponse

from pipelines.crawl_items import Note, TableBatch
from pipelines.rejections import Rejected
from spiders.gb_land_registry import GbLandRegistry
from spiders.localserver import LocalServer, Seen
from tests.spiders.helpers import FIXTURES, crawl

KEY = "3f0c9b1e-land-registry-test-key"
HERE = FIXTURES / "gb_land_registry"
API = "/gb_land_registry/api/v1/datasets"


def _spider(dataset: str = "ocod_full", **arguments: str) -> GbLandRegistry:
    return GbLandRegistry(dataset=dataset, base_url="http://lr.test", **arguments)


def _json_response(url: str, answer: Any) -> TextResponse:
    body = json.dumps(answer).encode()
    return TextResponse(url, body=body, encoding="utf-8", request=Request(url))


def _listing(name: str = "ocod") -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / "api" / f"{name}.json").read_text("utf-8"))
    return loaded


def _authorization(seen: Seen) -> str | None:
    return next((v for k, v in seen.headers.items() if k.lower() == "authorization"), None)


def _live_assets(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT asset_id FROM assets WHERE removed_at IS NULL ORDER BY asset_id"
        ).fetchall()
    return [row[0] for row in rows]


# discovery ----------------------------------------------------------------------------------


def test_a_crawl_finds_the_current_file_through_the_api_and_records_it(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAND_REGISTRY_API_KEY", KEY)
    base = server.url("/gb_land_registry")
    db = tmp_path / "store.duckdb"

    result = crawl(db, "gb_land_registry", base, "--dataset", "ocod_full")

    assert result.exit_code == 0, result.output + result.log[-3000:]
    size = (HERE / "files" / "OCOD_FULL_2025_11.zip").stat().st_size
    [found] = result.row["notes"]["discovered"]
    assert found["index_url"] == f"{base}/api/v1/datasets/ocod"
    assert found["name"] == "OCOD_FULL_2025_11.zip"  # FULL, not the COU file listed beside it
    assert found["url"] == f"{base}/api/v1/datasets/ocod/OCOD_FULL_2025_11.zip"
    assert found["published"] == "3 November 2025"
    assert abs(found["size"] - size) < 0.01 * size  # "8.41 KB" as the listing prints it
    # listing, then the file's endpoint, then the signed link on the storage host
    fetched = [s for s in server.requests if s.method == "GET" and "robots" not in s.path]
    assert [s.path.split("?")[0] for s in fetched] == [
        f"{API}/ocod",
        f"{API}/ocod/OCOD_FULL_2025_11.zip",
        "/gb_land_registry/files/OCOD_FULL_2025_11.zip",
    ]
    assert "X-Amz-Signature=" in fetched[2].path
    # the key as it is in Authorization to the API, never to the signed link, never logged
    assert [_authorization(s) for s in fetched] == [KEY, KEY, None]
    assert KEY not in result.log + result.output + json.dumps(result.row["notes"])
    assert len(_live_assets(db)) == 24


def test_the_listing_gives_the_newest_file_of_the_dataset_kind() -> None:
    listing = _listing()
    listing["result"]["resources"] += [
        {"name": "Full File", "file_name": "OCOD_FULL_2024_12.zip", "file_size": "1 MB"},
        {"name": "Full File", "file_name": "../OCOD_FULL_2099_01.zip", "file_size": "1 MB"},
        {"name": "Full File", "file_name": "OCOD_FULL_2025_11.csv"},
        "not an object",
    ]
    response = _json_response("http://lr.test/api/v1/datasets/ocod", listing)

    [full] = _spider("ocod_full").listed_files(response)
    [changes] = _spider("ocod_changes").listed_files(response)

    assert full.name == "OCOD_FULL_2025_11.zip"
    assert full.url == "http://lr.test/api/v1/datasets/ocod/OCOD_FULL_2025_11.zip"
    assert full.handler == "parse_download_link" and full.authorised
    assert changes.name == "OCOD_COU_2025_11.zip"
    # the example file in public_resources is never taken for a data file
    assert (
        _spider("ocod_full").listed_files(
            _json_response("http://lr.test/x", {"success": True, "result": {"resources": []}})
        )
        == []
    )


def test_an_answer_the_api_refused_is_a_clear_error() -> None:
    refusal = {
        "error": "Access denied: You need to provide your API Key to perform this operation",
        "success": False,
    }
    with pytest.raises(ValueError, match="You need to provide your API Key"):
        _spider().listed_files(_json_response("http://lr.test/api/v1/datasets/ocod", refusal))
    link = _json_response("http://lr.test/api/v1/datasets/ocod/X.zip", {"success": True})
    with pytest.raises(ValueError, match="no download_url"):
        list(_spider().parse_download_link(link))


def test_an_earlier_month_is_read_from_the_history_listing(
    server: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "store.duckdb"
    base = server.url("/gb_land_registry")

    result = crawl(db, "gb_land_registry", base, "--dataset", "ocod_full", "--arg=month=2025_01")

    assert result.exit_code == 0, result.output + result.log[-3000:]
    [found] = result.row["notes"]["discovered"]
    assert found["index_url"] == f"{base}/api/v1/datasets/history/ocod"
    assert found["name"] == "OCOD_FULL_2025_01.zip"
    assert found["published"] == "January 2025"
    paths = [s.path.split("?")[0] for s in server.requests if "robots" not in s.path]
    assert paths[:2] == [f"{API}/history/ocod", f"{API}/history/ocod/OCOD_FULL_2025_01.zip"]
    assert len(_live_assets(db)) == 20  # that month's file, not the current one
    with pytest.raises(ValueError, match="YYYY_MM"):
        _spider(month="January")


# the -a files= fallback ---------------------------------------------------------------------


def test_named_file_endpoints_skip_the_listing(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAND_REGISTRY_API_KEY", KEY)
    db = tmp_path / "store.duckdb"
    named = "/api/v1/datasets/history/ocod/OCOD_FULL_2025_01.zip"

    result = crawl(db, "gb_land_registry", server.url("/gb_land_registry"), f"--arg=files={named}")

    assert result.exit_code == 0, result.output + result.log[-3000:]
    assert "discovered" not in result.row["notes"] or not result.row["notes"]["discovered"]
    fetched = [s for s in server.requests if "robots" not in s.path]
    assert [s.path.split("?")[0] for s in fetched] == [
        f"/gb_land_registry{named}",
        "/gb_land_registry/files/OCOD_FULL_2025_01.zip",
    ]
    assert [_authorization(s) for s in fetched] == [KEY, None]
    assert len(_live_assets(db)) == 20


def test_a_named_file_url_is_fetched_as_it_is_without_the_key(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAND_REGISTRY_API_KEY", KEY)
    db = tmp_path / "store.duckdb"

    result = crawl(
        db, "gb_land_registry", server.url("/gb_land_registry"),
        "--arg=files=/files/OCOD_FULL_2025_11.zip",
    )  # fmt: skip

    assert result.exit_code == 0, result.output + result.log[-3000:]
    [fetched] = [s for s in server.requests if "robots" not in s.path]
    assert fetched.path == "/gb_land_registry/files/OCOD_FULL_2025_11.zip"
    assert _authorization(fetched) is None
    assert len(_live_assets(db)) == 24


# the 'Row Count' trailer --------------------------------------------------------------------


def _zip_response(text: str) -> Response:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("OCOD_FULL_2025_11.csv", text.encode("utf-8"))
    url = "http://store.test/OCOD_FULL_2025_11.zip?X-Amz-Signature=abc"
    return Response(url, body=out.getvalue(), request=Request(url))


def _published(trailer: str) -> str:
    text = (HERE / "files" / "OCOD_FULL_2025_11.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(text)) as archive:
        lines = archive.read("OCOD_FULL_2025_11.csv").decode("utf-8").splitlines(keepends=True)
    assert lines[-1].startswith("Row Count,")
    return "".join(lines[:-1]) + trailer


def _parsed(text: str) -> tuple[list[str], list[str], list[Rejected]]:
    items = list(_spider().parse_file(_zip_response(text)))
    assets = [
        title
        for item in items
        if isinstance(item, TableBatch) and item.table == "assets"
        for title in item.data.column("asset_id").to_pylist()
    ]
    notes = [item.text for item in items if isinstance(item, Note)]
    return assets, notes, [item for item in items if isinstance(item, Rejected)]


def test_the_trailer_row_is_checked_and_neither_loaded_nor_rejected() -> None:
    assets, notes, rejected = _parsed(_published("Row Count,24\r\n"))

    assert len(assets) == 24 and "Row Count" not in assets
    assert rejected == []
    label = "http://store.test/OCOD_FULL_2025_11.zip#OCOD_FULL_2025_11.csv"  # no signed query
    assert f"{label}: the 'Row Count' trailer (line 26) counts 24 rows, as read" in notes


def test_a_trailer_as_wide_as_the_header_is_taken_out_of_the_rows_too() -> None:
    published = _published("")
    width = len(published.splitlines()[0].split(","))
    wide = "Row Count,24" + "," * (width - 2) + "\r\n"  # as many cells as the header

    assets, notes, rejected = _parsed(published + wide)

    assert len(assets) == 24 and "Row Count" not in assets and rejected == []
    assert any("trailer (line 26) counts 24 rows, as read" in n for n in notes)


def test_a_count_that_differs_from_the_rows_read_is_noted() -> None:
    assets, notes, rejected = _parsed(_published("Row Count,25\r\n"))

    assert len(assets) == 24 and rejected == []
    assert any("trailer (line 26) counts 25 rows, but 24 were read" in n for n in notes)
    _, without, _ = _parsed(_published(""))
    assert any("no 'Row Count' trailer row, the rows read (24) not checked" in n for n in without)


# oad sources check --------------------------------------------------------------------------


def test_sources_check_reports_the_listed_files_then_what_the_last_crawl_fetched(
    oad: Callable[..., Result], db_path: Path, server: LocalServer
) -> None:
    before = oad("sources", "check", "gb_land_registry", "--serve", str(FIXTURES)).output

    assert "gb_land_registry ocod_full: http://127.0.0.1:" in before
    assert (
        "/gb_land_registry/api/v1/datasets/ocod lists 1 file(s) to fetch (no crawl yet)" in before
    )
    assert "OCOD_FULL_2025_11.zip  8.4 KB, published 3 November 2025  [first crawl]" in before
    assert "OCOD_COU_2025_11.zip  1.8 KB, published 3 November 2025  [first crawl]" in before
    assert "CCOD_FULL_2025_11.zip" in before and "CCOD_COU_2025_11.zip" in before

    done = crawl(db_path, "gb_land_registry", server.url("/gb_land_registry"))
    assert done.exit_code == 0, done.output + done.log[-3000:]
    after = oad("sources", "check", "gb_land_registry", "--serve", str(FIXTURES)).output

    crawl_id = done.row["crawl_id"]
    fetched = (
        "OCOD_FULL_2025_11.zip  8.4 KB, published 3 November 2025  [fetched by the last crawl]"
    )
    assert fetched in after
    assert f"lists 1 file(s) to fetch (crawl {crawl_id})" in after
    assert "OCOD_COU_2025_11.zip  1.8 KB, published 3 November 2025  [first crawl]" in after
