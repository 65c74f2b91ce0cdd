from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from tests.conftest import REPO
from tests.pipelines.test_store import hold_store_open


def every_command(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))


def test_every_command_has_help_with_an_example(oad: Callable[..., Result]) -> None:
    commands = list(every_command(cli))
    assert ("debtors", "import") in commands and ("records", "import") in commands
    assert ("status",) in commands
    for path in [(), *commands]:
        output = oad(*path, "--help").output
        assert "Example:" in output, f"`oad {' '.join(path)}` has no example in its help"
        example = output.split("Example:", 1)[1].split("\n\n", 1)[0]
        assert example.strip().startswith("oad "), f"`oad {' '.join(path)}` example: {example}"


def test_import_and_status_through_the_cli(oad: Callable[..., Result]) -> None:
    sample = REPO / "data" / "sample"
    out = oad("debtors", "import", str(sample / "debtors.csv")).output
    assert "24 loaded, 0 updated, 0 unchanged, 0 rejected" in out
    out = oad(
        "records", "import", str(sample / "records" / "gleif.jsonl"), "--source", "gleif"
    ).output
    assert "13 loaded" in out and "columns not used (kept in the raw payload): lei" in out
    status = oad("status").output
    assert "debtors" in status and "gleif" in status
    assert "person" in status and "company" in status


def test_user_errors_are_one_line_messages(oad: Callable[..., Result], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("名称\n张三\n", encoding="utf-8")
    result = oad("debtors", "import", str(bad), expect_exit=1)
    assert (
        result.output.startswith("Error: ")
        and "required column(s) missing: debtor_id" in result.output
    )
    assert "Traceback" not in result.output
    nowhere = tmp_path / "nowhere.duckdb"
    missing = CliRunner().invoke(cli, ["--db", str(nowhere), "status"])
    assert missing.exit_code == 1 and "no store here yet" in missing.output


def test_concurrent_writer_gets_a_clear_message(db_path: Path) -> None:
    holder = hold_store_open(db_path)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "cli", "--db", str(db_path), "debtors", "import",
             str(REPO / "data" / "sample" / "debtors.csv")],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        holder.communicate("")
    assert result.returncode == 1
    assert "store is in use by process" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [("--help",), ("debtors", "--help")])
def test_module_entry_point(args: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "Example:" in result.stdout
