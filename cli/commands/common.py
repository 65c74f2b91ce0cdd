"""What every command shares: opening the store from the root --db option, clean user errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from click.core import ParameterSource

from pipelines.store import Store, connect


@contextmanager
def open_store(ctx: click.Context, read_only: bool = False) -> Iterator[Store]:
    """The store named by `oad --db` (or OAD_DB), waited for `oad --wait` seconds when another
    process has it; errors become one-line messages in `cli.commands.registry.LazyGroup`."""
    options = ctx.find_root().obj or {}
    with connect(options.get("db_path"), read_only=read_only, wait=options["wait"]) as store:
        yield store


# the discovery run's configuration file, for the commands that start a flow
config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False),
    envvar="OAD_CONFIG",
    help="The run's configuration (default: OAD_CONFIG, else ./oad.toml).",
)


def run_flows(ctx: click.Context, arguments: list[str]) -> int:
    """`python -m flows ARGUMENTS` in a process of its own (the flows are another face over
    the library: the CLI starts them, it does not import them), with the store from `oad --db`
    or OAD_DB when one was given, else the configuration's. Its exit status."""
    root = ctx.find_root()
    if root.get_parameter_source("db_path") is not ParameterSource.DEFAULT:
        arguments = [*arguments, "--db", str((root.obj or {})["db_path"])]
    return subprocess.call([sys.executable, "-m", "flows", *arguments])
