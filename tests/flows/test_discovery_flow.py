"""The discovery flow run for real by Prefect (its test harness: a temporary local API) over the
bundled sample's recorded responses, served on 127.0.0.1: a first run builds everything, a
second over the same responses changes nothing, a changed title changes only its leads, a
failing step leaves the store as it was, a crawl that fails once is retried, and the digest
reaches a webhook."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pipelines.store import connect
from spiders.localserver import LocalServer, Reply
from tests.conftest import REPO

pytestmark = pytest.mark.slow

SAMPLE = REPO / "data" / "sample"
CCOD = Path("gb_land_registry/files/CCOD_FULL_2025_11.zip")
SOURCES = [("gb_companies_house", None), ("gb_companies_house", "psc"),
           ("gb_land_registry", "ccod_full")]  # fmt: skip


@pytest.fixture(scope="module")
def harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the sample's recorded responses that a test may change, and a drop folder
    holding the sample's debtor list."""
    shutil.copytree(SAMPLE / "crawl", tmp_path / "crawl")
    (tmp_path / "inbox" / "debtors").mkdir(parents=True)
    shutil.copy(SAMPLE / "debtors.csv", tmp_path / "inbox" / "debtors" / "debtors.csv")
    return tmp_path


def write_config(folder: Path, sources: list[dict[str, Any]], **digest: object) -> Path:
    lines = ['[crawl]', 'serve = "crawl"', "retries = 1", "retry_delay = 0.5", "",
             "[imports]", 'folder = "inbox"', "", "[digest]", 'folder = "digests"',
             "min_confidence = 0.1"]  # fmt: skip
    lines += [f"{key} = {json.dumps(value)}" for key, value in digest.items()]
    for source in sources:
        lines += ["", "[[crawl.sources]]"]
        lines += [f"{key} = {_toml(value)}" for key, value in source.items()]
    path = folder / "oad.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def sample_sources() -> list[dict[str, Any]]:
    return [{"source": s, **({"dataset": d} if d else {})} for s, d in SOURCES]


def run(config: Path, db: Path) -> dict[str, Any]:
    from flows.discovery import discovery_flow

    result: dict[str, Any] = discovery_flow(str(config), str(db))
    return result


def leads_of(db: Path) -> dict[str, tuple[str, str, float]]:
    with connect(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT lead_id, debtor_id, target_id, status, confidence FROM leads"
        ).fetchall()
    return {row[0]: (row[1] + ">" + row[2], row[3], row[4]) for row in rows}


def discovery_runs(db: Path) -> list[tuple[int, str, dict[str, Any]]]:
    with connect(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT run_id, status, stats::VARCHAR FROM runs WHERE kind = 'discovery'"
            " ORDER BY run_id"
        ).fetchall()
    return [(row[0], row[1], json.loads(row[2] or "{}")) for row in rows]


def edit_zip(path: Path, change: Callable[[str], str]) -> None:
    """A zipped CSV as its publisher would publish it after a change."""
    with zipfile.ZipFile(path) as archive:
        name = archive.namelist()[0]
        text = archive.read(name).decode("utf-8")
    changed = change(text)
    assert changed != text
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, changed)
    path.write_bytes(buffer.getvalue())


def set_price(site: Path, title: str, price: str) -> None:
    """The title's line in the CCOD file with another price paid (a sale)."""

    def repriced(text: str) -> str:
        lines = text.splitlines(keepends=True)
        return "".join(_repriced(line, title, price) for line in lines)

    edit_zip(site / "crawl" / CCOD, repriced)


def rename_company(site: Path, old: str, new: str) -> None:
    """A company of the Companies House file under a new name, in whichever part holds it."""
    for part in sorted((site / "crawl" / "gb_companies_house").glob("BasicCompanyData-*.zip")):
        with zipfile.ZipFile(part) as archive:
            if old in archive.read(archive.namelist()[0]).decode("utf-8"):
                edit_zip(part, lambda text: text.replace(old, new))
                return
    raise AssertionError(f"no {old} in the Companies House files")


def _repriced(line: str, title: str, price: str) -> str:
    if not line.startswith(title + ","):
        return line
    row = next(csv.reader([line]))
    row[8] = price  # Price Paid
    out = io.StringIO()
    csv.writer(out, lineterminator=line[len(line.rstrip("\r\n")) :]).writerow(row)
    return out.getvalue()


def rematched(db: Path, match_run: int) -> set[tuple[str, str]]:
    """The records whose matches the match run MATCH_RUN wrote."""
    with connect(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT DISTINCT source, source_id FROM matches WHERE run_id = ?", [match_run]
        ).fetchall()
    return {(source, source_id) for source, source_id in rows}


