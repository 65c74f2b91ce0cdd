"""Long commands show their progress on a terminal, and only there: not when output goes to a
file or a pipe, not with --quiet. The summary line comes last either way."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_terminal(args: list[str], cwd: Path) -> str:
    """Run `oad ARGS` with a pseudo-terminal as its output; what it wrote, without escapes."""
    main, child = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "150", "TERM": "xterm"}
    done = subprocess.Popen(
        [sys.executable, "-m", "cli", *args], stdout=child, stderr=child, cwd=cwd, env=env
    )
    os.close(child)
    output = b""
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        output += data
    os.close(main)
    assert done.wait(timeout=300) == 0, output.decode(errors="replace")
    return ANSI.sub("", output.decode(errors="replace").replace("\r", "\n"))


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "records.csv"
    rows = [f"R{i},COMPANY {i} LIMITED,company" for i in range(60_000)]
    path.write_text("source_id,name,kind\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_an_import_shows_its_progress_on_a_terminal(tmp_path: Path, records: Path) -> None:
    output = on_terminal(
        ["--db", "s.duckdb", "records", "import", str(records), "--source", "v"], tmp_path
    )
    assert "read records.csv" in output and "100%" in output
    assert (
        output.rstrip()
        .splitlines()[-1]
        .endswith("60000 loaded, 0 updated, 0 unchanged, 0 rejected")
    )


def test_quiet_and_pipes_show_only_the_summary(tmp_path: Path, records: Path) -> None:
    quiet = on_terminal(
        ["--db", "s.duckdb", "--quiet", "records", "import", str(records), "--source", "v"],
        tmp_path,
    )
    assert "read records.csv" not in quiet and "60000 loaded" in quiet
    command = [sys.executable, "-m", "cli", "--db", "t.duckdb", "records", "import", str(records)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    piped = subprocess.run(
        [*command, "--source", "v"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert piped.stdout.splitlines() == [
        f"{records}: 60000 loaded, 0 updated, 0 unchanged, 0 rejected"
    ]


def test_a_crawl_shows_its_stages(tmp_path: Path) -> None:
    args = [
        "--db",
        "s.duckdb",
        "crawl",
        "hk_companies_registry",
        "--serve",
        str(REPO / "data/sample/crawl"),
    ]
    output = on_terminal(args, tmp_path)
    assert "read" in output and "merge" in output
    assert "11 fetched, 11 new" in output.rstrip().splitlines()[-1]
