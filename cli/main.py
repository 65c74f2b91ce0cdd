"""The single `oad` entry point: a click group of the command modules' commands."""

from __future__ import annotations

import click

from cli.commands.registry import LazyGroup


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
@click.pass_context
def cli(ctx: click.Context, db_path: str) -> None:
    """oad: find the overseas companies and property of Chinese banks' debtors.

    \b
    Example:
      oad --db bank.duckdb debtors import debtors.csv
    """
    ctx.obj = {"db_path": db_path}


def main() -> None:
    cli(prog_name="oad")
