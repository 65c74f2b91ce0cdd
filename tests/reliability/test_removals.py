"""Nothing lost silently: a snapshot that would remove much of a source is held until a person
says so, an empty one is refused, and a download cut short or a broken zip fails the fetch."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from spiders.localserver import LocalServer, Reply
from tests.reliability.helpers import oad, scalar
from tests.spiders.helpers import FIXTURES, crawl

OCOD = "OCOD_FULL_2025_11"
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
    whole = (FIXTURES / "gb_land_registry" / "files" / f"{OCOD}.zip").read_bytes()
    lines = zipfile.ZipFile(io.BytesIO(whole)).read(f"{OCOD}.csv").split(b"\r\n")
    half = _zip(f"{OCOD}.csv", b"\r\n".join(lines[: len(lines) // 2 + 1]) + b"\r\n")
    files = ("-a", f"files=/{OCOD}.zip")
    with LocalServer() as server:
        server.route(f"/lr/{OCOD}.zip", Reply(body=whole))
        assert crawl(db, "gb_land_registry", server.url("/lr"), *files).row["new"] > 24
        server.route(f"/lr/{OCOD}.zip", Reply(body=half))
        held = crawl(db, "gb_land_registry", server.url("/lr"), *files)
        assert held.exit_code == 4 and held.row["status"] == "held", held.log[-2000:]
        assert "live " in held.output and " removed (" in held.output
        assert scalar(db, "SELECT count(*) FROM assets WHERE removed_at IS NOT NULL") == 0
        accepted = crawl(db, "gb_land_registry", server.url("/lr"), *files, "--accept-removals")
    assert accepted.exit_code == 0 and accepted.row["removed"] >= 11


def _zip(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_that_does_not_verify_fails_the_fetch(tmp_path: Path) -> None:
    whole = (FIXTURES / "gb_land_registry" / "files" / f"{OCOD}.zip").read_bytes()
    member = zipfile.ZipFile(io.BytesIO(whole)).infolist()[0]
    start = member.header_offset + 30 + len(member.filename) + 40
    broken = (
        whole[:start] + bytes(b ^ 0xFF for b in whole[start : start + 64]) + whole[start + 64 :]
    )
    db = tmp_path / "s.duckdb"
    with LocalServer() as server:
        server.route(f"/lr/{OCOD}.zip", Reply(body=broken))
        result = crawl(db, "gb_land_registry", server.url("/lr"), "-a", f"files=/{OCOD}.zip")
    assert result.exit_code == 1 and result.row["status"] == "failed"
    assert "Traceback" not in result.output
    assert scalar(db, "SELECT count(*) FROM assets") == 0