def test_runs_build_then_change_nothing_then_only_what_changed(harness: None, site: Path) -> None:
    config, db = write_config(site, sample_sources()), site / "oad.duckdb"
    first = run(config, db)
    assert {key: o["status"] for key, o in first["sources"].items()} == {
        "gb_companies_house:default": "finished", "gb_companies_house:psc": "finished",
        "gb_land_registry:ccod_full": "finished",
    }  # fmt: skip
    [imported] = first["steps"]["imports"]
    assert imported["status"] == "imported" and not (site / "inbox/debtors/debtors.csv").exists()
    assert first["steps"]["match"]["scored_pairs"] > 0
    built = leads_of(db)
    # D018's own chain to the title, and D001's through its legal representative 陈大文
    chain = [lead for lead, (what, _, _) in built.items() if what.endswith(">NGL990101")]
    assert sorted(built[lead][0] for lead in chain) == ["D001>NGL990101", "D018>NGL990101"]
    assert {built[lead][1] for lead in chain} == {"new"}
    digest = Path(first["steps"]["digest"]["markdown"]).read_text(encoding="utf-8")
    assert "NGL990101" in digest and "D018" in digest

    second = run(config, db)
    assert second["steps"]["match"]["scored_pairs"] == 0
    assert second["steps"]["imports"] == []
    assert second["steps"]["leads"]["counts"] == {
        "new": 0, "changed": 0, "unchanged": len(built), "gone": 0
    }  # fmt: skip
    assert {k: v[1] for k, v in leads_of(db).items()} == dict.fromkeys(built, "unchanged")

    # a title sold at another price, and a company with no chain renamed after a debtor's
    set_price(site, "NGL990101", "2300000")
    rename_company(site, "JADE RIVER HOLDINGS PLC", "ANFENG INVESTMENT LIMITED")
    third = run(config, db)
    assert 0 < third["steps"]["match"]["scored_pairs"] < first["steps"]["match"]["scored_pairs"]
    assert rematched(db, third["steps"]["match"]["run_id"]) == {("gb_companies_house", "12345675")}
    after = leads_of(db)
    assert {k for k, v in after.items() if v[1] == "changed"} == set(chain)
    assert set(after) == set(built)
    statuses = [status for _, status, _ in discovery_runs(db)]
    assert statuses == ["finished", "finished", "finished"]


def test_a_failing_step_leaves_the_store_as_it_was_and_the_run_failed(
    harness: None, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matching.run

    config, db = write_config(site, sample_sources()[:1]), site / "oad.duckdb"

    def broken(*args: object) -> None:
        raise RuntimeError("the disk went away")

    # matches are written, then reviews applied, in one transaction: fail in the middle
    monkeypatch.setattr(matching.run, "apply_reviews", broken)
    with pytest.raises(RuntimeError, match="the disk went away"):
        run(config, db)
    with connect(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM matches").fetchall() == [(0,)]
        assert store.con.execute("SELECT count(*) FROM debtors").fetchall()[0][0] > 0
    [(_, status, stats)] = discovery_runs(db)
    assert status == "failed" and "the disk went away" in stats["error"]
    assert "imports" in stats["steps"] and "match" not in stats["steps"]

    monkeypatch.undo()  # the next run starts cleanly
    again = run(config, db)
    assert again["steps"]["match"]["scored_pairs"] > 0
    assert [s for _, s, _ in discovery_runs(db)] == ["failed", "finished"]


def test_a_crawl_that_fails_once_is_retried_and_a_failed_source_spares_the_others(
    harness: None, site: Path
) -> None:
    with LocalServer(site / "crawl") as server:
        listing = site / "crawl" / "gb_companies_house" / "en_output.html"
        page = Reply(body=listing.read_bytes(), headers={"Content-Type": "text/html"})
        server.route("/gb_companies_house/en_output.html", Reply(503, b"busy\n"), page)
        flaky = {"source": "gb_companies_house", "base_url": server.url("/gb_companies_house"),
                 "settings": {"RETRY_ENABLED": "False"}}  # fmt: skip
        gone = {"source": "sg_acra", "base_url": server.url("/nothing_here")}
        config, db = write_config(site, [flaky, gone]), site / "oad.duckdb"
        result = run(config, db)
        asked = [seen.path for seen in server.seen("/gb_companies_house/en_output.html")]
    assert len(asked) == 2  # failed once, then retried
    assert result["sources"]["gb_companies_house:default"]["status"] == "finished"
    assert result["sources"]["sg_acra:default"]["status"] == "failed"
    assert "sg_acra" in result["sources"]["sg_acra:default"]["error"]
    assert result["steps"]["match"]["scored_pairs"] >= 0  # the run went on
    assert discovery_runs(db)[-1][1] == "finished"


class _Receiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        _Receiver.bodies.append(self.rfile.read(length))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_digest_is_posted_to_a_webhook(harness: None, site: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        config = write_config(site, sample_sources(), webhook=url)
        result = run(config, site / "oad.duckdb")
    finally:
        server.shutdown()
        server.server_close()
    assert result["steps"]["digest"]["webhook"]["ok"] is True
    payload = json.loads(_Receiver.bodies[-1])
    assert "NGL990101" in json.dumps(payload)
