"""Companies House as published: the download pages name the current files (in parts), the PSC
snapshot's lines of every kind, its totals line, and corporate officers from the API."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from scrapy.http import HtmlResponse

from spiders.gb_companies_house import GbCompaniesHouse
from spiders.localserver import LocalServer, Reply
from tests.spiders.helpers import FIXTURES, crawl, dump

SOURCE = "gb_companies_house"
BASIC_PARTS = [f"BasicCompanyData-2025-01-01-part{n}_2.zip" for n in (1, 2)]
PSC_PARTS = [f"psc-snapshot-2025-01-01_{n}of2.zip" for n in (1, 2)]
TOTALS = "totals#persons-of-significant-control-snapshot"


def _page(dataset: str, body: str, url: str = "https://download.example/en.html") -> list[Any]:
    response = HtmlResponse(url, body=body.encode(), encoding="utf-8")
    return GbCompaniesHouse(dataset=dataset).listed_files(response)


def _notes(result: Any) -> list[str]:
    return [str(note) for note in result.row["notes"].get("notes", [])]


def test_basic_fetches_the_parts_the_download_page_lists(
    server: LocalServer, db_path: Path
) -> None:
    result = crawl(db_path, SOURCE, server.url(f"/{SOURCE}"), "--dataset", "basic")

    assert result.exit_code == 0, result.log[-2000:]
    discovered = result.row["notes"]["discovered"]
    assert [d["name"] for d in discovered] == BASIC_PARTS
    assert all(d["index_url"].endswith(f"/{SOURCE}/en_output.html") for d in discovered)
    assert all(d["published"] == "2025-01-01" and d["size"] == 2048 for d in discovered)
    fetched = [seen.path for seen in server.seen(f"/{SOURCE}/")]
    assert fetched[0] == f"/{SOURCE}/en_output.html"
    assert sorted(fetched[1:]) == [f"/{SOURCE}/{name}" for name in BASIC_PARTS]  # not the one file
    files = {r["source_url"].split("#")[1] for r in dump(db_path)["records"]}
    assert files == {name.replace(".zip", ".csv") for name in BASIC_PARTS}
    assert result.row["new"] == 6


def test_named_files_skip_the_page(server: LocalServer, db_path: Path) -> None:
    one = "/BasicCompanyDataAsOneFile-2025-01-01.zip"
    result = crawl(
        db_path, SOURCE, server.url(f"/{SOURCE}"), "--dataset", "basic", "-a", f"files={one}"
    )

    assert result.exit_code == 0, result.log[-2000:]
    assert [seen.path for seen in server.seen(f"/{SOURCE}/")] == [f"/{SOURCE}{one}"]
    assert result.row["notes"]["discovered"] == []
    assert result.row["new"] == 6


def test_listing_takes_the_latest_whole_set_of_parts() -> None:
    page = """<ul><li><a href="BasicCompanyDataAsOneFile-2025-02-01.zip">
    BasicCompanyDataAsOneFile-2025-02-01.zip  (480Mb)</a></li></ul>
    <ul><li><a href="BasicCompanyData-2025-01-01-part1_1.zip">old  (60Mb)</a></li>
    <li><a href="BasicCompanyData-2025-02-01-part2_2.zip">
    BasicCompanyData-2025-02-01-part2_2.zip  (68Mb)</a></li>
    <li><a href="/BasicCompanyData-2025-02-01-part1_2.zip">
    BasicCompanyData-2025-02-01-part1_2.zip  (70Mb)</a></li>
    <li><a href="en_pscdata.html">PSC snapshot</a></li></ul>"""

    listed = _page("basic", page)

    assert [f.name for f in listed] == [
        "BasicCompanyData-2025-02-01-part1_2.zip",
        "BasicCompanyData-2025-02-01-part2_2.zip",
    ]
    assert listed[0].url == "https://download.example/BasicCompanyData-2025-02-01-part1_2.zip"
    assert [f.size for f in listed] == [70 << 20, 68 << 20]
    assert {f.published for f in listed} == {"2025-02-01"}


def test_listing_refuses_a_set_with_a_part_missing() -> None:
    page = "".join(f'<a href="psc-snapshot-2025-03-04_{n}of3.zip">{n}</a>' for n in (1, 3))
    with pytest.raises(ValueError, match=r"lists parts \[1, 3\] of \[3\] for 2025-03-04"):
        _page("psc", page)


def test_listing_without_parts_falls_back_to_the_one_file() -> None:
    page = """<a href="persons-with-significant-control-snapshot-2025-03-04.zip">
    persons-with-significant-control-snapshot-2025-03-04.zip  (1.5GB)</a>"""

    listed = _page("psc", page)

    name = "persons-with-significant-control-snapshot-2025-03-04.zip"
    assert [(f.name, f.size, f.handler) for f in listed] == [
        (name, int(1.5 * (1 << 30)), "parse_snapshot")
    ]
    assert _page("psc", "<p>nothing listed today</p>") == []


def test_psc_reads_every_kind_and_checks_the_totals_line(
    server: LocalServer, db_path: Path
) -> None:
    result = crawl(db_path, SOURCE, server.url(f"/{SOURCE}"), "--dataset", "psc")

    assert result.exit_code == 0, result.log[-2000:]
    discovered = result.row["notes"]["discovered"]
    assert [d["name"] for d in discovered] == PSC_PARTS
    assert all(d["index_url"].endswith(f"/{SOURCE}/en_pscdata.html") for d in discovered)
    rows = dump(db_path)
    kinds = {json.loads(r["raw"])["kind"]: r["kind"] for r in rows["records"]}
    assert kinds == {
        "individual-person-with-significant-control": "person",
        "corporate-entity-person-with-significant-control": "company",
        "legal-person-person-with-significant-control": "company",
        "individual-beneficial-owner": "person",
        "corporate-entity-beneficial-owner": "company",
        "legal-person-beneficial-owner": "company",
    }
    roles = {r["subject_id"].split("/")[4]: r["role"] for r in rows["relationships"]}
    assert roles == {
        "individual": "psc",
        "corporate-entity": "psc",
        "legal-person": "psc",
        "individual-beneficial-owner": "beneficial-owner",
        "corporate-entity-beneficial-owner": "beneficial-owner",
        "legal-person-beneficial-owner": "beneficial-owner",
    }
    owner = next(r for r in rows["records"] if r["name"].startswith("GREAT WALL"))
    assert owner["registration_number"] == "91110000710935732K"
    assert json.loads(owner["raw"])["natures_of_control"] == [
        "ownership-of-shares-more-than-25-percent-registered-overseas-entity"
    ]
    notes = _notes(result)
    assert any(n.endswith("_1of2.txt: 5 persons, 1 super-secure" + _NOBODY) for n in notes)
    last = "_2of2.txt: 3 persons, 2 statements, 1 exemptions, 1 super-secure, 1 trailer"
    assert any(n.endswith(last + _NOBODY) for n in notes), notes
    assert any(n.endswith("every count matches what was read") for n in notes), notes
    assert rows["rejected_rows"] == []


_NOBODY = " (statements, exemptions and super-secure name nobody)"


def _line(company: str, kind: str, **data: Any) -> dict[str, Any]:
    link = f"/company/{company}/persons-with-significant-control/individual/{company}x"
    return {"company_number": company, "data": {"kind": kind, "links": {"self": link}, **data}}


def _part(server: LocalServer, name: str, lines: list[str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name.replace(".zip", ".txt"), "".join(f"{t}\n" for t in lines))
    server.route(f"/psc/{name}", Reply(body=buffer.getvalue()))


def test_bad_lines_are_rejected_and_a_wrong_total_is_noted(
    server: LocalServer, db_path: Path
) -> None:
    person = _line("00000001", "individual-person-with-significant-control", name="Mr A Chan")
    trailer = {"persons_of_significant_control_count": 3, "statements_count": 0}
    lines = [
        json.dumps(person),
        '{"company_number": "00000002", "data": {"kind": "individual-person',  # cut short
        json.dumps(_line("00000003", "a-kind-not-published", name="X")),
        "[1, 2]",
        json.dumps({"data": {"kind": TOTALS, "exemptions_count": 0, **trailer}}),
    ]
    _part(server, "psc-snapshot-2025-05-06_1of1.zip", lines)
    page = '<a href="psc-snapshot-2025-05-06_1of1.zip">psc-snapshot-2025-05-06_1of1.zip (1Mb)</a>'
    html = {"Content-Type": "text/html"}
    server.route("/psc/en_pscdata.html", Reply(body=page.encode(), headers=html))

    result = crawl(db_path, SOURCE, server.url("/psc"), "--dataset", "psc")

    assert result.exit_code == 0, result.log[-2000:]
    assert result.row["new"] == 2  # the one person and the edge to its company
    reasons = {r["line"]: r["reason"] for r in dump(db_path)["rejected_rows"]}
    assert set(reasons) == {2, 3, 4}
    assert reasons[2].startswith("not JSON")
    assert reasons[3] == "unknown kind of snapshot line: 'a-kind-not-published'"
    assert reasons[4] == "not a snapshot line (an object with data)"
    check = next(n for n in _notes(result) if n.startswith("trailer"))
    assert "does not match what was read" in check
    assert "persons_of_significant_control_count 3, read 1" in check
    assert "(3 lines rejected)" in check


def test_a_snapshot_without_its_totals_line_is_noted(server: LocalServer, db_path: Path) -> None:
    person = _line("00000001", "individual-person-with-significant-control", name="Mr A Chan")
    _part(server, "psc-snapshot-2025-05-06_1of1.zip", [json.dumps(person)])

    result = crawl(
        db_path, SOURCE, server.url("/psc"), "--dataset", "psc",
        "-a", "files=/psc-snapshot-2025-05-06_1of1.zip",
    )  # fmt: skip

    assert result.exit_code == 0, result.log[-2000:]
    assert result.row["notes"]["discovered"] == []
    assert any(n.startswith("no totals line in the snapshot") for n in _notes(result))


def test_corporate_officers_are_companies(server: LocalServer, db_path: Path) -> None:
    result = crawl(
        db_path, SOURCE, server.url(f"/{SOURCE}"), "--dataset", "api", "-a", "companies=12345670"
    )

    assert result.exit_code == 0, result.log[-2000:]
    records = {r["name"]: r for r in dump(db_path)["records"]}
    assert records["HUAXIN CAPITAL LIMITED"]["kind"] == "company"
    assert records["HUAXIN CAPITAL LIMITED"]["registration_number"] == "12345672"
    assert records["ZHANG, Wei"]["kind"] == "person"
    assert any(n.endswith("1 super-secure" + _NOBODY) for n in _notes(result))


def test_sources_check_lists_the_parts_then_knows_them_as_fetched(
    oad: Callable[..., Result], server: LocalServer, db_path: Path
) -> None:
    before = oad("sources", "check", SOURCE, "--dataset", "psc", "--serve", str(FIXTURES))
    assert "lists 2 file(s) to fetch (no crawl yet)" in before.output
    for name, size in zip(PSC_PARTS, ("4.0 KB", "4.0 KB"), strict=True):
        assert f"{name}  {size}, published 2025-01-01  [first crawl]" in before.output

    crawled = crawl(db_path, SOURCE, server.url(f"/{SOURCE}"), "--dataset", "psc")
    assert crawled.exit_code == 0, crawled.log[-2000:]

    after = oad("sources", "check", SOURCE, "--dataset", "psc", "--serve", str(FIXTURES))
    assert f"(crawl {crawled.row['crawl_id']})" in after.output
    for name in PSC_PARTS:
        assert f"{name}  " in after.output
    assert after.output.count("[fetched by the last crawl]") == len(PSC_PARTS)
