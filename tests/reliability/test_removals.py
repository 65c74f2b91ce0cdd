"""Nothing lost silently: a snapshot that would remove much of a source is held until a person
says so, an empty one is refused, and a download cut short or a broken zip fails the fetch."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from spiders.localserver import LocalServer, Reply
from tests.reliability.helpers import oad, scalar
from tests.spiders.helpers import FIXTURES, crawl

HK = (FIXTURES / "hk_companies_registry" / "SP_2.csv").read_text(encoding="utf-8")
ROWS = "source_id,name\n" + "".join(f"R{i},COMPANY {i} LIMITED\n" for i in range(10))


def test_a_header_only_snapshot_import_is_refused(tmp_path: Path) -> None:
    db, full, empty = tmp_path / "s.duckdb", tmp_path / "full.csv", tmp_path / "empty.csv"
    full.write_text(ROWS)
    empty.write_text("source_id,name\n")
    assert oad(db, "records", "import", str(full), "--source", "s", "--snapshot").returncode == 0
    done = oad(db, "records", "import", str(empty), "--source", "s", "--snapshot")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no record to load" in done.stderr
    assert scalar(db, "SELECT count(*) FROM records WHERE removed_at IS NULL") == 10


def test_a_snapshot_import_that_removes_too_much_is_held(tmp_path: Path) -> None:
    db, full, half = tmp_path / "s.duckdb", tmp_path / "full.csv", tmp_path / "half.csv"
    full.write_text(ROWS)
    half.write_text("\n".join(ROWS.splitlines()[:6]) + "\n")
    oad(db, "records", "import", str(full), "--source", "s", "--snapshot")
    held = oad(db, "records", "import", str(half), "--source", "s", "--snapshot")
    assert held.returncode == 4, held.stderr
    assert "would mark 5 of 10 live records removed" in held.stderr
    assert scalar(db, "SELECT count(*) FROM records WHERE removed_at IS NULL") == 10
    assert scalar(db, "SELECT max(status) FROM crawls WHERE notes->>'would_remove' = '5'") == (
        "held"
    )
    done = oad(db, "records", "import", str(half), "--source", "s", "--snapshot",
               "--accept-removals")  # fmt: skip
    assert done.returncode == 0 and "5 marked removed" in done.stdout
    misuse = oad(db, "records", "import", str(half), "--source", "s", "--accept-removals")
    assert misuse.returncode == 2 and "--accept-removals goes with --snapshot" in misuse.stderr


def test_a_crawl_of_half_the_file_is_held(tmp_path: Path) -> None:
    """A server answering 200 with half the file, well formed: held, not half removed."""
    db = tmp_path / "s.duckdb"
    lines = HK.split("\n")
    half = "\n".join(lines[: len(lines) // 2 + 1]) + "\n"
    with LocalServer() as server:
        server.route("/hk/SP_2.csv", Reply(body=HK.encode()))
        assert crawl(db, "hk_companies_registry", server.url("/hk")).row["new"] == 150
        server.route("/hk/SP_2.csv", Reply(body=half.encode()))
        held = crawl(db, "hk_companies_registry", server.url("/hk"))
        assert held.exit_code == 4 and held.row["status"] == "held", held.log[-2000:]
        assert "live records removed" in held.output
        assert scalar(db, "SELECT count(*) FROM records WHERE removed_at IS NOT NULL") == 0
        accepted = crawl(db, "hk_companies_registry", server.url("/hk"), "--accept-removals")
    assert accepted.exit_code == 0 and accepted.row["removed"] > 60


def test_a_zip_that_does_not_verify_fails_the_fetch(tmp_path: Path) -> None:
    whole = (FIXTURES / "gb_land_registry" / "OCOD_FULL_2025_01.zip").read_bytes()
    member = zipfile.ZipFile(io.BytesIO(whole)).infolist()[0]
    start = member.header_offset + 30 + len(member.filename) + 40
    broken = (
        whole[:start] + bytes(b ^ 0xFF for b in whole[start : start + 64]) + whole[start + 64 :]
    )
    db = tmp_path / "s.duckdb"
    with LocalServer() as server:
        server.route("/lr/OCOD_FULL_2025_01.zip", Reply(body=broken))
        result = crawl(db, "gb_land_registry", server.url("/lr"))
    assert result.exit_code == 1 and result.row["status"] == "failed"
    assert "Traceback" not in result.output
    assert scalar(db, "SELECT count(*) FROM assets") == 0
