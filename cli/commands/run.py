"""`oad run`: one discovery run (crawl, import, match, leads, digest) as a Prefect flow run."""

from __future__ import annotations

import click

from cli.commands.common import config_option, run_flows


@click.command(name="run")
@config_option
@click.pass_context
def command(ctx: click.Context, config: str | None) -> None:
    """Run discovery once: import dropped files, crawl the configured sources (at once, each
    retried), match what changed, rebuild the leads, write the digest, and record the run.

    Prefect runs it with a temporary local API: no server to start. `oad runs list` shows the
    runs recorded in the store. Exit status 0 when the run finished, 1 when it failed, 2 for a
    bad configuration.

    \b
    Example:
      oad --db bank.duckdb run --config oad.toml
    """
    ctx.exit(run_flows(ctx, ["run", *(["--config", config] if config else [])]))
