"""`oad users add|list|disable`: each change in the store's audit log, or journalled when busy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from cli.main import cli
from pipelines.store import connect
from tests.pipelines.test_store_reader import held_by_another_process


def add(db_path: Path, name: str, role: str, password: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["--db", str(db_path), "--wait", "0.1", "users", "add", name, "--role", role,
         "--password-stdin"],
        input=password + "\n",
    )  # fmt: skip


def test_users_are_added_listed_and_disabled_each_into_the_audit_log(
    oad: Callable[..., Result], db_path: Path
) -> None:
    connect(db_path).close()
    assert add(db_path, "ann", "admin", "long enough pass").output == "added ann (admin)\n"
    assert add(db_path, "bo", "viewer", "long enough pass").exit_code == 0
    assert oad("users", "disable", "bo").output == "disabled bo\n"
    assert oad("users", "disable", "bo").output == "bo was disabled already\n"
    header, *lines = oad("users", "list").output.splitlines()
    assert header.split()[:3] == ["name", "role", "status"]
    assert [line.split()[:3] for line in lines] == [
        ["ann", "admin", "active"],
        ["bo", "viewer", "disabled"],
    ]
    with connect(db_path, read_only=True) as store:
        rows = store.con.execute(
            "SELECT action, details->>'$.user' FROM audit_log WHERE action LIKE 'user %'"
            " ORDER BY audit_id"
        ).fetchall()
    assert rows == [("user added", "ann"), ("user added", "bo"), ("user disabled", "bo")]


def test_a_bad_user_is_refused_in_one_line(db_path: Path) -> None:
    result = add(db_path, "ann", "admin", "short")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: password: at least 10 characters, please"


def test_a_change_while_a_run_holds_the_store_is_journalled_then_copied(
    oad: Callable[..., Result], db_path: Path
) -> None:
    connect(db_path).close()
    with held_by_another_process(db_path):
        result = add(db_path, "ann", "admin", "long enough pass")
    assert result.exit_code == 0
    assert "recorded in the workbench database" in result.output
    # the next change finds the store free and copies both
    assert add(db_path, "cy", "viewer", "long enough pass").exit_code == 0
    with connect(db_path, read_only=True) as store:
        users = store.con.execute(
            "SELECT details->>'$.user' FROM audit_log WHERE action = 'user added' ORDER BY 1"
        ).fetchall()
    assert users == [("ann",), ("cy",)]
