"""`oad status`: what the store holds."""

from __future__ import annotations

import click

from cli.commands.common import open_store
from cli.output import echo
from pipelines.summary import render, summarise


@click.command(name="status")
@click.pass_context
def command(ctx: click.Context) -> None:
    """Show what the store holds: table sizes, debtors, records by source, recent imports.

    \b
    Example:
      oad --db bank.duckdb status
    """
    with open_store(ctx, read_only=True) as store:
        echo(render(summarise(store)))
