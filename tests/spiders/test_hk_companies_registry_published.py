"""The Hong Kong Companies Registry's weekly lists as data.gov.hk publishes them: the package's
resources found through CKAN package_show, every week read, one record per BR number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import Request, TextResponse

from pipelines.crawl_items import Record
from spiders.hk_companies_registry import HkCompaniesRegistry
from spiders.localserver import LocalServer, Reply
from tests.reliability.helpers import oad
from tests.spiders.helpers import FIXTURES, crawl, dump

HERE = FIXTURES / "hk_companies_registry"
PACKAGE = "hk-cr-crdata-list-newly-registered-companies-2526"
INDEX = f"/en-data/api/3/action/package_show?id={PACKAGE}"
WEEKS = ["RNC063L_20241230.csv", "RNC063F_20241230.csv", "RNC063L_20250602.csv",
         "RNC063F_20250602.csv"]  # fmt: skip


def _package(server: LocalServer, resources: list[dict[str, Any]] | None = None) -> str:
    """The recorded package_show answer (or one listing RESOURCES) at the index's path."""
    answer = json.loads((HERE / "package_show.json").read_text(encoding="utf-8"))
    if resources is not None:
        answer["result"]["resources"] = resources
    body = json.dumps(answer).replace("{{server}}", server.url()).encode()
    server.route(f"/hk_companies_registry{INDEX}", Reply(body=body))
    return server.url("/hk_companies_registry")


def _resources() -> list[dict[str, Any]]:
    answer = json.loads((HERE / "package_show.json").read_text(encoding="utf-8"))
    resources: list[dict[str, Any]] = answer["result"]["resources"]
    return resources


def _records(db: Path) -> dict[str, dict[str, Any]]:
    return {r["source_id"]: r for r in dump(db)["records"]}


def test_the_package_lists_the_weeks_and_the_crawl_records_them(
    server: LocalServer, db_path: Path
) -> None:
    base = server.url("/hk_companies_registry")
    result = crawl(db_path, "hk_companies_registry", base)
    assert result.exit_code == 0, result.log[-2000:]
    found = result.row["notes"]["discovered"]
    assert [f["name"] for f in found] == WEEKS  # by week, local before non-Hong Kong
    assert all(f["index_url"] == base + INDEX for f in found)
    assert found[0]["url"] == f"{base}/docs/wrpt/RNC063/RNC063L_20241230.csv"
    assert found[3]["published"] == "2025-06-13T09:30:08.771342"
    fetched = [s.path for s in server.requests if s.path.endswith(".csv")]
    assert fetched == [f"/hk_companies_registry/docs/wrpt/RNC063/{name}" for name in WEEKS]


def test_only_weekly_csv_lists_are_read_and_a_failed_answer_is_an_error() -> None:
    spider = HkCompaniesRegistry()
    others = [
        {"name": "week as XLS", "format": "XLS", "url": "https://x.hk/RNC063L_20241230.xls"},
        {"name": "data dictionary", "format": "PDF", "url": "https://x.hk/RNC063_dictionary.pdf"},
        {"name": "no link", "format": "CSV"},
    ]
    listed = spider.listed_files(_answer({"success": True, "result": {"resources": others}}))
    assert listed == []
    resources = [{**_resources()[0], "size": 4096}, *reversed(_resources())]
    listed = spider.listed_files(_answer({"success": True, "result": {"resources": resources}}))
    assert [f.name for f in listed] == WEEKS  # by week, each once (the first listing of it)
    assert [f.size for f in listed] == [4096, None, None, None]
    assert {f.handler for f in listed} == {"read_week"}
    with pytest.raises(ValueError, match="not a successful CKAN package_show answer"):
        spider.listed_files(_answer({"success": False, "error": {"message": "Not found"}}))


def _answer(body: dict[str, Any]) -> TextResponse:
    url = "https://data.gov.hk" + INDEX
    return TextResponse(url, body=json.dumps(body).encode(), request=Request(url))


