"""`oad schedule`: serve the discovery flow on a schedule against a Prefect server."""

from __future__ import annotations

import click

from cli.commands.common import config_option, run_flows


@click.command(name="schedule")
@config_option
@click.option("--cron", help="When to run, as cron: '0 2 * * *' is 02:00 every night.")
@click.option("--interval", type=click.FloatRange(min=1), help="Or every N seconds.")
@click.option("--name", default="oad-discovery", show_default=True, help="The deployment.")
@click.pass_context
def command(
    ctx: click.Context, config: str | None, cron: str | None, interval: float | None, name: str
) -> None:
    """Serve discovery on a schedule until stopped (Ctrl-C): each run as `oad run` does it.

    Needs a Prefect server: start one with `prefect server start` and set PREFECT_API_URL
    (docs/flows.md). Without --cron or --interval, the configuration's [schedule] is used.

    \b
    Example:
      oad schedule --config oad.toml --cron "0 2 * * *"
      (with PREFECT_API_URL=http://127.0.0.1:4200/api set)
    """
    arguments = ["serve", "--name", name, *(["--config", config] if config else [])]
    arguments += ["--cron", cron] if cron else []
    arguments += ["--interval", str(interval)] if interval else []
    ctx.exit(run_flows(ctx, arguments))
