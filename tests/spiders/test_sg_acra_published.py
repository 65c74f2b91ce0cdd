"""Singapore ACRA as data.gov.sg publishes it: the dataset's metadata names the file, the download
API prepares it (initiate, then poll until a signed link comes back), the CSV is fetched from the
link without the key; `-a files=` fetches a CSV directly; `oad sources check` reports the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.http import Request, TextResponse

from spiders.check import check_sources
from spiders.localserver import LocalServer, Reply
from spiders.sg_acra import SgAcra
from tests.spiders.helpers import FIXTURES, crawl

HERE = FIXTURES / "sg_acra"
DATASET = "d_3f960c10fed6145404ca7b821f263b87"
METADATA = f"/sg_acra/v2/public/api/datasets/{DATASET}/metadata"
INITIATE = f"/sg_acra/v1/public/api/datasets/{DATASET}/initiate-download"
POLL = f"/sg_acra/v1/public/api/datasets/{DATASET}/poll-download"
CSV = "EntitiesRegisteredwithACRA.csv"
JSON = {"Content-Type": "application/json"}


def _poll_reply(data: dict[str, str]) -> Reply:
    return Reply(body=json.dumps({"code": 0, "data": data, "errorMsg": ""}).encode(), headers=JSON)


IN_PROGRESS = _poll_reply({"status": "DOWNLOAD_IN_PROGRESS", "message": "Download in progress"})
READY = Reply(body=(HERE / "poll-download.json").read_bytes(), headers=JSON)


def _response(url: str, body: bytes) -> TextResponse:
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))


def _paths(server: LocalServer) -> list[str]:
    return [seen.path.split("?", 1)[0] for seen in server.requests if "robots" not in seen.path]


# discovery ---------------------------------------------------------------------------------


def test_the_metadata_names_the_file_its_size_date_and_the_download_api() -> None:
    spider = SgAcra()
    metadata = f"https://api-production.data.gov.sg/v2/public/api/datasets/{DATASET}/metadata"
    listed = spider.listed_files(_response(metadata, (HERE / "metadata.json").read_bytes()))

    assert len(listed) == 1
    found = listed[0]
    assert found.name == "Entities Registered with ACRA"
    assert found.size == (HERE / CSV).stat().st_size
    assert found.published == "2025-01-05T10:12:33+08:00"
    assert found.url == (
        f"https://api-open.data.gov.sg/v1/public/api/datasets/{DATASET}/initiate-download"
    )
    assert found.handler == "parse_initiated" and found.authorised


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"code": 17, "errorMsg": "Dataset not found"}, "code 17: Dataset not found"),
        ({"code": 0, "data": {"datasetId": DATASET, "format": "KML"}}, "not a CSV"),
        ({"code": 0, "data": {"datasetId": "../../etc"}}, "no data.gov.sg dataset id"),
        ([1, 2], "not a data.gov.sg API answer"),
    ],
)
def test_an_answer_that_names_no_csv_is_refused_with_its_reason(
    answer: object, reason: str
) -> None:
    response = _response("https://example.test/metadata", json.dumps(answer).encode())
    with pytest.raises(ValueError, match=reason):
        SgAcra().listed_files(response)


def test_a_crawl_finds_the_file_through_the_metadata_and_records_it(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_GOV_SG_API_KEY", "test-key-123")
    result = crawl(tmp_path / "store.duckdb", "sg_acra", server.url("/sg_acra"))

    assert result.exit_code == 0, result.output + result.log[-3000:]
    assert result.counts == (9, 8, 0, 0, 0, 1)  # the row without a name is the rejected one
    assert _paths(server) == [METADATA, INITIATE, POLL, f"/sg_acra/s3/dgs-downloads/{CSV}"]
    (discovered,) = result.row["notes"]["discovered"]
    assert discovered["index_url"] == server.url(METADATA)
    assert discovered["name"] == "Entities Registered with ACRA"
    assert discovered["url"] == server.url(INITIATE)
    assert discovered["size"] == (HERE / CSV).stat().st_size
    assert discovered["published"] == "2025-01-05T10:12:33+08:00"
    # the key goes to data.gov.sg's APIs, never to the signed link on the storage host
    keyed = {
        seen.path.split("?", 1)[0]: {k.lower(): v for k, v in seen.headers.items()}.get("x-api-key")
        for seen in server.requests
        if "robots" not in seen.path
    }
    assert keyed.pop(f"/sg_acra/s3/dgs-downloads/{CSV}") is None
    assert set(keyed.values()) == {"test-key-123"}
    assert "test-key-123" not in result.output + result.log


def test_rows_come_from_the_link_without_its_signature(server: LocalServer, tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "store.duckdb"
    assert crawl(db, "sg_acra", server.url("/sg_acra")).exit_code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        urls = {row[0] for row in con.execute("SELECT DISTINCT source_url FROM records").fetchall()}
    assert urls == {server.url(f"/sg_acra/s3/dgs-downloads/{CSV}")}


# the download API --------------------------------------------------------------------------


def test_the_spider_polls_until_the_file_is_ready(tmp_path: Path) -> None:
    with LocalServer(FIXTURES) as server:
        server.route(POLL, IN_PROGRESS, IN_PROGRESS, READY)
        result = crawl(tmp_path / "store.duckdb", "sg_acra", server.url("/sg_acra"))
        polls = [seen for seen in server.requests if seen.path == POLL]

    assert result.exit_code == 0, result.output + result.log[-3000:]
    assert len(polls) == 3
    assert result.counts[1] == 8


def test_polling_gives_up_after_poll_tries(tmp_path: Path) -> None:
    with LocalServer(FIXTURES) as server:
        server.route(POLL, IN_PROGRESS)
        result = crawl(
            tmp_path / "store.duckdb", "sg_acra", server.url("/sg_acra"), "-a", "poll_tries=3"
        )
        paths = _paths(server)

    assert result.exit_code != 0
    assert result.row["status"] == "failed"
    assert paths.count(POLL) == 3
    assert not any(CSV in path for path in paths)
    assert "no download link after 3 polls" in " ".join(result.row["notes"]["errors"])


def test_a_failed_preparation_fails_the_crawl_with_its_status(tmp_path: Path) -> None:
    failed = _poll_reply({"status": "DOWNLOAD_FAILED", "message": "Could not prepare the file"})
    with LocalServer(FIXTURES) as server:
        server.route(POLL, failed)
        result = crawl(tmp_path / "store.duckdb", "sg_acra", server.url("/sg_acra"))
        polls = [seen for seen in server.requests if seen.path == POLL]

    assert result.row["status"] == "failed"
    assert len(polls) == 1
    errors = " ".join(result.row["notes"]["errors"])
    assert "the download failed (DOWNLOAD_FAILED: Could not prepare the file)" in errors


def test_a_link_that_is_no_web_address_is_not_followed(tmp_path: Path) -> None:
    odd = _poll_reply({"status": "DOWNLOAD_SUCCESS", "url": "file:///etc/passwd"})
    with LocalServer(FIXTURES) as server:
        server.route(POLL, odd)
        result = crawl(tmp_path / "store.duckdb", "sg_acra", server.url("/sg_acra"))

    assert result.row["status"] == "failed"
    assert "not a web address" in " ".join(result.row["notes"]["errors"])


# the fallback and the check ----------------------------------------------------------------


def test_files_argument_fetches_the_csv_without_asking_the_apis(
    server: LocalServer, tmp_path: Path
) -> None:
    result = crawl(
        tmp_path / "store.duckdb", "sg_acra", server.url("/sg_acra"), "-a", f"files=/{CSV}"
    )

    assert result.exit_code == 0, result.output + result.log[-3000:]
    assert _paths(server) == [f"/sg_acra/{CSV}"]
    assert result.counts == (9, 8, 0, 0, 0, 1)
    assert not result.row["notes"].get("discovered")


def test_sources_check_reports_the_file_then_that_the_last_crawl_fetched_it(
    server: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "store.duckdb"
    (before,) = check_sources(db, "sg_acra", serve_dir=FIXTURES)
    assert before.error is None and before.last_crawl is None
    (file,) = before.files
    assert (file.listed.name, file.change) == ("Entities Registered with ACRA", "first crawl")
    assert file.listed.size == (HERE / CSV).stat().st_size
    assert any("Entities Registered with ACRA  1.0 KB" in line for line in before.lines())

    assert crawl(db, "sg_acra", server.url("/sg_acra")).exit_code == 0

    (after,) = check_sources(db, "sg_acra", serve_dir=FIXTURES)
    assert after.last_crawl is not None
    assert [f.change for f in after.files] == ["fetched by the last crawl"]