def test_files_argument_skips_the_package(server: LocalServer, db_path: Path) -> None:
    base = server.url("/hk_companies_registry")
    week = "/docs/wrpt/RNC063/RNC063L_20250602.csv"
    result = crawl(db_path, "hk_companies_registry", base, "-a", f"files={week}")
    assert result.exit_code == 0, result.log[-2000:]
    assert not server.seen("/hk_companies_registry/en-data")
    assert result.row["notes"]["discovered"] == []
    assert set(_records(db_path)) == {"99990002", "99990201", "99990202"}


def test_a_company_is_one_record_over_its_rows_and_weeks(
    server: LocalServer, db_path: Path
) -> None:
    assert crawl(db_path, "hk_companies_registry", server.url("/hk_companies_registry")).row
    records = _records(db_path)
    renamed = records["99990002"]  # incorporated in the first week, renamed in June
    assert renamed["name"] == "JADE RIVER AI TECHNOLOGY LIMITED"
    assert renamed["alt_names"] == ["玉河人工智能科技有限公司", "JADE RIVER TECHNOLOGY LIMITED",
                                    "玉河科技有限公司"]  # fmt: skip
    assert renamed["incorporation_date"] == "2024-12-31" and renamed["jurisdiction"] == "HK"
    assert [row["file"] for row in json.loads(renamed["raw"])["rows"]] == [WEEKS[0], WEEKS[2]]
    # a non-Hong Kong company's Chinese name is on a row of its own, before its English one
    foreign = records["99990102"]
    assert (foreign["name"], foreign["alt_names"]) == (
        "HOSHIUMI TRADING KABUSHIKI KAISHA",
        ["星海貿易株式會社"],
    )
    # where it was incorporated is not published, and its date is its registration here
    assert foreign["jurisdiction"] is None and foreign["incorporation_date"] is None
    assert json.loads(foreign["raw"])["rows"][0]["Date of Registration"] == "02-01-2025"
    assert records["99990004"]["name"] == "金橋國際控股有限公司"  # no English name
    # renamed, incorporated before the lists began: no incorporation date to give
    assert records["99980001"]["incorporation_date"] is None


def test_reruns_change_nothing_and_a_week_adds_without_removing(
    server: LocalServer, db_path: Path
) -> None:
    base = server.url("/hk_companies_registry")
    first = crawl(db_path, "hk_companies_registry", base)
    assert first.counts == (11, 11, 0, 0, 0, 0)
    again = crawl(db_path, "hk_companies_registry", base)
    assert again.counts == (11, 0, 0, 11, 0, 0)
    # a new week: one company renamed, one new
    week = _week(server, "RNC063L_20250609.csv", [
        "1,PEARL DELTA GROUP LIMITED,珠三角集團有限公司,99990201,,10-06-2025",
        "2,LION ROCK ROBOTICS LIMITED,,99990401,09-06-2025,",
    ])  # fmt: skip
    _package(server, [*_resources(), week])
    later = crawl(db_path, "hk_companies_registry", base)
    assert later.counts == (12, 1, 1, 10, 0, 0), later.log[-2000:]
    renamed = _records(db_path)["99990201"]
    assert renamed["name"] == "PEARL DELTA GROUP LIMITED"
    assert renamed["alt_names"] == ["珠三角集團有限公司", "PEARL DELTA HOLDINGS LIMITED",
                                    "珠三角控股有限公司"]  # fmt: skip
    assert renamed["incorporation_date"] == "2025-06-02"  # from the week it was incorporated
    # a listing without the earlier weeks: what it no longer names stays in the store
    _package(
        server,
        [_week(server, "RNC063L_20250616.csv", ["1,TAI TAM TEA LIMITED,,99990501,16-06-2025,"])],
    )
    last = crawl(db_path, "hk_companies_registry", base)
    assert last.counts == (1, 1, 0, 0, 0, 0), last.log[-2000:]
    records = _records(db_path)
    assert len(records) == 13 and not any(r["removed"] for r in records.values())


def _week(server: LocalServer, name: str, rows: list[str]) -> dict[str, Any]:
    """A further local week served, and its resource as the package would list it."""
    header = "Seq,Current Company Name in English,Current Company Name in Chinese,BR Number,"
    header += "Date of Incorporation / Re-domiciliation Date,Date of Change of name"
    body = "\r\n".join([header, *rows, ""]).encode("utf-8-sig")
    server.route(f"/hk_companies_registry/docs/wrpt/RNC063/{name}", Reply(body=body))
    resource = _resources()[2]
    return {**resource, "url": resource["url"].replace(WEEKS[2], name)}


