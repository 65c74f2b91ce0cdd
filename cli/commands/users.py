"""`oad users`: who may use the workbench, and as what."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from contextlib import closing

import click

from cli.output import echo
from pipelines.store import resolve_db_path
from pipelines.users import ROLES, add_user, disable_user, list_users
from pipelines.workbench_db import connect_workbench
from pipelines.workbench_events import Change, copy_events_if_free


@click.group(name="users")
def command() -> None:
    """The workbench's users: viewer (reads), investigator (also decides), admin (also sees
    the audit log and users).

    \b
    Example:
      oad users add alice --role investigator
    """


def _store(ctx: click.Context) -> str:
    return str(resolve_db_path((ctx.find_root().obj or {}).get("db_path")))


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"cli:uid:{os.getuid()}"


def _change() -> Change:
    return Change(_actor(), dt.datetime.now(dt.UTC))


def _audit(ctx: click.Context) -> None:
    """The change's event into the store's audit log now if the store is free; else it waits
    in the workbench database for the next command that holds the store."""
    store = _store(ctx)
    with closing(connect_workbench(store)) as con:
        copied = copy_events_if_free(con, store, (ctx.find_root().obj or {}).get("wait", 5.0))
    if copied is None:
        echo(
            "the store is busy or missing: the change is recorded in the workbench database and"
            " goes into the store's audit log when the next command holds the store"
        )


@command.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Add a user; the password is asked for twice (or read from standard input).

    \b
    Example:
      oad users add alice --role investigator
      printf '%s\\n' "$PASSWORD" | oad users add bob --role viewer --password-stdin
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    with closing(connect_workbench(_store(ctx))) as con:
        add_user(con, name, role, password, _change())
    _audit(ctx)
    echo(f"added {name} ({role})")


@command.command(name="list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """Every user: name, role, active or disabled, when added (UTC).

    \b
    Example:
      oad users list
    """
    with closing(connect_workbench(_store(ctx))) as con:
        users = list_users(con)
    if not users:
        echo("no users yet: add one with `oad users add NAME --role admin`")
        return
    echo(f"{'name':<24} {'role':<13} {'status':<9} added (UTC)")
    for user in users:
        status = "disabled" if user.disabled else "active"
        echo(f"{user.name:<24} {user.role:<13} {status:<9} {user.created_at[:19]}")


@command.command(name="disable")
@click.argument("name")
@click.pass_context
def disable(ctx: click.Context, name: str) -> None:
    """Disable a user: they cannot log in, and their open sessions end. What they decided
    stays theirs.

    \b
    Example:
      oad users disable alice
    """
    from pipelines.user_sessions import end_sessions_of

    with closing(connect_workbench(_store(ctx))) as con:
        changed = disable_user(con, name, _change())
        if changed:
            end_sessions_of(con, name)
    if not changed:
        echo(f"{name} was disabled already")
        return
    _audit(ctx)
    echo(f"disabled {name}")
