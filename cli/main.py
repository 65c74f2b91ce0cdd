"""The single `oad` entry point: a click group of the command modules' commands."""

from __future__ import annotations

import signal

import click

from cli.commands.registry import LazyGroup
from pipelines.errors import DEFAULT_WAIT


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    "db_path",
    envvar="OAD_DB",
    default="oad.duckdb",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The DuckDB store file (or set OAD_DB).",
)
@click.option(
    "--wait",
    type=click.FloatRange(0),
    default=DEFAULT_WAIT,
    show_default=True,
    help="Seconds to wait for a store another command is using before giving up.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress display, only the summary.")
@click.pass_context
def cli(ctx: click.Context, db_path: str, wait: float, quiet: bool) -> None:
    """oad: find the overseas companies and property of Chinese banks' debtors.

    \b
    Example:
      oad --db bank.duckdb debtors import debtors.csv
    """
    ctx.obj = {"db_path": db_path, "wait": wait, "quiet": quiet}


def main() -> None:
    # a termination stops what the command started (a crawl's process, workers) on its way out
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="oad")


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