def test_a_row_without_a_br_number_is_rejected(server: LocalServer, db_path: Path) -> None:
    week = "RNC063L_20241230.csv"
    text = (
        HERE / "docs/wrpt/RNC063" / week
    ).read_bytes() + b"6,NO NUMBER LIMITED,,,03-01-2025,\r\n"
    server.route(f"/hk/{week}", Reply(body=text))
    result = crawl(db_path, "hk_companies_registry", server.url("/hk"), "-a", f"files=/{week}")
    assert result.exit_code == 0 and result.counts[-1] == 1, result.log[-2000:]
    (rejected,) = dump(db_path)["rejected_rows"]
    assert rejected["line"] == 7 and rejected["reason"].startswith("no BR Number")
    assert "NO NUMBER LIMITED" in rejected["raw"]


def test_a_resumed_crawl_reads_its_weeks_from_the_first() -> None:
    spider = HkCompaniesRegistry()
    urls = [f"https://www.cr.gov.hk/docs/wrpt/RNC063/{name}" for name in WEEKS]
    response = TextResponse(urls[2], body=b"", request=Request(urls[2]))
    (again,) = spider.read_week(response, urls=urls, at=2)  # nothing of weeks 0-1 in memory
    assert isinstance(again, Request) and again.url == urls[0] and again.dont_filter
    assert again.cb_kwargs["kwargs"] == {"urls": urls, "at": 0}


def test_the_last_week_writes_every_company_once() -> None:
    spider = HkCompaniesRegistry()
    url = f"https://www.cr.gov.hk/docs/wrpt/RNC063/{WEEKS[1]}"
    body = (HERE / "docs/wrpt/RNC063" / WEEKS[1]).read_bytes()
    items = list(spider.read_week(TextResponse(url, body=body, request=Request(url)), [url], 0))
    records = [item for item in items if isinstance(item, Record)]
    assert sorted(r.source_id or "" for r in records) == ["99990101", "99990102", "99990103"]
    assert spider.entries == {}  # nothing held once written


def test_sources_check_lists_the_weeks_then_reports_them_fetched(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    serve = ("--serve", str(FIXTURES))
    before = oad(db, "sources", "check", "hk_companies_registry", *serve)
    assert before.returncode == 0, before.stderr
    assert "lists 4 file(s) to fetch (no crawl yet)" in before.stdout
    size = (HERE / "docs/wrpt/RNC063" / WEEKS[0]).stat().st_size
    assert f"  {WEEKS[0]}  {size} bytes, published 2025-01-10T09:30:11.204518" in before.stdout
    assert before.stdout.count("[first crawl]") == 4
    assert oad(db, "crawl", "hk_companies_registry", *serve).returncode == 0
    after = oad(db, "sources", "check", "hk_companies_registry", *serve)
    assert after.stdout.count("[fetched by the last crawl]") == 4, after.stdout


def test_an_extract_keyed_on_br_numbers_is_the_same_records(tmp_path: Path) -> None:
    """A bank's e-Search extract keyed on the BR number (the register's key since December
    2023) and the weekly lists agree: the crawl finds those companies, it adds none."""
    db, extract = tmp_path / "store.duckdb", tmp_path / "esearch.csv"
    extract.write_text(
        "source_id,name,kind,alt_names,jurisdiction,registration_number,incorporation_date\n"
        "99990001,HARBOUR LANTERN TRADING LIMITED,company,港燈貿易有限公司,HK,99990001,2024-12-30\n"
        "99990003,SILVER KITE CONSULTING LIMITED,company,,HK,99990003,2025-01-02\n",
        encoding="utf-8",
    )
    imported = oad(db, "records", "import", str(extract), "--source", "hk_companies_registry")
    assert imported.returncode == 0, imported.stderr
    done = oad(db, "crawl", "hk_companies_registry", "--serve", str(FIXTURES))
    assert done.returncode == 0, done.stderr
    assert "11 fetched, 9 new, 0 changed, 2 unchanged" in done.stdout
    assert "2 of them had come by another channel" in done.stdout
    assert len(_records(db)) == 11
