"""Crawls over faulty or changing sources: retries, paging, broken files, changed columns,
encodings, records that disappear, and reruns that must change nothing."""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from pathlib import Path

from spiders.localserver import LocalServer, Reply
from tests.spiders.helpers import FIXTURES, crawl, dump

HK_CSV = (FIXTURES / "hk_companies_registry" / "SP_2.csv").read_text(encoding="utf-8")
LR = FIXTURES / "gb_land_registry"
OFFICERS = "/company/{n}/officers?items_per_page=2&start_index={s}"


def _officers(total: int, start: int, names: list[str]) -> bytes:
    items = [
        {
            "name": name,
            "officer_role": "director",
            "links": {"officer": {"appointments": f"/officers/{name.split(',')[0]}/appointments"}},
        }
        for name in names
    ]
    page = {"total_results": total, "items_per_page": 2, "start_index": start, "items": items}
    return json.dumps(page).encode()


def _api(server: LocalServer, db: Path, *options: str) -> object:
    return crawl(
        db,
        "gb_companies_house",
        server.url(),
        "--dataset",
        "api",
        "-a",
        "companies=00000001",
        "-a",
        "page_size=2",
        *options,
    )


def test_pages_are_followed_until_total_results(server: LocalServer, db_path: Path) -> None:
    server.route(
        OFFICERS.format(n="00000001", s=0),
        Reply(body=_officers(3, 0, ["CHAN, Tai Man", "LEE, Mei"])),
    )
    server.route(OFFICERS.format(n="00000001", s=2), Reply(body=_officers(3, 2, ["HO, Wing"])))
    result = _api(server, db_path)
    assert result.exit_code == 0, result.log[-2000:]
    names = {r["name"] for r in dump(db_path)["records"]}
    assert names == {"CHAN, Tai Man", "LEE, Mei", "HO, Wing"}
    assert len(server.seen("/company/00000001/officers")) == 2


def test_429_and_500_are_retried_before_success(server: LocalServer, db_path: Path) -> None:
    body = _officers(1, 0, ["CHAN, Tai Man"])
    server.route(
        OFFICERS.format(n="00000001", s=0),
        Reply(429, headers={"Retry-After": "0.1"}),
        Reply(500),
        Reply(body=body),
    )
    result = _api(server, db_path)
    assert result.exit_code == 0 and result.row["new"] == 2, result.log[-2000:]
    assert len(server.seen("/company/00000001/officers")) == 3
    # the PSC list of an unknown company is a 404: recorded, not fatal
    assert dump(db_path)["rejected_rows"][0]["reason"] == "company 00000001 not found (HTTP 404)"


def _hk(server: LocalServer, text: str, encoding: str = "utf-8", **reply: object) -> str:
    server.route("/hk/SP_2.csv", Reply(body=text.encode(encoding), **reply))  # type: ignore[arg-type]
    return server.url("/hk")


def test_truncated_zip_fails_clearly_and_writes_nothing(server: LocalServer, db_path: Path) -> None:
    whole = (LR / "files" / "OCOD_FULL_2025_11.zip").read_bytes()
    _lr_download(server, "OCOD_FULL_2025_11", whole[: len(whole) // 2])
    result = crawl(db_path, "gb_land_registry", server.url("/gb_land_registry"))
    assert result.exit_code == 1
    assert result.row["status"] == "failed"
    assert "not a complete zip archive" in " ".join(result.row["notes"]["errors"])
    rows = dump(db_path)
    assert rows["assets"] == rows["records"] == rows["relationships"] == []


def test_body_cut_short_on_the_wire_fails(server: LocalServer, db_path: Path) -> None:
    result = crawl(db_path, "hk_companies_registry", _hk(server, HK_CSV, truncate_at=500))
    assert result.exit_code == 1 and result.row["status"] == "failed"
    assert dump(db_path)["records"] == []


def test_extra_column_is_reported_and_kept_in_raw(server: LocalServer, db_path: Path) -> None:
    lines = HK_CSV.split("\n")
    text = HK_CSV.replace("Dissolved,Type\n", "Dissolved,Type,Website\n", 1)
    text = text.replace('"Private, ltd by shares"\n', '"Private, ltd by shares",www.example.hk\n')
    assert lines and text != HK_CSV
    result = crawl(db_path, "hk_companies_registry", _hk(server, text))
    assert result.exit_code == 0, result.log[-2000:]
    assert result.row["notes"]["unused_columns"] == ["Website"]
    assert "Website" in result.output and "columns not used: Website" in result.log
    assert '"Website":"www.example.hk"' in dump(db_path)["records"][0]["raw"]


def test_renamed_required_column_is_a_clear_error(server: LocalServer, db_path: Path) -> None:
    text = HK_CSV.replace(",Reg no.,", ",Registration number,", 1)
    result = crawl(db_path, "hk_companies_registry", _hk(server, text))
    assert result.exit_code == 1
    errors = " ".join(result.row["notes"]["errors"])
    assert "line 1: required column 'Reg no.' is missing" in errors and "SP_2.csv" in errors
    assert dump(db_path)["records"] == []


def test_gb18030_and_latin1_text_is_decoded(server: LocalServer, db_path: Path) -> None:
    result = crawl(db_path, "hk_companies_registry", _hk(server, HK_CSV, "gb18030"))
    assert result.exit_code == 0, result.log[-2000:]
    names = {r["source_id"]: r["alt_names"] for r in dump(db_path)["records"]}
    assert names["634219"] == ["中國資訊科技基建有限公司"]
    # an OCOD file in cp1252 (Latin-1 for its letters): SOCIÉTÉ must survive
    with zipfile.ZipFile(LR / "files" / "OCOD_FULL_2025_11.zip") as published:
        text = published.read("OCOD_FULL_2025_11.csv").decode("utf-8")
    latin = _zip({"OCOD_FULL_2025_11.csv": text.encode("cp1252")})
    _lr_download(server, "OCOD_FULL_2025_11", latin)
    result = crawl(db_path, "gb_land_registry", server.url("/gb_land_registry"))
    assert result.exit_code == 0
    assert "SOCIÉTÉ IMMOBILIÈRE DU LAC SA" in {r["name"] for r in dump(db_path)["records"]}
    assert any(n.endswith("read as cp1252") for n in result.row["notes"]["notes"])
    assert codecs.lookup("cp1252")


def test_disappeared_record_is_marked_removed_and_rerun_changes_nothing(
    server: LocalServer, db_path: Path
) -> None:
    base = _hk(server, HK_CSV)
    assert crawl(db_path, "hk_companies_registry", base).row["new"] == 150
    again = crawl(db_path, "hk_companies_registry", base)
    assert again.counts == (150, 0, 0, 150, 0, 0)
    before = dump(db_path)
    third = crawl(db_path, "hk_companies_registry", base)
    assert third.counts == (150, 0, 0, 150, 0, 0)
    after = dump(db_path)
    assert after["records"] == before["records"]
    gone = "\n".join(line for line in HK_CSV.split("\n") if not line.startswith("3919,645548,"))
    gone = gone.replace("3919,645548", "")  # the row's first line only; its Chinese line follows
    lines = HK_CSV.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("3919,645548,"))
    without = "\n".join(lines[:at] + lines[at + 2 :])
    fourth = crawl(db_path, "hk_companies_registry", _hk(server, without))
    assert fourth.counts == (149, 0, 0, 149, 1, 0)
    removed = {r["source_id"] for r in dump(db_path)["records"] if r["removed"]}
    assert removed == {"645548"}


def test_change_only_file_removes_titles(server: LocalServer, db_path: Path) -> None:
    base = server.url("/gb_land_registry")
    assert crawl(db_path, "gb_land_registry", base).exit_code == 0
    result = crawl(db_path, "gb_land_registry", base, "--dataset", "ocod_changes")
    assert result.exit_code == 0, result.log[-2000:]
    rows = dump(db_path)
    assert {a["asset_id"] for a in rows["assets"] if a["removed"]} == {"NGL900001"}
    edges = [r for r in rows["relationships"] if r["object_id"] == "NGL900001"]
    assert edges and all(r["removed"] for r in edges)
    assert "NGL900100" in {a["asset_id"] for a in rows["assets"] if not a["removed"]}


def _lr_download(server: LocalServer, stem: str, body: bytes) -> None:
    """The signed link the API's recorded answer gives for STEM answers with BODY instead."""
    routes = json.loads((LR / "routes.json").read_text("utf-8"))
    [signed] = [path for path in routes if path.startswith(f"/files/{stem}.zip?")]
    server.route("/gb_land_registry" + signed, Reply(body=body))


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()
